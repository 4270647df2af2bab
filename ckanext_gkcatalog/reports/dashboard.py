"""What the dashboards, the exports and the CKAN actions show, as plain data read from the stored
snapshots (never computed per page view): the province overview and ranking, a county's report against
the baseline, a baseline's coverage across counties, and the gap list.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..baseline import baseline_document
from ..divisions import COUNTY, TOWNSHIP, county_of, is_township, township_subset
from ..divisions import level as division_level
from ..items import level_path
from ..problems import SEVERITY_ORDER
from ..scoring import RATING_LABELS, WEIGHTS, rating

SORT_KEYS = ("score", "coverage", "findings", "county", "city", "last_harvest")


@dataclass
class OverviewRow:
    code: str
    name: str
    city: str
    scores: dict  # domain -> snapshot
    score: float  # mean over the shown domains
    coverage: float
    errors: int
    warnings: int
    last_harvest: object = None
    rank: int = 0
    states: dict = field(default_factory=dict)  # domain -> "failed" (nothing usable) | "last_good" (kept data)
    absent: dict = field(default_factory=dict)  # domain -> "not_published" (scored 0) | "not_applicable" (declared)
    county: str = ""  # a township's county, by name

    @property
    def findings(self) -> int:
        return self.errors + self.warnings

    @property
    def rating(self) -> str:
        return rating(self.score)


@dataclass
class Overview:
    rows: list
    domains: list
    cities: list
    counts: dict = field(default_factory=dict)  # rating -> number of counties
    sources: dict = field(default_factory=dict)  # (county, domain) -> store.source_states()'s state


def overview(store, city: str | None = None, domain: str | None = None, sort: str = "score",
             descending: bool = True, level: str = COUNTY, in_county: str | None = None) -> Overview:
    """Every assessed county's scores (`level` township: every township's, of `in_county` if given). A
    domain whose newest harvest failed is a state, not a score: with nothing harvested before it is left
    out of the county's mean ("failed"); with data kept from an earlier harvest its score stands, marked
    ("last_good")."""
    everyone = {c.code: c for c in store.counties()}
    counties = {code: c for code, c in everyone.items()
                if division_level(code) == level and (not in_county or county_of(code) == in_county)}
    declared = store.domains_not_applicable()
    snapshots = [s for s in current_snapshots(store, declared, domain) if s.county_code in counties]
    harvested, sources = store.last_harvests(), store.source_states()
    by_county: dict = {}
    for snap in snapshots:
        by_county.setdefault(snap.county_code, {})[snap.domain] = snap
    rows = []
    for code, snaps in by_county.items():
        county = counties[code]
        if city and county.city_name != city:
            continue
        states = {d: "failed" if not snap.details.get("items") else "last_good"
                  for d, snap in snaps.items() if sources.get((code, d), ("",))[0] == "failed"}
        absent = {d: "not_published" for d, snap in snaps.items() if snap.details.get("not_published")}
        absent.update({d: "not_applicable" for c, d in declared if c == code})
        values = [snap for d, snap in snaps.items() if states.get(d) != "failed"]
        count = len(values) or 1
        parent = everyone.get(county_of(code)) if level == TOWNSHIP else None
        rows.append(OverviewRow(
            code, county.name, county.city_name or "", snaps,
            round(sum(s.score for s in values) / count, 1), round(sum(s.coverage for s in values) / count, 4),
            sum(s.details.get("errors", 0) for s in values), sum(s.details.get("warnings", 0) for s in values),
            harvested.get(code), states=states, absent=absent, county=parent.name if parent else ""))
    for rank, row in enumerate(sorted(rows, key=lambda r: (-r.score, r.code)), start=1):
        row.rank = rank
    sort = sort if sort in SORT_KEYS else "score"
    key = {"county": lambda r: r.name, "city": lambda r: (r.city, r.name), "findings": lambda r: r.findings,
           "last_harvest": lambda r: str(r.last_harvest or ""), "coverage": lambda r: r.coverage,
           "score": lambda r: r.score}[sort]
    rows.sort(key=key, reverse=descending)
    counts = {name: sum(1 for r in rows if r.rating == name) for name in RATING_LABELS}
    shown = {s.domain for s in snapshots} | {d for c, d in declared if c in counties and (not domain or d == domain)}
    return Overview(rows, sorted(shown),
                    sorted({c.city_name for c in counties.values() if c.city_name}), counts, sources)


@dataclass
class CityGroup:
    city: str
    rows: list  # its counties, in the view's order
    score: float  # the mean of its counties' scores
    coverage: float
    errors: int
    warnings: int

    @property
    def rating(self) -> str:
        return rating(self.score)


def city_groups(view: Overview, worst_first: bool = True) -> list[CityGroup]:
    """The view's rows by city, each city with its subtotal; cities ordered by their mean score."""
    by_city: dict = {}
    for row in view.rows:
        by_city.setdefault(row.city, []).append(row)
    groups = [CityGroup(city, rows, round(sum(r.score for r in rows) / len(rows), 1),
                        round(sum(r.coverage for r in rows) / len(rows), 4), sum(r.errors for r in rows),
                        sum(r.warnings for r in rows)) for city, rows in by_city.items()]
    return sorted(groups, key=lambda g: (g.score, g.city), reverse=not worst_first)


def standing(view: Overview, row: OverviewRow) -> dict:
    """A county's rank in the province and in its city, by its mean score (1 is the best)."""
    peers = [r for r in view.rows if r.city == row.city]
    return {"rank": row.rank, "of": len(view.rows),
            "city_rank": 1 + sum(1 for r in peers if (-r.score, r.code) < (-row.score, row.code)),
            "city_of": len(peers)}


@dataclass
class DomainReport:
    domain: str
    baseline: object
    snapshot: object
    history: list
    entries: list  # (baseline item, status, [matched items])
    additions: list  # items matched to no baseline item
    findings: list  # the items' findings and the newest snapshot's
    decisions: list


def current_snapshots(store, declared: dict, domain: str | None = None, county_code: str | None = None) -> list:
    """The newest snapshots, but none of a domain its county declared not applicable (`declared`:
    store.domains_not_applicable()) since it was scored."""
    return [s for s in store.latest_snapshots(domain, county_code) if (s.county_code, s.domain) not in declared]


def county_report(store, code: str) -> list[DomainReport]:
    reports = []
    latest = {s.domain: s for s in current_snapshots(store, store.domains_not_applicable([code]), county_code=code)}
    decisions = store.decisions(code)
    for domain in sorted(latest):
        baseline = store.baseline(domain)
        if baseline is None:
            continue
        items = store.items(code, domain)
        not_applicable = {d.baseline_code for d in decisions if d.domain == domain and d.kind == "not_applicable"}
        entries = []
        for entry in baseline.items:
            matched = [i for i in items if i.baseline_code == entry.code]
            status = "present" if matched else "not_applicable" if entry.code in not_applicable else "missing"
            entries.append((entry, status, matched))
        findings = sorted(store.current_findings(code, domain, latest[domain].id), key=_finding_order)
        reports.append(DomainReport(domain, baseline, latest[domain], store.snapshot_history(code, domain),
                                    entries, [i for i in items if not i.baseline_code], findings,
                                    [d for d in decisions if d.domain == domain]))
    return reports


@dataclass
class ItemCoverage:
    """A baseline item across the assessed counties."""
    entry: object
    present: int  # counties that publish it
    not_applicable: int  # counties that declared it N/A
    assessed: int
    lacking: list  # the counties that neither publish it nor declared it N/A, by name

    @property
    def share(self) -> float:
        return self.present / self.assessed if self.assessed else 0.0


def _finding_order(finding) -> tuple:
    """Errors first, then warnings, then notes; each by where it is (sheet, row)."""
    where = finding.location or {}
    return (SEVERITY_ORDER.get(finding.severity, 9), str(where.get("sheet") or ""), where.get("row") or 0)


def baseline_coverage(store, domain: str) -> list[ItemCoverage]:
    baseline = store.baseline(domain)
    if baseline is None:
        return []
    counties = {c.code: c for c in store.counties()}
    assessed = sorted((counties[s.county_code] for s in current_snapshots(store, store.domains_not_applicable(), domain)
                       if s.county_code in counties),
                      key=lambda c: (c.city_name or "", c.name))
    matched, na = store.matched_codes(domain), store.not_applicable_codes()
    return [ItemCoverage(entry, sum(1 for c in assessed if (c.code, entry.code) in matched),
                         sum(1 for c in assessed if (c.code, entry.code) in na), len(assessed),
                         [c for c in assessed if (c.code, entry.code) not in matched and (c.code, entry.code) not in na])
            for entry in baseline.items]


def item_label(entry) -> str:
    """A baseline item as people tell it apart: 最低生活保障 › 政策法规文件 (an L2 name repeats under L1s)."""
    return level_path(entry, " › ")


GAP_COLUMNS = ("county_code", "county_name", "city", "domain", "baseline_code", "level1", "level2", "level3")
RANKING_COLUMNS = ("rank", "county_code", "county_name", "city", "score", "rating", "coverage", "errors",
                   "warnings", "last_harvest")


def gap_list(store, domain: str | None = None, city: str | None = None, code: str | None = None,
             level: str | None = None) -> list[dict]:
    """Every applicable baseline item (or the one with `code`) a county (of `level`: counties or townships
    only) does not publish; a township's gaps are in its baseline's township subset."""
    counties = {c.code: c for c in store.counties()}
    matched, na = store.matched_codes(domain), store.not_applicable_codes()
    gaps, baselines = [], {}
    for snap in current_snapshots(store, store.domains_not_applicable(), domain):
        county = counties.get(snap.county_code)
        if county is None or (city and county.city_name != city) or (level and division_level(county.code) != level):
            continue
        if snap.domain not in baselines:
            found = store.baseline(snap.domain)
            baselines[snap.domain] = (found.items, township_subset(found.items)) if found else ((), ())
        for entry in baselines[snap.domain][is_township(snap.county_code)]:
            if code and entry.code != code:
                continue
            key = (snap.county_code, entry.code)
            if key not in matched and key not in na:
                gaps.append({"county_code": county.code, "county_name": county.name, "city": county.city_name,
                             "domain": snap.domain, "baseline_code": entry.code, "level1": entry.level1,
                             "level2": entry.level2, "level3": entry.level3})
    return gaps


def ranking_rows(view: Overview) -> list[dict]:
    return [{"rank": r.rank, "county_code": r.code, "county_name": r.name, "city": r.city, "score": r.score,
             "rating": r.rating, "coverage": r.coverage, "errors": r.errors, "warnings": r.warnings,
             "last_harvest": r.last_harvest.isoformat() if r.last_harvest else None, "county": r.county}
            for r in sorted(view.rows, key=lambda r: r.rank)]


__all__ = ["overview", "county_report", "baseline_coverage", "gap_list", "ranking_rows", "WEIGHTS"]


def overview_payload(store, city: str | None = None, domain: str | None = None, level: str = COUNTY) -> dict:
    """The province overview as the gkcatalog_overview action answers: every county's (or township's)
    scores, ranked."""
    view = overview(store, city, domain, level=level if level in (COUNTY, TOWNSHIP) else COUNTY)
    return {"domains": view.domains, "counts": view.counts, "ranking": ranking_rows(view)}


def completeness_payload(store, code: str) -> dict:
    """A county's completeness per domain, as the gkcatalog_county_completeness action answers."""
    domains = []
    for report in county_report(store, code):
        snap = report.snapshot
        domains.append({
            "domain": report.domain, "score": snap.score, "rating": snap.rating, "coverage": snap.coverage,
            "completeness": snap.completeness, "compliance": snap.compliance, "freshness": snap.freshness,
            "details": snap.details, "computed_at": snap.computed_at.isoformat(),
            "items": [{"code": entry.code, "level1": entry.level1, "level2": entry.level2, "level3": entry.level3,
                       "status": status, "matched": [i.id for i in matched]}
                      for entry, status, matched in report.entries]})
    return {"county_code": code, "domains": domains}


def baseline_payload(store, domain: str, county_code: str | None = None, version: int | None = None) -> dict | None:
    """A domain's baseline (the active version unless one is named) in the shape `gkcatalog check --baseline`
    and `gkcatalog template --baseline` read; with a county, the baseline codes it declared not applicable."""
    record = store.baseline(domain, version)
    if record is None:
        return None
    declared = store.declared_not_applicable(county_code, domain).get(domain, set()) if county_code else None
    return baseline_document(record, declared)
