"""Matching county items to baseline items: normalised exact names, L1 tie-breaks, fuzzy with a threshold,
manual mappings, not-applicable items, L3 breakdowns and overlapping additions."""
from ckanext_gkcatalog.matching import BaselineEntry, CountyEntry, match_items, match_key

BASELINE = [
    BaselineEntry("social_assistance-01-01", "综合业务", "政策法规文件"),
    BaselineEntry("social_assistance-01-02", "综合业务", "监督检查"),
    BaselineEntry("social_assistance-02-01", "最低生活保障", "政策法规文件"),
    BaselineEntry("social_assistance-02-02", "最低生活保障", "审核信息"),
    BaselineEntry("social_assistance-03-01", "特困人员救助供养", "办事指南"),
]


def test_match_key_ignores_numbering_punctuation_spaces_and_traditional():
    assert match_key("2.2 政策法規 文件") == match_key("(二)政策法规文件") == "政策法规文件"


def test_exact_fuzzy_parent_manual_and_additions():
    items = [
        CountyEntry("a", "1.综合业务", "1.1政策法规文件"),
        CountyEntry("b", "最低生活保障", "政策法規文件"),  # same name as a; its L1 decides
        CountyEntry("c", "最低生活保障", "低保审核信息公示"),  # lengthened: fuzzy
        CountyEntry("h", "最低生活保障", "审核结果信息"),  # close, not close enough: an overlapping addition
        CountyEntry("d", "综合业务", "监督检查事项"),  # fuzzy
        CountyEntry("e", "特困人员救助供养", "办事指南", "特困人员认定"),  # an L3 under a baseline L2
        CountyEntry("f", "本地特色", "冬季取暖补贴"),  # an addition
        CountyEntry("g", "其他", "特困供养指南"),  # mapped by hand
    ]
    result = match_items(BASELINE, items, mappings={"g": "social_assistance-03-01"},
                         not_applicable={"social_assistance-02-02", "social_assistance-01-03"})
    m = result.matches
    assert (m["a"].code, m["a"].method, m["a"].score) == ("social_assistance-01-01", "exact", 100.0)
    assert (m["b"].code, m["b"].method) == ("social_assistance-02-01", "exact")
    assert m["d"].method == "fuzzy" and m["d"].code == "social_assistance-01-02" and 85 <= m["d"].score < 100
    assert (m["e"].code, m["e"].method) == ("social_assistance-03-01", "parent")
    assert (m["g"].code, m["g"].method) == ("social_assistance-03-01", "manual")
    assert m["f"].code is None and m["f"].overlaps is None
    assert (m["c"].code, m["c"].method, m["c"].score) == ("social_assistance-02-02", "fuzzy", 90.0)
    assert m["h"].code is None and m["h"].overlaps == "social_assistance-02-02"
    assert result.status("social_assistance-02-02") == "present"  # declared N/A, yet published: present
    assert result.status("social_assistance-03-01") == "present" and result.covered["social_assistance-03-01"] == ["e", "g"]
    assert result.status("social_assistance-01-03") == "not_applicable"
    assert {c: result.status(c) for c in ("social_assistance-01-01", "social_assistance-01-02")} == {
        "social_assistance-01-01": "present", "social_assistance-01-02": "present"}


def test_threshold_is_a_parameter():
    items = [CountyEntry("d", "综合业务", "监督检查事项")]
    assert match_items(BASELINE, items, threshold=99).matches["d"].code is None
