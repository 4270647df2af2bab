"""What ckanext-gkcatalog adds to CKAN, as plain functions that plugin.py wires in: actions and their auth
functions, the validator the schema names, the search-index hook, and the hooks the dashboards blueprint asks the
host for (admin right, user); presentation.py has what CKAN's pages show.

Everything in this package imports CKAN; the rest of the product never does, so the standalone portal runs
without it.
"""
from __future__ import annotations

import json
import re

import ckan.plugins.toolkit as tk

from ..baseline import BaselineError, load_baseline
from ..harvesters.pipeline import harvest
from ..reports import dashboard
from ..schema import DATASET_TYPE, load_schema
from .settings import get_store, harvest_settings
from .sync import items_to_write, sync_datasets

MULTIPLE = ("channels", "audience", "mode", "tiers")  # stored as JSON lists by ckanext-scheming


# --- auth -----------------------------------------------------------------------------------------

def _is_county_admin(context, county_code: str | None) -> bool:
    """Sysadmins, and for a county the admins of its organization (named by the county's org_name)."""
    user = context.get("auth_user_obj") or tk.current_user
    if getattr(user, "sysadmin", False):
        return True
    if not county_code or not getattr(user, "is_authenticated", False):
        return False
    county = get_store().county(county_code)
    org = county.org_name if county and county.org_name else county_code
    return _org_admin(user, org)


def _org_admin(user, org: str) -> bool:
    from ckan import authz

    try:
        group = tk.get_action("organization_show")({"ignore_auth": True}, {"id": org, "include_datasets": False,
                                                                           "include_dataset_count": False})
    except tk.ObjectNotFound:
        return False
    return authz.has_user_permission_for_group_or_org(group["id"], user.name, "admin")


def auth_read(context, data_dict=None) -> dict:
    return {"success": True}  # the dashboards are public, like CKAN's dataset pages


def auth_admin(context, data_dict=None) -> dict:
    county = (data_dict or {}).get("county_code")
    if _is_county_admin(context, county):
        return {"success": True}
    return {"success": False, "msg": tk._("Only sysadmins and the county's organization admins may do this.")}


def auth_sysadmin(context, data_dict=None) -> dict:
    return {"success": False, "msg": tk._("Only sysadmins may load a baseline.")}  # sysadmins pass before this


AUTH = {"gkcatalog_overview": auth_read, "gkcatalog_county_completeness": auth_read, "gkcatalog_baseline_show": auth_read,
        "gkcatalog_harvest_source": auth_admin, "gkcatalog_load_baseline": auth_sysadmin}


# --- actions --------------------------------------------------------------------------------------

@tk.side_effect_free
def gkcatalog_overview(context, data_dict) -> dict:
    """The province overview: every county's scores per domain, ranked. Optional: city, domain."""
    tk.check_access("gkcatalog_overview", context, data_dict)
    return dashboard.overview_payload(get_store(), data_dict.get("city"), data_dict.get("domain"),
                                      data_dict.get("level") or "county")


@tk.side_effect_free
def gkcatalog_county_completeness(context, data_dict) -> dict:
    """A county's completeness against the baseline, per domain: score, dimensions, present/missing/N/A items."""
    tk.check_access("gkcatalog_county_completeness", context, data_dict)
    code = tk.get_or_bust(data_dict, "county_code")
    store = get_store()
    if store.county(code) is None:
        raise tk.ObjectNotFound(tk._("No such county"))
    return dashboard.completeness_payload(store, code)


@tk.side_effect_free
def gkcatalog_baseline_show(context, data_dict) -> dict:
    """A domain's active baseline (or `version`) as `gkcatalog check --baseline` reads it; with `county`, the
    baseline codes that county declared not applicable."""
    tk.check_access("gkcatalog_baseline_show", context, data_dict)
    domain = load_schema().domain(str(tk.get_or_bust(data_dict, "domain")))
    version = data_dict.get("version")
    found = domain and dashboard.baseline_payload(get_store(), domain, data_dict.get("county") or None,
                                                  int(version) if str(version or "").isdigit() else None)
    if not found:
        raise tk.ObjectNotFound(tk._("No such baseline"))
    return found


def gkcatalog_harvest_source(context, data_dict) -> dict:
    """Harvest one registered source now (in the request: sources are single files or one API listing)."""
    source_id = int(tk.get_or_bust(data_dict, "source_id"))
    store = get_store()
    source = store.source(source_id)
    if source is None:
        raise tk.ObjectNotFound(tk._("No such source"))
    tk.check_access("gkcatalog_harvest_source", context, {"county_code": source.county_code})
    (report,) = harvest(store, [source], harvest_settings())
    published = sync_datasets(store, items_to_write(store, [source.id]))  # what changed, as CKAN datasets
    return {"job_id": report.job_id, "status": report.status, "counts": report.counts, "message": report.message,
            "datasets": published.counts, "dataset_errors": published.errors}


def gkcatalog_load_baseline(context, data_dict) -> dict:
    """Load a baseline (the YAML text or a spreadsheet's bytes as `content`, its file `name`) and activate it."""
    tk.check_access("gkcatalog_load_baseline", context, data_dict)
    content, name = tk.get_or_bust(data_dict, ["content", "name"])
    try:
        baseline = load_baseline(content.encode("utf-8") if isinstance(content, str) else content, name)
    except BaselineError as exc:
        raise tk.ValidationError({"content": [str(exc)]})
    record = get_store().add_baseline(baseline, activate=tk.asbool(data_dict.get("activate", True)))
    return {"domain": record.domain, "version": record.version, "items": len(baseline.items),
            "problems": [p.message("en") for p in baseline.problems]}


ACTIONS = {f.__name__: f for f in (gkcatalog_overview, gkcatalog_county_completeness, gkcatalog_baseline_show,
                                   gkcatalog_harvest_source, gkcatalog_load_baseline)}


# --- validation, indexing, facets ------------------------------------------------------------------

def gk_open_multiple_choice(field, schema):
    """scheming_multiple_choice that keeps values outside the choices (channels a county added locally),
    stored as ckanext-scheming stores lists: a JSON list, the schema's choices first in their order."""
    order = [c["value"] for c in field.get("choices", [])]

    def validator(key, data, errors, context):
        if errors[key]:
            return
        value = data[key]
        if value is tk.missing or value is None or value == "":
            value = []
        elif isinstance(value, str):
            try:
                value = json.loads(value) if value.startswith("[") else [value]
            except ValueError:
                value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors[key].append(tk._("expecting list of strings"))
            return
        # the edit form's text input holds the values outside the choices, separated by 、
        value = [part.strip() for v in value for part in (re.split(r"[、,，;；\n]", v) if v not in order else [v])
                 if part.strip()]
        known = [v for v in order if v in value]
        data[key] = json.dumps(known + [v for v in dict.fromkeys(value) if v not in order], ensure_ascii=False)

    return validator


gk_open_multiple_choice.is_a_scheming_validator = True  # ckanext-scheming passes (field, schema)


def before_dataset_index(pkg_dict: dict) -> dict:
    """Index the list fields as lists, so each channel, mode and tier is its own facet value."""
    if pkg_dict.get("type") != DATASET_TYPE:
        return pkg_dict
    for name in MULTIPLE:
        value = pkg_dict.get(name)
        if isinstance(value, str) and value.startswith("["):
            try:
                pkg_dict[name] = json.loads(value)
            except ValueError:
                pass
    return pkg_dict


# --- hooks of the dashboards blueprint --------------------------------------

def blueprint_is_admin(county_code: str | None) -> bool:
    return _is_county_admin({}, county_code)


def blueprint_user() -> str | None:
    user = tk.current_user
    return user.name if getattr(user, "is_authenticated", False) else None
