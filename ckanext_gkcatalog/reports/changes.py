"""What a baseline revision changes, for the baseline page, `gkcatalog baseline diff` and the export: the
changed items, and per county the items the new version makes missing (a list a circular can carry)."""
from __future__ import annotations

from dataclasses import dataclass

from ..baseline_changes import compare, made_missing, name

CHANGE_COLUMNS = ("kind", "code", "old_name", "new_name", "fields", "time_limit")
MISSING_COLUMNS = ("county_code", "county", "city", "code", "level1", "level2", "level3")


@dataclass
class Revision:
    domain: str
    old: object  # the stored baseline versions compared
    new: object
    changes: list  # baseline_changes.Change
    missing: list  # (county, [baseline items the new version makes missing])


def revision(store, domain: str, old_version: int | None = None, new_version: int | None = None,
             counties: bool = True) -> Revision | None:
    """Version `old_version` (default: the one before the new) against `new_version` (default: the active
    one); None when either is not there."""
    versions = {b.version: b for b in store.baselines(domain)}
    new = store.baseline(domain, new_version) if new_version else store.baseline(domain)
    if new is None:
        return None
    old_version = old_version or max((v for v in versions if v < new.version), default=None)
    old = store.baseline(domain, old_version) if old_version else None
    if old is None:
        return None
    changes = compare(old, new)
    missing = []
    if counties:
        for county in store.counties():
            items = store.items(county.code, domain)
            if not items:
                continue
            declared = store.declared_not_applicable(county.code, domain).get(domain, set())
            found = made_missing(old, new, changes, items, declared)
            if found:
                missing.append((county, found))
    return Revision(domain, old, new, changes, missing)


def change_rows(found: Revision) -> list[dict]:
    return [{"kind": c.kind, "code": c.code, "old_name": name(c.old) if c.old else "",
             "new_name": name(c.new) if c.new else "", "fields": "、".join(c.elements),
             "time_limit": c.time_limit or ""} for c in found.changes]


def missing_rows(found: Revision) -> list[dict]:
    return [{"county_code": county.code, "county": county.name, "city": county.city_name or "", "code": item.code,
             "level1": item.level1, "level2": item.level2, "level3": item.level3 or ""}
            for county, items in found.missing for item in items]
