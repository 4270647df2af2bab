"""Header detection: which row of a grid is a catalog's header (one or two rows, synonyms, renamed and
extra columns, a mirror's pinyin glosses), and the role of every column under it: an element, a name
level, or a tick column meaning one audience, mode or tier. tables.py reads the rows below it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ckanext_gkcatalog.normalize import clean_text, expand_tiers, strip_pinyin_glosses, to_simplified
from ckanext_gkcatalog.schema import load_schema

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
        return "tiers", tuple(dict.fromkeys(tiers))
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
        elif sc and (group is not None or role):  # a sub-header under the wrong group, or under a column
            return None  # of its own (一级事项 under 序号): the rows are not aligned
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


def is_header_row(cells: list) -> bool:
    """A row of header words ('序号 公开事项 公开内容 …' or its second row '一级事项 二级事项 …'): at least two
    cells, and most of its cells name a column. Items never read like that: their cells hold long texts."""
    words = [c for c in dict.fromkeys(cells) if c]
    if len(words) < 2:
        return False
    named = sum(1 for c in words if top_role(c) or sub_column(c))
    return named >= max(2, 0.6 * len(words))
