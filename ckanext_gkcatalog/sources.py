"""The source registry's input: the lists of county catalog URLs that cities report to the province."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ckanext_gkcatalog.harvesters.readers import ReadError, read_grids
from ckanext_gkcatalog.harvesters.headers import header_key

from .divisions import normalize_code
from .problems import Location, Problem
from .schema import load_schema

KINDS = ("auto", "ckan", "csv", "xlsx", "xls", "html", "docx", "json", "item_pages")
COLUMNS = {
    "county_code": r"(行政区划)?代码|区划代码|county_?code|code",
    "county_name": r"县(\(市、?区\)|市区)?(名称)?|县区|区县|名称|county(_?name)?",
    "city_name": r"(地|所属)?市(州)?|city(_?name)?",
    "domain": r"(试点)?领域|domain",
    "url": r"(目录)?(网址|链接|地址)|url",
    "kind": r"(类型|格式)|kind|format",
    "frequency": r"(采集)?频率|frequency|every",
}
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_frequency(text: str | None) -> int | None:
    """'30m', '12h', '1d', '1w' -> seconds; empty -> None (harvest on demand only)."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d{1,6})\s*([mhdw])\s*", str(text).lower())
    seconds = int(match.group(1)) * _UNITS[match.group(2)] if match else 0
    if not 60 <= seconds <= MAX_PERIOD:
        raise ValueError(f"frequency '{text}' is not like 30m, 12h, 1d or 1w, between a minute and a year")
    return seconds


MAX_PERIOD = 366 * 86400


def source_problems(county_code: str, url: str, code_at: Location, url_at: Location) -> list:
    """What is wrong with a source's division code (a county's 6 digits or a township's 9, as
    divisions.normalize_code leaves them) and address (http or https)."""
    problems = []
    if not re.fullmatch(r"\d{6}|\d{9}", county_code or ""):
        problems.append(Problem("pattern", code_at, {"field": "county_code", "value": county_code}))
    if not (url or "").lower().startswith(("http://", "https://")):
        problems.append(Problem("fetch_bad_url", url_at))
    return problems


@dataclass
class SourceRow:
    row: int
    county_code: str
    county_name: str | None
    city_name: str | None
    domain: str | None
    url: str
    kind: str
    frequency_seconds: int | None


def read_source_list(data: bytes, name: str) -> tuple[list, list]:
    """(rows, problems) of a CSV/XLSX source list; rows with problems are left out, the rest kept."""
    try:
        grids = read_grids(data, name)
    except ReadError as exc:
        return [], [exc.problem]
    if not grids or not grids[0].rows:
        return [], [Problem("no_items", Location(file=name))]
    grid = grids[0]
    header = [header_key(c) for c in grid.rows[0]]
    columns = {}
    for field_name, pattern in COLUMNS.items():
        for j, key in enumerate(header):
            if j not in columns.values() and re.fullmatch(pattern, key):
                columns[field_name] = j
                break
    problems = [Problem("missing_column", Location(name, grid.sheet, 1, field=f), {"label_zh": f, "label_en": f})
                for f in ("county_code", "url") if f not in columns]
    if problems:
        return [], problems
    rows = []
    schema = load_schema()
    for i, cells in enumerate(grid.rows[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue
        cell = _cell_reader(cells, columns)
        where = Location(name, grid.sheet, i)
        code, url = normalize_code(cell("county_code")) or cell("county_code"), cell("url")
        row_problems = source_problems(code, url, _at(where, columns, "county_code"), _at(where, columns, "url"))
        domain = None
        if cell("domain"):
            domain = schema.domain(cell("domain"))
            if domain is None:
                row_problems.append(Problem("unknown_domain", _at(where, columns, "domain"), {"value": cell("domain")}))
        kind = (cell("kind") or "auto").lower()
        if kind not in KINDS:
            row_problems.append(Problem("unsupported_format", _at(where, columns, "kind"), {"value": kind}))
        try:
            frequency = parse_frequency(cell("frequency"))
        except ValueError:
            frequency = None
            row_problems.append(Problem("invalid", _at(where, columns, "frequency"), {"field": "frequency"}))
        problems.extend(row_problems)
        if not row_problems:
            rows.append(SourceRow(i, code, cell("county_name") or None, cell("city_name") or None, domain, url, kind,
                                  frequency))
    return rows, problems


def _cell_reader(cells: list, columns: dict):
    def cell(field_name: str) -> str:
        j = columns.get(field_name)
        return str(cells[j]).strip() if j is not None and j < len(cells) else ""
    return cell


def _at(where: Location, columns: dict, field_name: str) -> Location:
    from openpyxl.utils import get_column_letter

    j = columns.get(field_name)
    return Location(where.file, where.sheet, where.row, get_column_letter(j + 1) if j is not None else None, field_name)
