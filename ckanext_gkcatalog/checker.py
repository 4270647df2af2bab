"""What the province will find in a county's catalog file, found before the county publishes it.

One pass over a parsed file (harvesters.parse.parse_document) and its domains' baselines: the reading and
validation problems, the match of every item to the baseline (present, missing, declared not applicable,
additions, additions that overlap), every compliance check of checks.py, the same item listed twice, and
the score the province would give with its dimensions. The province's harvest computes the same things
from stored rows (assess.py); this module computes them from one file in memory.

Plain data in and out: no store, no web.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .assess import Matcher
from .checks import duplicate_problems, item_problems, name_key
from .matching import CountyEntry, match_items
from .problems import ERROR, WARNING, Location, Problem
from .schema import load_schema
from .scoring import Score, Tally, filled, finding_weight, item_penalty, score_county

UNREADABLE = ("file_unreadable", "no_catalog_table", "table_too_large", "unsupported_format", "fetch_failed")
PLACEHOLDER_COUNTY = "000000"  # a file checked for no named county: its items still need an id


@dataclass
class DomainReport:
    """One domain of the file against its baseline."""
    domain: str
    baseline: dict  # title, version, items
    present: list = field(default_factory=list)  # baseline entries with the rows that cover them
    missing: list = field(default_factory=list)
    not_applicable: list = field(default_factory=list)
    additions: list = field(default_factory=list)  # {level1, level2, level3, row, overlaps}
    score: Score | None = None

    def as_dict(self) -> dict:
        found = {k: getattr(self, k) for k in ("domain", "baseline", "present", "missing", "not_applicable",
                                               "additions")}
        found["score"] = None if self.score is None else {
            "score": self.score.score, "rating": self.score.rating, "dimensions": self.score.dimensions,
            "details": self.score.details}
        return found


@dataclass
class CheckReport:
    file: str
    items: int = 0
    problems: list = field(default_factory=list)  # every Problem, file first, then by row
    domains: list = field(default_factory=list)  # DomainReport
    unreadable: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == WARNING)

    @property
    def exit_code(self) -> int:
        """0 clean (warnings allowed), 1 errors, 2 nothing could be read."""
        return 2 if self.unreadable else 1 if self.errors else 0

    def as_dict(self) -> dict:
        return {"file": self.file, "items": self.items, "errors": self.errors, "warnings": self.warnings,
                "exit_code": self.exit_code, "problems": [p.as_dict() for p in self.problems],
                "domains": [d.as_dict() for d in self.domains]}


def parse_defaults(domain: str | None, county_code: str | None, county_name: str | None, source: str) -> dict:
    """What the parse fills in that a county's file does not say: the domain, the county (a placeholder when
    none is named) and where the file came from."""
    found = {"domain": domain, "county_code": county_code or PLACEHOLDER_COUNTY, "county_name": county_name or "-",
             "source_url": source}
    return {k: v for k, v in found.items() if v}


def stored_baselines(store, domains, county_code: str | None) -> tuple[dict, dict]:
    """({domain: its active baseline}, {domain: codes the county declared not applicable}) from the store
    (the Store, or anything with its reads)."""
    found = {domain: record for domain in domains if (record := store.baseline(domain)) is not None}
    return found, store.declared_not_applicable(county_code) if county_code else {}


def prepared(baselines: dict, county_code: str | None = None) -> dict:
    """{domain: (Matcher, title, version)} of {domain: baseline}, stored versions or loaded files alike; a
    township (`county_code` of 9 digits) is checked against each baseline's township subset."""
    return {domain: (Matcher.of(b).for_division(county_code or ""), b.title, getattr(b, "version", None) or b.version_label)
            for domain, b in baselines.items()}


def check_parsed(parsed, name: str, baselines: dict, not_applicable: dict | None = None,
                 now: datetime | None = None) -> CheckReport:
    """The report on a parsed file. `baselines`: {domain: (Matcher, title, version)} of the domains that
    can be checked; `not_applicable`: {domain: set of baseline codes the county declared N/A}."""
    now = now or datetime.now(timezone.utc)
    report = CheckReport(name, len(parsed.items))
    report.problems.extend(parsed.file_problems)
    report.unreadable = not parsed.items and any(p.code in UNREADABLE for p in parsed.file_problems)
    rows_by_domain, seen = {}, set()
    for n, (item, problems) in enumerate(zip(parsed.items, parsed.item_problems)):
        columns = parsed.columns[n] if n < len(parsed.columns) else {}
        report.problems.extend(_with_column(p, columns) for p in problems)
        empty = {p.location.field for p in problems if p.code == "required"}
        key = tuple(item.get(k) for k in ("domain", "level1", "level2", "level3"))
        if item.get("domain") and item.get("level1") and item.get("level2") and key not in seen:
            seen.add(key)  # a row repeating an item is reported by the parse; the province keeps the first
            rows_by_domain.setdefault(item["domain"], []).append((n, item, columns, empty))
    for domain, rows in rows_by_domain.items():
        if domain not in baselines:
            domains = load_schema().field("domain")
            report.problems.append(Problem("no_baseline", Location(file=name), {
                "label_zh": domains.value_label(domain), "label_en": domains.value_label(domain, "en")}))
            continue
        matcher, title, version = baselines[domain]
        section, problems = _check_domain(domain, rows, matcher, (not_applicable or {}).get(domain, set()), now)
        section.baseline = {"title": title, "version": version, "items": len(matcher.by_code)}
        report.domains.append(section)
        report.problems.extend(problems)
    report.problems.sort(key=_order)
    return report


def _check_domain(domain: str, rows: list, matcher: Matcher, declared: set, now: datetime):
    records = [_record(n, item) for n, item, _, _ in rows]
    columns = {r["id"]: cols for r, (_, _, cols, _) in zip(records, rows)}
    empty = {r["id"]: fields for r, (_, _, _, fields) in zip(records, rows)}
    result = match_items(matcher.entries, [CountyEntry(r["id"], r["level1"], r["level2"], r["level3"])
                                           for r in records])
    problems, per_item = [], {}
    for record in records:
        found = [_with_column(p, columns[record["id"]])
                 for p in item_problems(record, result.matches[record["id"]], matcher.by_code)]
        per_item[record["id"]] = found  # scored as the province scores it
        # shown once: an empty tick group is already reported as a required element
        problems.extend(p for p in found if not (p.code == "unmarked" and p.location.field in empty[record["id"]]))
    doubles = duplicate_problems([{**r, "name_key": name_key(r)} for r in records])
    problems.extend(doubles.values())
    section = DomainReport(domain, {})
    declared = declared & matcher.by_code.keys()
    for code, entry in matcher.by_code.items():
        listed = {"code": code, **{k: entry[k] for k in ("level1", "level2", "level3")}}
        covering = result.covered.get(code)
        if covering:
            section.present.append({**listed, "rows": [r["row"] for r in records if r["id"] in covering]})
        else:
            (section.not_applicable if code in declared else section.missing).append(listed)
    for record in records:
        match = result.matches[record["id"]]
        if match.code is None:
            overlapped = matcher.by_code.get(match.overlaps) if match.overlaps else None
            section.additions.append({"level1": record["level1"], "level2": record["level2"],
                                      "level3": record["level3"], "row": record["row"],
                                      "overlaps": (overlapped or {}).get("level3") or (overlapped or {}).get("level2")})
    severities = {i: Counter(p.severity for p in found) for i, found in per_item.items()}
    with_errors = sum(1 for c in severities.values() if c[ERROR])
    warned = sum(1 for i, c in severities.items() if not c[ERROR] and (c[WARNING] or i in doubles))
    covered_declared = sum(1 for code in declared if result.covered.get(code))
    # as assess.assess sums it: an item listed twice costs a warning when nothing else of it did
    penalty = sum(item_penalty((p.code, p.severity) for p in found) for found in per_item.values()) + \
        finding_weight("duplicate_name", WARNING) * sum(1 for i in doubles if not per_item[i])
    tally = Tally(len(matcher.by_code), len(declared), len(result.covered) - covered_declared, len(records),
                  len(section.additions), sum(filled(r["fields"]) for r in records), with_errors, warned,
                  sum(c[ERROR] for c in severities.values()),
                  sum(c[WARNING] for c in severities.values()) + len(doubles), penalty)
    section.score = score_county(tally, now, now)  # checked before publishing: as fresh as it can be
    return section, problems


def _record(n: int, item: dict) -> dict:
    """The shape checks.py reads: the item's fields, what the normalisers read, where it was."""
    fields = {k: v for k, v in item.items() if k not in ("parsed", "raw")}
    return {"id": f"row-{n}", "level1": item["level1"], "level2": item["level2"], "level3": item.get("level3"),
            "fields": fields, "parsed": item.get("parsed") or {}, "row": _row(item),
            "location": {"url": item.get("source_url"), "at": item.get("source_location")}}


def _row(item: dict) -> int | None:
    at = (item.get("source_location") or "").rpartition("#")[2]
    return int(at) if at.isdigit() else None


def _with_column(problem: Problem, columns: dict) -> Problem:
    """The column letter of the field a problem names, from the header the row was read under."""
    where = problem.location
    if where.field and not where.column and columns.get(where.field):
        where.column = columns[where.field]
    return problem


def _order(problem: Problem):
    where = problem.location
    return (where.sheet or "", where.row or 0, where.column or "")
