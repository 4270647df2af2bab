"""`gkcatalog domains`: the policy domains this portal knows, the province's own marked (GKCATALOG_DOMAINS)."""
from __future__ import annotations

import json

import click

from ..domains import domain_entries, province_file
from .base import Context, table


@click.command(name="domains")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def domains(ctx: Context, as_json: bool):
    """List the policy domains: the 26 pilot domains and the province's own (file GKCATALOG_DOMAINS)."""
    entries = domain_entries()
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=1))
        return
    header = ctx.say(["代码", "名称", "英文名称", "别名", "来源"], ["code", "name", "English name", "aliases", "from"])
    rows = [[e["code"], e["label"]["zh_Hans_CN"], e["label"]["en"], "、".join(e["aliases"]),
             ctx.say("本省", "province") if e["own"] else ctx.say("试点领域", "pilot")] for e in entries]
    click.echo(table(header, rows))
    if province_file():
        click.echo(ctx.say(f"本省领域文件:{province_file()}", f"province's domain file: {province_file()}"))
