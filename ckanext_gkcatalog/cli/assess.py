"""`gkcatalog assess` (match, check and score again) and `gkcatalog decide` (a county's declarations)."""
from __future__ import annotations

import click

from ..assess import assess as run_assess
from ..decisions import decision_problem, domain_of
from ..problems import Location, Problem
from ..reports.dashboard import overview
from ..schema import domain_label
from .base import Context, domain_key, pass_ctx, table


@click.command()
@click.option("--county", help="Only this county (6-digit code).")
@click.option("--domain", "-d", help="Only this domain.")
@pass_ctx
def assess(ctx: Context, county, domain):
    """Match, check and score again (a harvest does this itself; run it after loading a new baseline)."""
    key = domain_key(ctx, domain)
    ctx.known_county(county)
    pairs = [(c, d) for c, d in ctx.store.county_domains() if (not county or c == county) and (not key or d == key)]
    done = run_assess(ctx.store, pairs)
    click.echo(score_table(ctx, ctx.store))
    click.echo(ctx.say(f"已评估 {len(done)} 个县·领域。", f"Assessed {len(done)} county-domain pairs."))


@click.group()
def decide():
    """A county's declarations: baseline items that do not apply locally, manual mappings."""


@decide.command("na")
@click.argument("county_code")
@click.argument("baseline_code")
@click.option("--reason", default="本地未开展", show_default=True)
@pass_ctx
def decide_na(ctx: Context, county_code, baseline_code, reason):
    """Declare BASELINE_CODE (e.g. employment-02-01) not applicable in COUNTY_CODE: not a gap."""
    _refuse_if(ctx, decision_problem(ctx.store, county_code, baseline_code))
    domain = domain_of(baseline_code)
    ctx.store.add_decision(county_code, domain, baseline_code, "not_applicable", reason=reason, decided_by="cli")
    _reassess(ctx, county_code, domain)


@decide.command("domain-na")
@click.argument("county_code")
@click.argument("domain")
@click.option("--reason", default="本地未涉及该领域", show_default=True)
@pass_ctx
def decide_domain_na(ctx: Context, county_code, domain, reason):
    """Declare a whole DOMAIN not applicable in COUNTY_CODE (未涉及领域): it is then not a gap."""
    _refuse_if(ctx, decision_problem(ctx.store, county_code))
    key = domain_key(ctx, domain)
    ctx.store.add_decision(county_code, key, key, "domain_na", reason=reason, decided_by="cli")
    click.echo(ctx.say(f"已声明:{domain_label(key)}领域在本县不适用,不计为缺项。",
                       f"Declared: {domain_label(key, 'en')} does not apply in this county; it is not a gap."))


@decide.command("map")
@click.argument("county_code")
@click.argument("item_id")
@click.argument("baseline_code")
@pass_ctx
def decide_map(ctx: Context, county_code, item_id, baseline_code):
    """Declare that the county's item ITEM_ID is BASELINE_CODE, whatever automatic matching says."""
    _refuse_if(ctx, decision_problem(ctx.store, county_code, baseline_code, item_id=item_id))
    domain = domain_of(baseline_code)
    ctx.store.add_decision(county_code, domain, baseline_code, "mapping", item_id=item_id, decided_by="cli")
    _reassess(ctx, county_code, domain)


@decide.command("list")
@click.argument("county_code")
@pass_ctx
def decide_list(ctx: Context, county_code):
    """The declarations of COUNTY_CODE."""
    ctx.known_county(county_code)
    header = ctx.say(["编号", "领域", "基准事项", "类型", "县事项", "理由"], ["id", "domain", "baseline item", "kind", "item", "reason"])
    kinds = {"mapping": ctx.say("对应", "mapping"), "not_applicable": ctx.say("事项不适用", "item N/A"),
             "domain_na": ctx.say("未涉及领域", "domain N/A")}
    click.echo(table(header, [[str(d.id), domain_label(d.domain, ctx.lang), "" if d.kind == "domain_na" else d.baseline_code,
                               kinds.get(d.kind, d.kind), d.item_id or "", d.reason or ""]
                              for d in ctx.store.decisions(county_code)]))


@decide.command("remove")
@click.argument("decision_id", type=int)
@pass_ctx
def decide_remove(ctx: Context, decision_id):
    """Withdraw a declaration."""
    decision = ctx.store.decision(decision_id)
    if decision is None:
        ctx.fail(Problem("unknown_decision", Location(), {"value": decision_id}))
    ctx.store.remove_decision(decision_id)
    _reassess(ctx, decision.county_code, decision.domain)


def _refuse_if(ctx: Context, problem) -> None:
    if problem is not None:
        ctx.fail(problem)


def _reassess(ctx: Context, county_code: str, domain: str) -> None:
    (done,) = run_assess(ctx.store, [(county_code, domain)]) or [None]
    if done:
        click.echo(ctx.say(f"已重新评分:{done.score} 分", f"Scored again: {done.score}"))


def score_table(ctx: Context, store) -> str:
    """Per county: the score of each domain and their mean, best first (the dashboards' overview)."""
    view = overview(store)
    rows = [[r.code, r.name, r.city, *(f"{r.scores[d].score:.0f}" if d in r.scores else "-" for d in view.domains),
             f"{r.score:.1f}"] for r in sorted(view.rows, key=lambda r: r.rank)]
    header = ctx.say(["代码", "县", "市", *(domain_label(d) for d in view.domains), "平均"],
                     ["code", "county", "city", *(domain_label(d, "en") for d in view.domains), "mean"])
    return table(header, rows)
