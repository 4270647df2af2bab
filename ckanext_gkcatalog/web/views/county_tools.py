"""County staff's tools in the portal: the baseline as a template to fill in (/template/DOMAIN.xlsx|docx|html)
and the checker (/check): a catalog file uploaded, parsed in memory, never stored, and the same report as
`gkcatalog check` shown in the page. No login unless the portal is private; uploads are size-limited, carry
the form's CSRF token and are rate-limited per client address (security.py)."""
from __future__ import annotations

import os

from flask import Response, abort, render_template, request
from markupsafe import Markup

from ...checker import check_parsed, parse_defaults, prepared, stored_baselines
from ...county_template import FORMATS, template_title, write_template
from ...harvesters.parse import parse_document
from ...reports.check import render_html
from ...reports.exports import DOCX_TYPE, MEDIA_TYPES
from ...review_form import review_rows, write_review_form
from ...schema import load_schema
from ..hooks import lang, store

MEDIA_TYPES = {**MEDIA_TYPES, "docx": DOCX_TYPE,
               "html": "text/html; charset=utf-8"}
MAX_UPLOAD = int(os.environ.get("GKCATALOG_CHECK_MAX_BYTES") or 10 * 1024 * 1024)


def template_file(domain, fmt):
    key = load_schema().domain(domain)
    baseline = store().baseline(key) if key else None
    if baseline is None or fmt not in FORMATS:
        abort(404)
    county = store().county(request.args.get("county") or "") if request.args.get("county") else None
    data = write_template(baseline, fmt, lang(), county.name if county else None, request.args.get("lock") == "1")
    # the file name is a domain key and a code: nothing to escape; the title travels in RFC 5987's form
    name = f"{(county.code + '-') if county else ''}{key}-template.{fmt}"
    title = template_title(baseline, county.name if county else None)
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{_quoted(title)}.{fmt}"
    return Response(data, mimetype=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})


def check():
    if request.method == "GET":
        return _page()
    if (request.content_length or 0) > MAX_UPLOAD + 64 * 1024:  # refused before the body is read
        return _page("too_large", 413)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page("no_file", 400)
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _page("too_large", 413)
    parsed, report = check_upload(data, os.path.basename(upload.filename), request.form.get("domain") or None,
                                  request.form.get("county") or None)
    form = request.form.get("review_form")
    if form in ("xlsx", "docx") and parsed.items:  # the review form of the items, instead of the report
        return Response(write_review_form(review_rows(parsed, report), form), mimetype=MEDIA_TYPES[form],
                        headers={"Content-Disposition": f'attachment; filename="review-form.{form}"'})
    return _page(report=report, body=Markup(render_html(report, lang(), whole_page=False)))  # autoescaped


def _page(problem: str | None = None, status: int = 200, report=None, body=None):
    domains = [(b.domain, b.title) for b in store().baselines() if b.active]
    return render_template("gkcatalog/check.html", domains=domains, problem=problem, report=report, body=body,
                           limit=round(MAX_UPLOAD / 2 ** 20, 1)), status


def check_upload(data: bytes, name: str, domain: str | None, county_code: str | None):
    """(the parsed file, the checker's report on it), against the store's active baselines and, for a known
    county, its declarations."""
    domain = load_schema().domain(domain) if domain else None
    county = store().county(county_code) if county_code else None
    parsed = parse_document(data, name, defaults=parse_defaults(domain, county and county.code,
                                                                county and county.name, name))
    found, declared = stored_baselines(store(), {i["domain"] for i in parsed.items if i.get("domain")},
                                       county and county.code)
    return parsed, check_parsed(parsed, name, prepared(found, county and county.code), declared)


def _quoted(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
