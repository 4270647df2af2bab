"""`gkcatalog parse`: read one catalog file or URL and print its items and findings; no store."""
from __future__ import annotations

import json
import sys

import click

from ..harvesters.parse import parse_document, public_item
from .base import Context, domain_key, fetch_options, limits, pass_ctx, read_input, table


@click.command()
@click.argument("file_or_url")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--domain", "-d", help="Domain of the catalog when the file does not name it.")
@click.option("--county-code", help="6-digit code of the county that publishes the file.")
@click.option("--county-name", help="Name of that county.")
@click.option("--parsed", is_flag=True, help="Also print what the normalisers read (time limits, basis documents ...).")
@fetch_options
@pass_ctx
def parse(ctx: Context, file_or_url, fmt, domain, county_code, county_name, parsed, allow_network, timeout, max_bytes):
    """Read a catalog file or URL and print its items and findings, without touching the store.

    Exit code 0: read without errors; 1: read, with errors; 2: nothing could be read."""
    defaults = {"county_code": county_code, "county_name": county_name, "domain": domain_key(ctx, domain)}
    data, name, content_type, url = read_input(ctx, file_or_url, lambda: limits(allow_network, timeout, max_bytes))
    if url:
        defaults["source_url"] = url
    result = parse_document(data, name, defaults={k: v for k, v in defaults.items() if v}, content_type=content_type)
    if fmt == "json":
        click.echo(json.dumps({"items": [public_item(i, parsed) for i in result.items],
                               "findings": [p.as_dict() for p in result.problems]}, ensure_ascii=False, indent=2))
    else:
        header = ctx.say(["一级事项", "二级事项", "三级事项", "领域", "层级"], ["level 1", "level 2", "level 3", "domain", "tiers"])
        rows = [[i.get("level1") or "", i.get("level2") or "", i.get("level3") or "", i.get("domain") or "",
                 ",".join(i.get("tiers") or [])] for i in result.items]
        click.echo(table(header, rows))
        ctx.report(result.problems, err=False)
        errors = len(result.errors)
        click.echo(ctx.say(f"{len(result.items)} 个事项,{errors} 个错误,{len(result.problems) - errors} 个提示",
                           f"{len(result.items)} items, {errors} errors, {len(result.problems) - errors} notes"))
    if not result.items:
        sys.exit(2)
    if result.errors:
        sys.exit(1)
