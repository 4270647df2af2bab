"""Compliance checks of a county's catalog for one domain against its baseline: one Problem per finding,
each with a rule id (the Problem code), a severity, a Chinese and English message and the item's location.

Per item (run when the item is imported): time limit longer than the baseline's; basis without a document
number; values outside the vocabularies; audience, mode or tiers unmarked; ID-card (checksum-validated) and
mobile numbers in published text; additions overlapping a baseline item. Per county (run when it is scored):
the same item listed twice; the same catalog differing between two platforms; a stale catalog.

Plain data in and out: no store, no web.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from stdnum.cn import ric

from .matching import match_key
from .normalize import TimeLimit
from .problems import Location, Problem
from .schema import load_schema

STALE_AFTER_DAYS = 365  # catalogs are reviewed at least yearly (动态调整)
MARKED_GROUPS = ("audience", "mode", "tiers")
PUBLISHED_TEXT = ("level1", "level2", "level3", "content", "basis", "time_limit", "subject", "department", "person")
_ID_NUMBER = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@dataclass
class Published:
    """When and where a county published its catalog of a domain: one per source."""
    source_id: int
    url: str
    published_at: datetime | None  # Last-Modified, else when its content was first harvested
    offered: list  # item ids


@lru_cache(maxsize=1)
def _closed_vocabularies() -> dict:
    """{field: allowed values} for the fields whose values must come from the schema's choices."""
    return {f.name: {c.value for c in f.choices} for f in load_schema().fields.values()
            if f.choices and not f.open_choices}


def item_location(item: dict, field: str | None = None) -> Location:
    where = (item.get("location") or {})
    sheet, _, row = (where.get("at") or "").rpartition("#")
    return Location(where.get("url"), sheet or None, int(row) if row.isdigit() else None, None, field)


def check_item(item: dict, baseline_item: dict | None) -> list[Problem]:
    fields, parsed = item["fields"], item.get("parsed") or {}
    problems = []

    def add(code, field_name=None, **params):
        problems.append(Problem(code, item_location(item, field_name), params))

    if baseline_item and parsed.get("time_limit") and baseline_item.get("time_limit_days") is not None:
        days = TimeLimit(**parsed["time_limit"]).working_days
        if days is not None and days > baseline_item["time_limit_days"]:
            add("time_limit_longer", "time_limit", value=fields.get("time_limit"), baseline=baseline_item.get("time_limit"))
    documents = parsed.get("basis") or []
    if documents and not any(d.get("number") for d in documents):
        add("basis_without_number", "basis", value=fields.get("basis"))
    for name, allowed in _closed_vocabularies().items():  # the schema's choices, checked directly: a
        values = fields.get(name)                           # marshmallow pass per item was half the time
        for value in (values if isinstance(values, list) else [values] if values else []):
            if value not in allowed:
                add("vocabulary", name, value=value)
        if name in MARKED_GROUPS and not values:
            add("unmarked", name)
    for name in PUBLISHED_TEXT:
        text = fields.get(name) or ""
        for number in _ID_NUMBER.findall(text):
            if ric.is_valid(number):
                add("personal_id_number", name, value=number)
        for number in _MOBILE.findall(text):
            add("personal_mobile", name, value=number)
    return problems


def item_problems(item: dict, match, baseline: dict) -> list[Problem]:
    """An item's findings once matched: its own rules, and an addition overlapping a baseline item.
    `baseline` maps codes to baseline items (dicts with level2, level3, time_limit and time_limit_days)."""
    problems = check_item(item, baseline.get(match.code) if match and match.code else None)
    if match and match.code is None and match.overlaps:
        overlapped = baseline.get(match.overlaps, {})
        problems.append(Problem("overlapping_addition", item_location(item),
                                {"baseline": overlapped.get("level3") or overlapped.get("level2")}))
    return problems


def name_key(item: dict) -> str:
    """Two items of a county and domain with the same key are the same item listed twice."""
    return match_key(item.get("level1")) + "|" + match_key(item.get("level3") or item.get("level2"))


def duplicate_problems(items: list[dict]) -> dict:
    """{item id: Problem} for every item that repeats an earlier one (items in catalog order, with name_key)."""
    first_by_key, problems = {}, {}
    for item in items:
        key = item["name_key"]
        if key in first_by_key:
            problems[item["id"]] = Problem("duplicate_name", item_location(item), {"other": first_by_key[key]})
        else:
            first_by_key[key] = " / ".join(filter(None, (item.get("level1"), item.get("level2"), item.get("level3"))))
    return problems


def county_problems(published: list[Published], now: datetime) -> list[Problem]:
    problems = []
    for i, here in enumerate(published):
        for there in published[i + 1:]:
            only_here, only_there = set(here.offered) - set(there.offered), set(there.offered) - set(here.offered)
            if only_here or only_there:
                problems.append(Problem("platform_mismatch", Location(file=here.url), {
                    "here": here.url, "there": there.url, "only_here": len(only_here), "only_there": len(only_there)}))
    dates = [p.published_at for p in published if p.published_at]
    if dates:
        newest = max(dates)
        age = (now - newest).days
        if age > STALE_AFTER_DAYS:
            problems.append(Problem("stale_catalog", Location(file=published[0].url),
                                    {"days": age, "date": newest.date().isoformat()}))
    return problems
