"""The parse stage: the bytes of one published file -> disclosure items and the problems found.

Used by the harvest pipeline and by `gkcatalog parse`, which shows a county exactly what the
province will read from its file without touching the store.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ckanext_gkcatalog.items import _domain_in, build_item, item_name
from ckanext_gkcatalog.problems import Location, Problem
from ckanext_gkcatalog.schema import load_schema

from .readers import ReadError, read_grids
from .tables import read_table


@dataclass
class Parsed:
    items: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # every problem, of the file and of its items, in reading order
    file_problems: list = field(default_factory=list)  # those of the file and its tables, not of an item
    item_problems: list = field(default_factory=list)  # per item, aligned with items
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
    try:
        grids = read_grids(data, name, content_type, fmt)
    except ReadError as exc:
        result.add_file_problems([exc.problem])
        return result
    seen: dict = {}
    for grid in grids:
        table = read_table(grid)
        if table.header is None:
            continue
        result.tables += 1
        result.add_file_problems(table.problems)
        table_defaults = dict(defaults or {})
        caption_domain = _domain_in(grid.caption) if grid.caption else None
        if caption_domain:
            table_defaults["domain"] = caption_domain
        for raw in table.rows:
            location = Location(grid.file, grid.sheet, raw.row)
            table_defaults["source_location"] = f"{grid.sheet}#{raw.row}" if grid.sheet else f"#{raw.row}"
            item, problems = build_item(raw, location, defaults=table_defaults)
            key = (item.get("domain"), item.get("level1"), item.get("level2"), item.get("level3"))
            if key in seen:
                problems.append(Problem("duplicate_item", location, {"other_row": seen[key]}))
            else:
                seen[key] = raw.row
            result.items.append(item)
            result.item_problems.append(problems)
            result.problems.extend(problems)
    if not result.tables:
        result.add_file_problems([Problem("no_catalog_table", Location(file=name))])
    return result


def public_item(item: dict, with_parsed: bool = False) -> dict:
    """An item with the schema's field names only (and the normalisers' reading when asked)."""
    out = {name: item.get(name) for name in load_schema().field_names}
    if with_parsed:
        out["parsed"] = item.get("parsed", {})
    return out


__all__ = ["Parsed", "parse_document", "public_item", "item_name"]
