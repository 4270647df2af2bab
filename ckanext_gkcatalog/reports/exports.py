"""Exports of tables (the ranking, the gap list) as CSV, XLSX and JSON.

Harvested text can begin with '=', '+', '-', '@' or a control character, which a spreadsheet would run as a
formula (CSV injection, OWASP). In CSV such a text cell is written with a leading apostrophe; in XLSX every
text cell is stored as a string, never a formula. Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
import json

from ..writers import safe_cell

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(rows: list[dict], columns: list[str], fmt: str, headers: list[str] | None = None,
           sheet: str = "export") -> bytes:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    header = headers or list(columns)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in header])
        writer.writerows([safe_cell(row.get(c)) for c in columns] for row in rows)
        return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet[:31])

        def cell(value):  # text stays text: openpyxl would store "=..." as a formula
            if value is None or isinstance(value, (int, float)):
                return value
            written = WriteOnlyCell(ws, value=str(value))
            written.data_type = "s"
            return written
        ws.append([cell(h) for h in header])
        for row in rows:
            ws.append([cell(row.get(c)) for c in columns])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt}")
