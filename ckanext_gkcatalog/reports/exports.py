"""Exports of tables (the ranking, the gap list) as CSV, XLSX and JSON.

Harvested text can begin with '=', '+', '-', '@' or a control character, which a spreadsheet would run as a
formula (CSV injection, OWASP). In CSV such a text cell is written with a leading apostrophe; in XLSX every
text cell is stored as a string, never a formula. Numbers stay numbers.

CSV and XLSX are for people: their headers and coded values (domains, channels, ratings, statuses) are
words in the reader's language. JSON is for programs and keeps the codes.
"""
from __future__ import annotations

import csv
import io
import json

from ..problems import code_label
from ..schema import load_schema
from ..scoring import RATING_LABELS
from ..writers import safe_cell

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"  # documents, not exports


# the exports' own columns; the catalog's elements take their labels from the schema
COLUMN_LABELS = {
    "rank": ("排名", "Rank"), "county_code": ("县级代码", "County code"), "county_name": ("县(市、区)", "County"),
    "county": ("县(市、区)", "County"), "city": ("市(州)", "City"), "score": ("得分", "Score"),
    "township_code": ("乡镇代码", "Township code"), "township_name": ("乡镇(街道)", "Township"),
    "rating": ("等级", "Rating"), "coverage": ("覆盖率", "Coverage"), "errors": ("错误数", "Errors"),
    "warnings": ("警告数", "Warnings"), "last_harvest": ("最近采集时间", "Last harvest"),
    "baseline_code": ("基准事项编号", "Baseline item"), "code": ("基准事项编号", "Baseline item"),
    "id": ("事项标识", "Item id"), "source_url": ("来源网址", "Source URL"), "status": ("状态", "Status"),
    "severity": ("严重程度", "Severity"), "stage": ("阶段", "Stage"), "rule": ("规则", "Rule"),
}


def column_label(column: str, lang: str) -> str:
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column][lang == "en"]
    field = load_schema().fields.get(column)
    return field.label("en" if lang == "en" else "zh_Hans_CN") if field else column


def shown_value(column: str, value, lang: str):
    """A cell as a person reads it: a code in words, a list joined with 、; numbers and text as they are."""
    if isinstance(value, (list, tuple)):
        return "、".join(str(shown_value(column, v, lang)) for v in value)
    if not isinstance(value, str):
        return value
    if column == "rating" and value in RATING_LABELS:
        return RATING_LABELS[value][lang == "en"]
    if column in ("status", "severity", "stage"):
        return code_label(value, lang)
    field = load_schema().fields.get(column)
    if field is not None and field.choices:
        return field.value_label(value, "en" if lang == "en" else "zh_Hans_CN")
    return value


def export(rows: list[dict], columns: list[str], fmt: str, lang: str = "zh", sheet: str = "export") -> bytes:
    """rows as CSV or XLSX (headers and coded values in `lang`) or JSON (the rows as they are)."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    header = [column_label(c, lang) for c in columns]
    rows = [{c: shown_value(c, row.get(c), lang) for c in columns} for row in rows]
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
