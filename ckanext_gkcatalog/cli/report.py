"""`gkcatalog report`: the circular (通报) to send the counties, as DOCX (from an editable template) or XLSX."""
from __future__ import annotations

import os
import zipfile

import click

from .base import Context, Refused, pass_ctx


@click.command()
@click.option("--period", help="The period the circular covers, as it is printed (default: this month).")
@click.option("--city", help="Only this city's counties.")
@click.option("--issuer", envvar="GKCATALOG_CIRCULAR_ISSUER", help="Who issues the circular (its header).")
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx"]), default="docx", show_default=True)
@click.option("--template", "template_path", envvar="GKCATALOG_CIRCULAR_TEMPLATE", type=click.Path(dir_okay=False),
              help="DOCX template with the placeholders {issuer} {title} {period} {date} {body}.")
@click.option("--write-template", is_flag=True, help="Write the default template to OUTPUT, to restyle.")
@click.option("--townships", is_flag=True, help="Add a section on the townships' own catalogs.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, writable=True))
@pass_ctx
def report(ctx: Context, period, city, issuer, fmt, template_path, write_template, townships, output):
    """Write the circular on the counties' catalogs: the figures, the ranking, the counties below 合格 with
    their missing items, failed sources and the charts."""
    from ..reports import circular

    if write_template:
        with open(output, "wb") as fh:
            fh.write(circular.default_template())
        click.echo(ctx.say(f"已写入默认模板 {output}", f"default template written to {output}"))
        return
    template = None
    if template_path and fmt == "docx":
        if not os.path.isfile(template_path):
            raise Refused(ctx.say(f"找不到模板 {template_path}", f"no such template: {template_path}"))
        with open(template_path, "rb") as fh:
            template = fh.read()
    ctx.known_city(city)
    content = circular.build(ctx.store, period, city, issuer or "", townships=townships)
    if not content.view.rows:
        raise Refused(ctx.say("还没有评估过任何县:先采集和评估", "no county has been assessed yet: harvest first"))
    try:
        data = circular.render(content, fmt, template)
    except (ValueError, KeyError, zipfile.BadZipFile) as exc:  # a template that is not a DOCX
        raise Refused(ctx.say(f"模板无法使用:{exc}", f"the template cannot be used: {exc}"))
    with open(output, "wb") as fh:
        fh.write(data)
    click.echo(ctx.say(f"已写入通报 {output}:{len(content.rows)} 个县,{len(content.below)} 个未达合格",
                       f"circular written to {output}: {len(content.rows)} counties, {len(content.below)} insufficient"))
