"""Catalog files in the county format: the standard table with its two header rows (序号 | 公开事项 ... |
公开层级, then 一级事项 | 二级事项 | 全社会 | 特定群体 | 主动 | 依申请 | 县级 | 乡级), written as CSV
(UTF-8 or GBK), XLSX, HTML, DOCX, or our JSON shape.

The demo province and the benchmark publish their counties' catalogs with these, and a county's template
is the same table. Items are dicts with the schema's field names (list fields hold choice values).
"""
from __future__ import annotations

import csv
import html
import io
import json
import re

from .schema import load_schema

FORMATS = ("csv", "csv-gbk", "xlsx", "html", "docx", "json")
EXTENSIONS = {"csv": ".csv", "csv-gbk": ".csv", "xlsx": ".xlsx", "html": ".html", "docx": ".docx", "json": ".json"}
GROUP_COLUMNS = (("audience", ("public", "specific_groups")), ("mode", ("proactive", "on_request")),
                 ("tiers", ("county", "township")))


def header_rows() -> list[list[str]]:
    top = ["序号", "公开事项", "", "公开内容(要素)", "公开依据", "公开时限", "公开主体", "公开渠道和载体",
           "公开对象", "", "公开方式", "", "公开层级", ""]
    schema = load_schema()
    sub = ["", "一级事项", "二级事项", "", "", "", "", ""]
    for group, values in GROUP_COLUMNS:
        sub += [schema.field(group).value_label(v) for v in values]
    return [top, sub]


def item_row(number: int, item: dict, checklist: bool = True) -> list[str]:
    """One table row; channels as a ■/□ checklist of the 13 standard channels (local ones appended), or a
    plain list."""
    channels = load_schema().field("channels")
    chosen = item.get("channels") or []
    if checklist:
        boxes = [("■" if c.value in chosen else "□") + c.label() for c in channels.choices]
        boxes += ["■" + v for v in chosen if not channels.choice(v)]
        channel_text = "".join(boxes)
    else:
        channel_text = "、".join(channels.value_label(v) for v in chosen)
    row = [str(number), item.get("level1") or "", item.get("level2") or "", item.get("content") or "",
           item.get("basis") or "", item.get("time_limit") or "", item.get("subject") or "", channel_text]
    for group, values in GROUP_COLUMNS:
        row += ["√" if v in (item.get(group) or []) else "" for v in values]
    return row


def table_rows(items: list, checklist: bool = True, merge_level1: bool = True) -> list[list[str]]:
    """Header and rows; with merge_level1, an L1 name is printed only on its first row, as a merged cell reads."""
    rows, previous = header_rows(), None
    for n, item in enumerate(items, start=1):
        row = item_row(n, item, checklist)
        if merge_level1 and item.get("level1") == previous:
            row[1] = ""
        previous = item.get("level1")
        rows.append(row)
    return rows


# harvested text can begin like a spreadsheet formula (CSV injection, OWASP), full-width forms included
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    """A text cell a spreadsheet shows as text: a leading apostrophe before a formula's first character."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_catalog(items: list, fmt: str, title: str = "", checklist: bool = True, safe: bool = False) -> bytes:
    """The catalog file; `safe` (a download for people) writes CSV text cells that cannot run as formulas
    (XLSX cells are always stored as text)."""
    if fmt == "json":
        return json.dumps({"items": items}, ensure_ascii=False).encode("utf-8")
    rows = table_rows(items, checklist)
    if safe and fmt in ("csv", "csv-gbk"):
        rows = [[safe_cell(cell) for cell in row] for row in rows]
    if fmt in ("csv", "csv-gbk"):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if title:
            writer.writerow([title])
        writer.writerows(rows)
        return buffer.getvalue().encode("gb18030" if fmt == "csv-gbk" else "utf-8")
    if fmt == "xlsx":
        return _xlsx(rows, title)
    if fmt == "html":
        return _html(rows, title)
    if fmt == "docx":
        return _docx(rows, title)
    raise ValueError(f"unknown format {fmt}")


def _xlsx(rows: list, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(re.sub(r"[][:*?/\\]", " ", title)[:31] or "目录")  # characters a sheet name cannot hold

    def text(value):  # stored as a string: openpyxl would store "=..." as a formula
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if title:
        sheet.append([text(title)])
    for row in rows:
        sheet.append([text(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _html(rows: list, title: str) -> bytes:
    """A government-site page: the caption above the table, L1 cells spanning their rows."""
    spans: dict = {}
    body = rows[2:]
    for i, row in enumerate(body):  # rowspan of each L1 cell: itself plus the blank L1 cells under it
        if row[1]:
            start = i
            spans[start] = 1
        elif i and spans:
            spans[start] += 1
    out = [f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head><body>",
           f"<p>{html.escape(title)}</p><table border=\"1\">"]
    top, sub = rows[:2]
    out.append("<tr>" + "".join(f"<td{' colspan=2' if t in ('公开事项', '公开对象', '公开方式', '公开层级') else ''}"
                                f"{' rowspan=2' if t and t not in ('公开事项', '公开对象', '公开方式', '公开层级') else ''}>"
                                f"{html.escape(t)}</td>" for t in top if t) + "</tr>")
    out.append("<tr>" + "".join(f"<td>{html.escape(t)}</td>" for t in sub if t) + "</tr>")
    for i, row in enumerate(body):
        cells = []
        for j, text in enumerate(row):
            if j == 1:
                if i not in spans:
                    continue  # covered by the L1 cell above
                cells.append(f"<td rowspan={spans[i]}>{html.escape(text)}</td>")
            else:
                cells.append(f"<td>{html.escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out).encode("utf-8")


def _docx(rows: list, title: str) -> bytes:
    import docx

    document = docx.Document()
    if title:
        document.add_paragraph(title)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        cells = table.rows[r].cells
        for c, text in enumerate(row):
            cells[c].text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
