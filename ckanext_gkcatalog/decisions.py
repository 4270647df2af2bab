"""What a county may declare about its domain's baseline, checked before it is stored: that a baseline item
does not apply locally, or that one of its own items is a baseline item. The portal's form and the command
line refuse the same things with the same messages. `store` is the Store (or anything with its reads)."""
from __future__ import annotations

from .problems import Location, Problem


def domain_of(baseline_code: str) -> str:
    """'employment-02-01' -> 'employment': a baseline code starts with its domain."""
    return baseline_code.rsplit("-", 2)[0]


def decision_problem(store, county_code: str, baseline_code: str | None = None, item_id: str | None = None,
                     decision_id: int | None = None) -> Problem | None:
    """Why the county's declaration is refused (the first reason), or None when it may be stored."""
    if store.county(county_code) is None:
        return Problem("unknown_county", Location(), {"value": county_code})
    if baseline_code is not None:
        baseline = store.baseline(domain_of(baseline_code))
        if baseline is None or baseline_code not in {entry.code for entry in baseline.items}:
            return Problem("unknown_baseline_item", Location(), {"value": baseline_code})
    if item_id is not None and item_id not in {item.id for item in store.items(county_code, status=None)}:
        return Problem("unknown_item", Location(), {"value": item_id})
    if decision_id is not None and decision_id not in {d.id for d in store.decisions(county_code)}:
        return Problem("unknown_decision", Location(), {"value": decision_id})
    return None
