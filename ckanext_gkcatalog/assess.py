"""Assessing counties against the active baselines, in two steps, so that scoring a province sums stored rows:

1. An item is matched and checked when it is imported (in the parser processes, changed items only):
   `assess_items` gives the columns stored on its row (its match, findings and filled share).
2. When a harvest lands, every county and domain it touched is scored from those rows (`assess`): sums over
   the items plus the county rules (the same item listed twice, two platforms differing, a stale catalog),
   stored as one snapshot per county and domain. Items not assessed against the active baseline (a new
   baseline version, a new decision of the county) are assessed again first.
Never computed per page view: the dashboards read the snapshots.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from .checks import Published, county_problems, duplicate_problems, item_problems, name_key
from .divisions import is_township, township_subset
from .matching import BaselineEntry, CountyEntry, match_items
from .problems import ERROR, WARNING
from .scoring import Tally, filled, finding_weight, item_penalty, score_county


@dataclass
class Assessed:
    county_code: str
    domain: str
    snapshot_id: int
    score: float
    rating: str


@dataclass
class Matcher:
    """A domain's active baseline, prepared once for matching and checking; plain data, so that it can be
    sent to the parser processes."""
    baseline_id: int
    entries: list  # BaselineEntry
    by_code: dict  # code -> {level1, level2, level3, time_limit, time_limit_days, content}
    township: "Matcher | None" = None  # the baseline's township subset (its items with 乡级 or 村级 tiers)

    @classmethod
    def of(cls, baseline, items: list | None = None) -> "Matcher":
        """From a stored baseline version, or a loaded one (a file a county checks against: no id); `items`:
        a subset of its items (what a township publishes)."""
        subset = items is not None
        items = baseline.items if items is None else items
        found = cls(getattr(baseline, "id", None), [BaselineEntry(i.code, i.level1, i.level2, i.level3) for i in items],
                    {i.code: {"level1": i.level1, "level2": i.level2, "level3": i.level3,
                              "time_limit_days": i.time_limit_days, "time_limit": (i.elements or {}).get("time_limit"),
                              "content": (i.elements or {}).get("content")}
                     for i in items})
        if not subset:
            found.township = cls.of(baseline, township_subset(baseline.items))
        return found

    def for_division(self, code: str) -> "Matcher":
        """What the county or township with this code is matched and scored against."""
        return self.township if is_township(code) and self.township is not None else self


def matchers(store) -> dict:
    """{domain: Matcher} of the active baselines."""
    return {b.domain: Matcher.of(b) for b in store.baselines() if b.active}


def assess_items(matcher: Matcher, items: list[dict], mappings: dict | None = None) -> list[dict]:
    """The assessment columns of items of one county and domain (dicts with id, level1-3, fields, parsed,
    location); `mappings` are the county's manual decisions {item id: baseline code}."""
    result = match_items(matcher.entries, [CountyEntry(i["id"], i["level1"], i["level2"], i["level3"]) for i in items],
                         mappings)
    rows = []
    for item in items:
        match = result.matches[item["id"]]
        problems = item_problems(item, match, matcher.by_code)
        rows.append({"id": item["id"], "baseline_id": matcher.baseline_id, "baseline_code": match.code,
                     "match_method": match.method, "match_score": match.score, "overlaps": match.overlaps,
                     "name_key": name_key(item), "filled": filled(item["fields"]),
                     "errors": sum(1 for p in problems if p.severity == ERROR),
                     "warnings": sum(1 for p in problems if p.severity == WARNING),
                     "penalty": item_penalty((p.code, p.severity) for p in problems),
                     "checks": [p.check_columns() for p in problems]})
    return rows


def assess(store, pairs: list[tuple[str, str]] | None = None, job_ids: dict | None = None,
           now: datetime | None = None) -> list[Assessed]:
    """Score (county, domain) pairs (all pairs with an active baseline when None) and store a snapshot of
    each; `job_ids` maps a pair to the harvest job whose landing it records."""
    now = now or datetime.now(timezone.utc)
    prepared = matchers(store)
    pairs = sorted(expected_pairs(store, pairs, prepared))
    if not pairs:
        return []
    assess_pending(store, pairs, prepared)
    data = store.scoring_input(pairs)
    snapshots = []
    for pair in pairs:
        matcher, sums = prepared[pair[1]].for_division(pair[0]), data[pair]
        doubles = duplicate_problems(sums["doubles"])
        newly_warned = sum(1 for i in sums["doubles"] if i["id"] in doubles and not i["errors"] and not i["warnings"])
        published = [Published(s["id"], s["url"], _published_at(s), s["offered"]) for s in sums["sources"]]
        own = county_problems(published, now, sums["items"])
        not_applicable = sums["not_applicable"] & matcher.by_code.keys()
        tally = Tally(len(matcher.by_code), len(not_applicable), sums["covered"] - sums["covered_not_applicable"],
                      sums["items"], sums["added"], sums["filled"], sums["with_errors"],
                      sums["with_warnings_only"] + newly_warned,
                      sums["errors"] + sum(1 for p in own if p.severity == ERROR),
                      sums["warnings"] + len(doubles) + sum(1 for p in own if p.severity == WARNING),
                      sums["penalty"] + newly_warned * finding_weight("duplicate_name", WARNING))
        dates = [p.published_at for p in published if p.published_at]
        score = score_county(tally, max(dates) if dates else None, now)
        score.details["not_published"] = any(p.code == "domain_not_published" for p in own)
        problems = [(item_id, p) for item_id, p in doubles.items()] + [(None, p) for p in own]
        snapshots.append((pair, matcher.baseline_id, (job_ids or {}).get(pair), score, problems))
    ids = store.save_snapshots(snapshots, now)
    return [Assessed(pair[0], pair[1], snapshot_id, score.score, score.rating)
            for (pair, _, _, score, _), snapshot_id in zip(snapshots, ids)]


def expected_pairs(store, pairs: list | None, prepared: dict) -> set:
    """The (county, domain) pairs to score: `pairs` (None: every county's published domains), and every
    domain with an active baseline that these counties have never been scored on, since each county must
    publish each (a domain with nothing published scores 0, a gap); but never a domain the county declared
    not applicable as a whole (未涉及领域). Townships are scored in the domains they publish only."""
    wanted = set(pairs if pairs is not None else store.county_domains())
    counties = {c for c, _ in wanted} if pairs is not None else {c.code for c in store.counties()}
    counties = {c for c in counties if not is_township(c)}  # a township is scored in what it publishes
    scored = store.scored_pairs(counties) if pairs is not None else set()
    wanted |= {(c, d) for c in counties for d in prepared if (c, d) not in scored}
    declared = store.domains_not_applicable(counties)
    return {p for p in wanted if p[1] in prepared and p not in declared}


def assess_pending(store, pairs: list, prepared: dict) -> int:
    """Assess the items of these pairs not yet assessed against their domain's active baseline."""
    pending = store.pending_items(pairs, [m.baseline_id for m in prepared.values()])
    if not pending:
        return 0
    mappings = store.mappings({county for county, _ in pending})
    rows = [row for (county, domain), items in pending.items()
            for row in assess_items(prepared[domain].for_division(county), items, mappings.get(county))]
    store.save_item_assessments(rows)
    return len(rows)


def _published_at(source: dict) -> datetime | None:
    """The server's Last-Modified when it sends one, else when the harvester first read this content."""
    if source.get("http_last_modified"):
        try:
            return parsedate_to_datetime(source["http_last_modified"])
        except (TypeError, ValueError):
            pass
    return source.get("changed_at")
