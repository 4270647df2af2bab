"""Readers: the bytes of a published catalog file -> grids of cell texts, one per sheet or table.

Every format ends in the same Grid, so table reading (tables.py) is written once. Merged cells are
filled into every cell they cover, as a person reading the sheet sees them.
"""
from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass

from ckanext_gkcatalog.normalize import fold_whitespace
from ckanext_gkcatalog.problems import Location, Problem

# Spreadsheets are zip files: a small file can inflate to gigabytes (a zip bomb).
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DEFAULT_MAX_RATIO = 200


@dataclass
class Grid:
    file: str
    sheet: str | None  # sheet name, or "table N" for the Nth table of a page or document
    rows: list  # list of lists of str
    first_row: int = 1  # the spreadsheet row number of rows[0]
    caption: str = ""  # the heading printed above a table: it often names the domain


class ReadError(Exception):
    """The file cannot be read at all; carries the Problem that says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message("en"))
        self.problem = problem


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK and GB2312), then detection."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError(Problem("file_unreadable", Location(file=name), {"reason": "unknown text encoding"}))
    return str(best)


def read_csv(data: bytes, name: str) -> list[Grid]:
    text = decode_text(data, name)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    rows = [[c for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    return [Grid(name, None, rows)]


def check_zip(data: bytes, name: str, max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
              max_ratio: int = DEFAULT_MAX_RATIO) -> None:
    """Refuse archives that inflate beyond the limits before any parser opens them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ReadError(Problem("file_unreadable", Location(file=name), {"reason": f"not a valid zip file ({exc})"}))
    if total > max_uncompressed or total > max_ratio * max(len(data), 1):
        raise ReadError(Problem("file_unreadable", Location(file=name), {
            "reason": f"archive inflates to {total} bytes from {len(data)} (limit {max_uncompressed}, ratio {max_ratio})"}))


def read_spreadsheet(data: bytes, name: str, **limits) -> list[Grid]:
    """XLSX, XLSM, XLS and ODS through calamine; every sheet with content becomes a grid."""
    from python_calamine import CalamineWorkbook

    if data[:2] == b"PK":
        check_zip(data, name, **limits)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise ReadError(Problem("file_unreadable", Location(file=name), {"reason": str(exc) or type(exc).__name__}))
    grids = []
    for sheet_name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(sheet_name)
        rows = [[_cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        _fill_merged(rows, sheet.merged_cell_ranges or ())
        if any(any(c.strip() for c in row) for row in rows):
            grids.append(Grid(name, sheet_name, rows))
    return grids


def _fill_merged(rows: list, ranges) -> None:
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


# --- HTML -------------------------------------------------------------------------------------------

_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6")


def _html_text(element) -> str:
    """Cell text with line breaks where the page breaks lines (<br>, <p>), scripts and styles dropped."""
    parts = []

    def walk(el):
        if not isinstance(el.tag, str) or el.tag in ("script", "style") or _hidden(el):
            if el.tail:
                parts.append(el.tail)
            return
        if el.tag in _BLOCKS:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if el.tag in _BLOCKS:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    return fold_whitespace("".join(parts).replace("\xa0", " "))


def _hidden(el) -> bool:
    """Text a browser does not show: where mirror sites hide injected advertising."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or any(
        rule in style for rule in ("display:none", "visibility:hidden", "font-size:0;", "font-size:0px"))


def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1")), 500))
    except ValueError:
        return 1


def _table_rows(table) -> list:
    """A <table> as a grid: cells spanning rows or columns are copied into every position they cover."""
    grid: dict = {}
    for r, tr in enumerate(table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
        c = 0
        for cell in tr.xpath("./td|./th"):
            while (r, c) in grid:
                c += 1
            text = _html_text(cell)
            for dr in range(_span(cell, "rowspan")):
                for dc in range(_span(cell, "colspan")):
                    grid[(r + dr, c + dc)] = text
            c += _span(cell, "colspan")
    if not grid:
        return []
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]


def _caption(table) -> str:
    """The table's <caption> or the nearest text before it (a heading such as '(二十)养老服务领域…目录')."""
    caption = table.find("caption")
    if caption is not None:
        return _html_text(caption)
    for previous in table.itersiblings(preceding=True):
        text = _html_text(previous)
        if text:
            return text.splitlines()[-1][:200]
    parent = table.getparent()
    return _caption(parent) if parent is not None and parent.tag not in ("body", "html") else ""


def read_html(data: bytes, name: str) -> list[Grid]:
    import lxml.html

    text = decode_html(data, name)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises ParserError/ValueError for empty or broken documents
        raise ReadError(Problem("file_unreadable", Location(file=name), {"reason": str(exc) or "empty page"}))
    grids = []
    # innermost tables only: layout tables that wrap the catalog would repeat it
    for n, table in enumerate((t for t in root.iter("table") if not t.xpath(".//table")), start=1):
        rows = _table_rows(table)
        if rows:
            grids.append(Grid(name, f"table {n}", rows, caption=_caption(table)))
    return grids


def decode_html(data: bytes, name: str) -> str:
    """Valid UTF-8 is UTF-8 whatever the page declares (templates copied from GBK sites keep their
    charset=gbk); else the declared charset (GBK pages say so); else GB18030 / detection."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    head = data[:4096].decode("ascii", "ignore")
    declared = re.search(r"charset=[\"']?([\w-]+)", head, re.I)
    if declared:
        try:
            return data.decode({"gb2312": "gb18030", "gbk": "gb18030"}.get(declared.group(1).lower(),
                                                                           declared.group(1)))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, name)


# --- DOCX -------------------------------------------------------------------------------------------

def read_docx(data: bytes, name: str, **limits) -> list[Grid]:
    """Word tables; merged cells (gridSpan, vMerge) are read as python-docx resolves them."""
    import docx

    check_zip(data, name, **limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds of errors for damaged packages
        raise ReadError(Problem("file_unreadable", Location(file=name), {"reason": str(exc) or type(exc).__name__}))
    grids, last_paragraph = [], ""
    body = document.element.body
    tables = iter(document.tables)
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")).strip()
            last_paragraph = text or last_paragraph
        elif tag == "tbl":
            table = next(tables)
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            grids.append(Grid(name, f"table {len(grids) + 1}", rows, caption=last_paragraph))
    return grids


# --- JSON (our own export shape) --------------------------------------------------------------------

def read_json(data: bytes, name: str) -> list[Grid]:
    """{"items": [{field: value}]} as written by `gkcatalog parse --format json` and our exports."""
    import json

    try:
        doc = json.loads(decode_text(data, name))
    except ValueError as exc:
        raise ReadError(Problem("file_unreadable", Location(file=name), {"reason": f"invalid JSON ({exc})"}))
    items = doc.get("items") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ReadError(Problem("file_unreadable", Location(file=name),
                                {"reason": "expected {\"items\": [ {...}, ... ]}"}))
    header = list(dict.fromkeys(k for item in items for k in item if not k.startswith("_") and k != "parsed"))

    def cell(value):
        return "、".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
    return [Grid(name, None, [header] + [[cell(item.get(k)) for k in header] for item in items])]


READERS = {
    ".csv": read_csv,
    ".txt": read_csv,
    ".tsv": read_csv,
    ".xlsx": read_spreadsheet,
    ".xlsm": read_spreadsheet,
    ".xls": read_spreadsheet,
    ".ods": read_spreadsheet,
    ".html": read_html,
    ".htm": read_html,
    ".shtml": read_html,
    ".docx": read_docx,
    ".json": read_json,
}
# the source kinds of the registry, by reader
KIND_FORMATS = {"csv": ".csv", "xlsx": ".xlsx", "xls": ".xls", "html": ".html", "docx": ".docx", "json": ".json"}


ZIP_FORMATS = (".xlsx", ".xlsm", ".ods", ".docx")
BY_CONTENT_TYPE = {"text/html": ".html", "application/xhtml+xml": ".html", "text/csv": ".csv",
                   "application/json": ".json", "application/vnd.ms-excel": ".xls",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


def sniff_format(data: bytes, name: str, content_type: str | None = None) -> str:
    """The reader key for a file. Servers and file names lie (an 'xls' that is an HTML table, a spreadsheet
    sent as text/html), so the first bytes decide where they are certain, then the extension, then the
    content type."""
    ext = os.path.splitext(name.lower().split("?")[0])[1]
    ctype = (content_type or "").split(";")[0].strip().lower()
    if data[:2] == b"PK":
        if ext in ZIP_FORMATS:
            return ext
        return ".docx" if b"word/" in data[:2000] else ".xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: legacy .xls
        return ".xls"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")):
        return ".html"
    if ext in READERS:
        return ext
    # a binary format would have shown its bytes above: a text file sent as Excel is read as text
    if ctype in BY_CONTENT_TYPE and BY_CONTENT_TYPE[ctype] not in (".xls", ".xlsx", ".docx"):
        return BY_CONTENT_TYPE[ctype]
    if head.startswith((b"{", b"[")):
        return ".json"
    return ".csv"


def read_grids(data: bytes, name: str, content_type: str | None = None, fmt: str | None = None) -> list[Grid]:
    fmt = fmt or sniff_format(data, name, content_type)
    reader = READERS.get(fmt)
    if reader is None:
        raise ReadError(Problem("unsupported_format", Location(file=name), {"value": fmt}))
    return reader(data, name)
