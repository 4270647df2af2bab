"""The rules of the policy texts (shared/domain/policy): the negative list (Rizhao 2019, 附件1) and the element
rules (Henan 2020, the national guide), on made-up items that break them and on real items that obey them
(tests/data/real_items.yaml, copied from shared/domain/samples)."""
import openpyxl
import pytest
import yaml

from ckanext_gkcatalog import negative_list as negative
from ckanext_gkcatalog.checks import check_item
from ckanext_gkcatalog.normalize import clean_text, parse_channels
from ckanext_gkcatalog.scoring import RULE_WEIGHTS, Tally, item_penalty, score_county

POLICY_RULES = {"negative_list", "basis_cites_article", "vague_subject", "channels_unspecified",
                "service_guide_incomplete"}


def item(**fields):
    base = {"domain": "social_assistance", "level1": "综合业务", "level2": "政策法规文件", "content": "政策文件",
            "basis": "《社会救助暂行办法》(国务院令第649号)", "subject": "青山县民政局", "channels": ["government_website"],
            "audience": ["public"], "mode": ["proactive"], "tiers": ["county"]}
    return {"fields": {**base, **fields}, "parsed": {}, "location": {}}


def rules(found) -> dict:
    return {p.code: p for p in found if p.code in POLICY_RULES}


def forget_list():
    negative.negative_list.cache_clear()


@pytest.fixture(autouse=True)
def fresh_list(monkeypatch):
    forget_list()
    yield
    forget_list()


@pytest.mark.parametrize("fields, category", [
    ({"level2": "局长办公会议纪要"}, "不作为行政管理依据的内部管理信息"),
    ({"content": "关于低保资金的请示及批复"}, "过程性信息"),
    ({"level2": "信访件办理", "content": "信访人姓名、信访内容"}, "信访、举报或咨询类事项"),
    ({"content": "行政执法案卷"}, "应当依照有关法律、法规规定查阅的案卷材料"),
    ({"content": "已移交的档案信息"}, "档案信息"),
    ({"content": "救助对象家庭住址、银行账号"}, "商业秘密、个人隐私等公开会损害第三方合法权益的信息"),
    ({"content": "涉密文件目录"}, "危及国家安全、公共安全、经济安全、社会稳定的信息"),
    ({"content": clean_text("政策文件(討論稿)")}, "过程性信息"),  # as the parser folds traditional characters
])
def test_the_negative_list_flags_an_item_with_its_category_and_basis(fields, category):
    (found,) = [p for p in check_item(item(**fields), None) if p.code == "negative_list"]
    assert found.params["category"] == category and found.severity == "warning"
    assert "依据《" in found.text("zh") and "check that it may be disclosed" in found.text("en")


@pytest.mark.parametrize("fields", [
    {"level2": "社会保险档案查询", "content": "档案查询服务、档案转移接续"},
    {"level2": "监督检查", "content": "1.社会救助信访通讯地址 2.社会救助投诉举报电话"},
    {"level2": "就业政策法规咨询", "content": "政策咨询、咨询电话"},
    {"content": "规范性文件征求意见稿"},
    {"content": "低保对象名单(涉及个人隐私的除外)"},
    {"level2": "老年人健康档案", "content": "建立健康档案"},
    {"content": "申请材料:身份证复印件、户口簿复印件等"},
])
def test_words_in_their_allowed_contexts_are_not_flagged(fields):
    assert "negative_list" not in rules(check_item(item(**fields), None))


def test_the_element_rules():
    found = rules(check_item(item(basis="《中华人民共和国政府信息公开条例》第十九条、第二十条",
                                  subject="各相关部门、相关科室", channels=["government_website", "other"]), None))
    assert set(found) == {"basis_cites_article", "vague_subject", "channels_unspecified"}
    assert found["basis_cites_article"].params["value"] == "第十九条"
    assert "要具体说明渠道或载体的全称" in found["channels_unspecified"].text("zh")
    # a number, a session or a date is not an article; a named unit is a standard name
    assert not rules(check_item(item(basis="《社会保险法》(2010年10月28日第十一届全国人民代表大会常务委员会第十七次会议通过)",
                                     subject="双槐镇劳动就业和社会保障服务所、各村(社区)服务站"), None))
    assert "channels_unspecified" in rules(check_item(item(channels=parse_channels("□政府网站■其他( )").selected), None))
    assert not rules(check_item(item(channels=parse_channels("■政府网站■其他:村务公开栏").selected), None))


def test_a_service_guide_is_checked_against_its_baseline_item_or_its_domains_list():
    guide = item(level1="最低生活保障", level2="办事指南", content="办理事项、申请材料、办理时间、地点")
    (found,) = [p for p in check_item(guide, None) if p.code == "service_guide_incomplete"]
    assert found.params["missing"] == "办理条件、办理流程、联系方式"
    baseline = {"content": "办理事项、办理条件、最低生活保障标准、申请材料、办理流程、办理时间、地点、联系方式",
                "level1": "最低生活保障", "level2": "办事指南", "time_limit_days": None}
    against = [p for p in check_item(guide, baseline) if p.code == "service_guide_incomplete"]
    assert against[0].params["missing"] == "办理条件、最低生活保障标准、办理流程、联系方式"
    reworded = item(level2="办事指南", content="办理事项、办理条件、低保标准、申请材料、办理流程、办理时间、地点、联系方式")
    assert "service_guide_incomplete" not in rules(check_item(reworded, baseline))
    # an item listing service-guide elements is a guide too, against its baseline item
    listed = item(level2="养老机构备案", content="备案申请材料清单及样式、备案流程、咨询电话")
    assert "service_guide_incomplete" in rules(check_item(listed, {"content": "●备案申请材料清单及样式 ●备案流程 ●办理部门 ●办理时限 ●咨询电话",
                                                                    "time_limit_days": None}))


def test_real_items_that_obey_the_rules_get_no_finding(data_dir):
    real = yaml.safe_load((data_dir / "real_items.yaml").read_text(encoding="utf-8"))
    assert len(real) == 10
    for entry in real:
        fields = {k: entry[k] for k in ("domain", "level1", "level2", "content", "basis", "subject")}
        fields["channels"] = parse_channels("、".join(entry["channels"])).selected
        assert not rules(check_item(item(**fields), None)), entry["source"]


def test_a_province_replaces_or_extends_the_list_from_yaml_or_xlsx(tmp_path, monkeypatch):
    own = tmp_path / "list.yaml"
    own.write_text(yaml.safe_dump({"categories": [{"id": "drafts", "name": {"zh": "草稿", "en": "drafts"},
                                                   "basis": "本省规定", "words": ["草稿"]}]}, allow_unicode=True),
                   encoding="utf-8")
    monkeypatch.setenv("GKCATALOG_NEGATIVE_LIST", str(own))
    assert [c.id for c in negative.negative_list()] == ["drafts"]
    assert rules(check_item(item(content="文件草稿"), None))["negative_list"].params["basis"] == "本省规定"
    assert "negative_list" not in rules(check_item(item(level2="会议纪要"), None))  # replaced, not extended

    book = openpyxl.Workbook()
    book.active.append(["id", "name_zh", "name_en", "basis", "words", "allowed"])
    book.active.append(["ledger", "台账", "ledgers", "县规定", "工作台账、内部台账", "公开台账"])
    extra = tmp_path / "extra.xlsx"
    book.save(extra)
    monkeypatch.delenv("GKCATALOG_NEGATIVE_LIST")
    monkeypatch.setenv("GKCATALOG_NEGATIVE_LIST_EXTRA", str(extra))
    forget_list()
    assert len(negative.negative_list()) == 9
    assert rules(check_item(item(content="工作台账"), None))["negative_list"].params["category"] == "台账"
    assert "negative_list" not in rules(check_item(item(content="公开台账"), None))
    bad = tmp_path / "bad.yaml"
    bad.write_text("categories: [{name: x}]\n", encoding="utf-8")
    monkeypatch.setenv("GKCATALOG_NEGATIVE_LIST", str(bad))
    forget_list()
    with pytest.raises(negative.NegativeListError, match="needs an id and words"):
        negative.negative_list()


def test_each_rule_weighs_what_scoring_declares():
    assert item_penalty([("basis_cites_article", "warning")]) == RULE_WEIGHTS["basis_cites_article"] == 0.25
    assert item_penalty([("basis_cites_article", "warning"), ("personal_mobile", "error")]) == 1.0
    assert item_penalty([]) == 0.0
    light = score_county(Tally(1, 0, 1, 1, 0, 1.0, 0, 1, 0, 1, penalty=0.25), None, None)
    assert light.compliance == 0.75
