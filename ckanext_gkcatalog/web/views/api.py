"""A read-only CKAN-compatible Action API under /api/3/action/: CKAN's clients (ckanapi, our own CKAN
reader) read the standalone portal as they read a CKAN site. Replies come in CKAN's envelope (help,
success, result) with its error shapes: 404 Not Found Error, 409 Validation Error, 400 for a query or an
action it cannot run."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import jsonify, request

from ... import datasets
from ...schema import load_schema
from ...reports import dashboard
from ...search.engine import searcher
from ...search.query import MAX_ROWS, QueryError, canonical_field, facet_fields, from_api, whole_number
from ..hooks import domain_label, store

CKAN_VERSION = "2.11.0"  # the API generation these replies follow


class ActionError(Exception):
    def __init__(self, status: int, error: dict):
        super().__init__(error)
        self.status, self.error = status, error


def not_found(what: str = "Not found") -> ActionError:
    return ActionError(404, {"__type": "Not Found Error", "message": what})


def _number(params: dict, name: str, default: int, maximum: int) -> int:
    """A natural number parameter (a refusal is a 409 Validation Error naming it, see action())."""
    return whole_number(params.get(name), name, default, 0, maximum)


def _package_counts() -> dict:
    """{county code: its active items}."""
    index = searcher(store()).index()
    return dict(index.counts("county", index.active, 10 ** 6))


def _changed(index, item_id: str):
    doc = index.doc_of.get(item_id)
    stamp = index.changed[doc] if doc is not None else 0
    return datetime.fromtimestamp(stamp, timezone.utc) if stamp else None


def package_search(params: dict) -> dict:
    query = from_api(params)
    names = facet_fields(params.get("facet.field"))
    limit = str(params.get("facet.limit") or "50").strip()
    limit = 10 ** 6 if limit == "-1" else whole_number(limit, "facet.limit", 50, 0, 10 ** 6)  # -1: all, as Solr
    found = searcher(store()).search(query, facets=[canonical_field(n) for n in names], facet_limit=limit)
    index, counties = searcher(store()).index(), {c.code: c for c in store().counties()}
    facets = {name: dict(found.facets[canonical_field(name)]) for name in names}
    return {
        "count": found.total, "sort": params.get("sort") or "score desc",
        "results": [datasets.api_dataset(hit.item, counties[hit.item.county_code], _changed(index, hit.item.id))
                    for hit in found.hits],
        "facets": facets,
        "search_facets": {name: {"title": name, "items": [
            {"name": value, "display_name": _display(canonical_field(name), value, counties), "count": count}
            for value, count in found.facets[canonical_field(name)]]} for name in names},
    }


def _display(field_name: str, value: str, counties: dict) -> str:
    if field_name == "county":
        return counties[value].name if value in counties else value
    if field_name == "domain":
        return domain_label(value)
    return value


def package_show(params: dict) -> dict:
    item_id = datasets.item_id_of(str(params.get("id") or ""))
    item = store().items_by_id([item_id]).get(item_id) if item_id else None
    if item is None or item.status != "active":
        raise not_found()
    return datasets.api_dataset(item, store().county(item.county_code), _changed(searcher(store()).index(), item.id))


def package_list(params: dict) -> list:
    limit, offset = _number(params, "limit", 10 ** 9, 10 ** 9), _number(params, "offset", 0, 10 ** 9)
    names = sorted(datasets.dataset_name(i) for i in searcher(store()).index().item_ids if i)
    return names[offset:offset + limit]


def _county_of(ref: str):
    for county in store().counties():
        if ref in (county.code, datasets.org_name(county), datasets.organization_dict(county)["id"]):
            return county
    return None


def organization_list(params: dict) -> list:
    counted = _package_counts()
    limit, offset = _number(params, "limit", 1000, 1000), _number(params, "offset", 0, 10 ** 9)
    counties = sorted(store().counties(), key=datasets.org_name)[offset:offset + limit]
    if str(params.get("all_fields", "")).lower() in ("true", "1", "yes"):
        return [datasets.organization_dict(c, counted.get(c.code, 0)) for c in counties]
    return [datasets.org_name(c) for c in counties]


def organization_show(params: dict) -> dict:
    county = _county_of(str(params.get("id") or ""))
    if county is None:
        raise not_found()
    counted = _package_counts()
    found = datasets.organization_dict(county, counted.get(county.code, 0))
    if str(params.get("include_datasets", "")).lower() in ("true", "1", "yes"):
        found["packages"] = package_search({"fq": f"county:{county.code}", "rows": MAX_ROWS})["results"]
    return found


def status_show(params: dict) -> dict:
    return {"site_title": "基层政务公开标准目录", "site_url": request.url_root.rstrip("/"), "site_description": "",
            "ckan_version": CKAN_VERSION, "locale_default": "zh_Hans_CN", "error_emails_to": None,
            "extensions": ["gkcatalog"]}


def gkcatalog_overview(params: dict) -> dict:
    return dashboard.overview_payload(store(), params.get("city") or None, params.get("domain") or None,
                                      params.get("level") or "county")


def gkcatalog_county_completeness(params: dict) -> dict:
    code = str(params.get("county_code") or "")
    if not code:
        raise ActionError(409, {"__type": "Validation Error", "county_code": ["Missing value"]})
    if store().county(code) is None:
        raise not_found("No such county")
    return dashboard.completeness_payload(store(), code)


def gkcatalog_baseline_show(params: dict) -> dict:
    """A domain's active baseline (or `version`), for a county's template and offline check; with
    `county`, the codes it declared not applicable."""
    domain = load_schema().domain(str(params.get("domain") or "")) if params.get("domain") else None
    if not params.get("domain"):
        raise ActionError(409, {"__type": "Validation Error", "domain": ["Missing value"]})
    county = str(params.get("county") or "") or None
    if domain is None or (county and store().county(county) is None):
        raise not_found("No such domain" if domain is None else "No such county")
    version = whole_number(params.get("version"), "version", 0, 0, 10 ** 6) or None
    found = dashboard.baseline_payload(store(), domain, county, version)
    if found is None:
        raise not_found("No such baseline")
    return found


ACTIONS = {f.__name__: f for f in (package_search, package_show, package_list, organization_list, organization_show,
                                   status_show, gkcatalog_overview, gkcatalog_county_completeness,
                                   gkcatalog_baseline_show)}


def action(name):
    help_url = f"{request.url_root}api/3/action/help_show?name={name}"
    params = request.args.to_dict()
    if request.method == "POST":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _error(help_url, 400, {"__type": "Bad request", "message": "Bad request - JSON Error: the body is not a JSON object"})
        params.update(body)
    if name not in ACTIONS:
        return _error(help_url, 400, {"__type": "Bad request", "message": f"Bad request - Action name not known: {name[:100]}"})
    try:
        result = ACTIONS[name](params)
    except QueryError as exc:
        problem = exc.problem
        if problem.code == "search_bad_number":
            return _error(help_url, 409, {"__type": "Validation Error", problem.params["value"]: [problem.text("en")],
                                          "message_zh": problem.text("zh")})
        return _error(help_url, 400, {"__type": "Search Query Error", "message": problem.text("en"),
                                      "message_zh": problem.text("zh")})
    except ActionError as exc:
        return _error(help_url, exc.status, exc.error)
    return jsonify({"help": help_url, "success": True, "result": result})


def _error(help_url: str, status: int, error: dict):
    response = jsonify({"help": help_url, "success": False, "error": error})
    response.status_code = status
    return response
