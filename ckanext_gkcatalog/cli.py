"""The `gkcatalog` command line. Thin: every command calls the core and the store and prints.

Messages are Chinese by default; `--lang en` (or GKCATALOG_LANG=en) switches to English.
"""
from __future__ import annotations

import json
import os
import sys

import click

from .baseline import BaselineError, demo_baseline_files, load_baseline
from .problems import Location, Problem
from .schema import load_schema
from .sources import KINDS
from .store import Store


class Context:
    def __init__(self, db: str | None, lang: str):
        self.db = db
        self.lang = lang
        self._store = None

    @property
    def store(self) -> Store:
        """The store, migrated to the newest schema on first use (so a new file just works)."""
        if self._store is None:
            self._store = Store(self.db)
            self._store.init()
        return self._store

    def say(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def report(self, problems, err: bool = True) -> None:
        for p in problems:
            mark = {"error": "✗", "warning": "!", "info": "·"}[p.severity]
            click.echo(f"{mark} {p.message(self.lang)}", err=err)


pass_ctx = click.make_pass_decorator(Context)


@click.group(name="gkcatalog", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="GKCATALOG_DB", default=None, metavar="URL",
              help="Database: a SQLAlchemy URL (postgresql://…) or a SQLite file path. Default: ./gkcatalog.db")
@click.option("--lang", envvar="GKCATALOG_LANG", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of messages.")
@click.pass_context
def main(ctx, db, lang):
    """ckanext-gkcatalog: grassroots disclosure standard catalogs (基层政务公开标准目录)."""
    ctx.obj = Context(db, lang)


@main.command()
@pass_ctx
def init(ctx: Context):
    """Create or upgrade the database tables."""
    store = Store(ctx.db)
    revision = store.init()
    click.echo(ctx.say(f"数据库已就绪:{store.engine.url.render_as_string()}(迁移版本 {revision})",
                       f"Database ready: {store.engine.url.render_as_string()} (revision {revision})"))


@main.group()
def baseline():
    """Provincial baseline catalogs: load, list, show, activate."""


def _domain_key(ctx: Context, domain: str | None) -> str | None:
    """The domain's key for a key or Chinese name given on the command line; a clear error otherwise."""
    if not domain:
        return None
    key = load_schema().domain(domain)
    if key is None:
        raise click.ClickException(ctx.say(f"无法识别领域“{domain}”", f"unknown domain '{domain}'"))
    return key


def _domain_label(value: str, lang: str) -> str:
    return load_schema().field("domain").value_label(value, "zh_Hans_CN" if lang == "zh" else "en")


@baseline.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--domain", "-d", help="Domain of a table (key or Chinese name, e.g. employment or 就业). "
                                     "A YAML baseline names its own.")
@click.option("--declared-l1", type=int, help="Declared number of level 1 items (default: the national count).")
@click.option("--declared-l2", type=int, help="Declared number of level 2 items.")
@click.option("--strict", is_flag=True, help="Refuse the baseline when the counts differ from the declared ones.")
@click.option("--no-activate", is_flag=True, help="Store as a new version without making it the active one.")
@pass_ctx
def baseline_load(ctx: Context, file, domain, declared_l1, declared_l2, strict, no_activate):
    """Load FILE (CSV, XLSX or YAML) as the next baseline version of its domain."""
    with open(file, "rb") as fh:
        data = fh.read()
    try:
        loaded = load_baseline(data, os.path.basename(file), domain,
                               {"level1": declared_l1, "level2": declared_l2})
    except BaselineError as exc:
        ctx.report(exc.problems)
        raise click.ClickException(ctx.say("基准目录未载入,数据库未作任何改动。", "Baseline not loaded; nothing was stored."))
    ctx.report(loaded.problems)
    if strict and loaded.count_ok is False:
        raise click.ClickException(ctx.say("事项数与声明不符(--strict),未载入。",
                                           "Counts differ from the declared ones (--strict); not loaded."))
    record = ctx.store.add_baseline(loaded, activate=not no_activate)
    _print_loaded(ctx, record)


def _print_loaded(ctx: Context, record) -> None:
    label = _domain_label(record.domain, ctx.lang)
    found, declared = record.found, record.declared
    counts = f"{found['level1']} L1 / {found['level2']} L2"
    if declared:
        counts += ctx.say(f"(声明 {declared.get('level1', '?')} / {declared.get('level2', '?')})",
                          f" (declared {declared.get('level1', '?')} / {declared.get('level2', '?')})")
    state = ctx.say("已启用" if record.active else "未启用", "active" if record.active else "inactive")
    click.echo(ctx.say(f"已载入 {label} 基准目录 第{record.version}版:{len(record.items)} 个事项,{counts},{state}",
                       f"Loaded {label} baseline version {record.version}: {len(record.items)} items, {counts}, {state}"))
    if record.is_demo:
        click.echo(ctx.say("注意:这是演示用的部分基准目录,不是官方基准目录。",
                           "Note: this is a partial demo baseline, not an official one."))


@baseline.command("demo")
@pass_ctx
def baseline_demo(ctx: Context):
    """Load the shipped partial demo baselines (employment, social insurance, social assistance, elderly care)."""
    for path in demo_baseline_files():
        loaded = load_baseline(path.read_bytes(), path.name)
        ctx.report(loaded.problems)
        _print_loaded(ctx, ctx.store.add_baseline(loaded))


@baseline.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def baseline_list(ctx: Context, fmt):
    """List every baseline version, the active one marked."""
    records = ctx.store.baselines()
    if fmt == "json":
        click.echo(json.dumps([_summary(r) for r in records], ensure_ascii=False, indent=2))
        return
    if not records:
        click.echo(ctx.say("还没有基准目录。用 `gkcatalog baseline load` 载入。",
                           "No baselines yet. Load one with `gkcatalog baseline load`."))
        return
    header = ctx.say(["领域", "版本", "启用", "事项", "一级/二级", "声明", "核对", "来源"],
                     ["domain", "version", "active", "items", "L1/L2", "declared", "check", "source"])
    rows = []
    for r in records:
        declared = f"{r.declared.get('level1', '-')}/{r.declared.get('level2', '-')}" if r.declared else "-"
        check = {True: "ok", False: ctx.say("不符", "MISMATCH"), None: "-"}[r.count_ok]
        source = r.source_name + (ctx.say("(演示)", " (demo)") if r.is_demo else "")
        rows.append([_domain_label(r.domain, ctx.lang), str(r.version), "*" if r.active else "",
                     str(len(r.items)), f"{r.found['level1']}/{r.found['level2']}", declared, check, source])
    click.echo(_table(header, rows))


def _summary(r) -> dict:
    return {"domain": r.domain, "version": r.version, "active": r.active, "title": r.title,
            "version_label": r.version_label, "source": r.source_name, "is_demo": r.is_demo,
            "declared": r.declared, "found": r.found, "count_ok": r.count_ok, "items": len(r.items),
            "loaded_at": r.loaded_at.isoformat()}


@baseline.command("show")
@click.argument("domain")
@click.option("--version", type=int, help="Version to show (default: the active one).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def baseline_show(ctx: Context, domain, version, fmt):
    """Show the items of DOMAIN's baseline."""
    key = _domain_key(ctx, domain)
    record = ctx.store.baseline(key, version)
    if record is None:
        raise click.ClickException(ctx.say(f"{domain} 没有基准目录", f"no baseline for {domain}"))
    items = [{"code": i.code, "level1": i.level1, "level2": i.level2, "level3": i.level3,
              "time_limit_days": i.time_limit_days, "note": i.note,
              **{k: v for k, v in i.elements.items() if k != "parsed"}} for i in record.items]
    if fmt == "json":
        click.echo(json.dumps({**_summary(record), "items": items}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{record.title} — v{record.version}{' *' if record.active else ''}")
    if record.notice:
        click.echo(record.notice)
    header = ctx.say(["编码", "一级事项", "二级事项", "时限(工作日)"], ["code", "level 1", "level 2", "limit (working days)"])
    rows = [[i["code"], i["level1"], i["level2"] + (f" / {i['level3']}" if i["level3"] else ""),
             "-" if i["time_limit_days"] is None else f"{i['time_limit_days']:g}"] for i in items]
    click.echo(_table(header, rows))


@baseline.command("activate")
@click.argument("domain")
@click.argument("version", type=int)
@pass_ctx
def baseline_activate(ctx: Context, domain, version):
    """Make VERSION the active baseline of DOMAIN."""
    try:
        ctx.store.activate_baseline(_domain_key(ctx, domain), version)
    except LookupError as exc:
        raise click.ClickException(str(exc))
    click.echo(ctx.say(f"已启用 {domain} 第{version}版", f"Activated {domain} version {version}"))


def _fetch_options(command):
    """The download limits, shared by every command that fetches."""
    for option in reversed([
        click.option("--allow-network", multiple=True, metavar="CIDR", envvar="GKCATALOG_ALLOW_NETWORKS",
                     help="Private network a source may resolve to (e.g. 127.0.0.1/32); refused by default."),
        click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds for a download."),
        click.option("--max-bytes", type=int, default=50 * 1024 * 1024, show_default=True,
                     help="Largest download accepted."),
    ]):
        command = option(command)
    return command


def _limits(allow_network, timeout, max_bytes):
    from .harvesters.fetch import FetchLimits

    networks = [n for value in allow_network for n in value.split()]
    return FetchLimits(timeout=timeout, max_bytes=max_bytes, allowed_networks=networks)


@main.command()
@click.argument("file_or_url")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--domain", "-d", help="Domain of the catalog when the file does not name it.")
@click.option("--county-code", help="6-digit code of the county that publishes the file.")
@click.option("--county-name", help="Name of that county.")
@click.option("--parsed", is_flag=True, help="Also print what the normalisers read (time limits, basis documents ...).")
@_fetch_options
@pass_ctx
def parse(ctx: Context, file_or_url, fmt, domain, county_code, county_name, parsed, allow_network, timeout, max_bytes):
    """Read a catalog file or URL and print its items and findings, without touching the store."""
    from .harvesters.fetch import FetchError, fetch
    from .harvesters.parse import parse_document, public_item

    defaults = {"county_code": county_code, "county_name": county_name, "domain": _domain_key(ctx, domain)}
    content_type = None
    if file_or_url.startswith(("http://", "https://")):
        try:
            fetched = fetch(file_or_url, _limits(allow_network, timeout, max_bytes))
        except FetchError as exc:
            ctx.report([exc.problem])
            sys.exit(2)
        data, content_type, name = fetched.data, fetched.content_type, fetched.url
        defaults["source_url"] = fetched.url
    else:
        if not os.path.isfile(file_or_url):
            raise click.ClickException(ctx.say(f"找不到文件 {file_or_url}", f"no such file: {file_or_url}"))
        with open(file_or_url, "rb") as fh:
            data = fh.read()
        name = os.path.basename(file_or_url)
    result = parse_document(data, name, defaults={k: v for k, v in defaults.items() if v}, content_type=content_type)
    if fmt == "json":
        click.echo(json.dumps({"items": [public_item(i, parsed) for i in result.items],
                               "findings": [p.as_dict() for p in result.problems]}, ensure_ascii=False, indent=2))
    else:
        header = ctx.say(["一级事项", "二级事项", "三级事项", "领域", "层级"], ["level 1", "level 2", "level 3", "domain", "tiers"])
        rows = [[i.get("level1") or "", i.get("level2") or "", i.get("level3") or "", i.get("domain") or "",
                 ",".join(i.get("tiers") or [])] for i in result.items]
        click.echo(_table(header, rows))
        ctx.report(result.problems, err=False)
        errors = len(result.errors)
        click.echo(ctx.say(f"{len(result.items)} 个事项,{errors} 个错误,{len(result.problems) - errors} 个提示",
                           f"{len(result.items)} items, {errors} errors, {len(result.problems) - errors} notes"))
    if not result.items:
        sys.exit(2)


# --- sources, harvests, jobs -------------------------------------------------------------------------

@main.group()
def source():
    """County sources: register, import a city's list, enable or disable."""


@source.command("add")
@click.argument("county_code")
@click.argument("url")
@click.option("--kind", type=click.Choice(KINDS), default="auto",
              show_default=True, help="How to read the URL; auto decides from the response.")
@click.option("--domain", "-d", help="The domain the URL publishes (leave out when it names its domains itself).")
@click.option("--county-name", help="Name of the county, needed the first time a county is registered.")
@click.option("--city-name", help="Name of the county's city.")
@click.option("--every", help="Harvest frequency: 30m, 12h, 1d, 1w (default: on demand only).")
@click.option("--page", "pages", multiple=True, help="Further pages of a catalog split over several pages.")
@click.option("--dataset", help="CKAN sources: read the catalog files of this dataset instead of gk-catalog-item datasets.")
@click.option("--organization", help="CKAN sources: only the gk-catalog-item datasets of this organization.")
@pass_ctx
def source_add(ctx: Context, county_code, url, kind, domain, county_name, city_name, every, pages, dataset,
               organization):
    """Register URL as the catalog of COUNTY_CODE (a 6-digit 行政区划代码).

    For --kind ckan, URL is the portal's address (https://data.example.gov.cn)."""
    from .sources import parse_frequency

    key = _domain_key(ctx, domain)
    options = {k: v for k, v in {"pages": list(pages), "dataset": dataset, "organization": organization}.items() if v}
    try:
        ctx.store.upsert_county(county_code, county_name, city_name=city_name)
        record = ctx.store.add_source(county_code, url, kind, key, options, parse_frequency(every))
    except (LookupError, ValueError) as exc:
        raise click.ClickException(str(exc))
    click.echo(ctx.say(f"已登记来源 #{record.id}:{county_code} {url}", f"Registered source #{record.id}: {county_code} {url}"))


@source.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def source_import(ctx: Context, file):
    """Register every row of a CSV/XLSX list of county URLs (行政区划代码, 县名, 市, 领域, 网址, 类型, 频率)."""
    from .sources import read_source_list

    with open(file, "rb") as fh:
        rows, problems = read_source_list(fh.read(), os.path.basename(file))
    registered = 0
    for row in rows:
        try:
            ctx.store.upsert_county(row.county_code, row.county_name, city_name=row.city_name)
        except LookupError:  # a county seen for the first time needs its name
            problems.append(Problem("required", Location(os.path.basename(file), None, row.row, field="county_name"),
                                    {"field": "county_name"}))
            continue
        ctx.store.add_source(row.county_code, row.url, row.kind, row.domain, None, row.frequency_seconds)
        registered += 1
    ctx.report(problems)
    errors = len([p for p in problems if p.is_error])
    click.echo(ctx.say(f"登记 {registered} 个来源,{errors} 处错误的行未登记",
                       f"Registered {registered} sources; {errors} errors, their rows left out"))
    if not registered and problems:
        sys.exit(1)


@source.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def source_list(ctx: Context, fmt):
    """List the registered sources."""
    records = ctx.store.sources()
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "county_code": r.county_code, "domain": r.domain, "kind": r.kind, "url": r.url,
                                "enabled": r.enabled, "frequency_seconds": r.frequency_seconds,
                                "next_run_at": r.next_run_at.isoformat() if r.next_run_at else None,
                                "options": r.options} for r in records], ensure_ascii=False, indent=2))
        return
    header = ctx.say(["编号", "县", "领域", "类型", "启用", "频率(秒)", "网址"], ["id", "county", "domain", "kind", "on", "every (s)", "url"])
    click.echo(_table(header, [[str(r.id), r.county_code, r.domain or "*", r.kind, "*" if r.enabled else "",
                                str(r.frequency_seconds or "-"), r.url] for r in records]))


@source.command("enable")
@click.argument("source_id", type=int)
@pass_ctx
def source_enable(ctx: Context, source_id):
    """Harvest SOURCE_ID again."""
    _set_enabled(ctx, source_id, True)


@source.command("disable")
@click.argument("source_id", type=int)
@pass_ctx
def source_disable(ctx: Context, source_id):
    """Stop harvesting SOURCE_ID; its items stay."""
    _set_enabled(ctx, source_id, False)


def _set_enabled(ctx: Context, source_id: int, enabled: bool) -> None:
    try:
        ctx.store.set_source_enabled(source_id, enabled)
    except LookupError as exc:
        raise click.ClickException(str(exc))
    click.echo(ctx.say(f"来源 #{source_id} 已{'启用' if enabled else '停用'}",
                       f"Source #{source_id} {'enabled' if enabled else 'disabled'}"))


@main.command()
@click.option("--county", help="Only this county's sources (6-digit code).")
@click.option("--source", "source_id", type=int, help="Only this source.")
@click.option("--due", is_flag=True, help="Only the sources whose scheduled time has come.")
@click.option("--workers", type=int, default=4, show_default=True, help="Sources harvested at once.")
@click.option("--processes", type=int, default=os.cpu_count() or 1, show_default=True,
              help="Parser processes (files are parsed on every core); 1 parses in the harvesting threads.")
@_fetch_options
@pass_ctx
def harvest(ctx: Context, county, source_id, due, workers, processes, allow_network, timeout, max_bytes):
    """Harvest county sources into the store (all enabled sources unless narrowed)."""
    from .harvesters.pipeline import HarvestSettings, harvest as run_harvest

    store = ctx.store
    if source_id:
        chosen = [s for s in [store.source(source_id)] if s]
    elif due:
        chosen = store.due_sources()
    else:
        chosen = store.sources(county, enabled_only=True)
    if county:
        chosen = [s for s in chosen if s.county_code == county]
    if not chosen:
        click.echo(ctx.say("没有需要采集的来源。", "No sources to harvest."))
        return
    settings = HarvestSettings(_limits(allow_network, timeout, max_bytes), workers, processes)
    with click.progressbar(length=len(chosen), label=ctx.say("采集", "Harvesting"), file=sys.stderr) as bar:
        reports = run_harvest(store, chosen, settings, on_done=lambda report: bar.update(1))
    header = ctx.say(["作业", "来源", "县", "状态", "新增", "更新", "未变", "撤下", "错误"],
                     ["job", "source", "county", "status", "added", "updated", "unchanged", "withdrawn", "errors"])
    click.echo(_table(header, [[str(r.job_id), str(r.source_id), r.county_code, r.status,
                                *(str(r.counts.get(k, 0)) for k in ("added", "updated", "unchanged", "withdrawn", "errors"))]
                               for r in reports]))
    if any(r.status == "failed" for r in reports):
        sys.exit(1)


@main.command()
@click.option("--source", "source_id", type=int, help="Only this source's jobs.")
@click.option("--job", "job_id", type=int, help="Show one job with its findings.")
@click.option("--limit", type=int, default=30, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def jobs(ctx: Context, source_id, job_id, limit, fmt):
    """List harvest jobs, newest first, or one job's findings."""
    def summary(j):
        return {"id": j.id, "source_id": j.source_id, "status": j.status, "started_at": j.started_at.isoformat(),
                "finished_at": j.finished_at.isoformat() if j.finished_at else None, "timings": j.timings,
                **{k: getattr(j, k) for k in ("added", "updated", "unchanged", "withdrawn", "errors")}, "message": j.message}
    if job_id:
        job = ctx.store.job(job_id)
        if job is None:
            raise click.ClickException(ctx.say(f"没有作业 {job_id}", f"no job {job_id}"))
        findings = ctx.store.findings(job_id)
        if fmt == "json":
            click.echo(json.dumps({**summary(job), "findings": [
                {"stage": f.stage, "rule": f.rule, "severity": f.severity, "item_id": f.item_id, "location": f.location,
                 "message_zh": f.message_zh, "message_en": f.message_en} for f in findings]}, ensure_ascii=False, indent=2))
            return
        click.echo(json.dumps(summary(job), ensure_ascii=False))
        for f in findings:
            click.echo(f"[{f.stage}] {f.severity}: {f.message_zh if ctx.lang == 'zh' else f.message_en}")
        return
    records = ctx.store.jobs(source_id, limit)
    if fmt == "json":
        click.echo(json.dumps([summary(j) for j in records], ensure_ascii=False, indent=2))
        return
    header = ctx.say(["作业", "来源", "状态", "开始", "用时(秒)", "新增", "更新", "未变", "撤下", "错误"],
                     ["job", "source", "status", "started", "seconds", "added", "updated", "unchanged", "withdrawn", "errors"])
    rows = []
    for j in records:
        took = f"{(j.finished_at - j.started_at).total_seconds():.2f}" if j.finished_at else "-"
        rows.append([str(j.id), str(j.source_id or "-"), j.status, j.started_at.strftime("%Y-%m-%d %H:%M:%S"), took,
                     *(str(getattr(j, k)) for k in ("added", "updated", "unchanged", "withdrawn", "errors"))])
    click.echo(_table(header, rows))


@main.command()
@click.option("--county", help="Only this county (6-digit code).")
@click.option("--domain", "-d", help="Only this domain.")
@pass_ctx
def assess(ctx: Context, county, domain):
    """Match, check and score again (a harvest does this itself; run it after loading a new baseline)."""
    from .assess import assess as run_assess

    key = _domain_key(ctx, domain)
    pairs = [(c, d) for c, d in ctx.store.county_domains() if (not county or c == county) and (not key or d == key)]
    done = run_assess(ctx.store, pairs)
    click.echo(_score_table(ctx, ctx.store))
    click.echo(ctx.say(f"已评估 {len(done)} 个县·领域。", f"Assessed {len(done)} county-domain pairs."))


@main.group()
def decide():
    """A county's declarations: baseline items that do not apply locally, manual mappings."""


@decide.command("na")
@click.argument("county_code")
@click.argument("baseline_code")
@click.option("--reason", default="本地未开展", show_default=True)
@pass_ctx
def decide_na(ctx: Context, county_code, baseline_code, reason):
    """Declare BASELINE_CODE (e.g. employment-02-01) not applicable in COUNTY_CODE: not a gap."""
    domain = baseline_code.rsplit("-", 2)[0]
    ctx.store.add_decision(county_code, domain, baseline_code, "not_applicable", reason=reason, decided_by="cli")
    _reassess(ctx, county_code, domain)


@decide.command("map")
@click.argument("county_code")
@click.argument("item_id")
@click.argument("baseline_code")
@pass_ctx
def decide_map(ctx: Context, county_code, item_id, baseline_code):
    """Declare that the county's item ITEM_ID is BASELINE_CODE, whatever automatic matching says."""
    domain = baseline_code.rsplit("-", 2)[0]
    ctx.store.add_decision(county_code, domain, baseline_code, "mapping", item_id=item_id, decided_by="cli")
    _reassess(ctx, county_code, domain)


@decide.command("list")
@click.argument("county_code")
@pass_ctx
def decide_list(ctx: Context, county_code):
    """The declarations of COUNTY_CODE."""
    header = ctx.say(["编号", "领域", "基准事项", "类型", "县事项", "理由"], ["id", "domain", "baseline item", "kind", "item", "reason"])
    click.echo(_table(header, [[str(d.id), d.domain, d.baseline_code, d.kind, d.item_id or "", d.reason or ""]
                               for d in ctx.store.decisions(county_code)]))


@decide.command("remove")
@click.argument("decision_id", type=int)
@pass_ctx
def decide_remove(ctx: Context, decision_id):
    """Withdraw a declaration."""
    ctx.store.remove_decision(decision_id)


def _reassess(ctx: Context, county_code: str, domain: str) -> None:
    from .assess import assess as run_assess

    (done,) = run_assess(ctx.store, [(county_code, domain)]) or [None]
    if done:
        click.echo(ctx.say(f"已重新评分:{done.score} 分", f"Scored again: {done.score}"))


@main.group()
def user():
    """Accounts of the standalone portal (admins run harvests and manage sources)."""


@user.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May run harvests, manage sources and declarations.")
@click.password_option()
@pass_ctx
def user_add(ctx: Context, name, admin, password):
    """Create or update the account NAME."""
    from werkzeug.security import generate_password_hash

    ctx.store.set_user(name, generate_password_hash(password), admin)
    click.echo(ctx.say(f"已保存账号 {name}", f"Saved account {name}"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_ctx
def serve(ctx: Context, host, port):
    """Serve the portal: the province overview at /, county, baseline and job pages, exports, admin."""
    from .web import create_app, run

    ctx.store.init()  # migrate before serving
    click.echo(ctx.say(f"门户:http://{host}:{port}/", f"Portal: http://{host}:{port}/"))
    run(create_app(ctx.db), host, port)


@main.command()
@click.option("--counties", default=36, show_default=True, help="How many fictional counties.")
@click.option("--folder", type=click.Path(file_okay=False), help="Where the counties' files are written "
              "(default: a temporary folder).")
@click.option("--no-serve", is_flag=True, help="Stop after the summary table instead of serving the dashboards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--processes", type=int, default=os.cpu_count() or 1, show_default=True, help="Parser processes.")
@pass_ctx
def demo(ctx: Context, counties, folder, no_serve, host, port, processes):
    """A demo province: fictional counties publish catalogs built from the demo baselines, with realistic
    gaps, errors and formats, over local HTTP; they are harvested and scored, then the dashboards served."""
    import tempfile
    from pathlib import Path

    from .demo import LOOPBACK, FileServer, publish
    from .harvesters.fetch import FetchLimits
    from .harvesters.pipeline import HarvestSettings, harvest as run_harvest

    store = ctx.store
    with tempfile.TemporaryDirectory(prefix="gkcatalog-demo-") as tmp:
        files = FileServer(Path(folder or tmp))
        files.folder.mkdir(parents=True, exist_ok=True)
        base_url = files.start()
        try:
            sources = publish(store, files.folder, base_url, counties)
            click.echo(ctx.say(f"演示省:{counties} 个县,{len(sources)} 个来源,发布于 {base_url}",
                               f"Demo province: {counties} counties, {len(sources)} sources, published at {base_url}"))
            settings = HarvestSettings(FetchLimits(timeout=30, allowed_networks=LOOPBACK), 4, processes)
            with click.progressbar(length=len(sources), label=ctx.say("采集", "Harvesting"), file=sys.stderr) as bar:
                reports = run_harvest(store, sources, settings, on_done=lambda report: bar.update(1))
            failed = sum(1 for r in reports if r.status == "failed")
            click.echo(_score_table(ctx, store))
            click.echo(ctx.say(f"采集作业 {len(reports)} 个,失败 {failed} 个(演示中有意设置的坏来源)。",
                               f"{len(reports)} harvest jobs, {failed} failed (broken sources are part of the demo)."))
        finally:
            files.stop()
    if not no_serve:
        from .web import create_app, run

        click.echo(ctx.say(f"仪表板:http://{host}:{port}/", f"Dashboards: http://{host}:{port}/"))
        run(create_app(ctx.db), host, port)


def _score_table(ctx: Context, store) -> str:
    """Per county: the score of each domain and their mean, best first (the dashboards' overview)."""
    from .dashboard import overview
    from .schema import load_schema

    label = load_schema().field("domain").value_label
    view = overview(store)
    rows = [[r.code, r.name, r.city, *(f"{r.scores[d].score:.0f}" if d in r.scores else "-" for d in view.domains),
             f"{r.score:.1f}"] for r in sorted(view.rows, key=lambda r: r.rank)]
    header = ctx.say(["代码", "县", "市", *(label(d) for d in view.domains), "平均"],
                     ["code", "county", "city", *(label(d, "en") for d in view.domains), "mean"])
    return _table(header, rows)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(header: list, rows: list) -> str:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


if __name__ == "__main__":
    sys.exit(main())
