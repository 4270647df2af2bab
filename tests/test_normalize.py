"""The normalisers, on values copied from the real catalogs in shared/domain (samples, vocabularies.md)."""
import pytest

from ckanext_gkcatalog import normalize as norm


@pytest.mark.parametrize("text, kind, days, trigger, publicity", [
    ("公开事项信息形成或变更之日起20个工作日内公开", "deadline", 20, "formed_or_changed", None),
    ("公开事项 信息形成 或变更之 日起20个 工作日内 公开", "deadline", 20, "formed_or_changed", None),
    ("制定或获取信息之日起10个工作日内", "deadline", 10, "made_or_obtained", None),
    ("制 定 或 获 取 信 息之日起 10 个 工作日内", "deadline", 10, "made_or_obtained", None),
    ("制定或获取信息之日起10个工作日内,公示7个工作日", "deadline", 10, "made_or_obtained", 7),
    ("制定或获取扶持补贴政策之日起10个工作日内", "deadline", 10, "made_or_obtained", None),
    ("自信息形成或者变更之日起20个工作日内予以公开", "deadline", 20, "formed_or_changed", None),
    ("信息形成或变更之日起3个工作日内", "deadline", 3, "formed_or_changed", None),
    ("信息形成20个工作日内公开;其中行政许可、行政处罚事项应自作出行政决定之日起7个工作日内公示",
     "deadline", 20, "formed_or_changed", None),
    ("公開事項信息形成或變更之日起20個工作日內公開", "deadline", 20, "formed_or_changed", None),
    ("公示7个工作日", "publicity", None, None, 7),
    ("每20个工作日更新", "periodic", 20, None, None),
    ("及时公开", "immediate", None, None, None),
    ("实时公开", "immediate", None, None, None),
    ("長期", "ongoing", None, None, None),
    ("同上", "same_as_above", None, None, None),
    ("", "unknown", None, None, None),
])
def test_time_limit(text, kind, days, trigger, publicity):
    limit = norm.parse_time_limit(text)
    assert (limit.kind, limit.days, limit.trigger, limit.publicity_days) == (kind, days, trigger, publicity)


def test_time_limit_working_days_are_comparable():
    assert norm.parse_time_limit("制定或获取信息之日起10个工作日内").working_days == 10
    assert norm.parse_time_limit("及时公开").working_days == 0
    assert norm.parse_time_limit("長期").working_days is None
    assert norm.parse_time_limit("信息形成之日起7日内").working_days == pytest.approx(5)


def test_basis_with_numbers_and_revision_notes():
    text = ("1.《中华人民共和国政府信息公开条例》(中华人民共和国国务院令第711号) 2.《中华人民共和国就业促进法》"
            "(2007年8月30日第十届全国人民 代表大会常务委员会第二十九次会议通过) 3.《人力资源市场暂行条例》"
            "(中华人民共和国国务院令第700号)")
    assert norm.parse_basis(text) == [
        {"title": "中华人民共和国政府信息公开条例", "number": "中华人民共和国国务院令第711号", "note": None},
        {"title": "中华人民共和国就业促进法", "number": None,
         "note": "2007年8月30日第十届全国人民代表大会常务委员会第二十九次会议通过"},
        {"title": "人力资源市场暂行条例", "number": "中华人民共和国国务院令第700号", "note": None},
    ]


def test_basis_traditional_mirror_with_bare_numbers():
    text = ("《中華人民共和國政府信息公開條例》(中華人民共和國 國務院 令第711號)、關于進一步做好創業擔保貸款財政貼息工作的通知 "
            "遼財債〔2018〕206號、財金〔2018〕22號")
    entries = norm.parse_basis(text)
    assert entries[0] == {"title": "中华人民共和国政府信息公开条例", "number": "中华人民共和国国务院令第711号", "note": None}
    assert entries[1]["title"] == "关于进一步做好创业担保贷款财政贴息工作的通知"
    assert entries[1]["number"] == "辽财债〔2018〕206号、财金〔2018〕22号"


@pytest.mark.parametrize("text, titles, numbers", [
    ("《政府信息公开条例》、《社会保险法》、《国务院关于机关事业单位工作人员养老保险制度改革的决定》",
     ["政府信息公开条例", "社会保险法", "国务院关于机关事业单位工作人员养老保险制度改革的决定"], [None, None, None]),
    ("《社会救助暂行办法》 各地配套政策法规文件", ["社会救助暂行办法", "各地配套政策法规文件"], [None, None]),
    ("《国务院关于进一步健全特困人员救助供养制度的意见》(国发〔2016〕14号) 民政部关于印发《特困人员认定办法》的通知(民发〔2016〕178号)",
     ["国务院关于进一步健全特困人员救助供养制度的意见", "民政部关于印发《特困人员认定办法》的通知"],
     ["国发〔2016〕14号", "民发〔2016〕178号"]),
    ("《关于印发<汕头市民政局汕头市财政局高龄老人政府津贴发放办法>的通知》(汕民通[2017]133号)",
     ["关于印发<汕头市民政局汕头市财政局高龄老人政府津贴发放办法>的通知"], ["汕民通[2017]133号"]),
    ("3.《国务院关于机关事业单位工作人员养老保险制度改革的决定》(国发﹝2015﹞2号)",
     ["国务院关于机关事业单位工作人员养老保险制度改革的决定"], ["国发〔2015〕2号"]),
    ("信息公开规定", ["信息公开规定"], [None]),
])
def test_basis_entries(text, titles, numbers):
    entries = norm.parse_basis(text)
    assert [e["title"] for e in entries] == titles
    assert [e["number"] for e in entries] == numbers


def test_channel_checklist_with_filled_and_empty_boxes():
    text = ("■政府网站 □政府公报 □两微一端 □发布会/听证会 □广播电视 □纸质媒体 □公开查阅点 ■政府服务中心 □便民服务站 "
            "□入户/现场 □社区/企事业单位/村公示栏 (电子屏) □精准推送 □其他")
    result = norm.parse_channels(text)
    assert result.checklist
    assert result.selected == ["government_website", "service_center"]  # 政府服务中心 is the 民政 spelling
    assert "notice_board" in result.unselected and len(result.unselected) == 11


def test_channel_checklist_keeps_local_channels_and_wrapped_labels():
    result = norm.parse_channels("■政府网站\n□征地信息公开平台 □政务服务中心 □社区/企事业单位/村公示 栏(电子屏)")
    assert result.selected == ["government_website"]
    assert result.unselected == ["征地信息公开平台", "service_center", "notice_board"]
    local = norm.parse_channels("■政府网站 ■嘎查(社区)公示栏 ■三务公开")
    assert local.selected == ["government_website", "嘎查(社区)公示栏", "三务公开"]


def test_channel_box_glyph_kou_but_not_inside_a_name():
    assert norm.parse_channels("口政府网站 ■政务服务中心 口其他").selected == ["service_center"]
    venue = norm.parse_channels("■和平縣人民政府門戶網站 ■和平縣人社局一樓社會保險服務大廳辦事窗口")
    assert venue.selected == ["和平县人民政府门户网站", "和平县人社局一楼社会保险服务大厅办事窗口"]


@pytest.mark.parametrize("text, selected", [
    ("政府网站", ["government_website"]),
    ("政府網站、政務服務中心、其他基層公共服務平臺", ["government_website", "service_center", "其他基层公共服务平台"]),
    ("政府网站,公开查阅点,政务服务中心", ["government_website", "reading_point", "service_center"]),
    ("政府网站 党群服务中心", ["government_website", "党群服务中心"]),
    ("■入户/现场宣传", ["door_to_door"]),
])
def test_channel_plain_lists(text, selected):
    assert norm.parse_channels(text).selected == selected


@pytest.mark.parametrize("cell, ticked", [("√", True), (" √ ", True), ("✓", True), ("■", True), ("", False),
                                          (None, False), ("×", False), ("□", False), ("主动公开", None)])
def test_tick(cell, ticked):
    assert norm.tick(cell) is ticked


@pytest.mark.parametrize("name, number, rest", [
    ("1.1就业政策法规咨询", "1.1", "就业政策法规咨询"),
    ("1.就业信息 服务", "1", "就业信息服务"),
    ("2.2.2企业职工参加社会保险登记", "2.2.2", "企业职工参加社会保险登记"),
    ("0505 政务公开", "0505", "政务公开"),
    ("0507", "0507", ""),
    ("(一)综合业务", "一", "综合业务"),
    ("社会保险登记", "", "社会保险登记"),
    ("12333电话咨询服务", "", "12333电话咨询服务"),  # a hotline number is not numbering
    ("1.社會保險登記", "1", "社会保险登记"),
])
def test_strip_numbering(name, number, rest):
    assert norm.strip_numbering(name) == (number, rest)


def test_traditional_to_simplified_with_opencc():
    assert norm.to_simplified("就業領域基層政務公開標準目錄") == "就业领域基层政务公开标准目录"
    assert norm.to_simplified("職業介紹、職業指導和創業") == "职业介绍、职业指导和创业"


def test_wrapped_cjk_text_is_joined_but_list_separators_stay():
    assert norm.clean_text("乡镇人民 政府") == "乡镇人民政府"
    assert norm.clean_text("《中华人民共和国政府信息公开条例》(中华人民共和国 国务院 令第711号)") == \
        "《中华人民共和国政府信息公开条例》(中华人民共和国国务院令第711号)"
    assert norm.clean_text("1.事项名称 2.事项简述") == "1.事项名称 2.事项简述"
    assert norm.clean_text("《社会救助暂行办法》 各地配套政策法规文件") == "《社会救助暂行办法》 各地配套政策法规文件"


@pytest.mark.parametrize("text, tiers", [
    ("乡、村级", ["township", "village"]), ("镇、村级", ["township", "village"]), ("县级", ["county"]),
    ("区 级", ["county"]), ("镇街级", ["township"]), ("嘎查(社区)级", ["village"]), ("鄉、村級", ["township", "village"]),
    ("市级", ["city"]), ("县级、乡、村级", ["county", "township", "village"]),
])
def test_tiers(text, tiers):
    assert norm.parse_choice_list("tiers", text) == (tiers, [])


def test_choice_list_reports_unknown_spellings():
    assert norm.parse_choice_list("mode", "主动公开") == (["proactive"], [])
    assert norm.parse_choice_list("audience", "全社会 特定群众") == (["public", "specific_groups"], [])
    assert norm.parse_choice_list("tiers", "作业区") == ([], ["作业区"])


@pytest.mark.parametrize("text, elements", [
    ("1.事项名称 2.事项简述 3.办理材料", ["事项名称", "事项简述", "办理材料"]),
    ("●备案申请材料清单及样式 ●备案流程 ●办理部门", ["备案申请材料清单及样式", "备案流程", "办理部门"]),
    ("事项名称、事项简述、办理材料", ["事项名称", "事项简述", "办理材料"]),
    ("1.招聘单位2.岗位要求", ["招聘单位", "岗位要求"]),
])
def test_content_elements(text, elements):
    assert norm.content_elements(text) == elements


@pytest.mark.parametrize("text, expected", [
    ("县(xiàn)级", "县级"),
    ("公开(gōng kāi)", "公开(gōng kāi)"),  # a space: not a one-syllable gloss
    ("两微一端(app)", "两微一端(app)"),  # no tone mark: not a gloss
])
def test_pinyin_glosses_of_mirror_sites_are_removed(text, expected):
    assert norm.strip_pinyin_glosses(text) == expected


def test_spam_terms():
    assert norm.spam_terms("澳门新葡京娱乐城,注册送彩金") == ["葡京", "娱乐城", "注册送", "彩金"]
    assert norm.spam_terms("《中国福利彩票发行管理办法》、县民政局") == []
