"""`gkcatalog source`: the county sources, registered one by one or from a city's list."""
from __future__ import annotations

import json
import os
import re
import sys

import click

from ..divisions import normalize_code
from ..problems import Location, Problem
from ..sources import KINDS, parse_frequency, read_source_list, source_problems
from .base import Context, Refused, domain_key, pass_ctx, table


@click.group()
def source():
    """County sources: register, import a city's list, enable or disable."""


@source.command("add")
@click.argument("county_code")
@click.argument("url")
@click.option("--kind", type=click.Choice(KINDS), default="auto",
              show_default=True, help="How to read the URL; auto decides from the response.")
@click.option("--domain", "-d", help="The domain the URL publishes (leave out when it names its domains itself).")
@click.option("--county-name", help="Name of the county or township, needed the first time it is registered.")
@click.option("--city-name", help="Name of the county's city (a township has its county's).")
@click.option("--every", help="Harvest frequency: 30m, 12h, 1d, 1w (default: on demand only).")
@click.option("--page", "pages", multiple=True, help="Further pages of a catalog split over several pages.")
@click.option("--dataset", help="CKAN sources: read the catalog files of this dataset instead of gk-catalog-item datasets.")
@click.option("--organization", help="CKAN sources: only the gk-catalog-item datasets of this organization.")
@click.option("--item-links", help="item_pages sources: a regular expression the item pages' addresses match "
                                    "(default: found on the list page).")
@click.option("--max-items", type=click.IntRange(1, 100000),
              help="item_pages sources: read at most this many item pages (default 500).")
@pass_ctx
def source_add(ctx: Context, county_code, url, kind, domain, county_name, city_name, every, pages, dataset,
               organization, item_links, max_items):
    """Register URL as the catalog of COUNTY_CODE: a county's 6-digit 行政区划代码, or a township's 9 digits
    (a 12-digit statistical code is shortened).

    For --kind ckan, URL is the portal's address (https://data.example.gov.cn). For --kind item_pages, URL is
    the list page of a catalog published one item per page."""
    key = domain_key(ctx, domain)
    county_code = normalize_code(county_code) or county_code
    options = {k: v for k, v in {"pages": list(pages), "dataset": dataset, "organization": organization,
                                 "item_links": item_links, "max_items": max_items}.items() if v}
    try:
        re.compile(item_links or "")
    except re.error as exc:
        raise Refused(ctx.say(f"--item-links 不是有效的正则表达式:{exc}", f"--item-links is not a valid regular expression: {exc}"))
    problems = [p for address in (url, *pages) for p in source_problems(
        county_code, address, Location(field="county_code"), Location(file=address, field="source_url"))]
    if problems:
        ctx.report(list({p.message("en"): p for p in problems}.values()))
        raise Refused(ctx.say("来源未登记。", "The source was not registered."))
    try:
        frequency = parse_frequency(every)
    except ValueError:
        raise Refused(ctx.say(f"频率“{every}”应形如 30m、12h、1d、1w,介于一分钟与一年之间",
                              f"frequency '{every}' should be like 30m, 12h, 1d or 1w, between a minute and a year"))
    if ctx.store.county(county_code) is None and not county_name:
        raise Refused(ctx.say(f"{county_code} 第一次登记:请用 --county-name 给出县或乡镇(街道)的名称",
                              f"{county_code} is new: give its name with --county-name"))
    ctx.store.upsert_county(county_code, county_name, city_name=city_name)
    record = ctx.store.add_source(county_code, url, kind, key, options, frequency)
    click.echo(ctx.say(f"已登记来源 #{record.id}:{county_code} {url}", f"Registered source #{record.id}: {county_code} {url}"))


@source.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def source_import(ctx: Context, file):
    """Register every row of a CSV/XLSX list of county URLs (行政区划代码, 县名, 市, 领域, 网址, 类型, 频率)."""
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
    click.echo(table(header, [[str(r.id), r.county_code, r.domain or "*", r.kind, "*" if r.enabled else "",
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
    except LookupError:
        raise Refused(ctx.say(f"没有编号为 {source_id} 的来源", f"no source {source_id}"))
    click.echo(ctx.say(f"来源 #{source_id} 已{'启用' if enabled else '停用'}",
                       f"Source #{source_id} {'enabled' if enabled else 'disabled'}"))
