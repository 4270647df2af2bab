"""Table reading: a grid of cells -> catalog rows, whatever header the county printed.

Finds the header (one or two rows, synonyms, renamed and extra columns), maps every column to a role
(an element, or a tick column meaning one audience, mode or tier), then reads the rows below it:
names carried down from merged cells, "同上" resolved, rows that carry only a name given the elements
of the row above. What a row means is decided later (ckanext_gkcatalog.items); here it is only read.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from ckanext_gkcatalog.normalize import clean_text, expand_tiers, strip_pinyin_glosses, to_simplified
from ckanext_gkcatalog.problems import Location, Problem
from ckanext_gkcatalog.schema import load_schema

from .readers import Grid

TEXT_ROLES = ("domain", "category", "level1", "level2", "level3", "content", "basis", "time_limit",
              "subject", "department", "person", "channels", "county_code", "county_name", "source_url",
              "source_location")
TICK_GROUPS = ("audience", "mode", "tiers")
ELEMENT_ROLES = ("content", "basis", "time_limit", "subject", "channels")
NAME_ROLES = ("level1", "level2", "level3")

# Header spellings met in published catalogs, by role (matched on the text without spaces, simplified).
# The schema's own field names and Chinese labels are added from the YAML.
HEADER_SYNONYMS = {
    "seq": [r"序号", r"编号", r"seq"],
    "domain": [r"(相应|所属|试点)?领域(名称)?"],
    "category": [r"一级目录", r"目录类别", r"类别", r"category"],
    "items": [r"公开事项(名称)?", r"事项名称"],
    "level1": [r"一级(事项|目录事项)?(名称)?", r"level_?1"],
    "level2": [r"二级(事项)?(名称)?", r"level_?2"],
    "level3": [r"三级(事项)?(名称)?", r"level_?3"],
    "content": [r"公开(具体)?内容.*", r"内容(要素)?.*"],
    "basis": [r"公开依据.*", r"设立依据", r"依据"],
    "time_limit": [r"公开时限.*", r"时限"],
    "subject": [r"公开主体.*", r"公开责任单位", r"责任单位", r"实施主体", r"公开单位"],
    "department": [r"(公开)?责任(部门|科室|股室)"],
    "person": [r"(公开)?责任人"],
    "channels": [r"公开渠道.*", r"渠道和载体", r"公开载体"],
    "audience": [r"公开对象.*"],
    "mode": [r"公开方式.*", r"公开属性.*"],
    "tiers": [r"公开层级.*", r"层级"],
    "county_code": [r"(行政区划|县级)?代码"],
    "county_name": [r"县(市、?区)?(名称)?"],
}
GROUP_ROLES = ("items",) + TICK_GROUPS
SUB_ROLES = {"items": NAME_ROLES}


def header_key(text) -> str:
    """A header cell as it is matched: width-folded, simplified, without spaces or a mirror's pinyin glosses
    (公開(kāi)事項(xiàng)), as cell values are cleaned."""
    text = strip_pinyin_glosses(unicodedata.normalize("NFKC", str(text or "")))
    return re.sub(r"\s+", "", to_simplified(text)).lower()


def _compile_synonyms() -> dict:
    schema = load_schema()
    patterns = {role: list(spellings) for role, spellings in HEADER_SYNONYMS.items()}
    for name, fld in schema.fields.items():
        patterns.setdefault(name, []).insert(0, re.escape(name))
        patterns[name].insert(0, re.escape(header_key(fld.label("zh_Hans_CN"))))
    return {role: re.compile("^(?:" + "|".join(p) + ")$") for role, p in patterns.items()}


_SYNONYMS = None


def top_role(text) -> str | None:
    global _SYNONYMS
    if _SYNONYMS is None:
        _SYNONYMS = _compile_synonyms()
    key = header_key(text)
    if not key:
        return None
    for role, rx in _SYNONYMS.items():
        if rx.match(key):
            return role
    return None


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    role: str  # a TEXT_ROLES entry, "seq", a tick group ("audience"/"mode"/"tiers") or "extra"
    values: tuple = ()  # for a tick column: the choice values a tick means
    tick: bool = False  # True: the column holds ticks; False: it holds text


def sub_column(text) -> tuple[str, tuple] | None:
    """The group and choice values a second-row header names: '全社会' -> ('audience', ('public',))."""
    schema = load_schema()
    key = header_key(text)
    if not key:
        return None
    for role in NAME_ROLES:
        if top_role(key) == role:
            return "items", (role,)
    for group in ("audience", "mode"):
        value = schema.field(group).lookup(key)
        if value:
            return group, (value,)
    tiers = [schema.field("tiers").lookup(t) for t in expand_tiers(key)]
    if tiers and all(tiers):
        return "tiers", tuple(tiers)
    return None


@dataclass
class Header:
    row_index: int  # index in grid.rows of the last header row
    columns: list

    def by_role(self, role: str) -> list:
        return [c for c in self.columns if c.role == role]

    @property
    def roles(self) -> set:
        return {c.role for c in self.columns}


def _columns_aligned(top: list, sub: list) -> list | None:
    """Two header rows whose cells stand over the data columns they name (merged cells filled)."""
    columns, group, found_sub = [], None, False
    width = max(len(top), len(sub))
    for j in range(width):
        t = top[j] if j < len(top) else ""
        s = sub[j] if j < len(sub) else ""
        role = top_role(t)
        if role:
            group = role if role in GROUP_ROLES else None
        elif t.strip():
            group = None
        sc = sub_column(s)
        if sc and (group == sc[0] or (not t.strip() and group is None and role is None)):
            found_sub = True
            columns.append(_column_for_sub(j, s, sc))
        elif sc and group is not None:  # a sub-header under the wrong group: the rows are not aligned
            return None
        elif role and role not in GROUP_ROLES:
            columns.append(Column(j, t, role))
        elif role in TICK_GROUPS and not s.strip():  # a group column without sub-columns holds text
            columns.append(Column(j, t, role))
        elif role is None and not s.strip() and (own := sub_column(t)) and own[0] != "items":
            columns.append(_column_for_sub(j, t, own))  # a tick column named in the upper row alone ("县级")
        else:
            columns.append(Column(j, t or s, "extra"))
    return columns if found_sub else None


def _column_for_sub(index: int, text: str, sc: tuple) -> Column:
    group, values = sc
    if group == "items":
        return Column(index, text, values[0])
    return Column(index, text, group, values, tick=True)


def _columns_compact(top: list, sub: list) -> list:
    """Two header rows written without the empty cells of merges: each group header of the first row
    stands for as many columns as its sub-headers in the second row."""
    subs = [(s, sub_column(s)) for s in sub if s.strip()]
    columns, j = [], 0
    for t in (t for t in top if t.strip()):
        role = top_role(t)
        if role in GROUP_ROLES:
            taken = False
            while subs and subs[0][1] and subs[0][1][0] == role:
                s, sc = subs.pop(0)
                columns.append(_column_for_sub(j, s, sc))
                j += 1
                taken = True
            if taken:
                continue
        columns.append(Column(j, t, role or "extra"))
        j += 1
    return columns


def _columns_single(top: list) -> list:
    columns = []
    for j, t in enumerate(top):
        role = top_role(t)
        sc = sub_column(t) if role is None or role in NAME_ROLES else None
        if role and role not in ("items",):
            columns.append(Column(j, t, role))
        elif sc:
            columns.append(_column_for_sub(j, t, sc))
        elif role == "items":
            columns.append(Column(j, t, "level2"))  # one name column: the item's own name
        else:
            columns.append(Column(j, t, "extra"))
    return columns


def find_header(rows: list, search_rows: int = 30) -> Header | None:
    best = None
    for i, row in enumerate(rows[:search_rows]):
        roles = {top_role(c) for c in row} - {None}
        if len(roles) >= 3:
            best = i
            break
    if best is None:
        return None
    top = [clean_text(c) for c in rows[best]]
    nxt = [clean_text(c) for c in rows[best + 1]] if best + 1 < len(rows) else []
    # a cell merged over both header rows (序号, 公开内容 …) repeats in the second: it is not a sub-header
    nxt = [s if j >= len(top) or s != top[j] else "" for j, s in enumerate(nxt)]
    subs = [s for s in nxt if s.strip()]
    is_sub_row = len(subs) >= 2 and sum(1 for s in subs if sub_column(s)) >= max(2, len(subs) - 1)
    if is_sub_row:
        columns = _columns_aligned(top, nxt) or _columns_compact(top, nxt)
        return Header(best + 1, columns)
    return Header(best, _columns_single(top))


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
        if _is_header_row(cells):  # a header repeated on a new page, or the next catalog stacked below
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


def _is_header_row(cells: list) -> bool:
    """A row of header words ('序号 公开事项 公开内容 …' or its second row '一级事项 二级事项 …'): at least two
    cells, and most of its cells name a column. Items never read like that: their cells hold long texts."""
    words = [c for c in dict.fromkeys(cells) if c]
    if len(words) < 2:
        return False
    named = sum(1 for c in words if top_role(c) or sub_column(c))
    return named >= max(2, 0.6 * len(words))


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
    def merged_shape(group, has):
        return len(group) > 1 and has(group[0]) and not any(has(raw) for raw in group[1:])
    found = [(n, key) for n, group in enumerate(groups)
             for key in [*ELEMENT_ROLES, *(("tick", g) for g in TICK_GROUPS)]
             if merged_shape(group, (lambda raw, k=key: bool(raw.texts.get(k))) if isinstance(key, str)
                             else (lambda raw, g=key[1]: any(raw.ticks.get(g, {}).values())))]
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
