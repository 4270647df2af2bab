"""Table reading: a grid of cells -> catalog rows, whatever header the county printed.

Finds the header (headers.py: one or two rows, each column's role), then reads the rows below it: names
carried down from merged cells, "同上" resolved, rows that carry only a name given the elements of the row
above, a repeated header or a catalog stacked below skipped, a CSV's lost merges read from their shape.
What a row means is decided later (ckanext_gkcatalog.items); here it is only read.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from ckanext_gkcatalog.normalize import clean_text
from ckanext_gkcatalog.problems import Location, Problem
from ckanext_gkcatalog.schema import load_schema

from .headers import ELEMENT_ROLES, NAME_ROLES, TEXT_ROLES, TICK_GROUPS, Header, find_header, is_header_row
from .readers import Grid


@dataclass
class RawRow:
    """One catalog row as read: texts by role, ticks by group, and where each came from."""
    row: int  # spreadsheet row number
    texts: dict = field(default_factory=dict)  # role -> text
    ticks: dict = field(default_factory=dict)  # group -> {value: raw cell text}
    group_texts: dict = field(default_factory=dict)  # group -> text, for text-valued group columns
    extras: dict = field(default_factory=dict)  # header -> text, columns we do not map
    columns: dict = field(default_factory=dict)  # role or group -> column letter
    inherited: bool = False  # elements carried down from the row above
    problems: list = field(default_factory=list)

    @property
    def has_elements(self) -> bool:
        return any(self.texts.get(r) for r in ELEMENT_ROLES) or any(
            any(v.strip() for v in cells.values()) for cells in self.ticks.values()) or any(self.group_texts.values())

    @property
    def has_name(self) -> bool:
        return any(self.texts.get(r) for r in NAME_ROLES)


@dataclass
class Table:
    grid: Grid
    header: Header | None
    rows: list
    problems: list

    def location(self, row: int | None = None, column: str | None = None, field_name: str | None = None) -> Location:
        return Location(self.grid.file, self.grid.sheet, row, column, field_name)


SAME_AS_ABOVE = {"同上", "同前", "同左"}


def read_table(grid: Grid) -> Table:
    header = find_header(grid.rows)
    if header is None:
        return Table(grid, None, [], [Problem("no_header", Location(grid.file, grid.sheet))])
    problems = []
    roles = header.roles
    for needed in ("level2", "content", "time_limit"):
        if needed not in roles and not (needed == "level2" and "level1" in roles):
            problems.append(Problem("missing_column", Location(grid.file, grid.sheet, field=needed)))
    rows, previous, carry, titled = [], None, {}, False
    for i in range(header.row_index + 1, len(grid.rows)):
        cells = [clean_text(c) for c in grid.rows[i]]
        if not any(cells):
            continue
        if is_header_row(cells):  # a header repeated on a new page, or the next catalog stacked below
            previous, carry = None, {"domain": carry.get("domain")} if titled else {}
            continue
        titled = False
        raw = _read_row(grid, header, i, cells)
        for col in header.by_role("channels"):  # a list cell keeps its line breaks: one channel per line
            if raw.texts.get("channels") and col.index < len(grid.rows[i]):
                raw.texts["channels"] = str(grid.rows[i][col.index] or "").strip() or raw.texts["channels"]
        if _is_section_title(cells):
            title = next(c for c in cells if c)
            carry, previous, titled = {"domain": title if _mentions_domain(title) else carry.get("domain")}, None, True
            continue
        if not raw.has_name and not raw.has_elements:
            continue
        _resolve_same_as_above(raw, previous)
        _carry_names(raw, carry)
        if raw.texts.get("level3") and raw.texts.get("level3") == raw.texts.get("level2"):
            del raw.texts["level3"]  # one name cell merged across L2 and L3: the item has no L3
        if previous is not None and raw.has_name and not raw.has_elements:
            _inherit_elements(raw, previous)
        rows.append(raw)
        previous = raw
    if grid.merges_lost:
        _carry_merged_down(_l1_groups(rows))
    return Table(grid, header, rows, problems)


def _read_row(grid: Grid, header: Header, i: int, cells: list) -> RawRow:
    raw = RawRow(row=grid.first_row + i)
    for col in header.columns:
        text = cells[col.index] if col.index < len(cells) else ""
        letter = get_column_letter(col.index + 1)
        if col.tick:
            raw.ticks.setdefault(col.role, {})
            for value in col.values:
                raw.ticks[col.role][value] = text
            raw.columns.setdefault(col.role, letter)
        elif col.role in TICK_GROUPS:
            if text:  # 公开方式 and 公开属性 may both hold text for the mode: keep both
                raw.group_texts[col.role] = "、".join(filter(None, (raw.group_texts.get(col.role), text)))
            raw.columns.setdefault(col.role, letter)
        elif col.role in TEXT_ROLES:
            if text and not raw.texts.get(col.role):
                raw.texts[col.role] = text
                raw.columns[col.role] = letter
            raw.columns.setdefault(col.role, letter)
        elif col.role == "seq":
            raw.texts["seq"] = text
        elif text:
            raw.extras[col.header or letter] = text
    return raw


def _is_section_title(cells: list) -> bool:
    """A row with a single text spread over the table: a caption such as '(二十)养老服务领域…目录'."""
    distinct = {c for c in cells if c}
    return len(distinct) == 1 and len(next(iter(distinct))) > 6 and "目录" in next(iter(distinct))


def _mentions_domain(text: str) -> bool:
    schema = load_schema()
    return any(c.label("zh_Hans_CN") in text for c in schema.field("domain").choices)


def _resolve_same_as_above(raw: RawRow, previous: RawRow | None) -> None:
    for role, text in list(raw.texts.items()):
        if text in SAME_AS_ABOVE:
            raw.texts[role] = previous.texts.get(role, "") if previous else ""
            raw.problems.append(Problem("same_as_above", Location(row=raw.row, column=raw.columns.get(role), field=role)))


def _carry_names(raw: RawRow, carry: dict) -> None:
    """Merged name cells: an empty L1 (or domain) takes the value of the row above."""
    if raw.texts.get("level1"):
        carry.pop("level2", None)
    for role in ("domain", "category", "level1"):
        if raw.texts.get(role):
            carry[role] = raw.texts[role]
        elif carry.get(role) and (raw.has_name or raw.has_elements):
            raw.texts[role] = carry[role]
    # an L3 row under a merged L2 cell
    if raw.texts.get("level3") and not raw.texts.get("level2") and carry.get("level2"):
        raw.texts["level2"] = carry["level2"]
    elif raw.texts.get("level2"):
        carry["level2"] = raw.texts["level2"]


MERGEABLE = (*ELEMENT_ROLES, *(("tick", g) for g in TICK_GROUPS))  # an element, or a tick group


def _filled(raw: RawRow, key) -> bool:
    return bool(raw.texts.get(key)) if isinstance(key, str) else any(raw.ticks.get(key[1], {}).values())


def _l1_groups(rows: list) -> list:
    """Runs of consecutive rows under one L1 item."""
    groups: list = []
    for raw in rows:
        if groups and raw.texts.get("level1") == groups[-1][0].texts.get("level1"):
            groups[-1].append(raw)
        else:
            groups.append([raw])
    return groups


def _carry_merged_down(groups: list) -> None:
    """A CSV saved from a spreadsheet keeps a merged cell's value in its first row only. Within one L1
    item, a column filled in its first row and empty in every row below looks like a merged cell; it is
    read as one (its rows take the value, as the XLSX's merge gives it) when the table shows merges: two
    columns merged over the same item, or the same column over two items. A single cell left empty stays
    missing, and is reported as such."""
    found = [(n, key) for n, group in enumerate(groups) if len(group) > 1 for key in MERGEABLE
             if _filled(group[0], key) and not any(_filled(raw, key) for raw in group[1:])]
    per_group = Counter(n for n, _ in found)
    per_column = Counter(key for _, key in found)
    for n, key in found:
        if per_group[n] < 2 and per_column[key] < 2:
            continue
        first, *rest = groups[n]
        for raw in rest:
            if isinstance(key, str):
                raw.texts[key] = first.texts[key]
                raw.problems.append(Problem("carried_down", Location(row=raw.row, column=raw.columns.get(key),
                                                                    field=key)))
            else:
                raw.ticks[key[1]] = dict(first.ticks[key[1]])


def _inherit_elements(raw: RawRow, previous: RawRow) -> None:
    for role in ELEMENT_ROLES:
        if previous.texts.get(role):
            raw.texts[role] = previous.texts[role]
    raw.ticks = {g: dict(v) for g, v in previous.ticks.items()}
    raw.group_texts = dict(previous.group_texts)
    raw.inherited = True
    raw.problems.append(Problem("name_only_row", Location(row=raw.row)))
