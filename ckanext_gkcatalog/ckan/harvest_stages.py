"""The ckanext-harvest adapter's stages, wired in by harvest_plugin.py.

They follow ckanext-dcat's harvesters: the gather stage runs our pipeline for the source (fetch, parse,
check, match, import into the store) and makes one harvest object per dataset to write; the fetch stage
has nothing left to do; the import stage writes one dataset.
"""
from __future__ import annotations

import json
import re

from ckan import model

from ..harvesters.pipeline import harvest
from ..schema import load_schema
from ..sources import KINDS
from .settings import get_store, harvest_settings
from .sync import (REFUSED, dataset_id, describe_error, ensure_organizations, item_dataset, write_dataset,
                   writer_context)


def validate_config(text: str | None) -> str:
    """A harvest source's configuration: JSON with optional county_code (default: the source's
    organization), county_name, domain, kind and options (those of `gkcatalog sources add`)."""
    try:
        config = json.loads(text) if text and text.strip() else {}
    except ValueError as exc:
        raise ValueError(f"the configuration is not JSON: {exc}")
    if not isinstance(config, dict):
        raise ValueError("the configuration must be a JSON object")
    if config.get("county_code") and not re.fullmatch(r"\d{6}", str(config["county_code"])):
        raise ValueError("county_code must be a 6-digit division code")
    if config.get("domain") and load_schema().domain(config["domain"]) is None:
        raise ValueError(f"unknown domain: {config['domain']}")
    if config.get("kind", "auto") not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if not isinstance(config.get("options", {}), dict):
        raise ValueError("options must be a JSON object")
    return text or ""


def store_source(store, harvest_source):
    """The store's source behind a ckanext-harvest source, registered (with its county) on first use."""
    config = json.loads(harvest_source.config or "{}")
    package = model.Package.get(harvest_source.id)  # a harvest source is also a dataset, owned by its org
    organization = model.Group.get(package.owner_org) if package and package.owner_org else None
    code = config.get("county_code") or (organization.name if organization else None)
    if not code or not re.fullmatch(r"\d{6}", code):
        raise ValueError("the source names no county: set county_code in its configuration, or give it the "
                         "county's organization (named by its division code)")
    name = config.get("county_name") or (organization.title if organization else None)
    store.upsert_county(code, name or None, org_name=organization.name if organization else None)
    domain = load_schema().domain(config["domain"]) if config.get("domain") else None
    return store.add_source(code, harvest_source.url, config.get("kind", "auto"), domain, config.get("options"))


def gather(harvest_job, save_error) -> list[str]:
    """Run our pipeline for the job's source, then make one harvest object per dataset to write."""
    from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

    store = get_store()
    try:
        source = store_source(store, harvest_job.source)
    except ValueError as exc:
        save_error(str(exc), harvest_job)
        return []
    (report,) = harvest(store, [source], harvest_settings())
    for finding in store.findings(report.job_id):
        if finding.severity == "error":  # its message already says where: file, sheet, row, column
            save_error(finding.message_en, harvest_job)
    if report.status == "failed":
        save_error(report.message or "the harvest failed", harvest_job)
    items = store.items_to_publish([source.id])
    owners = ensure_organizations([store.county(source.county_code)], writer_context()) if items else {}
    ids = []
    for item in items:  # the dataset as it is to be written is the object's content, shown by ckanext-harvest
        status = "delete" if item.status != "active" else ("change" if item.ckan_hash else "new")
        obj = HarvestObject(guid=item.id, job=harvest_job, content=json.dumps(item_dataset(item, owners), ensure_ascii=False),
                            extras=[HarvestObjectExtra(key="status", value=status),
                                    HarvestObjectExtra(key="content_hash", value=item.content_hash)])
        obj.save()
        ids.append(obj.id)
    return ids


def import_object(harvest_object, save_error) -> bool:
    """Write the dataset of one harvest object (the import stage)."""
    from ckanext.harvest.model import HarvestObject

    extras = {e.key: e.value for e in harvest_object.extras}
    package_id, data = dataset_id(harvest_object.guid), json.loads(harvest_object.content or "null")
    try:
        outcome = write_dataset(package_id, data)
    except REFUSED as exc:
        model.Session.rollback()
        save_error(describe_error(data or {}, harvest_object.guid, exc), harvest_object, "Import")
        return False
    get_store().mark_published({harvest_object.guid: extras.get("content_hash") if data else None})
    # this object becomes its dataset's current one: ckanext-harvest links datasets to their source this way
    model.Session.query(HarvestObject).filter(HarvestObject.guid == harvest_object.guid,
                                              HarvestObject.current.is_(True)).update(
        {"current": False}, synchronize_session=False)
    if outcome != "gone":
        harvest_object.package_id = package_id
    harvest_object.current = data is not None
    harvest_object.report_status = {"created": "added", "updated": "updated"}.get(outcome, "deleted")
    harvest_object.save()
    return True
