"""Two versions of a domain's baseline compared (动态调整): items added, removed, renamed (paired by the same
matching as county items) and elements changed (a shorter time limit, a new basis ...); and, for a county's
items, the baseline items the new version makes missing: new items, and renamed ones its items no longer
match. Plain data in and out: baselines are stored versions or loaded files alike; no store, no web.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .items import level_path
from .matching import BaselineEntry, CountyEntry, match_items

COMPARED = ("content", "basis", "time_limit", "subject", "channels", "audience", "mode", "tiers")
KINDS = ("added", "removed", "renamed", "changed")


@dataclass
class Change:
    kind: str  # added | removed | renamed | changed
    old: object = None  # the item of the old version (None when added)
    new: object = None  # the item of the new version (None when removed)
    elements: dict = field(default_factory=dict)  # field -> (old value, new value)

    @property
    def code(self) -> str:
        return (self.new or self.old).code

    @property
    def time_limit(self) -> str | None:
        """'shorter' or 'longer' when both versions give a time limit in working days and they differ."""
        before, after = (getattr(self.old, "time_limit_days", None), getattr(self.new, "time_limit_days", None))
        if before is None or after is None or before == after:
            return None
        return "shorter" if after < before else "longer"


def name(entry) -> str:
    return level_path(entry)


def compare(old, new) -> list[Change]:
    """The changes from baseline version `old` to `new`, in the new version's order, removed ones last."""
    result = match_items([BaselineEntry(i.code, i.level1, i.level2, i.level3) for i in old.items],
                         [CountyEntry(i.code, i.level1, i.level2, i.level3) for i in new.items])
    by_code, paired, changes = {i.code: i for i in old.items}, set(), []
    for item in new.items:
        match = result.matches[item.code]
        before = by_code.get(match.code) if match.code and match.code not in paired else None
        if before is None:
            changes.append(Change("added", None, item))
            continue
        paired.add(before.code)
        elements = {f: (_value(before, f), _value(item, f)) for f in COMPARED if _value(before, f) != _value(item, f)}
        if name(before) != name(item):
            changes.append(Change("renamed", before, item, elements))
        elif elements:
            changes.append(Change("changed", before, item, elements))
    changes += [Change("removed", i, None) for i in old.items if i.code not in paired]
    return changes


def _value(entry, field_name: str):
    value = (entry.elements or {}).get(field_name)
    return sorted(value) if isinstance(value, list) else (value or None)


def made_missing(old, new, changes: list[Change], county_items: list, declared: set | None = None) -> list:
    """The new version's items a county's items (with id, level1..3) do not cover, that its items covered
    in the old version or that are new: what the revision asks of the county."""
    def covered(version) -> set:
        result = match_items([BaselineEntry(i.code, i.level1, i.level2, i.level3) for i in version.items],
                             [CountyEntry(i.id, i.level1, i.level2, i.level3) for i in county_items])
        return {code for code, ids in result.covered.items() if ids}
    before, after = covered(old), covered(new)
    counterpart = {c.new.code: c.old for c in changes if c.new is not None and c.old is not None}
    added = {c.new.code for c in changes if c.kind == "added"}
    missing = []
    for item in new.items:
        if item.code in after or item.code in (declared or ()):
            continue
        was = counterpart.get(item.code)
        if item.code in added or (was is not None and was.code in before):
            missing.append(item)
    return missing
