"""The `gkcatalog` command line. Thin: every command calls the core and the store and prints.

Messages are Chinese by default; `--lang en` (or GKCATALOG_LANG=en) switches to English.
"""
from __future__ import annotations

import json
import os
import sys

import click

from .baseline import BaselineError, demo_baseline_files, load_baseline
from .schema import load_schema
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    key = load_schema().domain(domain)
    if key is None:
        raise click.ClickException(ctx.say(f"无法识别领域“{domain}”", f"unknown domain '{domain}'"))
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
    key = load_schema().domain(domain)
    try:
        ctx.store.activate_baseline(key or domain, version)
    except LookupError as exc:
        raise click.ClickException(str(exc))
    click.echo(ctx.say(f"已启用 {domain} 第{version}版", f"Activated {domain} version {version}"))


@main.command()
@click.argument("file_or_url")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--domain", "-d", help="Domain of the catalog when the file does not name it.")
@click.option("--county-code", help="6-digit code of the county that publishes the file.")
@click.option("--county-name", help="Name of that county.")
@click.option("--parsed", is_flag=True, help="Also print what the normalisers read (time limits, basis documents ...).")
@click.option("--allow-network", multiple=True, metavar="CIDR", envvar="GKCATALOG_ALLOW_NETWORKS",
              help="Private network a URL may resolve to (e.g. 127.0.0.1/32); refused by default.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds for a download.")
@click.option("--max-bytes", type=int, default=50 * 1024 * 1024, show_default=True, help="Largest download accepted.")
@pass_ctx
def parse(ctx: Context, file_or_url, fmt, domain, county_code, county_name, parsed, allow_network, timeout, max_bytes):
    """Read a catalog file or URL and print its items and findings, without touching the store."""
    from .harvesters.fetch import FetchError, FetchLimits, fetch
    from .harvesters.parse import parse_document, public_item

    defaults = {"county_code": county_code, "county_name": county_name}
    if domain:
        key = load_schema().domain(domain)
        if key is None:
            raise click.ClickException(ctx.say(f"无法识别领域“{domain}”", f"unknown domain '{domain}'"))
        defaults["domain"] = key
    content_type = None
    if file_or_url.startswith(("http://", "https://")):
        networks = [n for value in allow_network for n in value.split()]
        try:
            fetched = fetch(file_or_url, FetchLimits(timeout=timeout, max_bytes=max_bytes, allowed_networks=networks))
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
