"""A county's template: the domain's baseline as a catalog in the county format, every baseline item
pre-filled (L1, L2, content, basis, time limit and the other elements the baseline sets), for the county to
complete and publish.

XLSX is the working copy: the two-row header the province reads, frozen; dropdowns for the channels and √
lists for the tick columns (audience, mode, tiers); widths and wrapped text; the cells the baseline leaves
open shaded; optionally the baseline's own cells locked; and a sheet of instructions with the rules the
checker applies. DOCX and HTML are the versions for Word and for the county's website (writers.py).
"""
from __future__ import annotations

import io

from openpyxl.utils import get_column_letter

from .schema import domain_label, load_schema
from .writers import GROUP_COLUMNS, header_rows, table_rows, write_catalog

FORMATS = ("xlsx", "docx", "html")
FIRST_ROW = 4  # title, then the two header rows
SPARE_ROWS = 200  # rows below the baseline's, open for the county's own items
LOCKED_COLUMNS = "ABCDE"  # 序号, L1, L2, content, basis: the baseline's own wording
WIDTHS = {"A": 6, "B": 14, "C": 18, "D": 40, "E": 36, "F": 22, "G": 18, "H": 26}
TICK_WIDTH = 7
OPEN_FILL = "FFF2CC"  # a cell the baseline leaves for the county

INSTRUCTIONS = {
    "zh": ("填写说明", [
        "本表由省级基准目录生成:每个基准事项已预填一级事项、二级事项、公开内容、公开依据和公开时限等要素。",
        "黄色单元格是基准目录未规定的要素,请按本地实际填写。",
        "公开时限不得长于基准目录规定的时限。",
        "公开依据应写明文件全称和文号,如《中华人民共和国政府信息公开条例》(国务院令第711号)。",
        "公开内容等对外公开的文字中不得出现身份证号码、手机号码等个人信息。",
        "本地新增事项填写在基准事项之后,不得与基准事项重复或重叠。",
        "每个事项都要勾选(√)公开对象、公开方式(主动/依申请)和公开层级(县级/乡级)。",
        "公开渠道可从下拉列表中选择,多个渠道用顿号“、”分隔。",
        "本县确不涉及的基准事项请在省级门户声明“不适用”,不要直接删除。",
        "发布前请运行 gkcatalog check 文件 --baseline 省级门户地址(或在省级门户的“目录检查”页面上传),"
        "检查结果与省级评估一致。",
    ]),
    "en": ("Instructions", [
        "This sheet comes from the provincial baseline: every baseline item is pre-filled with its level 1 and "
        "level 2 names, content, legal basis, time limit and the other elements the baseline sets.",
        "Yellow cells are elements the baseline leaves open: fill them in for your county.",
        "The time limit must not be longer than the baseline's.",
        "The legal basis names each document in full with its document number, e.g. "
        "《中华人民共和国政府信息公开条例》(国务院令第711号).",
        "Published text must carry no ID-card or mobile phone numbers.",
        "Add your county's own items below the baseline's; they must not repeat or overlap a baseline item.",
        "Tick (√) the audience, the mode (proactive / on request) and the tiers (county / township) of every item.",
        "Pick the channels from the dropdown; separate several with 、.",
        "Declare a baseline item that does not apply in your county on the provincial portal instead of deleting it.",
        "Before publishing run gkcatalog check FILE --baseline PORTAL-URL (or upload the file on the portal's "
        "check page): it finds what the province will find.",
    ]),
}


def template_items(baseline) -> list[dict]:
    """The baseline's items as county items: names and the elements the baseline sets."""
    items = []
    for entry in baseline.items:
        item = {"domain": baseline.domain, "level1": entry.level1, "level2": entry.level2, "level3": entry.level3}
        item.update({k: v for k, v in (entry.elements or {}).items() if k != "parsed" and v})
        items.append(item)
    return items


def template_title(baseline, county_name: str | None = None) -> str:
    domain = domain_label(baseline.domain)
    return f"{county_name or ''}{domain}领域基层政务公开标准目录"


def write_template(baseline, fmt: str, lang: str = "zh", county_name: str | None = None, lock: bool = False) -> bytes:
    items, title = template_items(baseline), template_title(baseline, county_name)
    if fmt == "xlsx":
        return _xlsx(items, title, lang, lock)
    if fmt in ("docx", "html"):
        return write_catalog(items, fmt, title)
    raise ValueError(f"unknown template format {fmt}")


def _xlsx(items: list, title: str, lang: str, lock: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "目录"
    top, sub = header_rows()
    width = len(top)
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append(top)
    sheet.append(sub)
    for column, text in enumerate(top, start=1):  # a group over its sub-columns, a single column over two rows
        if text and column < width and not top[column] and sub[column]:
            sheet.merge_cells(start_row=2, start_column=column, end_row=2, end_column=column + 1)
        elif text and not sub[column - 1]:
            sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    body = table_rows(items, checklist=False, merge_level1=False)[2:]
    for row in body:
        sheet.append(row)
    last = FIRST_ROW + len(body) - 1
    wrap, bold = Alignment(wrap_text=True, vertical="top"), Font(bold=True)
    shade = PatternFill("solid", fgColor=OPEN_FILL)
    for row in sheet.iter_rows(min_row=1, max_row=last + SPARE_ROWS):
        for cell in row:
            if not hasattr(cell, "column_letter"):
                continue  # covered by a merged cell
            cell.alignment = wrap
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # pre-filled text, never a formula
            if cell.row < FIRST_ROW:
                cell.font = bold
            elif cell.row <= last and not cell.value and cell.column_letter not in "A":
                cell.fill = shade
            # the baseline's rows keep their wording; the rows below are the county's own
            cell.protection = Protection(locked=lock and cell.row <= last and cell.column_letter in LOCKED_COLUMNS
                                         or cell.row < FIRST_ROW)
    for letter, size in WIDTHS.items():
        sheet.column_dimensions[letter].width = size
    for column in range(len(WIDTHS) + 1, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = TICK_WIDTH
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 1)
    if lock:
        sheet.protection.sheet = True
        sheet.protection.formatCells = sheet.protection.formatColumns = sheet.protection.formatRows = False
    _choices(book, sheet, width, last + SPARE_ROWS, DataValidation)
    _instructions(book, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _choices(book, sheet, width: int, last: int, DataValidation) -> None:
    """Dropdowns: the standard channels (several may be typed, so a typed value is only a note) and √ in
    every tick column."""
    channels = [c.label() for c in load_schema().field("channels").choices]
    values = book.create_sheet("取值")
    for n, label in enumerate(channels, start=1):
        values.cell(n, 1, label)
    values.sheet_state = "hidden"
    channel_list = DataValidation(type="list", formula1=f"'取值'!$A$1:$A${len(channels)}", allow_blank=True,
                                  errorStyle="information", showErrorMessage=True,
                                  error="多个渠道用顿号“、”分隔 / separate several channels with 、")
    channel_list.add(f"H{FIRST_ROW}:H{last}")
    ticks = DataValidation(type="list", formula1='"√"', allow_blank=True)
    first_tick = width - 2 * len(GROUP_COLUMNS) + 1
    ticks.add(f"{get_column_letter(first_tick)}{FIRST_ROW}:{get_column_letter(width)}{last}")
    sheet.add_data_validation(channel_list)
    sheet.add_data_validation(ticks)


def _instructions(book, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    name, lines = INSTRUCTIONS["en" if lang == "en" else "zh"]
    sheet = book.create_sheet(name, 1)
    sheet.append([name])
    sheet["A1"].font = Font(bold=True, size=14)
    for n, line in enumerate(lines, start=1):
        sheet.append([f"{n}. {line}"])
        sheet.cell(n + 1, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 110

