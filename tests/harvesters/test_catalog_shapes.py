"""Shapes of real published catalogs that were misread (issue 15), each as a small table rendered in every
format (GBK CSV, XLSX, legacy XLS, HTML, DOCX) and read back to the same items: pinyin glosses inside header cells,
channel lists one per line or numbered, checklist glyph variants glued to their labels, tier headers with
bracketed alternatives or run together, and tier columns holding the tier's name instead of a tick."""
import csv
import html
import io

import docx
import openpyxl
import pytest

from ckanext_gkcatalog.harvesters.parse import parse_document
from test_formats import xlsx_to_xls

DEFAULTS = {"domain": "social_assistance", "county_code": "530581", "county_name": "腾冲市"}


def render(rows: list, fmt: str) -> tuple[bytes, str]:
    """The rows as a file of `fmt` (one header row first), and its name."""
    if fmt == "csv":  # as county sites publish it: GBK (GB18030 keeps every glyph GBK lacks)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("gb18030"), "catalog.csv"
    if fmt == "docx":
        document = docx.Document()
        width = max(len(row) for row in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = str(value)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue(), "catalog.docx"
    if fmt in ("xlsx", "xls"):
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        return (out.getvalue(), "catalog.xlsx") if fmt == "xlsx" else (xlsx_to_xls(out.getvalue()), "catalog.xls")
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(c)).replace(chr(10), '<br>')}</td>" for c in row) + "</tr>"
                    for row in rows)
    return f"<html><body><table>{cells}</table></body></html>".encode("utf-8"), "catalog.html"


def items_of(rows: list, fmt: str) -> list:
    data, name = render(rows, fmt)
    parsed = parse_document(data, name, defaults=DEFAULTS)
    return [(i["level1"], i["level2"], sorted(i.get("channels") or []), sorted(i.get("tiers") or []),
             i.get("time_limit")) for i in parsed.items]


FORMATS = ["csv", "xlsx", "xls", "html", "docx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_pinyin_glosses_in_the_header_do_not_hide_the_table(fmt):
    rows = [["序(xù)号", "公開(kāi)事項(xiàng)", "公开内容(róng)", "公开时限(xiàn)", "公开渠道(dào)"],
            ["1", "最低生活保障", "保障对象名单", "20个工作日", "政府网站"]]
    assert items_of(rows, fmt) == [(None, "最低生活保障", ["government_website"], [], "20个工作日")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_channel_cells_one_per_line_numbered_or_with_glued_boxes(fmt):
    rows = [["一级事项", "二级事项", "公开时限", "公开渠道和载体"],
            ["低保", "政策文件", "20个工作日", "政府网站\n交通部门网站"],
            ["低保", "办理结果", "20个工作日", "1.政府网站 2.两微一端"],
            ["低保", "申请条件", "20个工作日", "■政府网站口政府公报■两微一端"],
            ["低保", "办理程序", "20个工作日", "▄政府网站▢政府公报 ◆两微一端 ○公开查阅点"],
            ["低保", "监督电话", "20个工作日", "交通部门\n网站"]]  # one name wrapped, not a list
    channels = [i[2] for i in items_of(rows, fmt)]
    assert channels == [sorted(["government_website", "交通部门网站"]),
                        sorted(["government_website", "two_micro_one_app"]),
                        sorted(["government_website", "two_micro_one_app"]),
                        sorted(["government_website", "two_micro_one_app"]), ["交通部门网站"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_tier_headers_with_brackets_or_run_together_and_tiers_written_as_words(fmt):
    rows = [["一级事项", "二级事项", "公开时限", "州级县级", "镇(街)级", "村(社区)级"],
            ["低保", "政策文件", "20个工作日", "√", "√", ""],
            ["低保", "办理结果", "20个工作日", "", "镇(街)级", "村级"]]
    assert [i[3] for i in items_of(rows, fmt)] == [["city", "county", "township"], ["township", "village"]]


def test_the_same_table_gives_the_same_items_in_every_format():
    rows = [["序号", "公開(kāi)事項(xiàng)", "", "公开时限(xiàn)", "公开渠道和载体", "县级", "乡(镇、街道)级"],
            ["", "一级事项", "二级事项", "", "", "", ""],
            ["1", "低保", "政策文件", "20个工作日", "1、政府网站2、两微一端", "县级", ""],
            ["2", "低保", "办理结果", "10个工作日", "■政府网站口政府公报", "√", "√"]]
    read = {fmt: items_of(rows, fmt) for fmt in FORMATS}
    assert read["csv"] == read["xlsx"] == read["xls"] == read["html"] == read["docx"]
    assert [(i[0], i[1], i[3]) for i in read["csv"]] == [("低保", "政策文件", ["county"]),
                                                         ("低保", "办理结果", ["county", "township"])]


MERGED = [["一级事项", "二级事项", "三级事项", "公开时限", "公开依据", "公开主体", "县级", "乡级"],
          ["低保", "政策文件", "政策文件", "20个工作日", "《社会救助暂行办法》(国务院令第649号)", "县民政局", "√", ""],
          ["低保", "办理结果", "审批结果", "10个工作日", "", "", "", ""],
          ["低保", "办理结果", "资金发放", "10个工作日", "", "", "", ""],
          ["特困", "政策文件", "政策文件", "20个工作日", "《特困人员认定办法》(民发〔2021〕43号)", "县民政局", "", "√"]]


def merged_xlsx() -> bytes:
    """MERGED as a spreadsheet really has it: 政策文件 merged across L2 and L3, and the 低保 rows' basis,
    subject and tier cells merged down."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in MERGED:
        sheet.append(row)
    for rows in ((2, 2), (5, 5)):
        sheet.merge_cells(start_row=rows[0], end_row=rows[1], start_column=2, end_column=3)
    for column in (5, 6, 7, 8):
        sheet.merge_cells(start_row=2, end_row=4, start_column=column, end_column=column)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_cells_merged_across_l2_and_l3_or_down_a_csv_read_as_the_spreadsheet():
    """The XLSX's merges are explicit; the CSV Excel saves from it keeps each merged value in its first cell
    only. Both give the same items: no L3 copied from L2, the basis, subject and tier carried down within
    the L1 item, with a finding saying so in the CSV."""
    from_xlsx = parse_document(merged_xlsx(), "merged.xlsx", defaults=DEFAULTS)
    rows = [list(r) for r in MERGED]
    rows[1][2] = ""  # a merge across L2 and L3 keeps its value in the first cell
    rows[4][2] = ""
    from_csv = parse_document(render(rows, "csv")[0], "merged.csv", defaults=DEFAULTS)

    def shown(parsed):
        return [(i["level1"], i["level2"], i.get("level3"), i.get("subject"), sorted(i.get("tiers") or []),
                 [d.get("number") for d in i["parsed"].get("basis", [])]) for i in parsed.items]
    assert shown(from_xlsx) == shown(from_csv) == [
        ("低保", "政策文件", None, "县民政局", ["county"], ["国务院令第649号"]),
        ("低保", "办理结果", "审批结果", "县民政局", ["county"], ["国务院令第649号"]),
        ("低保", "办理结果", "资金发放", "县民政局", ["county"], ["国务院令第649号"]),
        ("特困", "政策文件", None, "县民政局", ["township"], ["民发〔2021〕43号"])]
    carried = [p for p in from_csv.problems if p.code == "carried_down"]
    assert {(p.location.row, p.location.field) for p in carried} >= {(3, "basis"), (4, "subject")}
    assert "合并单元格只在首行有值" in carried[0].message("zh")


@pytest.mark.parametrize("fmt", FORMATS)
def test_catalogs_stacked_in_one_sheet_each_with_its_title_and_two_row_header(fmt):
    """Two catalogs one below the other, each with its title and its two-row header (merged cells: only the
    first cell of a merge holds the text, as a CSV has it): no header row is an item, nothing is carried
    from one catalog into the next, and each takes its domain from its own title."""
    header = [["序号", "公开事项", "", "公开内容", "公开时限", "公开层级", ""],
              ["", "一级事项", "二级事项", "", "", "县级", "乡级"]]
    rows = [["腾冲市社会救助领域基层政务公开标准目录", "", "", "", "", "", ""], *header,
            ["1", "低保", "政策文件", "低保政策", "20个工作日", "√", ""],
            ["2", "", "办理结果", "低保名单", "20个工作日", "√", "√"],
            ["腾冲市社会保险领域基层政务公开标准目录", "", "", "", "", "", ""], *header,
            ["1", "", "参保登记", "登记办法", "10个工作日", "√", ""],
            ["2", "养老保险", "待遇发放", "发放标准", "10个工作日", "√", ""]]
    data, name = render(rows, fmt)
    parsed = parse_document(data, name, defaults=DEFAULTS)
    got = [(i["domain"], i["level1"], i["level2"]) for i in parsed.items]
    assert got == [("social_assistance", "低保", "政策文件"), ("social_assistance", "低保", "办理结果"),
                   ("social_insurance", None, "参保登记"), ("social_insurance", "养老保险", "待遇发放")]


def test_an_html_table_takes_its_domain_from_a_title_above_the_publication_line():
    page = ("<html><body><h2>腾冲市社会保险领域基层政务公开标准目录</h2>"
            "<p>发布时间:2024-03-01 来源:腾冲市人力资源和社会保障局 浏览次数:120</p><p>【字号:大 中 小】</p>"
            "<table><tr><td>一级事项</td><td>二级事项</td><td>公开时限</td></tr>"
            "<tr><td>参保登记</td><td>登记办法</td><td>10个工作日</td></tr></table>"
            "<p>养老服务领域基层政务公开标准目录</p><div><table><tr><td>一级事项</td><td>二级事项</td><td>公开时限</td></tr>"
            "<tr><td>养老机构</td><td>备案信息</td><td>20个工作日</td></tr></table></div></body></html>")
    parsed = parse_document(page.encode("utf-8"), "page.html", defaults=DEFAULTS)
    assert [(i["domain"], i["level1"]) for i in parsed.items] == [("social_insurance", "参保登记"),
                                                                 ("elderly_care", "养老机构")]


@pytest.mark.parametrize("second", ["", "《社会救助暂行办法》(国务院令第649号)"])
def test_a_cell_missing_in_a_csv_stays_missing(second):
    """A CSV shows merges only by their shape: a value in an L1 item's first row with every row below empty,
    in two columns of one item or one column of two items. A single empty cell, among filled ones or at the
    end of a two-row item, is missing, and the finding says so."""
    basis = "《社会救助暂行办法》(国务院令第649号)"
    rows = [["一级事项", "二级事项", "公开时限", "公开依据"],
            ["低保", "政策文件", "20个工作日", basis],
            ["低保", "办理结果", "20个工作日", ""],
            *([["低保", "资金发放", "20个工作日", second]] if second else []),
            ["特困", "政策文件", "20个工作日", basis]]
    parsed = parse_document(render(rows, "csv")[0], "gap.csv", defaults=DEFAULTS)
    assert [bool(i.get("basis")) for i in parsed.items] == [True, False, *([True] if second else []), True]
    assert not [p for p in parsed.problems if p.code == "carried_down"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_township_catalog_reads_like_a_county_one(fmt):
    """A township's subset (item 12): its own title, tier columns for the township and village levels only,
    spelled as townships do (镇(街)级, 村(社区)级, 镇村级), the township's office as subject."""
    rows = [["和顺镇社会救助领域基层政务公开标准目录"] + [""] * 7,
            ["序号", "公开事项", "", "公开时限", "公开主体", "公开渠道和载体", "公开层级", ""],
            ["", "一级事项", "二级事项", "", "", "", "镇(街)级", "村(社区)级"],
            ["1", "最低生活保障", "审核信息", "10个工作日", "和顺镇人民政府", "■政府网站 ■村(居)务公开栏", "√", "√"],
            ["2", "", "审批信息", "10个工作日", "和顺镇人民政府", "■社区/企事业单位/村公示栏(电子屏)", "√", ""],
            ["3", "临时救助", "救助结果", "10个工作日", "和顺镇人民政府", "■便民服务站", "", "√"]]
    data, name = render(rows, fmt)
    parsed = parse_document(data, name, defaults={**DEFAULTS, "domain": None})
    assert [(i["domain"], i["level1"], i["level2"], i["subject"], sorted(i["tiers"])) for i in parsed.items] == [
        ("social_assistance", "最低生活保障", "审核信息", "和顺镇人民政府", ["township", "village"]),
        ("social_assistance", "最低生活保障", "审批信息", "和顺镇人民政府", ["township"]),
        ("social_assistance", "临时救助", "救助结果", "和顺镇人民政府", ["village"])]
    # only what a county's catalog would get too: the columns this one leaves out, its own channel names
    assert {p.code for p in parsed.problems} - {"charset_guessed"} <= {"required", "missing_column", "local_channel"}
    rows[2][6:] = ["镇村级", ""]  # one column for both levels
    data, name = render(rows, fmt)
    assert [sorted(i["tiers"]) for i in parse_document(data, name, defaults=DEFAULTS).items] == [
        ["township", "village"], ["township", "village"], []]
