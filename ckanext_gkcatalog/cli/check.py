"""`gkcatalog check`: everything the province will find in a catalog file, before the county publishes it.

The baseline comes from the provincial store when the command runs there, or from a file or the provincial
portal (its gkcatalog_baseline_show action), so a county checks offline. Without the store the command
imports neither SQLAlchemy nor Flask.
"""
from __future__ import annotations

import sys

import click

from ..harvesters.parse import parse_document
from .base import Context, Refused, domain_key, fetch_options, limits, pass_ctx, read_input
from ..checker import check_parsed, parse_defaults, prepared
from .baselines import baselines


@click.command()
@click.argument("file_or_url")
@click.option("--domain", "-d", help="Domain of the catalog when the file does not name it.")
@click.option("--county", "county_code", help="6-digit code of the county (its declarations count).")
@click.option("--baseline", "baseline_from", metavar="FILE|URL",
              help="Baseline file (YAML, JSON, CSV, XLSX) or the provincial portal's address; default: the store.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language of the report.")
@click.option("--review-form", type=click.Path(dir_okay=False, writable=True), metavar="OUT.xlsx|OUT.docx",
              help="Also write the review form (政府信息公开及合规性审核表) of the catalog's items.")
@fetch_options
@pass_ctx
def check(ctx: Context, file_or_url, domain, county_code, baseline_from, fmt, output, lang, review_form,
          allow_network, timeout, max_bytes):
    """Check a catalog file or URL as the province will: reading, validation, the baseline, compliance, score.

    Exit code 0: no errors (warnings allowed); 1: errors; 2: the file cannot be read."""
    ctx.lang = lang or ctx.lang
    form_format = review_form.rsplit(".", 1)[-1].lower() if review_form else None
    if form_format not in (None, "xlsx", "docx"):
        raise Refused(ctx.say("审核表须为 .xlsx 或 .docx 文件", "the review form must be an .xlsx or .docx file"))
    fetch_limits = lambda: limits(allow_network, timeout, max_bytes, ctx.lang)  # noqa: E731
    domain = domain_key(ctx, domain)
    try:
        data, name, content_type, url = read_input(ctx, file_or_url, fetch_limits)
    except Refused as exc:
        exc.exit_code = 2
        raise
    defaults = parse_defaults(domain, county_code, county_code, url or name)
    parsed = parse_document(data, name, defaults=defaults, content_type=content_type)
    domains = sorted({i["domain"] for i in parsed.items if i.get("domain")})
    found, declared = baselines(ctx, baseline_from, domains, county_code, fetch_limits)
    if not domain and len(found) == 1 and any(not i.get("domain") for i in parsed.items):
        defaults["domain"] = next(iter(found))  # a file that does not name its domain has the baseline's
        parsed = parse_document(data, name, defaults=defaults, content_type=content_type)
    report = check_parsed(parsed, name, prepared(found, county_code), declared)
    _write(ctx, report, fmt, output)
    if review_form and parsed.items:
        from ..review_form import review_rows, write_review_form

        with open(review_form, "wb") as fh:
            fh.write(write_review_form(review_rows(parsed, report), form_format))
        click.echo(ctx.say(f"审核表已写入 {review_form}", f"review form written to {review_form}"), err=True)
    sys.exit(report.exit_code)


def _write(ctx: Context, report, fmt: str, output: str | None) -> None:
    from ..reports import check as render

    text = render.render_json(report) if fmt == "json" else render.render_html(report, ctx.lang) \
        if fmt == "html" else render.render_text(report, ctx.lang)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(ctx.say(f"报告已写入 {output}", f"report written to {output}"), err=True)
    else:
        click.echo(text, nl=False)
