"""A county's catalog published on its own CKAN as gk-catalog-item datasets: new items created, changed
items updated (compared by content), items no longer in the file deleted; run twice, the second run
changes nothing. `portal` is a ckanapi RemoteCKAN: the same calls a person's script would
make, so CKAN's validation (ckanext-scheming with our schema) judges every dataset.

Only datasets of the domains the file holds are deleted: a county publishing its domains from separate
files keeps the others. Each item's dataset is named by its stable id (gk-ID), as the province's harvest names it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from ckanapi.errors import NotFound, SearchIndexError, ValidationError

from .datasets import dataset_dict
from .harvesters.parse import public_item, stable_id
from .schema import DATASET_TYPE

PAGE_ROWS = 500
PROVENANCE = ("source_url", "source_location")  # where the file had the row: not what the item says


@dataclass
class Step:
    action: str  # create | update | delete | unchanged | error
    name: str
    where: str = ""  # the file's sheet and row, for an item of the file
    message: str = ""


@dataclass
class Outcome:
    steps: list = field(default_factory=list)

    @property
    def counts(self) -> dict:
        counted = {k: 0 for k in ("create", "update", "delete", "unchanged", "error")}
        for step in self.steps:
            counted[step.action] += 1
        return counted


def desired_datasets(items: list, county_code: str, county_name: str | None, organization: str) -> dict:
    """{dataset name: (dataset, item)} for the items of a parsed file that can be identified. CKAN lets only
    sysadmins choose a dataset's id, so a county's editor names it by the item's stable id."""
    found = {}
    for item in items:
        if not (item.get("domain") and item.get("level1") and item.get("level2")):
            continue
        item_id = stable_id(county_code, item)
        fields = {k: v for k, v in public_item(item).items() if k not in PROVENANCE}
        fields.update(county_code=county_code, county_name=county_name or fields.get("county_name"))
        record = SimpleNamespace(id=item_id, fields=fields, level1=item["level1"], level2=item["level2"],
                                 level3=item.get("level3"), county_code=county_code, domain=item["domain"])
        dataset = {k: v for k, v in dataset_dict(record, organization).items() if k != "id"}
        found.setdefault(dataset["name"], (dataset, item))
    return found


def existing_datasets(portal, organization: str, domains: set) -> dict:
    """{dataset name: dataset} of the organization's catalog items of these domains, private ones included."""
    found, start = {}, 0
    query = f"+dataset_type:{DATASET_TYPE} +organization:{organization}"
    while True:
        page = portal.action.package_search(fq=query, rows=PAGE_ROWS, start=start, include_private=True)
        for dataset in page.get("results", []):
            if dataset.get("domain") in domains:
                found[dataset["name"]] = dataset
        start += PAGE_ROWS
        if start >= page.get("count", 0) or not page.get("results"):
            return found


def same_content(wanted: dict, existing: dict) -> bool:
    """Whether a dataset already says what the item says (CKAN's own keys and the owner aside)."""
    for key, value in wanted.items():
        if key == "owner_org":
            continue
        if _norm(value) != _norm(existing.get(key)):
            return False
    return not any(existing.get(k) for k in PROVENANCE) and existing.get("state", "active") == "active"


def _norm(value):
    if value in (None, "", []):
        return None
    return sorted(value) if isinstance(value, list) else value


def publish(portal, items: list, county_code: str, county_name: str | None, organization: str,
            dry_run: bool = False, describe_error=str) -> Outcome:
    """Bring the organization's datasets in line with the file's items; every item gets a step."""
    wanted = desired_datasets(items, county_code, county_name, organization)
    existing = existing_datasets(portal, organization, {item["domain"] for _, item in wanted.values()})
    outcome = Outcome()
    for name, (dataset, item) in wanted.items():
        where = item.get("source_location") or ""
        current = existing.get(name)
        if current is not None and same_content(dataset, current):
            outcome.steps.append(Step("unchanged", dataset["title"], where))
            continue
        action = "update" if current is not None else "create"
        try:
            if not dry_run:
                _write(portal, dataset, current)
            outcome.steps.append(Step(action, dataset["title"], where))
        except (ValidationError, SearchIndexError) as exc:  # one row refused: reported, the others written
            outcome.steps.append(Step("error", dataset["title"], where, describe_error(exc)))
    for name, current in existing.items():
        if name not in wanted:
            if not dry_run:
                portal.action.package_delete(id=current["id"])
            outcome.steps.append(Step("delete", current.get("title") or name))
    return outcome


def _write(portal, dataset: dict, current: dict | None) -> None:
    if current is not None:
        portal.action.package_update(id=current["id"], **dataset)
        return
    try:  # a dataset deleted earlier keeps its name: it comes back by an update
        deleted = portal.action.package_show(id=dataset["name"])
    except NotFound:
        portal.action.package_create(**dataset)
        return
    portal.action.package_update(**{**dataset, "id": deleted["id"], "state": "active"})

