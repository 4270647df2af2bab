"""`gkcatalog template`: the domain's active baseline as a catalog for a county to fill in (XLSX with
dropdowns and instructions, DOCX for Word, HTML for the county's website)."""
from __future__ import annotations

import click

from ..schema import domain_label
from .base import Context, Refused, domain_key, fetch_options, limits, pass_ctx
from .baselines import baselines


@click.command()
@click.argument("domain")
@click.option("--county", "county_code", help="6-digit code of the county whose name heads the template.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "docx", "html"]), default="xlsx", show_default=True)
@click.option("--baseline", "baseline_from", metavar="FILE|URL",
              help="Baseline file or the provincial portal's address; default: the store's active baseline.")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language of the instructions and messages.")
@click.option("--lock", is_flag=True, help="XLSX: lock the baseline's own cells (names, content, basis).")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True))
@fetch_options
@pass_ctx
def template(ctx: Context, domain, county_code, fmt, baseline_from, lang, lock, output, allow_network, timeout,
             max_bytes):
    """Write DOMAIN's baseline as a county catalog to fill in; `gkcatalog check` passes it unchanged."""
    ctx.lang = lang or ctx.lang
    key = domain_key(ctx, domain)
    found, _ = baselines(ctx, baseline_from, [key], county_code if not baseline_from else None,
                         lambda: limits(allow_network, timeout, max_bytes, ctx.lang))
    baseline = found.get(key)
    if baseline is None:
        label = domain_label(key, ctx.lang)
        raise Refused(ctx.say(f"没有领域“{label}”的启用基准目录", f"no active baseline of the domain '{label}'"))
    county_name = None
    if county_code and not baseline_from:
        county_name = ctx.store.county(county_code).name
    from ..county_template import write_template

    with open(output, "wb") as fh:
        fh.write(write_template(baseline, fmt, ctx.lang, county_name, lock))
    click.echo(ctx.say(f"已写入模板 {output}:{len(baseline.items)} 个基准事项",
                       f"template written to {output}: {len(baseline.items)} baseline items"))
