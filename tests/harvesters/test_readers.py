"""HTML pages, Word tables and our JSON shape read into the same items as spreadsheets."""
import io
import json

import docx
import pytest

from ckanext_gkcatalog.harvesters.parse import parse_document, public_item
from ckanext_gkcatalog.harvesters.readers import read_grids, sniff_format

COUNTY = {"county_code": "511703", "county_name": "达川区"}


def test_html_page_with_two_domain_tables_rowspans_and_gbk(data_dir):
    data = (data_dir / "elder_dachuan_two_domains.html").read_bytes()
    result = parse_document(data, "dachuan.html", defaults=COUNTY)
    assert result.tables == 2
    assert [(i["domain"], i["level1"], i["level2"]) for i in result.items] == [
        ("elderly_care", "养老服务业务办理", "养老机构备案"),
        ("elderly_care", "养老服务业务办理", "养老服务扶持补贴"),  # L1 cell spans two rows
        ("social_assistance", "综合业务", "监督检查")]
    first, second, third = result.items
    assert second["subject"] == "区民政局"  # rowspan
    assert first["channels"] == ["government_website", "service_center"]
    assert second["tiers"] == ["county", "township", "village"]
    assert third["tiers"] == ["township"] and "镇村公示公开栏" in third["channels"]
    assert first["source_location"] == "table 1#3"
    assert not result.errors


def test_html_without_a_catalog_table():
    result = parse_document("<html><body><table><tr><td>新闻</td></tr></table></body></html>".encode(), "news.html")
    assert result.items == [] and [p.code for p in result.problems] == ["no_catalog_table"]


def make_docx():
    document = docx.Document()
    document.add_paragraph("腾冲市社会救助领域基层政务公开标准目录")
    header = ["序号", "公开事项", "", "公开内容(要素)", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "",
              "公开方式", "", "公开层级", ""]
    sub = ["", "一级事项", "二级事项", "", "", "", "", "", "全社会", "特定群体", "主动", "依申请", "县级", "乡级"]
    rows = [["1", "社会救助", "监督检查", "●社会救助信访通讯地址 ●社会救助投诉举报电话", "●中华人民共和国政府信息公开条例",
             "制定或获取信息之日起10个工作日内", "县级人民政府民政部门、乡镇人民政府(街道办事处)",
             "■政府网站 □政府公报 ■公开查阅点 ■政务服务中心", "√", "", "√", "", "√", "√"],
            ["2", "", "政策法规文件", "●文件名称 ●文号 ●发文部门", "●中华人民共和国政府信息公开条例",
             "制定或获取信息之日起10个工作日内", "县级人民政府民政部门", "■政府网站", "√", "", "√", "", "√", ""]]
    table = document.add_table(rows=0, cols=14)
    for values in [header, sub] + rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = value
    t = table.rows
    t[0].cells[1].merge(t[0].cells[2]).text = "公开事项"
    t[0].cells[8].merge(t[0].cells[9]).text = "公开对象"
    t[0].cells[10].merge(t[0].cells[11]).text = "公开方式"
    t[0].cells[12].merge(t[0].cells[13]).text = "公开层级"
    t[2].cells[1].merge(t[3].cells[1]).text = "社会救助"  # L1 merged over two rows (vMerge)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_tables_with_merged_cells():
    result = parse_document(make_docx(), "tc.docx", defaults=COUNTY)
    assert [(i["domain"], i["level1"], i["level2"]) for i in result.items] == [
        ("social_assistance", "社会救助", "监督检查"), ("social_assistance", "社会救助", "政策法规文件")]
    assert result.items[0]["channels"] == ["government_website", "reading_point", "service_center"]
    assert result.items[1]["tiers"] == ["county"]
    assert not result.errors


def test_json_export_shape_round_trips(data_dir):
    first = parse_document((data_dir / "elder_dachuan_two_domains.html").read_bytes(), "d.html", defaults=COUNTY)
    exported = json.dumps({"items": [public_item(i) for i in first.items]}, ensure_ascii=False).encode()
    again = parse_document(exported, "d.json")
    assert [public_item(i) for i in again.items] == [public_item(i) for i in first.items]


@pytest.mark.parametrize("data, name, ctype, fmt", [
    (b"<!DOCTYPE html><html>", "page", None, ".html"),
    (b"a,b", "catalog", "text/csv; charset=gbk", ".csv"),
    (b"{\"items\": []}", "export", None, ".json"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old", None, ".xls"),
    (b"x", "t.shtml", None, ".shtml"),
])
def test_format_sniffing(data, name, ctype, fmt):
    assert sniff_format(data, name, ctype) == fmt


def test_unsupported_and_broken_json():
    result = parse_document(b"{not json", "x.json")
    assert [p.code for p in result.problems] == ["file_unreadable"]
    assert read_grids(b"{\"items\": []}", "x.json")[0].rows == [[]]


def test_hijacked_mirror_page_hidden_and_injected_spam():
    """As on hijacked mirrors (samples/elder_shantou_mirror.txt): hidden advertising between words, pinyin
    glosses, and the disclosing unit's name replaced by gambling advertising."""
    page = """<html><head><meta charset="utf-8"></head><body><table>
    <tr><td>序号</td><td>一级事项</td><td>二级事项</td><td>公开内容(要素)</td><td>公开依据</td><td>公开时限</td>
        <td>公开主体</td><td>公开渠道和载体</td><td>全社会</td><td>主动</td><td>县级</td></tr>
    <tr><td>1</td><td>养老服务业务办理</td><td>养老机构<span style="display: none">澳门新葡京娱乐城</span>备案</td>
        <td>备案申请材料清单<font hidden>注册送彩金</font></td><td>《养老机构管理办法》</td>
        <td>制定或获取信息之日起10个工作日内</td><td>区民政局</td><td>■政府网站</td><td>√</td><td>√</td><td>√</td></tr>
    <tr><td>2</td><td>养老服务行业管理信息</td><td>养老机构备案信息</td><td>已备案养老机构名称</td>
        <td>《福利彩票公益金使用管理办法》</td><td>每20个工作日更新</td><td>澳门葡京娱乐城官网 注册送88元</td>
        <td>■政府网站</td><td>√</td><td>√</td><td>县(xiàn)级√</td></tr>
    </table></body></html>""".encode()
    result = parse_document(page, "mirror.html", defaults={**COUNTY, "domain": "elderly_care"})
    first, second = result.items
    assert first["level2"] == "养老机构备案" and first["content"] == "备案申请材料清单"
    assert second["subject"] is None and "福利彩票" in second["basis"]  # lottery welfare funds are honest text
    spam = [p for p in result.problems if p.code == "spam_text"]
    assert [(p.location.row, p.location.column, p.location.field) for p in spam] == [(3, "G", "subject")]
    assert "葡京" in spam[0].message("zh") and "hijacked mirror" in spam[0].message("en")
