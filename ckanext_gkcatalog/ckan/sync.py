"""Inside CKAN: harvested items written as CKAN datasets of type gk-catalog-item.

The store stays the record of every harvest; CKAN gets one dataset per item, owned by its county's
organization, written through package_create/package_update so ckanext-scheming validates it like a
dataset entered by hand. Each item remembers the content hash its dataset was written with (ckan_hash),
so only the items that changed are written, and a withdrawn item's dataset is deleted in CKAN (the item
stays in the store as withdrawn). An item CKAN rejects is reported and written again by the next run.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import ckan.plugins.toolkit as tk
from ckan import model

from ..datasets import dataset_dict, dataset_id, org_name
from ..divisions import county_of, is_township
from ..items import level_path
from . import bulk


def writer_context() -> dict:
    """Datasets are written as the site user, as ckanext-harvest does: a county admin's harvest may write
    its county's datasets. CKAN's auth was asked once, for the harvest, not again per dataset."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "return_id_only": True, "ignore_auth": True}


def ensure_organizations(counties: list, context: dict, parents: dict | None = None) -> dict:
    """{county code: organization name}; a county's organization is created (titled with its name) when
    CKAN has none, so every item has its owner. A township is an organization of its own, a child of its
    county's in CKAN's group hierarchy (a 'parent' membership, what ckanext-hierarchy shows as a tree):
    CKAN grants rights per organization, so a township's staff edit their own subset only, and the county's
    organization page still leads to its townships. `parents`: {township code: its county's record}.
    `context`: the writer's (writer_context())."""
    names = {}
    for county in counties:
        name = org_name(county)
        if model.Group.get(name) is None:
            data = {"name": name, "title": county.name}
            parent = (parents or {}).get(county.code)
            if parent is not None:
                (parent_name,) = ensure_organizations([parent], context).values()
                data["groups"] = [{"name": parent_name, "capacity": "parent"}]
            tk.get_action("organization_create")({**context, "return_id_only": False}, data)
        names[county.code] = name
    return names


def write_dataset(package_id: str, data: dict | None, context: dict | None = None) -> str:
    """Create or update a dataset from `data`, or delete it when `data` is None (a withdrawn item);
    returns created | updated | deleted | gone (nothing to delete)."""
    context = context or writer_context()
    existing = model.Package.get(package_id)
    if existing is not None and model.Session.query(model.Package.id).filter_by(id=package_id).scalar() is None:
        model.Session.expunge(existing)  # purged behind the session's back (`ckan harvester source clear`)
        existing = None
    if data is None:
        if existing is None or existing.state == "deleted":
            return "gone"
        tk.get_action("package_delete")(dict(context), {"id": package_id})
        return "deleted"
    if existing is None:
        tk.get_action("package_create")(dict(context), data)
        return "created"
    tk.get_action("package_update")(dict(context), {**data, "state": "active"})  # a withdrawn item came back
    return "updated"


def item_dataset(item, owners: dict) -> dict | None:
    """What an item's dataset should be now: None for a withdrawn item (its dataset is deleted)."""
    return dataset_dict(item, owners[item.county_code]) if item.status == "active" else None


def describe_error(data: dict, item_id: str, exc: Exception) -> str:
    """Where the item came from (its source file and place in it) and what CKAN said about which field."""
    where = " ".join(str(data[k]) for k in ("source_url", "source_location") if data.get(k))
    if isinstance(exc, tk.ValidationError):
        what = "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                         for k, v in exc.error_dict.items())
    else:
        what = str(exc) or repr(exc)
    label = level_path(data)
    return f"{where or item_id} ({label or item_id}): {what}"


def items_to_write(store, source_ids: list[int] | None = None) -> list:
    """The items whose datasets must be written: those that changed since they were written, and those
    whose dataset is gone although it was written (deleted or purged outside the extension, e.g. by
    `ckan harvester source clear`): these are written again, as new."""
    published = store.published_items(source_ids)
    present = set()
    ids = [dataset_id(item_id) for item_id in published]
    for start in range(0, len(ids), 500):
        present.update(row[0] for row in model.Session.query(model.Package.id).filter(
            model.Package.id.in_(ids[start:start + 500]), model.Package.state == "active"))
    gone = [item_id for item_id in published if dataset_id(item_id) not in present]
    if gone:
        store.mark_published(dict.fromkeys(gone))  # no dataset: to be written, by this run or the next
    return store.items_to_publish(source_ids)


@dataclass
class SyncReport:
    counts: dict = field(default_factory=lambda: {"created": 0, "updated": 0, "deleted": 0, "errors": 0})
    errors: list = field(default_factory=list)  # messages naming the item's file, row and field


BATCH = 200  # datasets written per transaction: one commit (and its search-index updates) per batch
REFUSED = (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized)


def sync_datasets(store, items: list | None = None, on_item=None, record=None) -> SyncReport:
    """Write the datasets of `items` (default: items_to_write(), the changed items and those whose dataset
    is gone), BATCH per transaction: new datasets by the bulk writer (bulk.py), the others through
    package_update and package_delete (and package_create where the bulk writer cannot). `on_item()` is
    called after each item (a progress bar). An item CKAN refuses is reported and left for the next run.
    `record(item, data, outcome, error)` adds what else belongs to a write to the same transaction (the
    ckanext-harvest adapter's harvest object): after each write (error None), and for a refused item
    (outcome None, its error), after CKAN's rollback if there was one."""
    items = items_to_write(store) if items is None else items
    report = SyncReport()
    if not items:
        return report
    counties = {c.code: c for c in store.counties()}
    context = writer_context()
    publishers = sorted({i.county_code for i in items if i.status == "active"})
    parents = {c: counties[county_of(c)] for c in publishers if is_township(c) and county_of(c) in counties}
    owners = ensure_organizations([counties[c] for c in publishers], context, parents)
    writer = _Writer(store, report, {**context, "defer_commit": True}, on_item, record)
    for start in range(0, len(items), BATCH):
        chunk = [(item, item_dataset(item, owners)) for item in items[start:start + BATCH]]
        writer.each(writer.new(chunk))
    return report


class _Writer:
    """One sync's writes: `batch` holds what the open transaction wrote, {item id: (item, outcome, data)}."""

    def __init__(self, store, report: SyncReport, context: dict, on_item, record):
        self.store, self.report, self.context, self.on_item, self.record = store, report, context, on_item, record
        self.batch = {}

    def commit(self):
        model.repo.commit()
        self.store.mark_published({i.id: i.content_hash if i.status == "active" else None
                                   for i, _, _ in self.batch.values()})
        for _, outcome, _ in self.batch.values():  # after CKAN's commit: a crash between the two rewrites, never skips
            if outcome != "gone":
                self.report.counts[outcome] += 1
            if self.on_item:
                self.on_item()
        self.batch.clear()

    def refused(self, item, data, exc):
        self.report.counts["errors"] += 1
        self.report.errors.append(describe_error(data or item.fields or {}, item.id, exc))
        if self.record:
            self.record(item, data, None, self.report.errors[-1])
        if self.on_item:
            self.on_item()

    def new(self, chunk: list) -> list:
        """Writes the chunk's new datasets in one go, committed; returns the rest of the chunk."""
        new = [pair for pair in chunk if pair[1] is not None]
        new = [pair for pair, ok in zip(new, bulk.creatable([d for _, d in new])) if ok]
        if not new:
            return chunk

        def written(index, data):
            item = new[index][0]
            self.batch[item.id] = (item, "created", data)
            if self.record:
                self.record(item, data, "created", None)

        refused = bulk.create_datasets([d for _, d in new], self.context, written)
        for index, exc in refused.items():
            self.refused(*new[index], exc)
        self.commit()
        done = {item.id for item, _ in new}
        return [pair for pair in chunk if pair[0].id not in done]

    def each(self, pairs: list) -> None:
        """One write per dataset: updates, deletions and what the bulk writer leaves."""
        queue = deque(pairs)
        while queue:
            item, data = queue.popleft()
            if item.errors and self.batch:  # our checks found errors: CKAN may refuse it, and a refusal rolls back
                self.commit()
            try:
                self.batch[item.id] = (item, write_dataset(dataset_id(item.id), data, self.context), data)
                if self.record:
                    self.record(item, data, self.batch[item.id][1], None)
            except REFUSED as exc:
                # CKAN rolled its session back: the batch's writes since the last commit are gone, so again
                model.Session.rollback()
                queue.extendleft(reversed([(i, d) for i, _, d in self.batch.values()]))
                self.batch.clear()
                self.refused(item, data, exc)
                if self.record:
                    model.repo.commit()
            if self.batch and not queue:
                self.commit()
