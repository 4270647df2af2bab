"""The score of a county's catalog for one domain. Modelled on data.europa.eu's metadata quality assessment:
each dimension is a fraction 0..1, weighted into points that add up to 100, and the total falls in a rating
band. Every weight and band is declared here and nowhere else.

- coverage: baseline items present, of those that apply (declared not-applicable items are not gaps);
- completeness: elements filled per item (content, basis, time limit, subject, channels, audience, mode, tiers);
- compliance: items without findings (a warning costs half an item, an error the whole item);
- freshness: 1 while the catalog is younger than a year, falling to 0 at three years.

Plain data in and out: no store, no web.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .checks import STALE_AFTER_DAYS
from .matching import Result
from .problems import ERROR, WARNING

WEIGHTS = {"coverage": 40, "completeness": 20, "compliance": 30, "freshness": 10}  # points; they sum to 100
RATINGS = [(90, "excellent"), (75, "good"), (60, "sufficient"), (0, "insufficient")]  # lowest score of each band
RATING_LABELS = {"excellent": ("优秀", "Excellent"), "good": ("良好", "Good"), "sufficient": ("合格", "Sufficient"),
                 "insufficient": ("不合格", "Insufficient")}
ELEMENTS = ("content", "basis", "time_limit", "subject", "channels", "audience", "mode", "tiers")
FRESH_UNTIL_DAYS, STALE_AT_DAYS = STALE_AFTER_DAYS, 3 * 365


@dataclass
class Score:
    coverage: float
    completeness: float
    compliance: float
    freshness: float
    score: float
    rating: str
    details: dict = field(default_factory=dict)

    @property
    def dimensions(self) -> dict:
        return {name: getattr(self, name) for name in WEIGHTS}


def rating(score: float) -> str:
    return next(name for lowest, name in RATINGS if score >= lowest)


def freshness(published_at: datetime | None, now: datetime) -> float:
    if published_at is None:
        return 0.0
    age = (now - published_at).days
    if age <= FRESH_UNTIL_DAYS:
        return 1.0
    return max(0.0, 1 - (age - FRESH_UNTIL_DAYS) / (STALE_AT_DAYS - FRESH_UNTIL_DAYS))


def score_county(baseline_codes: list[str], items: list[dict], result: Result, item_problems: dict,
                 county_problems: list, published_at: datetime | None, now: datetime) -> Score:
    applicable = [c for c in baseline_codes if c not in result.not_applicable]
    present = [c for c in applicable if result.covered.get(c)]
    coverage = len(present) / len(applicable) if applicable else 1.0
    filled = [sum(1 for e in ELEMENTS if item["fields"].get(e)) / len(ELEMENTS) for item in items]
    completeness = sum(filled) / len(filled) if filled else 0.0
    costs = []
    for item in items:
        severities = {p.severity for p in item_problems.get(item["id"], [])}
        costs.append(1.0 if ERROR in severities else 0.5 if WARNING in severities else 0.0)
    compliance = 1 - sum(costs) / len(costs) if costs else 0.0
    fresh = freshness(published_at, now)
    values = {"coverage": coverage, "completeness": completeness, "compliance": compliance, "freshness": fresh}
    total = round(sum(WEIGHTS[k] * v for k, v in values.items()), 1)
    details = {
        "baseline_items": len(baseline_codes), "applicable": len(applicable), "present": len(present),
        "not_applicable": len(baseline_codes) - len(applicable), "missing": len(applicable) - len(present),
        "items": len(items), "added": sum(1 for m in result.matches.values() if m.code is None),
        "errors": sum(1 for ps in item_problems.values() for p in ps if p.severity == ERROR)
        + sum(1 for p in county_problems if p.severity == ERROR),
        "warnings": sum(1 for ps in item_problems.values() for p in ps if p.severity == WARNING)
        + sum(1 for p in county_problems if p.severity == WARNING),
        "published_at": published_at.isoformat() if published_at else None,
        "weights": WEIGHTS,
    }
    return Score(round(coverage, 4), round(completeness, 4), round(compliance, 4), round(fresh, 4), total,
                 rating(total), details)
