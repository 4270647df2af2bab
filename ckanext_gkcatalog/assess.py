"""Assessing counties when a harvest lands: match their items to the active baseline, run the compliance
checks, score, and store one snapshot per county and domain (with its findings and every item's match).
Never computed per page view: the dashboards read the snapshots.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from .checks import Published, check_county
from .matching import BaselineEntry, CountyEntry, match_items
from .scoring import score_county


@dataclass
class Assessed:
    county_code: str
    domain: str
    snapshot_id: int
    score: float
    rating: str


def assess(store, pairs: list[tuple[str, str]] | None = None, job_ids: dict | None = None,
           now: datetime | None = None) -> list[Assessed]:
    """Assess (county, domain) pairs; all pairs with an active baseline when None. `job_ids` maps a pair to
    the harvest job whose landing it records."""
    now = now or datetime.now(timezone.utc)
    baselines = {b.domain: b for b in store.baselines() if b.active}
    pairs = pairs if pairs is not None else store.county_domains()
    out = []
    prepared = {domain: _prepare(baseline) for domain, baseline in baselines.items()}
    for county_code, domain in pairs:
        if domain in prepared:
            out.append(assess_one(store, baselines[domain], prepared[domain], county_code, domain,
                                  (job_ids or {}).get((county_code, domain)), now))
    return out


def _prepare(baseline) -> tuple[list, dict]:
    """A baseline's entries for matching and its items by code for the checks, made once per run."""
    entries = [BaselineEntry(i.code, i.level1, i.level2, i.level3) for i in baseline.items]
    by_code = {i.code: {"level1": i.level1, "level2": i.level2, "level3": i.level3, "time_limit_days": i.time_limit_days,
                        "time_limit": (i.elements or {}).get("time_limit")} for i in baseline.items}
    return entries, by_code


def assess_one(store, baseline, prepared: tuple, county_code: str, domain: str, job_id: int | None,
               now: datetime) -> Assessed:
    entries, by_code = prepared
    data = store.assessment_input(county_code, domain)
    items = data["items"]
    result = match_items(entries, [CountyEntry(i["id"], i["level1"], i["level2"], i["level3"]) for i in items],
                         data["mappings"], data["not_applicable"])
    published = [Published(s["id"], s["url"], _published_at(s), s["offered"]) for s in data["sources"]]
    item_problems, county_problems = check_county(items, by_code, result, published, now)
    dates = [p.published_at for p in published if p.published_at]
    score = score_county(list(by_code), items, result, item_problems, county_problems,
                         max(dates) if dates else None, now)
    snapshot_id = store.save_assessment(county_code, domain, baseline.id, job_id, now, score, result,
                                        item_problems, county_problems)
    return Assessed(county_code, domain, snapshot_id, score.score, score.rating)


def _published_at(source: dict) -> datetime | None:
    """The server's Last-Modified when it sends one, else when the harvester first read this content."""
    if source.get("http_last_modified"):
        try:
            return parsedate_to_datetime(source["http_last_modified"])
        except (TypeError, ValueError):
            pass
    return source.get("changed_at")
