"""Provincial baselines: the catalog every county's catalog is measured against.

A province loads its baseline per domain from a catalog table in the format a county publishes (CSV or
XLSX with the standard two-row header) or from YAML. Loading checks every row, numbers the items with
stable codes and compares the counts with the declared ones (e.g. 9 L1 / 25 L2); a mismatch is
reported, never hidden. Any error stops the load before anything is stored.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources

import yaml

from ckanext_gkcatalog.harvesters.readers import ReadError, read_grids
from ckanext_gkcatalog.harvesters.tables import read_table

from . import normalize as norm
from .items import build_item, read_elements, validation_problems
from .problems import Location, Problem
from .schema import load_schema, load_yaml

DEMO_PACKAGE = "ckanext_gkcatalog.schemas"
DEMO_FOLDER = "baselines"
ELEMENT_FIELDS = ("content", "basis", "time_limit", "subject", "channels", "audience", "mode", "tiers",
                  "department", "person")


class BaselineError(Exception):
    def __init__(self, problems: list):
        self.problems = problems
        super().__init__("; ".join(p.message("en") for p in problems if p.is_error))


@dataclass
class BaselineItem:
    code: str
    level1: str
    level2: str
    level3: str | None
    elements: dict  # schema fields of the item beyond its names, plus "parsed"
    position: int
    note: str | None = None

    @property
    def time_limit_days(self) -> float | None:
        parsed = self.elements.get("parsed", {}).get("time_limit")
        return norm.TimeLimit(**parsed).working_days if parsed else None


@dataclass
class Baseline:
    domain: str
    title: str
    items: list
    source_name: str
    version_label: str | None = None
    is_demo: bool = False
    notice: str | None = None
    declared: dict = field(default_factory=dict)  # {"level1": n, "level2": n}
    problems: list = field(default_factory=list)  # warnings and notes kept with the version
    not_applicable: list = field(default_factory=list)  # codes a county declared N/A (the portal's API answer)

    @property
    def found(self) -> dict:
        return {"level1": len({i.level1 for i in self.items}),
                "level2": len({(i.level1, i.level2) for i in self.items})}

    @property
    def count_ok(self) -> bool | None:
        if not self.declared:
            return None
        found = self.found
        return all(found[k] == v for k, v in self.declared.items() if v is not None)


def declared_counts(domain: str) -> dict:
    """The counts of the national catalog of a domain, where the schema declares them."""
    choice = load_schema().field("domain").choice(domain)
    return dict(choice.declared) if choice and choice.declared else {}


def resolve_domain(text: str, location: Location) -> str:
    schema = load_schema()
    value = schema.domain(text or "")
    if value is None:
        raise BaselineError([Problem("unknown_domain", location, {"value": text})])
    return value


def load_baseline(data: bytes, name: str, domain: str | None = None, declared: dict | None = None) -> Baseline:
    """Read a baseline file (YAML, CSV, XLSX); raise BaselineError listing every error found."""
    ext = os.path.splitext(name.lower())[1]
    if ext in (".yaml", ".yml", ".json"):  # JSON is YAML: the portal's baseline API answers in the YAML shape
        baseline = _from_yaml(data, name, domain)
    else:
        if not domain:
            raise BaselineError([Problem("baseline_invalid", Location(file=name),
                                         {"reason": "--domain is required for a table"})])
        baseline = _from_table(data, name, resolve_domain(domain, Location(file=name)))
    if declared:
        baseline.declared = {k: v for k, v in declared.items() if v is not None} or baseline.declared
    if not baseline.declared:
        baseline.declared = declared_counts(baseline.domain)
    _check_counts(baseline)
    return baseline


def _from_table(data: bytes, name: str, domain: str) -> Baseline:
    try:
        grids = read_grids(data, name)
    except ReadError as exc:
        raise BaselineError([exc.problem])
    problems, rows, headers = [], [], 0
    for grid in grids:
        table = read_table(grid)
        if table.header is None:
            continue
        headers += 1
        problems.extend(table.problems)
        for raw in table.rows:
            location = Location(grid.file, grid.sheet, raw.row)
            item, item_problems = build_item(raw, location, kind="baseline", defaults={"domain": domain})
            if item.get("domain") != domain and raw.texts.get("domain"):
                item_problems.append(Problem("domain_mismatch", Location(grid.file, grid.sheet, raw.row,
                                             raw.columns.get("domain"), "domain"),
                                             {"value": raw.texts["domain"], "expected": domain}))
            problems.extend(item_problems)
            rows.append((location, item, None, None))
    if not headers:
        problems.append(Problem("no_header", Location(file=name)))
    title = f"{load_schema().field('domain').value_label(domain)} {os.path.basename(name)}"
    return _assemble(domain, title, name, rows, problems)


def _from_yaml(data: bytes, name: str, domain: str | None) -> Baseline:
    try:
        doc = load_yaml(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BaselineError([Problem("yaml_invalid", Location(file=name), {"reason": str(exc).replace("\n", " ")})])
    if isinstance(doc, dict) and isinstance(doc.get("result"), dict) and "success" in doc:
        doc = doc["result"]  # the Action API's envelope around gkcatalog_baseline_show's answer
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise BaselineError([Problem("baseline_invalid", Location(file=name),
                                     {"reason": "expected a mapping with an 'items' list"})])
    file_domain = resolve_domain(str(doc.get("domain") or domain or ""), Location(file=name, field="domain"))
    if domain and resolve_domain(domain, Location(file=name)) != file_domain:
        raise BaselineError([Problem("domain_mismatch", Location(file=name, field="domain"),
                                     {"value": doc.get("domain"), "expected": domain})])
    problems, rows = [], []
    for n, entry in enumerate(doc["items"], start=1):
        location = Location(file=name, row=n)
        if not isinstance(entry, dict):
            problems.append(Problem("baseline_invalid", location, {"reason": f"item {n} is not a mapping"}))
            continue
        item, item_problems = _yaml_item(entry, file_domain, location)
        problems.extend(item_problems)
        rows.append((location, item, entry.get("code"), entry.get("note")))
    baseline = _assemble(file_domain, str(doc.get("title") or name), name, rows, problems)
    baseline.version_label = doc.get("version_label") or (str(doc["version"]) if doc.get("version") else None)
    baseline.not_applicable = [str(code) for code in doc.get("not_applicable") or []]
    baseline.is_demo = bool(doc.get("demo"))
    baseline.notice = doc.get("notice")
    baseline.declared = {k: int(v) for k, v in (doc.get("declared") or {}).items() if v is not None}
    return baseline


def _yaml_item(entry: dict, domain: str, location: Location) -> tuple[dict, list]:
    schema = load_schema()
    item: dict = {"domain": domain, "parsed": {}}
    problems = []
    for level in ("level1", "level2", "level3"):
        number, text = norm.strip_numbering(str(entry.get(level) or ""))
        item[level] = norm.one_line(text) or None
    for name in ("content", "basis", "time_limit", "subject", "department", "person"):
        item[name] = norm.clean_text(entry.get(name)) or None
    for name in ("channels", "audience", "mode", "tiers"):
        values = entry.get(name) or []
        values = values if isinstance(values, list) else [values]
        if name == "tiers":  # "乡、村级" names two tiers
            values = [t for v in values for t in norm.expand_tiers(str(v))]
        fld = schema.field(name)
        resolved = []
        for value in values:
            found = fld.lookup(str(value))
            if found is None and not fld.open_choices:
                problems.append(Problem("vocabulary", Location(location.file, None, location.row, None, name),
                                        {"value": value, "field": name}))
            resolved.append(found or norm.clean_text(value))
        item[name] = resolved
    read_elements(item, str(entry.get("basis") or ""))
    problems.extend(p for p in validation_problems(item, location, None, "baseline") if p.code != "vocabulary")
    return item, problems


def _assemble(domain: str, title: str, name: str, rows: list, problems: list) -> Baseline:
    items, seen, l1_pos, l2_pos, l3_pos = [], {}, {}, {}, {}
    for location, item, code, note in rows:
        if not item.get("level1") or not item.get("level2"):
            continue  # validation already reported the missing name
        key = (item["level1"], item["level2"], item.get("level3"))
        if key in seen:
            problems.append(Problem("duplicate_item", location, {"other_row": seen[key]}))
            continue
        seen[key] = location.row
        i1 = l1_pos.setdefault(item["level1"], len(l1_pos) + 1)
        i2 = l2_pos.setdefault(key[:2], sum(1 for k in l2_pos if k[0] == key[0]) + 1)
        generated = f"{domain}-{i1:02d}-{i2:02d}"
        if key[2]:
            generated += f"-{l3_pos.setdefault(key, sum(1 for k in l3_pos if k[:2] == key[:2]) + 1):02d}"
        elements = {k: item.get(k) for k in ELEMENT_FIELDS if item.get(k)}
        elements["parsed"] = item.get("parsed", {})
        items.append(BaselineItem(str(code or generated), item["level1"], item["level2"], item.get("level3"),
                                  elements, len(items) + 1, note))
    errors = [p for p in problems if p.is_error]
    if not items and not errors:
        errors.append(Problem("no_items", Location(file=name)))
    if errors:
        raise BaselineError(errors)
    return Baseline(domain, title, items, os.path.basename(name), problems=problems)


def _check_counts(baseline: Baseline) -> None:
    found = baseline.found
    for level, zh in (("level1", "一级"), ("level2", "二级")):
        declared = baseline.declared.get(level)
        if declared is not None and declared != found[level]:
            baseline.problems.append(Problem("declared_count_mismatch", Location(file=baseline.source_name), {
                "level": zh, "level_en": level.replace("level", "level "), "declared": declared, "found": found[level]}))


def baseline_document(record, not_applicable: set | None = None) -> dict:
    """A stored baseline version in the YAML shape load_baseline reads (the portal's baseline API, a file a
    county checks against offline); `not_applicable`: the baseline codes a county declared N/A."""
    items = []
    for entry in record.items:
        elements = {k: v for k, v in (entry.elements or {}).items() if k != "parsed" and v}
        items.append({"code": entry.code, "level1": entry.level1, "level2": entry.level2, "level3": entry.level3,
                      **elements, **({"note": entry.note} if entry.note else {})})
    document = {"gk_baseline": 1, "domain": record.domain, "title": record.title, "version": record.version,
                "version_label": record.version_label, "demo": bool(record.is_demo), "notice": record.notice,
                "declared": record.declared or {}, "items": items}
    if not_applicable is not None:
        document["not_applicable"] = sorted(not_applicable)
    return document


def demo_baseline_files() -> list:
    """The demo baselines shipped with the package (partial, built from observed county copies)."""
    folder = resources.files(DEMO_PACKAGE).joinpath(DEMO_FOLDER)
    return sorted((p for p in folder.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
