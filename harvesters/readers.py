"""Readers: the bytes of a published catalog file -> grids of cell texts, one per sheet or table.

Every format ends in the same Grid, so table reading (tables.py) is written once. Merged cells are
filled into every cell they cover, as a person reading the sheet sees them. Every table is bounded: once
its merged and spanned cells are expanded it may hold at most max_cells() cells, so a small hostile file
cannot take the memory and time of a huge one. Whatever goes wrong inside a reader ends as a ReadError
carrying a located "file unreadable" problem, never as another exception.
"""
from __future__ import annotations

import csv
import io
import os
import re
import zipfile

from ckanext_gkcatalog.problems import Location, Problem

from .grids import Grid, ReadError, decode_text, max_cells, too_large, unreadable
from .html_tables import read_html
from .sandbox import Sandboxed, run_limited

# Spreadsheets are zip files: a small file can inflate to gigabytes (a zip bomb).
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DEFAULT_MAX_RATIO = 200


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_csv(data: bytes, name: str) -> list[Grid]:
    text = decode_text(data, name)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    rows, cells, limit = [], 0, max_cells()
    reader = csv.reader(io.StringIO(text, newline=""), dialect)  # newline="": line breaks inside quoted cells
    try:
        for row in reader:
            cells += max(1, len(row))
            if cells > limit:
                raise too_large(name, row=reader.line_num)
            rows.append(row)
    except csv.Error as exc:  # a field over csv.field_size_limit(), a stray quote or NUL byte
        raise unreadable(name, f"CSV error ({exc})", row=reader.line_num)
    return [Grid(name, None, rows, merges_lost=True)]


def check_zip(data: bytes, name: str, max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
              max_ratio: int = DEFAULT_MAX_RATIO) -> None:
    """Refuse archives that inflate beyond the limits before any parser opens them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise unreadable(name, f"not a valid zip file ({exc})")
    if total > max_uncompressed or total > max_ratio * max(len(data), 1):
        raise unreadable(name, f"archive inflates to {total} bytes from {len(data)} "
                               f"(limit {max_uncompressed}, ratio {max_ratio})")


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


def read_spreadsheet(data: bytes, name: str, **limits) -> list[Grid]:
    """XLSX, XLSM, XLS and ODS through calamine; every sheet with content becomes a grid. A legacy .xls is
    read in a sandboxed process: a damaged one can make calamine exhaust the memory or abort."""
    if data[:2] == b"PK":
        check_zip(data, name, **limits)
        _check_used_areas(data, name)
    if data[:8] == OLE2:
        try:
            sheets = run_limited(read_sheets, data, name)
        except Sandboxed as exc:
            raise unreadable(name, f"the spreadsheet reader failed: {exc}")
    else:
        sheets = read_sheets(data, name)
    grids = []
    for sheet_name, rows, merged in sheets:
        _fill_merged(rows, merged, name, sheet_name)
        if any(any(c.strip() for c in row) for row in rows):
            grids.append(Grid(name, sheet_name, rows))
    return grids


def read_sheets(data: bytes, name: str) -> list[tuple]:
    """[(sheet name, rows of cell texts, merged ranges)] by calamine, each sheet's used area bounded."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))  # its errors: read_grids makes them located
    sheets = []
    for sheet_name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(sheet_name)
        if sheet.total_height * sheet.total_width > max_cells():  # the used area, before it is built
            raise too_large(name, sheet_name)
        rows = [[_cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        sheets.append((sheet_name, rows, list(sheet.merged_cell_ranges or ())))
    return sheets


_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})([0-9]{1,7})\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_used_areas(data: bytes, name: str) -> None:
    """Refuse an XLSX sheet whose cells span more than max_cells() before calamine loads it: calamine
    allocates the whole used area at once, and one cell at XFD1048576 makes that 17 billion cells, which
    ends the process instead of raising."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
                continue
            rows, columns = [], []
            for match in _CELL_REF.finditer(archive.read(member)):
                columns.append(_column_number(match.group(1)))
                rows.append(int(match.group(2)))
            if rows and (max(rows) - min(rows) + 1) * (max(columns) - min(columns) + 1) > max_cells():
                raise too_large(name, member.rsplit("/", 1)[-1].removesuffix(".xml"))


def _fill_merged(rows: list, ranges, name: str, sheet: str) -> None:
    """Copy each merged range's value into every cell it covers (within the sheet's rows), bounded."""
    cells, limit = sum(len(row) for row in rows), max_cells()
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        cells += (min(r1, len(rows) - 1) - r0 + 1) * max(0, c1 + 1 - len(rows[r0]))
        if cells > limit:
            raise too_large(name, sheet, r0 + 1)
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = value


# --- DOCX -------------------------------------------------------------------------------------------

def read_docx(data: bytes, name: str, **limits) -> list[Grid]:
    """Word tables; merged cells (gridSpan, vMerge) are read as python-docx resolves them."""
    import docx

    check_zip(data, name, **limits)
    document = docx.Document(io.BytesIO(data))  # its errors: read_grids makes them located
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
            sheet = f"table {len(grids) + 1}"
            if len(table.rows) * len(table.columns) > max_cells():
                raise too_large(name, sheet)
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            grids.append(Grid(name, sheet, rows, caption=last_paragraph))
    return grids


# --- JSON (our own export shape) --------------------------------------------------------------------

def read_json(data: bytes, name: str) -> list[Grid]:
    """{"items": [{field: value}]} as written by `gkcatalog parse --format json` and our exports."""
    import json

    try:
        doc = json.loads(decode_text(data, name))
    except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested thousands deep
        raise unreadable(name, f"invalid JSON ({str(exc)[:200] or 'nested too deep'})")
    items = doc.get("items") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise unreadable(name, "expected {\"items\": [ {...}, ... ]}")
    header = list(dict.fromkeys(k for item in items for k in item if not k.startswith("_") and k != "parsed"))
    if len(header) * (len(items) + 1) > max_cells():
        raise too_large(name)

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
KIND_FORMATS = {"csv": ".csv", "xlsx": ".xlsx", "xls": ".xls", "html": ".html", "docx": ".docx", "json": ".json",
                "item_pages": ".html"}


ZIP_FORMATS = (".xlsx", ".xlsm", ".ods", ".docx")
BY_CONTENT_TYPE = {"text/html": ".html", "application/xhtml+xml": ".html", "text/csv": ".csv",
                   "application/json": ".json", "application/vnd.ms-excel": ".xls",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


def sniff_format(data: bytes, name: str, content_type: str | None = None, declared: str | None = None) -> str:
    """The reader key for a file. Servers, file names and registered kinds lie (an 'xls' that is an HTML
    table, a spreadsheet sent as text/html), so the first bytes decide where they are certain, then the
    declared format (a source's kind), then the extension, then the content type."""
    ext = declared or os.path.splitext(name.lower().split("?")[0])[1]
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
    """Every table of a file as a grid. `fmt` is what the file should be (a source's kind); its bytes decide
    where they are certain. Any failure is a ReadError whose problem names the file and says why."""
    fmt = sniff_format(data, name, content_type, declared=fmt)
    reader = READERS.get(fmt)
    if reader is None:
        raise ReadError(Problem("unsupported_format", Location(file=name), {"value": fmt}))
    try:
        return reader(data, name)
    except ReadError:
        raise
    except RecursionError:
        raise unreadable(name, "nested too deep")
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's XmlError/ZipError/CalamineError and its PanicException
        # (a BaseException), zipfile's NotImplementedError, lxml, python-docx ...
        raise unreadable(name, f"{type(exc).__name__}: {str(exc)[:300]}".rstrip(": "))
