"""`gkcatalog baseline`: the province's baseline catalogs, loaded, listed, shown and activated."""
from __future__ import annotations

import json
import os

import click

from ..baseline import BaselineError, demo_baseline_files, load_baseline
from ..items import level_path
from ..schema import domain_label, load_schema
from .base import Context, Refused, domain_key, pass_ctx, table


@click.group()
def baseline():
    """Provincial baseline catalogs: load, list, show, activate."""


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
        raise Refused(ctx.say("基准目录未载入,数据库未作任何改动。", "Baseline not loaded; nothing was stored."))
    ctx.report(loaded.problems)
    if strict and loaded.count_ok is False:
        raise Refused(ctx.say("事项数与声明不符(--strict),未载入。",
                                           "Counts differ from the declared ones (--strict); not loaded."))
    record = ctx.store.add_baseline(loaded, activate=not no_activate)
    _print_loaded(ctx, record)


def _print_loaded(ctx: Context, record) -> None:
    label = domain_label(record.domain, ctx.lang)
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
        rows.append([domain_label(r.domain, ctx.lang), str(r.version), "*" if r.active else "",
                     str(len(r.items)), f"{r.found['level1']}/{r.found['level2']}", declared, check, source])
    click.echo(table(header, rows))


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
    key = domain_key(ctx, domain)
    record = ctx.store.baseline(key, version)
    if record is None:
        raise Refused(ctx.say(f"{domain} 没有基准目录", f"no baseline for {domain}"))
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
    click.echo(table(header, rows))


@baseline.command("activate")
@click.argument("domain")
@click.argument("version", type=int)
@pass_ctx
def baseline_activate(ctx: Context, domain, version):
    """Make VERSION the active baseline of DOMAIN."""
    try:
        ctx.store.activate_baseline(domain_key(ctx, domain), version)
    except LookupError:
        raise Refused(ctx.say(f"{domain} 没有第{version}版基准目录", f"{domain} has no baseline version {version}"))
    click.echo(ctx.say(f"已启用 {domain} 第{version}版", f"Activated {domain} version {version}"))


KIND_LABELS = {"added": ("新增", "added"), "removed": ("删除", "removed"), "renamed": ("更名", "renamed"),
               "changed": ("要素变化", "changed")}


@baseline.command("diff")
@click.argument("domain")
@click.argument("old_version", type=int)
@click.argument("new_version", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def baseline_diff(ctx: Context, domain, old_version, new_version, fmt):
    """Compare two versions of DOMAIN's baseline, and list per county the items the new one makes missing."""
    from ..reports.changes import change_rows, missing_rows, revision

    key = domain_key(ctx, domain)
    for version in (old_version, new_version):
        if ctx.store.baseline(key, version) is None:
            raise Refused(ctx.say(f"{domain} 没有第{version}版基准目录", f"{domain} has no baseline version {version}"))
    found = revision(ctx.store, key, old_version, new_version)
    changes, missing = change_rows(found), missing_rows(found)
    if fmt == "json":
        click.echo(json.dumps({"domain": key, "old_version": old_version, "new_version": new_version,
                               "changes": changes, "made_missing": missing}, ensure_ascii=False, indent=2))
        return
    label = domain_label(key, ctx.lang)
    click.echo(ctx.say(f"{label} 基准目录 第{old_version}版 → 第{new_version}版:{len(changes)} 处变化",
                       f"{label} baseline version {old_version} → {new_version}: {len(changes)} changes"))
    zh = ctx.lang == "zh"
    limits = {"shorter": ctx.say("时限缩短", "shorter time limit"), "longer": ctx.say("时限延长", "longer time limit"), "": ""}
    fields = load_schema().fields
    rows = [[KIND_LABELS[c["kind"]][0 if zh else 1], c["code"], c["old_name"], c["new_name"],
             "、".join(fields[f].label("zh_Hans_CN" if zh else "en") for f in c["fields"].split("、") if f),
             limits[c["time_limit"]]] for c in changes]
    click.echo(table(ctx.say(["变化", "编码", "原事项", "新事项", "变化的要素", "时限"],
                             ["change", "code", "old item", "new item", "elements", "time limit"]), rows))
    click.echo(ctx.say(f"\n新版本使 {len({m['county_code'] for m in missing})} 个县缺少 {len(missing)} 个事项:",
                       f"\nThe new version makes {len(missing)} items missing in "
                       f"{len({m['county_code'] for m in missing})} counties:"))
    if missing:
        click.echo(table(ctx.say(["县", "编码", "事项"], ["county", "code", "item"]),
                         [[m["county"], m["code"], level_path(m)]
                          for m in missing]))
