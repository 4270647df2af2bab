"""The ckanext-harvest adapter's stages, wired in by harvest_plugin.py.

The gather stage runs our pipeline for the source (fetch, parse, check, match, import into the store), then
writes the datasets that changed, 200 per transaction, each with its harvest object made complete in the
same transaction: ckanext-harvest's fetch and import queues would commit every object several times,
which costs more than writing its dataset. So the fetch and import stages have nothing left to do (an
object an earlier version queued is left: its item is still unpublished, and the next run writes it).
"""
from __future__ import annotations

import datetime
import json

from ckan import model

from ..divisions import normalize_code
from ..harvesters.pipeline import harvest
from ..problems import job_message
from ..schema import load_schema
from ..sources import KINDS
from .settings import get_store, harvest_settings, site_lang
from .sync import dataset_id, items_to_write, sync_datasets


def validate_config(text: str | None) -> str:
    """A harvest source's configuration: JSON with optional county_code (default: the source's
    organization), county_name, domain, kind and options (those of `gkcatalog sources add`)."""
    try:
        config = json.loads(text) if text and text.strip() else {}
    except ValueError as exc:
        raise ValueError(f"the configuration is not JSON: {exc}")
    if not isinstance(config, dict):
        raise ValueError("the configuration must be a JSON object")
    if config.get("county_code") and not normalize_code(config["county_code"]):
        raise ValueError("county_code must be a division code: a county's 6 digits or a township's 9 (or 12)")
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
    code = normalize_code(config.get("county_code") or (organization.name if organization else None))
    if not code:
        raise ValueError("the source names no county: set county_code in its configuration, or give it the "
                         "county's organization (named by its division code)")
    name = config.get("county_name") or (organization.title if organization else None)
    store.upsert_county(code, name or None, org_name=organization.name if organization else None)
    domain = load_schema().domain(config["domain"]) if config.get("domain") else None
    return store.add_source(code, harvest_source.url, config.get("kind", "auto"), domain, config.get("options"))


def gather(harvest_job, save_error) -> list[str]:
    """Run our pipeline for the job's source, then write its datasets, one harvest object each."""
    store = get_store()
    try:
        source = store_source(store, harvest_job.source)
    except ValueError as exc:
        save_error(str(exc), harvest_job)
        return []
    (report,) = harvest(store, [source], harvest_settings())
    lang = site_lang()
    items = items_to_write(store, [source.id])
    # each error once: an item's own errors with its harvest object (with the row it is on now), the rest
    # (the file's, and those of items with nothing to write) with the job
    own_errors: dict = {item.id: [] for item in items}
    for finding in store.findings(report.job_id):
        if finding.severity != "error":
            continue
        message = finding.message_zh if lang == "zh" else finding.message_en  # it says where: file, row, column
        if finding.item_id in own_errors:
            own_errors[finding.item_id].append(message)
        else:
            save_error(message, harvest_job)
    if report.status == "failed":
        save_error(job_message(report.message_code, report.message_params, lang) or "failed", harvest_job)
    # the datasets and their harvest objects are written here, BATCH per transaction, each object complete
    # as ckanext-harvest's import stage would leave it: no object waits in the fetch and import queues,
    # whose per-object commits cost more than writing the dataset
    sync_datasets(store, items, record=lambda item, data, outcome, error: _record_object(
        harvest_job, item, data, outcome, "; ".join(filter(None, (*own_errors[item.id], error)))))
    return []


def _record_object(harvest_job, item, data, outcome, errors: str) -> None:
    """The harvest object of one written (or refused) dataset, in the write's transaction: the dataset's
    current object, so that its index entry names the harvest source."""
    from ckanext.harvest.model import HarvestObject, HarvestObjectError, HarvestObjectExtra

    package_id = dataset_id(item.id)
    model.Session.query(HarvestObject).filter(HarvestObject.guid == item.id, HarvestObject.current.is_(True)).update(
        {"current": False}, synchronize_session=False)
    written = outcome in ("created", "updated")
    obj = HarvestObject(guid=item.id, job=harvest_job, source=harvest_job.source,
                        content=json.dumps(data, ensure_ascii=False), state="ERROR" if outcome is None else "COMPLETE",
                        package_id=package_id if written or outcome == "deleted" else None, current=written,
                        report_status={"created": "added", "updated": "updated"}.get(outcome, "deleted" if outcome else "errored"),
                        extras=[HarvestObjectExtra(key="status", value=_status(item)),
                                HarvestObjectExtra(key="content_hash", value=item.content_hash)])
    now = datetime.datetime.utcnow()
    obj.gathered = obj.fetch_started = obj.fetch_finished = obj.import_started = obj.import_finished = now
    model.Session.add(obj)
    if errors:
        model.Session.add(HarvestObjectError(object=obj, message=errors, stage="Import"))


def _status(item) -> str:
    return "delete" if item.status != "active" else ("change" if item.ckan_hash else "new")
