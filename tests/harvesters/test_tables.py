"""Table reading on layouts copied from the real catalogs in shared/domain/samples."""
import io

import pytest

from ckanext_gkcatalog.harvesters.readers import ReadError, read_grids
from ckanext_gkcatalog.harvesters.tables import read_table
from ckanext_gkcatalog.items import build_item
from ckanext_gkcatalog.problems import Location

from support import csv_bytes, make_xlsx_with_merges


COUNTY = {"county_code": "530581", "county_name": "腾冲市"}


def items_of(data, name, defaults=None):
    (grid,) = read_grids(data, name)
    table = read_table(grid)
    defaults = {**COUNTY, **(defaults or {})}
    built = [build_item(raw, Location(name, grid.sheet, raw.row), defaults=defaults) for raw in table.rows]
    return table, [item for item, _ in built], [p for _, problems in built for p in problems]


def test_two_row_header_with_merged_names_and_name_only_rows(data_dir):
    data = (data_dir / "si_catalog_two_row_header.csv").read_bytes()
    table, items, problems = items_of(data, "si.csv", {"domain": "social_insurance"})
    assert [i["level1"] for i in items] == ["社会保险登记"] * 5 + ["社会保险参保信息维护"] * 2
    assert items[1]["level2"] == "工程建设项目办理工伤保险参保登记"
    assert items[0]["tiers"] == ["county", "township", "village"]  # the column header was 乡、村级
    assert items[0]["audience"] == ["public"] and items[0]["mode"] == ["proactive"]
    assert items[2]["time_limit"] == "公开事项信息形成或变更之日起20个工作日内公开"  # wrapped cell joined
    # 职工参保登记 carries only its name: its elements are those of the merged cells above
    assert items[3]["level2"] == "职工参保登记" and items[3]["content"] == items[2]["content"]
    assert items[3]["parsed"]["inherited_elements"]
    assert items[5]["time_limit"] == items[4]["time_limit"]  # 同上
    assert items[5]["channels"] == ["government_website", "其他基层公共服务平台"]
    assert items[5]["parsed"]["channels_unselected"][:2] == ["government_gazette", "two_micro_one_app"]
    assert items[6]["tiers"] == ["township", "village"]
    codes = {p.code for p in problems}
    assert {"name_only_row", "same_as_above", "local_channel"} <= codes
    assert not [p for p in problems if p.is_error]
    located = next(p for p in problems if p.code == "same_as_above")
    assert (located.location.row, located.location.column) == (9, "F")
    assert located.message("zh") == "文件 si.csv,第9行,F列(公开时限):“同上”取上一行的值"
    assert located.message("en") == "si.csv, row 9, column F (Time limit): '同上' (same as above) takes the value of the row above"


def test_compact_two_row_header_as_flattened_html_prints_it():
    rows = [
        ["序号", "公开事项", "公开内容(要素)", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "公开方式", "公开层级"],
        ["一级事项", "二级事项", "全社会", "特定群体", "主动", "依申请", "区级", "镇街级"],
        ["1", "1.就业信息服务", "1.1就业政策法规咨询", "1.就业创业政策项目 2.对象范围", "1.《中华人民共和国政府信息公开条例》(中华人民共和国国务院令第711号)",
         "公开事项信息形成或变更之日起20个工作日内公开", "区人力社保局,镇人民政府(街道办事处)", "■政府网站 ■政务服务中心 ■其他基层公共服务平台",
         "√", "", "√", "", "√", "√"],
    ]
    _, items, problems = items_of(csv_bytes(rows), "hc.csv", {"domain": "employment"})
    assert items[0]["level1"] == "就业信息服务" and items[0]["level2"] == "就业政策法规咨询"
    assert items[0]["parsed"]["numbers"] == {"level1": "1", "level2": "1.1"}
    assert items[0]["tiers"] == ["county", "township"]
    assert items[0]["subject"] == "区人力社保局,镇人民政府(街道办事处)"
    assert not [p for p in problems if p.is_error]


def test_three_levels_extra_columns_and_city_tier():
    rows = [
        ["序号", "一级目录", "公开事项", "", "", "公开内容(要素)", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "",
         "公开方式", "", "公开层级", "", "", "咨询电话"],
        ["", "", "一级事项", "二级事项", "三级事项", "", "", "", "", "", "全社会", "特定群体", "主动", "依申请", "市级", "县级", "乡级", ""],
        ["1", "综合业务", "2.社会保险参保登记", "2.2社会保险个人参保登记", "2.2.2企业职工参加社会保险登记", "1.事项名称 2.事项简述",
         "1.《中华人民共和国政府信息公开条例》(中华人民共和国国务院令第711号)", "公开事项信息形成或变更之日起20个工作日内公开",
         "人力资源社会保障部门", "■政府网站 □政府公报", "√", "", "√", "", "", "√", "√", "0797-1234567"],
    ]
    table, items, problems = items_of(csv_bytes(rows), "sc.csv", {"domain": "social_insurance"})
    item = items[0]
    assert (item["level1"], item["level2"], item["level3"]) == ("社会保险参保登记", "社会保险个人参保登记", "企业职工参加社会保险登记")
    assert item["tiers"] == ["county", "township"]
    assert item["parsed"]["extra_columns"] == {"咨询电话": "0797-1234567"}
    assert table.rows[0].texts["category"] == "综合业务"


def test_single_row_header_with_text_columns_instead_of_ticks():
    # 平武 township: text values under the group headers, no tick columns
    rows = [["序号", "一级事项", "二级事项", "公开内容", "公开依据", "公开时限", "公开主体", "公开渠道", "公开方式", "公开属性",
             "公开对象", "公开层级"],
            ["1", "社会保险参保信息维护", "养老保险待遇发放账户维护申请", "1.事项名称", "《社会保险法》",
             "公开事项信息形成或变更之日起20个工作日内公开", "乡镇人民政府", "■乡镇便民服务中心", "全文发布", "主动公开", "全社会", "乡级"]]
    _, items, problems = items_of(csv_bytes(rows), "pw.csv", {"domain": "social_insurance"})
    assert items[0]["mode"] == ["proactive"] and items[0]["audience"] == ["public"] and items[0]["tiers"] == ["township"]
    assert [p.params["value"] for p in problems if p.code == "vocabulary"] == ["全文发布"]


def test_our_own_field_names_as_a_one_row_header():
    rows = [["domain", "level1", "level2", "content", "basis", "time_limit", "subject", "channels", "audience", "mode",
             "tiers", "county_code", "county_name"],
            ["就业", "就业信息服务", "岗位信息发布", "1.招聘单位 2.岗位要求", "《就业促进法》", "公开事项信息形成或变更之日起20个工作日内公开",
             "乡镇人民政府", "政府网站、政务服务中心", "全社会", "主动", "县级、乡级", "530581", "腾冲市"]]
    _, items, problems = items_of(csv_bytes(rows), "own.csv", {"county_code": None, "county_name": None})
    assert items[0]["domain"] == "employment" and items[0]["channels"] == ["government_website", "service_center"]
    assert items[0]["tiers"] == ["county", "township"]
    assert problems == []


def test_gbk_csv_in_traditional_characters_is_read_simplified():
    rows = [["序號", "公開事項", "", "公開內容(要素)", "公開依據", "公開時限", "公開主體", "公開渠道和載體", "公開對象", "", "公開方式", "",
             "公開層級", ""],
            ["", "一級事項", "二級事項", "", "", "", "", "", "全社會", "特定群體", "主動", "依申請", "縣級", "鄉級"],
            ["1", "就業信息服務", "職業培訓信息發布", "招生指南", "《朝陽市人力資源和社會保障局關于進一步做好政府補貼項目培訓工作的通知》朝人社發〔2022〕25號",
             "長期", "凌源市勞動就業事務服務中心", "政府網站、政務服務中心、其他基層公共服務平臺", "√", "√", "√", "√", "", ""]]
    data = csv_bytes(rows, "gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    _, items, _ = items_of(data, "ly.csv", {"domain": "employment"})
    assert items[0]["level2"] == "职业培训信息发布"
    assert items[0]["subject"] == "凌源市劳动就业事务服务中心"
    assert items[0]["audience"] == ["public", "specific_groups"] and items[0]["mode"] == ["proactive", "on_request"]
    assert items[0]["parsed"]["time_limit"]["kind"] == "ongoing"
    assert items[0]["parsed"]["basis"][0]["number"] == "朝人社发〔2022〕25号"


def test_xlsx_merged_cells_are_filled():
    table, items, problems = items_of(make_xlsx_with_merges(), "bd.xlsx", {"domain": "social_assistance"})
    assert table.grid.sheet == "社会救助"
    assert [(i["level1"], i["level2"]) for i in items] == [
        ("综合业务", "政策法规文件"), ("综合业务", "监督检查"), ("最低生活保障", "政策法规文件"), ("最低生活保障", "审核信息")]
    assert items[3]["subject"] == "县级政府民政部门、乡镇政府(街道办事处)"  # vertically merged cell
    assert items[3]["parsed"]["time_limit"]["publicity_days"] == 7
    assert items[0]["tiers"] == ["county", "township", "village"]
    assert table.rows[3].row == 7  # spreadsheet row numbers, as the county sees them


def test_a_table_without_a_catalog_header():
    (grid,) = read_grids(csv_bytes([["name", "value"], ["a", "1"]]), "x.csv")
    table = read_table(grid)
    assert table.header is None and [p.code for p in table.problems] == ["no_header"]


def test_damaged_spreadsheet_and_zip_bomb_are_refused():
    with pytest.raises(ReadError) as exc:
        read_grids(b"PK\x03\x04 this is not a zip", "broken.xlsx")
    assert exc.value.problem.code == "file_unreadable"
    import zipfile
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(ReadError) as exc:
        read_grids(bomb.getvalue(), "bomb.xlsx")
    assert "inflates" in exc.value.problem.message("en")
