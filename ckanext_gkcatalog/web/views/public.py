"""The public's pages: the search with its facets and downloads, an item, and a county's catalog as a
file in the county format. State lives in the URL (q, one parameter per filter, sort, page), so a search
can be shared; bad input is a message on the page with a 400, never an error page."""
from __future__ import annotations

from flask import Response, abort, jsonify, render_template, request

from ... import datasets
from ...indexing import FACET_FIELDS
from ...reports.exports import MEDIA_TYPES, export
from ...schema import load_schema
from ...search.engine import searcher
from ...search.query import PAGE_ROWS, QueryError, SearchQuery, from_page
from ...writers import write_catalog
from ..hooks import domain_label, lang, store, url_for

EXPORT_ROWS = 10_000  # a download holds at most this many items: a whole county, or a province's domain
EXPORT_COLUMNS = ("id", "county_code", "county_name", "domain", "level1", "level2", "level3", "content", "basis",
                  "time_limit", "subject", "channels", "audience", "mode", "tiers", "source_url")
CATALOG_FORMATS = {"csv": "csv", "xlsx": "xlsx"}


def facet_label(field_name: str, value: str, counties: dict) -> str:
    """A facet value as people read it: a county's name, a domain's or a choice's label; a value outside
    the vocabulary (a channel a county added) as printed."""
    if field_name == "county":
        return counties[value].name if value in counties else value
    if field_name == "domain":
        return domain_label(value)
    if field_name in ("mode", "tiers", "channels", "audience"):
        return load_schema().field(field_name).value_label(value, "en" if lang() == "en" else "zh_Hans_CN")
    return value


def _query() -> tuple[SearchQuery, str | None, int]:
    try:
        return from_page(request.args), None, 200
    except QueryError as exc:
        return SearchQuery(q=str(request.args.get("q") or "")[:200]), exc.problem.message(lang()), 400


def search():
    query, error, status = _query()
    result = searcher(store()).search(query) if error is None else None
    counties = {c.code: c for c in store().counties()}
    notices = [p.message(lang()) for p in query.notices]
    pages = (result.total + PAGE_ROWS - 1) // PAGE_ROWS if result else 0
    return render_template("gkcatalog/search.html", query=query, result=result, error=error, notices=notices,
                           counties=counties, facet_fields=FACET_FIELDS, label=facet_label,
                           page=query.start // PAGE_ROWS + 1, pages=pages, args=_args(query),
                           search_url=search_url), status


def _args(query: SearchQuery) -> dict:
    """The URL parameters that rebuild this search (without page), for links that change one thing."""
    return {"q": query.q, "sort": query.sort, "filters": [(f, v) for f, values in query.clauses for v in values]}


def export_results(fmt):
    if fmt not in MEDIA_TYPES:
        abort(404)
    query, error, _status = _query()
    if error:
        return render_template("gkcatalog/search.html", query=query, result=None, error=error, notices=[],
                               counties={}, facet_fields=FACET_FIELDS, label=facet_label, page=1, pages=0,
                               args=_args(query), search_url=search_url), 400
    query = SearchQuery(query.q, query.clauses, query.sort, 0, EXPORT_ROWS)
    found = searcher(store()).search(query, facets=())
    counties = {c.code: c for c in store().counties()}
    rows = [_export_row(hit.item, counties) for hit in found.hits]
    data = export(rows, list(EXPORT_COLUMNS), fmt, lang(), sheet="search")
    return Response(data, mimetype=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="gkcatalog-search.{fmt}"'})


def _export_row(item, counties: dict) -> dict:
    fields = item.fields or {}
    county = counties.get(item.county_code)
    row = {name: fields.get(name) for name in EXPORT_COLUMNS}
    row.update(id=item.id, county_code=item.county_code, county_name=county.name if county else "",
               domain=item.domain, level1=item.level1, level2=item.level2, level3=item.level3)
    return row


def _item_or_404(item_id: str):
    item = store().items_by_id([item_id]).get(item_id) if len(item_id) <= 64 else None
    if item is None:
        abort(404)
    return item


def item(item_id):
    record = _item_or_404(item_id)
    county = store().county(record.county_code)
    matched = store().baseline_entry(record.baseline_id, record.baseline_code) if record.baseline_code else None
    return render_template("gkcatalog/item.html", item=record, county=county, schema=load_schema(),
                           baseline_item=matched, events=store().item_events(record.id),
                           label=facet_label, counties={county.code: county} if county else {})


def item_json(item_id):
    record = _item_or_404(item_id)
    return jsonify(datasets.api_dataset(record, store().county(record.county_code)) | {"state": record.status})


def county_catalog(code, fmt):
    county = store().county(code)
    if county is None or fmt not in CATALOG_FORMATS:
        abort(404)
    domain = request.args.get("domain") or None
    if domain and load_schema().field("domain").choice(domain) is None:
        abort(404)
    items = [{**(i.fields or {}), "level1": i.level1, "level2": i.level2, "level3": i.level3, "domain": i.domain}
             for i in store().items(code, domain)]
    title = f"{county.name}{domain_label(domain) if domain else ''}基层政务公开标准目录"
    data = write_catalog(items, CATALOG_FORMATS[fmt], title=title, safe=True)
    name = f"{county.code}-{domain or 'catalog'}.{fmt}"  # a code and a vocabulary value: nothing to escape
    return Response(data, mimetype=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def search_url(args: dict, add: tuple | None = None, remove: tuple | None = None, endpoint: str = "gkcatalog.search",
               **changes) -> str:
    """The URL of this search (or of its download, `endpoint` and fmt) with a filter added or removed, or q,
    sort or page changed."""
    params: dict = {}
    for name, value in args["filters"] + ([add] if add else []):
        if (name, value) != remove and value not in params.get(name, []):
            params.setdefault(name, []).append(value)
    base = {"q": args["q"] or None, "sort": None if args["sort"] == "relevance" else args["sort"]}
    base.update(changes)
    return url_for(endpoint, **{k: v for k, v in base.items() if v not in (None, "")}, **params)
