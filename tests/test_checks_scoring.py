"""Compliance checks and the score, on plain data."""
from datetime import datetime, timedelta, timezone

from ckanext_gkcatalog.checks import (Published, check_item, county_problems, duplicate_problems, item_problems,
                                      name_key)
from ckanext_gkcatalog.items import read_elements
from ckanext_gkcatalog.matching import BaselineEntry, CountyEntry, match_items
from ckanext_gkcatalog.scoring import RATINGS, WEIGHTS, Tally, filled, freshness, rating, score_county

NOW = datetime(2026, 11, 21, tzinfo=timezone.utc)
GOOD = {"content": "政策文件名称、文号", "basis": "《社会救助暂行办法》(国务院令第649号)",
        "time_limit": "信息形成或变更之日起20个工作日内", "subject": "县民政局", "channels": ["government_website"],
        "audience": ["public"], "mode": ["proactive"], "tiers": ["county"], "domain": "social_assistance",
        "county_code": "990101", "county_name": "青山县", "level1": "综合业务", "level2": "政策法规文件"}
BASELINE = {"sa-01": {"level1": "综合业务", "level2": "政策法规文件", "time_limit": "20个工作日内", "time_limit_days": 20},
            "sa-02": {"level1": "综合业务", "level2": "监督检查", "time_limit": "10个工作日内", "time_limit_days": 10},
            "sa-03": {"level1": "综合业务", "level2": "办事指南", "time_limit": None, "time_limit_days": None}}


def item(item_id, **changes):
    fields = {**GOOD, **changes}
    parsed = {}
    read_elements({**fields, "parsed": parsed})
    return {"id": item_id, "level1": fields["level1"], "level2": fields["level2"], "level3": None, "fields": fields,
            "parsed": parsed, "location": {"url": "http://county/sa.html", "at": "table 1#5"}}


def codes(problems):
    return sorted(p.code for p in problems)


def test_a_good_item_has_no_findings():
    assert check_item(item("a"), BASELINE["sa-01"]) == []


def test_item_rules():
    bad = item("b", level2="监督检查", time_limit="信息形成之日起30个工作日内", basis="《社会救助暂行办法》",
               audience=[], mode=["sometimes"],
               content="低保对象张三,身份证号110101199003074514,电话13812345678;编号110101199003074515")
    problems = check_item(bad, BASELINE["sa-02"])
    assert codes(problems) == ["basis_without_number", "personal_id_number", "personal_mobile", "time_limit_longer",
                               "unmarked", "vocabulary"]  # the second 18-digit number fails its checksum
    unmarked = next(p for p in problems if p.code == "unmarked")
    assert unmarked.message("zh") == "文件 http://county/sa.html,工作表 table 1,第5行,(公开对象):未标注“公开对象”"
    assert "110101199003074514" in next(p for p in problems if p.code == "personal_id_number").message("en")


def test_county_rules_duplicates_overlaps_platforms_and_staleness():
    items = [item("a"), item("b", level1="一、综合业务", level2="1.政策法规文件"), item("c", level2="办事指引")]
    entries = [BaselineEntry(code, b["level1"], b["level2"]) for code, b in BASELINE.items()]
    result = match_items(entries, [CountyEntry(i["id"], i["level1"], i["level2"]) for i in items])
    assert [codes(item_problems(i, result.matches[i["id"]], BASELINE)) for i in items] == [
        [], [], ["overlapping_addition"]]
    doubles = duplicate_problems([dict(i, name_key=name_key(i)) for i in items])
    assert list(doubles) == ["b"] and "综合业务 / 政策法规文件" in doubles["b"].message("zh")
    published = [Published(1, "http://county/sa.html", NOW - timedelta(days=500), ["a", "b", "c"]),
                 Published(2, "http://county/ckan", NOW - timedelta(days=800), ["a", "b"])]
    county = county_problems(published, NOW)
    assert codes(county) == ["platform_mismatch", "stale_catalog"]
    assert "500" in next(p for p in county if p.code == "stale_catalog").message("en")


def test_score_weights_bands_and_not_applicable():
    assert sum(WEIGHTS.values()) == 100 and [b for b, _ in RATINGS] == sorted((b for b, _ in RATINGS), reverse=True)
    assert (rating(95), rating(80), rating(60), rating(10)) == ("excellent", "good", "sufficient", "insufficient")
    assert (freshness(NOW, NOW), freshness(NOW - timedelta(days=730), NOW), freshness(None, NOW)) == (1.0, 0.5, 0.0)
    assert (filled(item("a")["fields"]), filled(item("b", audience=[])["fields"])) == (1.0, 7 / 8)
    # three baseline items, one declared N/A; two items, both matched, one with an error (audience unmarked)
    tally = Tally(baseline_items=3, not_applicable=1, present=2, items=2, added=0, filled=1 + 7 / 8, with_errors=1,
                  with_warnings_only=0, errors=1, warnings=0)
    score = score_county(tally, NOW - timedelta(days=10), NOW)
    assert (score.coverage, score.compliance, score.freshness) == (1.0, 0.5, 1.0)  # sa-03 N/A: not a gap
    assert score.completeness == round((1 + 7 / 8) / 2, 4)
    assert score.score == round(40 * 1 + 20 * score.completeness + 30 * 0.5 + 10 * 1, 1)
    assert score.details["not_applicable"] == 1 and score.details["missing"] == 0 and score.rating == "good"
    warned = score_county(Tally(3, 0, 1, 2, 1, 2.0, 0, 1, 0, 1), None, NOW)  # a warning costs half an item
    assert (warned.coverage, warned.compliance, warned.freshness, warned.details["missing"]) == (
        round(1 / 3, 4), 0.75, 0.0, 2)
