"""Reading a county's CKAN portal through its Action API (ckanapi), in one of two ways:

- datasets of type gk-catalog-item (our schema, a county running this extension or ckanext-scheming with
  our YAML): every dataset is one item; they are turned into our JSON export shape, so the parse stage
  reads them like any other file and the content hash sees every change;
- `options.dataset`: one dataset whose resources are catalog files (CSV, XLSX, HTML, ...), each fetched.

Every API call and download goes through fetch()'s address guard and limits.
"""
from __future__ import annotations

import json
import os

import ckanapi

from ckanext_gkcatalog.problems import Location, Problem
from ckanext_gkcatalog.schema import DATASET_TYPE, load_schema

from .fetch import USER_AGENT, Fetched, FetchError, FetchLimits, GuardedSession, fetch
from .readers import READERS

PAGE_ROWS = 500  # CKAN's default ckan.search.rows_max is 1000
MAX_DATASETS = 20000  # a county has a few hundred items; more means a wrong URL or filter


def gather_ckan(url: str, options: dict, limits: FetchLimits) -> list[Fetched]:
    """The documents a CKAN source offers, ready for the parse stage."""
    session = GuardedSession(limits)
    portal = ckanapi.RemoteCKAN(url.rstrip("/"), user_agent=USER_AGENT, get_only=True, session=session)
    try:
        if options.get("dataset"):
            return _dataset_resources(portal, url, options["dataset"], limits)
        return [_catalog_items(portal, url, options)]
    except ckanapi.errors.NotFound as exc:
        raise _api_error(url, f"not found: {exc}")
    except ckanapi.errors.NotAuthorized:
        raise _api_error(url, "not authorized")
    except ckanapi.errors.CKANAPIError as exc:  # not a CKAN, or an error the API does not name
        raise _api_error(url, f"not a CKAN Action API answer ({str(exc)[:200]})")


def _api_error(url: str, reason: str) -> FetchError:
    return FetchError(Problem("ckan_api_error", Location(file=url), {"reason": reason}))


def _catalog_items(portal, url: str, options: dict) -> Fetched:
    query = f"dataset_type:{DATASET_TYPE}"
    if options.get("organization"):
        query += f" AND organization:{options['organization']}"
    datasets, start = [], 0
    while True:
        page = portal.action.package_search(fq=query, rows=PAGE_ROWS, start=start, sort="name asc",
                                            include_private=False)
        datasets.extend(page.get("results", []))
        start += PAGE_ROWS
        if start >= page.get("count", 0) or not page.get("results"):
            break
        if start >= MAX_DATASETS:
            raise _api_error(url, f"more than {MAX_DATASETS} catalog datasets; narrow the source with an organization")
    fields = [f for f in load_schema().field_names if f not in ("name", "owner_org")]
    base = url.rstrip("/")
    items = []
    for dataset in datasets:
        item = {f: dataset.get(f) for f in fields}
        item["source_url"] = item.get("source_url") or f"{base}/dataset/{dataset.get('name')}"
        items.append(item)
    data = json.dumps({"items": items}, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return Fetched(url=f"{base}/api/3/action/package_search?fq={query}", status=200, data=data,
                   content_type="application/json")


def _dataset_resources(portal, url: str, dataset: str, limits: FetchLimits) -> list[Fetched]:
    package = portal.action.package_show(id=dataset)
    documents = []
    for resource in package.get("resources", []):
        address = resource.get("url") or ""
        fmt = "." + (resource.get("format") or "").lower().strip(".")
        ext = os.path.splitext(address.split("?")[0].lower())[1]
        if fmt in READERS or ext in READERS:
            documents.append(fetch(address, limits))
    if not documents:
        raise _api_error(url, f"dataset {dataset} has no resource in a format the harvester reads")
    return documents
