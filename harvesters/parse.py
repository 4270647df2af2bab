"""The parse stage: the bytes of one published file -> disclosure items and the problems found.

Used by the harvest pipeline (`parse_stage`, which also identifies, validates and matches the items of a
source's pages, in a parser process) and by `gkcatalog parse`, which shows a county exactly what the
province will read from its file without touching the store. Nothing here imports the network or the
store: each parser process loads only what parsing needs.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field

from ckanext_gkcatalog.assess import assess_items
from ckanext_gkcatalog.indexing import search_document
from ckanext_gkcatalog.items import _domain_in, build_item, content_hash, item_name
from ckanext_gkcatalog.problems import Location, Problem
from ckanext_gkcatalog.schema import load_schema

from .item_pages import read_item_page
from .readers import ReadError, read_grids, sniff_format
from .tables import read_table


@dataclass
class Parsed:
    items: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # every problem, of the file and of its items, in reading order
    file_problems: list = field(default_factory=list)  # those of the file and its tables, not of an item
    item_problems: list = field(default_factory=list)  # per item, aligned with items
    columns: list = field(default_factory=list)  # per item: {field: column letter} of its table's header
    tables: int = 0  # catalog tables found

    @property
    def errors(self) -> list:
        return [p for p in self.problems if p.is_error]

    def add_file_problems(self, problems: list) -> None:
        self.file_problems.extend(problems)
        self.problems.extend(problems)


def parse_document(data: bytes, name: str, *, defaults: dict | None = None, content_type: str | None = None,
                   fmt: str | None = None) -> Parsed:
    """Read every catalog table of a file. `defaults` fills what the file does not say (domain, county,
    source_url); a table's caption naming a domain ('养老服务领域…目录') overrides the default domain."""
    result = Parsed()
    actual = sniff_format(data, name, content_type, declared=fmt)
    if fmt and actual != fmt:  # the bytes say otherwise: they win, and the registration should be corrected
        result.add_file_problems([Problem("format_mismatch", Location(file=name),
                                          {"declared": fmt.lstrip("."), "actual": actual.lstrip(".")})])
    result.add_file_problems(charset_notes(data, name, content_type, actual))
    seen: dict = {}
    page_item = read_item_page(data, name) if actual in HTML_FORMATS else None
    if page_item is not None:  # one item on a page of its own: its labelled values are its row
        result.tables = 1
        _add_item(result, page_item, Location(file=name), dict(defaults or {}), seen)
        return result
    try:
        grids = read_grids(data, name, content_type, actual)
    except ReadError as exc:
        result.add_file_problems([exc.problem])
        return result
    for grid in grids:
        table = read_table(grid)
        if table.header is None:
            continue
        result.tables += 1
        result.add_file_problems(table.problems)
        if not table.rows:  # a header with nothing under it: say so, or the file just looks empty
            header_row = grid.first_row + table.header.row_index
            result.add_file_problems([Problem("table_without_items", Location(grid.file, grid.sheet, header_row))])
        table_defaults = dict(defaults or {})
        caption_domain = _domain_in(_heading(grid, table.header.row_index))
        if caption_domain:
            table_defaults["domain"] = caption_domain
        for raw in table.rows:
            table_defaults["source_location"] = f"{grid.sheet}#{raw.row}" if grid.sheet else f"#{raw.row}"
            _add_item(result, raw, Location(grid.file, grid.sheet, raw.row), table_defaults, seen)
    if not result.tables:
        result.add_file_problems([Problem("no_catalog_table", Location(file=name))])
    return result


def _add_item(result: Parsed, raw, location: Location, defaults: dict, seen: dict) -> None:
    item, problems = build_item(raw, location, defaults=defaults)
    key = (item.get("domain"), item.get("level1"), item.get("level2"), item.get("level3"))
    if key in seen:
        problems.append(Problem("duplicate_item", location, {"other_row": seen[key]}))
    else:
        seen[key] = raw.row
    result.items.append(item)
    result.item_problems.append(problems)
    result.columns.append(raw.columns)
    result.problems.extend(problems)


def _heading(grid, header_index: int) -> str:
    """What is printed above a table: the caption of a page or document, else the title rows above a
    spreadsheet's header ('青山县社会救助领域基层政务公开标准目录'), else the sheet's name."""
    titles = [" ".join(str(c) for c in row if c) for row in grid.rows[:header_index]]
    above = " ".join(t for t in titles if "目录" in t)  # a title, not a note that cites another domain's rules
    return " ".join(filter(None, (grid.caption, above))) or grid.sheet or ""


HTML_FORMATS = (".html", ".htm", ".shtml")
TEXT_FORMATS = (".csv", ".txt", ".tsv", *HTML_FORMATS, ".json")
_CHARSET = re.compile(rb"charset=[\"']?([\w-]+)", re.I)


def charset_notes(data: bytes, name: str, content_type: str | None, fmt: str) -> list:
    """Notes on a text file whose encoding the server states wrongly or nobody states (it is still read:
    the readers detect it), so that the publisher can fix the page."""
    if fmt not in TEXT_FORMATS or data.isascii():
        return []
    declared = _CHARSET.search((content_type or "").encode("latin-1", "ignore"))
    if declared:
        charset = declared.group(1).decode()
        try:
            data.decode(charset)
            return []
        except (LookupError, UnicodeDecodeError):
            return [Problem("charset_mismatch", Location(file=name), {"declared": charset})]
    try:
        data.decode("utf-8-sig")
        return []
    except UnicodeDecodeError:
        in_page = fmt in HTML_FORMATS and _CHARSET.search(data[:4096])
        return [] if in_page else [Problem("charset_guessed", Location(file=name))]


def public_item(item: dict, with_parsed: bool = False) -> dict:
    """An item with the schema's field names only (and the normalisers' reading when asked)."""
    out = {name: item.get(name) for name in load_schema().field_names}
    if with_parsed:
        out["parsed"] = item.get("parsed", {})
    return out


@dataclass
class ParseOutcome:
    records: list  # items ready to import, one per stable id
    problems: list  # (stage, Problem, item id, domain)
    empty: list  # URLs of pages that gave no item
    timings: dict


def parse_stage(pages: list, defaults: dict, fmt: str | None, prepared: dict | None = None,
                mappings: dict | None = None, place: dict | None = None) -> ParseOutcome:
    """Parse, validate and match a source's pages into records, each with its assessment against its
    domain's baseline in `prepared` ({domain: assess.Matcher}; `mappings`: the county's manual ones) and
    its search document (`place`: the county's city_code and city_name, which the index holds too).
    CPU-bound and free of the store, so it can run in a worker process: threads alone would keep a province
    harvest on one core."""
    started = time.perf_counter()
    outcome = ParseOutcome([], [], [], {})
    items, item_problems = [], []
    for page in pages:
        parsed = parse_document(page.data, page.url, defaults={**defaults, "source_url": page.url},
                                content_type=page.content_type, fmt=fmt)
        outcome.problems.extend(("parse", problem, None, None) for problem in parsed.file_problems)
        items.extend(parsed.items)
        item_problems.extend(parsed.item_problems)
        if not parsed.items:
            outcome.empty.append(page.url)
    parsed_at = time.perf_counter()
    seen = set()
    for item, problems in zip(items, item_problems):
        identified = item.get("domain") and item.get("level1") and item.get("level2")
        item_id = stable_id(defaults["county_code"], item) if identified else None
        keep = identified and item_id not in seen
        outcome.problems.extend(("validate", problem, item_id if keep else None, item.get("domain"))
                                for problem in problems)
        if keep:
            seen.add(item_id)
            outcome.records.append(_record(item_id, defaults["county_code"], item))
    validated_at = time.perf_counter()
    by_domain: dict = {}
    for record in outcome.records:
        by_domain.setdefault(record["domain"], []).append(record)
    for domain, records in by_domain.items():
        if domain in (prepared or {}):
            matcher = prepared[domain].for_division(defaults.get("county_code") or "")
            for record, assessed in zip(records, assess_items(matcher, records, mappings)):
                record.update(assessed)
    matched_at = time.perf_counter()
    place = place or {}
    for record in outcome.records:
        record["search"] = search_document(record, defaults.get("county_name"), place.get("city_code"),
                                           place.get("city_name"))
    outcome.timings = {"parse": parsed_at - started, "validate": validated_at - parsed_at,
                       "match": matched_at - validated_at, "index": time.perf_counter() - matched_at}
    return outcome


def stable_id(county_code: str, item: dict) -> str:
    """The same item of the same county keeps its id across harvests, whatever its row or wording of elements."""
    key = "|".join([county_code, item.get("domain") or "", item.get("level1") or "", item.get("level2") or "",
                    item.get("level3") or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _record(item_id: str, county_code: str, item: dict) -> dict:
    fields = public_item(item)
    location = {"url": fields.get("source_url"), "at": fields.get("source_location")}
    return {"id": item_id, "county_code": county_code, "domain": item["domain"], "level1": item["level1"],
            "level2": item["level2"], "level3": item.get("level3"), "fields": fields,
            "parsed": item.get("parsed", {}), "raw": item.get("raw", {}), "content_hash": content_hash(item),
            "location": location}


__all__ = ["Parsed", "ParseOutcome", "parse_document", "parse_stage", "public_item", "item_name", "stable_id"]
