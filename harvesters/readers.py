"""Readers: the bytes of a published catalog file -> grids of cell texts, one per sheet or table.

Every format ends in the same Grid, so table reading (tables.py) is written once. Merged cells are
filled into every cell they cover, as a person reading the sheet sees them.
"""
from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass, field

from ckanext_gkcatalog.problems import Location, Problem

# Spreadsheets are zip files: a small file can inflate to gigabytes (a zip bomb).
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DEFAULT_MAX_RATIO = 200


@dataclass
class Grid:
    file: str
    sheet: str | None
    rows: list  # list of lists of str
    first_row: int = 1  # the spreadsheet row number of rows[0]
    problems: list = field(default_factory=list)


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


READERS = {
    ".csv": read_csv,
    ".txt": read_csv,
    ".tsv": read_csv,
    ".xlsx": read_spreadsheet,
    ".xlsm": read_spreadsheet,
    ".xls": read_spreadsheet,
    ".ods": read_spreadsheet,
}


def sniff_format(data: bytes, name: str) -> str:
    """The reader key for a file: its extension, or its magic bytes when the name says nothing."""
    ext = os.path.splitext(name.lower())[1]
    if ext in READERS:
        return ext
    if data[:2] == b"PK":
        return ".xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: legacy .xls
        return ".xls"
    return ext or ".csv"


def read_grids(data: bytes, name: str) -> list[Grid]:
    fmt = sniff_format(data, name)
    reader = READERS.get(fmt)
    if reader is None:
        raise ReadError(Problem("unsupported_format", Location(file=name), {"value": fmt}))
    return reader(data, name)
