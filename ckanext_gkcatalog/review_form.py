"""The review form each item passes before publication (政府信息公开及合规性审核表, Rizhao's 2019 plan, 附件2),
filled in for a checked catalog: one row per item, the disclosure attribute from its mode, the platform
from its channels (政府网站 -> 网站, 两微一端 -> 新媒体, the rest -> 其他), the legal check pre-filled (同意
where the checker found no error, otherwise the findings for the reviewer to decide), the signature lines
left blank. XLSX or DOCX.
"""
from __future__ import annotations

import io

from .items import level_path
from .problems import ERROR

TITLE = "政府信息公开及合规性审核表"
TOP = ["序号", "信息名称", "信息来源", "", "", "保密及公开属性意见", "", "", "", "发布平台", "", "", "法律法规核查意见", "",
       "发布栏目"]
SUB = ["", "", "本机关制发信息", "转载信息(注明转载来源)", "非本机关信息", "是否涉密", "主动公开", "依申请公开", "不予公开",
       "网站", "新媒体", "其他", "同意", "不同意", ""]
GROUPS = [(2, 3), (5, 4), (9, 3), (12, 2)]  # (first column index, width) of the header groups
SIGNATURES = ["承办人:", "保密及公开属性审核人:", "法律法规审核人:", "业务科室负责人:", "业务分管领导:", "信息发布人员:",
              "上传日期:"]
NOTE = "注:1. 网站和新媒体信息发布前均应当认真填写本表,各责任人审核签字后存档备查;2. 请在所选对应栏目内打“√”。"
WEBSITE, NEW_MEDIA = {"government_website"}, {"two_micro_one_app"}
TICK = "√"


def review_rows(parsed, report) -> list[list[str]]:
    """A row of the form per item of a parsed file (harvesters.parse.Parsed), its legal check from the
    checker's report (checker.CheckReport) on that file."""
    errors: dict = {}
    for problem in report.problems:
        where = problem.location
        if problem.severity == ERROR and where.row:
            errors.setdefault((where.sheet, where.row), []).append(problem.text("zh"))
    rows = []
    for n, item in enumerate(parsed.items, start=1):
        sheet, _, row = (item.get("source_location") or "").rpartition("#")
        found = errors.get((sheet or None, int(row) if row.isdigit() else None), [])
        mode, channels = item.get("mode") or [], set(item.get("channels") or [])
        name = level_path(item)
        rows.append([str(n), name, "", "", "", "",
                     _tick("proactive" in mode), _tick("on_request" in mode), "",
                     _tick(channels & WEBSITE), _tick(channels & NEW_MEDIA), _tick(channels - WEBSITE - NEW_MEDIA),
                     "" if found else TICK, ("待审核:" + ";".join(dict.fromkeys(found))) if found else "",
                     item.get("level1") or ""])
    return rows


def _tick(value) -> str:
    return TICK if value else ""


def write_review_form(rows: list, fmt: str, title: str = "") -> bytes:
    if fmt == "xlsx":
        return _xlsx(rows, title)
    if fmt == "docx":
        return _docx(rows, title)
    raise ValueError(f"unknown review form format {fmt}")


def _xlsx(rows: list, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "审核表"
    width = len(TOP)
    for line in (f"{title}{TITLE}", "填表日期:    年  月  日"):
        sheet.append([line])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
    sheet.append(TOP)
    sheet.append(SUB)
    for first, span in GROUPS:
        sheet.merge_cells(start_row=3, start_column=first + 1, end_row=3, end_column=first + span)
    for column in (1, 2, width):
        sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # harvested names are text, never formulas
    sheet.append([])
    for line in SIGNATURES + [NOTE]:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    for row in sheet.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, horizontal="center")
    sheet.column_dimensions["B"].width, sheet.column_dimensions["N"].width = 36, 40
    sheet.freeze_panes = "C5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx(rows: list, title: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(f"{title}{TITLE}", level=1)
    document.add_paragraph("填表日期:    年  月  日")
    table = document.add_table(rows=2 + len(rows), cols=len(TOP))
    table.style = "Table Grid"
    for first, span in GROUPS:  # merged before the text is set: a merge joins the cells' paragraphs
        table.cell(0, first).merge(table.cell(0, first + span - 1))
    for column in (0, 1, len(TOP) - 1):
        table.cell(0, column).merge(table.cell(1, column))
    for r, values in enumerate([TOP, SUB, *rows]):
        for c, text in enumerate(values):
            if text or r > 1:
                table.cell(r, c).text = text
    for line in SIGNATURES:
        document.add_paragraph(line)
    document.add_paragraph(NOTE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
