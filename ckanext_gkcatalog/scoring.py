"""The score of a county's catalog for one domain. Modelled on data.europa.eu's metadata quality assessment:
each dimension is a fraction 0..1, weighted into points that add up to 100, and the total falls in a rating
band. Every weight and band is declared here and nowhere else.

- coverage: baseline items present, of those that apply (declared not-applicable items are not gaps);
- completeness: elements filled per item (content, basis, time limit, subject, channels, audience, mode, tiers);
- compliance: items without findings; an item costs the weight of its costliest finding (RULE_WEIGHTS: an
  error the whole item, a warning half of it, unless its rule declares another weight);
- freshness: 1 while the catalog is younger than a year, falling to 0 at three years.

Plain data in and out: no store, no web.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .checks import STALE_AFTER_DAYS

WEIGHTS = {"coverage": 40, "completeness": 20, "compliance": 30, "freshness": 10}  # points; they sum to 100
RATINGS = [(90, "excellent"), (75, "good"), (60, "sufficient"), (0, "insufficient")]  # lowest score of each band
RATING_LABELS = {"excellent": ("优秀", "Excellent"), "good": ("良好", "Good"), "sufficient": ("合格", "Sufficient"),
                 "insufficient": ("不合格", "Insufficient")}
ELEMENTS = ("content", "basis", "time_limit", "subject", "channels", "audience", "mode", "tiers")
FRESH_UNTIL_DAYS, STALE_AT_DAYS = STALE_AFTER_DAYS, 3 * 365
SEVERITY_WEIGHTS = {"error": 1.0, "warning": 0.5, "info": 0.0}  # the share of an item a finding costs
RULE_WEIGHTS = {  # rules that cost other than their severity's weight
    "basis_cites_article": 0.25,  # the document is named; the articles are only superfluous
    "channels_unspecified": 0.25,
    "service_guide_incomplete": 0.5,
    "vague_subject": 0.5,
    "negative_list": 0.5,  # a word that may reveal withheld information: to be checked, not proven
}


def finding_weight(rule: str, severity: str) -> float:
    return RULE_WEIGHTS.get(rule, SEVERITY_WEIGHTS.get(severity, 0.0))


def item_penalty(findings) -> float:
    """The share of an item its findings cost: the weight of the costliest, (rule, severity) pairs."""
    return min(1.0, max((finding_weight(rule, severity) for rule, severity in findings), default=0.0))


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


def filled(fields: dict) -> float:
    """The share of the scored elements an item fills (its completeness)."""
    return sum(1 for e in ELEMENTS if fields.get(e)) / len(ELEMENTS)


@dataclass
class Tally:
    """A county's active items of one domain, counted from their stored assessments."""
    baseline_items: int  # in the active baseline
    not_applicable: int  # baseline items declared N/A
    present: int  # applicable baseline items matched by at least one item
    items: int
    added: int  # items matched to no baseline item
    filled: float  # sum of the items' filled shares
    with_errors: int  # items with at least one error
    with_warnings_only: int  # items with warnings and no error
    errors: int  # findings, the county's own included
    warnings: int
    penalty: float | None = None  # sum of the items' penalties (item_penalty); None: by severity alone


def score_county(tally: Tally, published_at: datetime | None, now: datetime) -> Score:
    applicable = tally.baseline_items - tally.not_applicable
    coverage = tally.present / applicable if applicable else 1.0
    completeness = tally.filled / tally.items if tally.items else 0.0
    penalty = tally.penalty if tally.penalty is not None else \
        tally.with_errors * SEVERITY_WEIGHTS["error"] + tally.with_warnings_only * SEVERITY_WEIGHTS["warning"]
    compliance = max(0.0, 1 - penalty / tally.items) if tally.items else 0.0
    fresh = freshness(published_at, now)
    values = {"coverage": coverage, "completeness": completeness, "compliance": compliance, "freshness": fresh}
    total = round(sum(WEIGHTS[k] * v for k, v in values.items()), 1)
    details = {
        "baseline_items": tally.baseline_items, "applicable": applicable, "present": tally.present,
        "not_applicable": tally.not_applicable, "missing": applicable - tally.present, "items": tally.items,
        "added": tally.added, "errors": tally.errors, "warnings": tally.warnings,
        "published_at": published_at.isoformat() if published_at else None, "weights": WEIGHTS,
    }
    return Score(round(coverage, 4), round(completeness, 4), round(compliance, 4), round(fresh, 4), total,
                 rating(total), details)
