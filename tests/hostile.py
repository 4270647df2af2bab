"""Damaged and hostile catalog files, built in memory: each is a shape seen from careless publishers or from
an attacker, and each must end as a located problem, never as an exception."""
from __future__ import annotations

import io
import struct
import zipfile

import docx
import openpyxl


def xlsx(rows=(("序号", "一级事项", "二级事项", "公开内容", "公开时限"), (1, "就业政策法规", "政策文件", "文件名称", "20个工作日"))):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def docx_file():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for c, text in enumerate(("一级事项", "二级事项", "公开内容")):
        table.cell(0, c).text = text
    for c, text in enumerate(("就业政策法规", "政策文件", "文件名称")):
        table.cell(1, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rezip(data: bytes, change) -> bytes:
    """The archive again, each member's bytes passed through change(name, bytes)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def _patch_headers(data: bytes, member: str, patch) -> bytes:
    """Apply patch(buffer, offset of the field block) to the member's local and central headers."""
    info, out = zipfile.ZipFile(io.BytesIO(data)).getinfo(member), bytearray(data)
    patch(out, info.header_offset + 6)  # local header: flags at +6, method at +8
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + length].decode() == member:
            patch(out, at + 8)  # central header: flags at +8, method at +10
        at += 4
    return bytes(out)


def with_method(data: bytes, member: str, method: int = 9) -> bytes:
    """A member marked with a compression method readers do not implement (9: Deflate64)."""
    return _patch_headers(data, member, lambda b, at: b.__setitem__(slice(at + 2, at + 4), struct.pack("<H", method)))


def encrypted(data: bytes, member: str) -> bytes:
    """A member marked as encrypted: it needs a password."""
    return _patch_headers(data, member, lambda b, at: b.__setitem__(at, b[at] | 1))


def broken_sheet_xml() -> bytes:
    return rezip(xlsx(), lambda name, body: b"<worksheet><sheetData><row r='1'><c r='A1'><v>1</v></x></row>"
                 if name.endswith("sheet1.xml") else body)


def span_bomb_html(cells: int = 60, span: int = 500) -> bytes:
    """A page of about 2 KB whose spans would expand to cells × span² cells."""
    bomb = "".join(f'<td rowspan="{span}" colspan="{span}">x</td>' for _ in range(cells))
    return f"<html><body><table><tr><th>一级事项</th><th>二级事项</th></tr><tr>{bomb}</tr></table></body></html>".encode()


def _sheet_xml(rows: int, extra: str = "", merges: tuple = ()) -> bytes:
    """A worksheet of `rows` rows of three inline-string cells, then `extra` cells and merged ranges."""
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{r}</t></is></c></row>' for r in range(1, rows + 1))
    merged = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
    return (f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}{extra}'
            f'</sheetData>{merged if merges else ""}</worksheet>').encode()


def merge_bomb_xlsx() -> bytes:
    """A thousand rows whose merged ranges reach column XFD: 16 million cells once filled."""
    sheet = _sheet_xml(1000, merges=("A2:XFD1000",))
    return rezip(xlsx(), lambda name, body: sheet if name.endswith("sheet1.xml") else body)


def far_cell_xlsx() -> bytes:
    """One cell at XFD1048576: a used area of 17 billion cells."""
    sheet = _sheet_xml(2, extra='<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    return rezip(xlsx(), lambda name, body: sheet if name.endswith("sheet1.xml") else body)


HOSTILE = {  # name -> (file name, bytes): every one must give a problem, never an exception
    "calamine XmlError": ("sheet.xlsx", broken_sheet_xml),
    "calamine XmlError (unsupported compression)": ("method.xlsx", lambda: with_method(xlsx(), "xl/worksheets/sheet1.xml")),
    "calamine ZipError (encrypted member)": ("locked.xlsx", lambda: encrypted(xlsx(), "xl/worksheets/sheet1.xml")),
    "calamine CalamineError": ("damaged.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    "zipfile NotImplementedError": ("method.docx", lambda: with_method(docx_file(), "word/document.xml")),
    "csv field larger than the field limit": ("long.csv", lambda: b"a,b\n1," + b"x" * 200_000 + b"\n"),
    "JSON nested 100,000 deep": ("deep.json", lambda: b"[" * 100_000 + b"]" * 100_000),
    "HTML span bomb": ("bomb.html", span_bomb_html),
    "XLSX merged-range bomb": ("bomb.xlsx", merge_bomb_xlsx),
    "XLSX cell at XFD1048576": ("far.xlsx", far_cell_xlsx),
}
