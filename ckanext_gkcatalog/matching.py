"""Matching a county's items to its domain's baseline items.

In order, a county item is matched by:
1. manual: a mapping the county or province declared (it overrides everything else);
2. exact: the same name once numbering, punctuation, spaces and traditional characters are normalised;
3. fuzzy: rapidfuzz's WRatio of the names at or above a threshold (WRatio weighs a name contained in a
   longer one, as counties lengthen names: 监督检查 -> 监督检查事项 scores 90);
4. parent: a county L3 item whose L2 is a baseline item without L3 (the county broke the item down).
When several baseline items share a name (政策法规文件 under several L1 items), the L1 names break the tie.
A county item matches at most one baseline item; several county items may cover one baseline item.
Unmatched county items are additions; those close to a baseline name are reported as overlapping.

Plain data in and out: no store, no web.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from .normalize import clean_name

FUZZY_THRESHOLD = 85  # rapidfuzz WRatio, 0..100
OVERLAP_THRESHOLD = 70  # an addition this close to a baseline name is probably the same thing renamed
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)  # a province repeats its names in every county
def match_key(name: str | None) -> str:
    """A name reduced to what identifies it: numbering, punctuation and spaces gone, simplified characters."""
    return _PUNCTUATION.sub("", clean_name(name or "")) if name else ""


@dataclass
class BaselineEntry:
    code: str
    level1: str
    level2: str
    level3: str | None = None

    @property
    def name(self) -> str:
        return self.level3 or self.level2


@dataclass
class CountyEntry:
    id: str
    level1: str | None
    level2: str | None
    level3: str | None = None

    @property
    def name(self) -> str:
        return self.level3 or self.level2 or self.level1 or ""


@dataclass
class Match:
    item_id: str
    code: str | None  # the baseline item, None for an addition
    method: str | None  # manual | exact | fuzzy | parent | None
    score: float  # 0..100
    overlaps: str | None = None  # for an addition: the baseline code it comes close to


@dataclass
class Result:
    matches: dict = field(default_factory=dict)  # item id -> Match
    covered: dict = field(default_factory=dict)  # baseline code -> [item ids]
    not_applicable: set = field(default_factory=set)  # baseline codes declared N/A

    def status(self, code: str) -> str:
        if self.covered.get(code):
            return "present"
        return "not_applicable" if code in self.not_applicable else "missing"


def match_items(baseline: list[BaselineEntry], items: list[CountyEntry], mappings: dict | None = None,
                not_applicable: set | None = None, threshold: float = FUZZY_THRESHOLD) -> Result:
    """`mappings` maps a county item id to a baseline code (manual decisions)."""
    result = Result(not_applicable=set(not_applicable or ()))
    by_code = {b.code: b for b in baseline}
    keys = [(b, match_key(b.name), match_key(b.level1)) for b in baseline]
    by_key: dict = {}
    for entry, key, _ in keys:
        by_key.setdefault(key, []).append(entry)
    for item in items:
        match = _manual(item, mappings or {}, by_code) or _exact(item, by_key) or _fuzzy(item, keys, threshold) \
            or _parent(item, keys)
        if match is None:
            match = Match(item.id, None, None, 0.0, _overlap(item, keys))
        result.matches[item.id] = match
        if match.code:
            result.covered.setdefault(match.code, []).append(item.id)
    return result


def _manual(item, mappings, by_code) -> Match | None:
    code = mappings.get(item.id)
    return Match(item.id, code, "manual", 100.0) if code in by_code else None


def _exact(item, by_key) -> Match | None:
    candidates = by_key.get(match_key(item.name), [])
    if not candidates:
        return None
    best = max(candidates, key=lambda b: fuzz.ratio(match_key(item.level1), match_key(b.level1)))
    return Match(item.id, best.code, "exact", 100.0)


def _fuzzy(item, keys, threshold) -> Match | None:
    name, level1 = match_key(item.name), match_key(item.level1)
    if not name:
        return None
    # the name decides; the L1 similarity only orders candidates whose names score the same
    scored = [(fuzz.WRatio(name, key), fuzz.ratio(level1, l1_key), entry) for entry, key, l1_key in keys]
    score, _, entry = max(scored, key=lambda s: (round(s[0]), s[1]), default=(0, 0, None))
    return Match(item.id, entry.code, "fuzzy", round(score, 1)) if entry and score >= threshold else None


def _parent(item, keys) -> Match | None:
    if not item.level3:
        return None
    parent = match_key(item.level2)
    for entry, key, _ in keys:
        if not entry.level3 and key == parent:
            return Match(item.id, entry.code, "parent", 100.0)
    return None


def _overlap(item, keys) -> str | None:
    """The baseline item an addition comes close to, below the matching threshold."""
    name = match_key(item.name)
    if not name:
        return None
    best, best_score = None, 0.0
    for entry, key, _ in keys:
        score = fuzz.WRatio(name, key)
        if score > best_score:
            best, best_score = entry, score
    return best.code if best and best_score >= OVERLAP_THRESHOLD else None
