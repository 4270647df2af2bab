"""A baseline revision (动态调整): two versions compared, and what the new one asks of a county."""
from types import SimpleNamespace

from ckanext_gkcatalog.baseline_changes import compare, made_missing
from ckanext_gkcatalog.normalize import parse_time_limit

from support import demo_baseline


def revised():
    """The demo social-assistance baseline revised: a shorter time limit, a renamed item, a removed item and a
    new one."""
    old = demo_baseline("social_assistance")
    new = demo_baseline("social_assistance")
    items = list(new.items)
    shorter = "制定或获取信息之日起5个工作日内"
    items[1].elements = {**items[1].elements, "time_limit": shorter,
                         "parsed": {**items[1].elements["parsed"], "time_limit": parse_time_limit(shorter).as_dict()}}
    items[2].level2 = "政策法规文件汇编"
    removed = items.pop(3)
    added = SimpleNamespace(code="social_assistance-01-09", level1="综合业务", level2="资金使用情况", level3=None,
                            elements={"content": "资金来源、使用情况"}, time_limit_days=None)
    new.items = items + [added]
    return old, new, removed


def test_two_versions_compared():
    old, new, removed = revised()
    changes = {c.kind: c for c in compare(old, new)}
    assert set(changes) == {"changed", "renamed", "removed", "added"} and len(compare(old, new)) == 4
    assert changes["changed"].elements["time_limit"][1] == "制定或获取信息之日起5个工作日内"
    assert changes["renamed"].old.level2 == "政策法规文件" and changes["renamed"].new.level2 == "政策法规文件汇编"
    assert changes["changed"].time_limit == "shorter"
    assert changes["removed"].old.code == removed.code and changes["added"].new.level2 == "资金使用情况"
    assert compare(old, demo_baseline("social_assistance")) == []


def test_what_a_revision_makes_missing_in_a_county():
    old, new, _ = revised()
    county = [SimpleNamespace(id=f"i{n}", level1=i.level1, level2=i.level2, level3=i.level3)
              for n, i in enumerate(old.items)]
    missing = made_missing(old, new, compare(old, new), county)
    # the renamed item (the county's 政策法规文件 now matches another L1's item of that name) and the new one
    assert [i.level2 for i in missing] == ["政策法规文件汇编", "资金使用情况"]
    declared = made_missing(old, new, compare(old, new), county, declared={"social_assistance-01-09"})
    assert [i.level2 for i in declared] == ["政策法规文件汇编"]
    without_first = county[1:]  # an item the county never had is not the revision's doing
    assert old.items[0].code not in {i.code for i in made_missing(old, new, compare(old, new), without_first)}
