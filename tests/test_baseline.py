"""Loading baselines: tables and YAML, versions, declared counts, and bad input that stores nothing."""
import pytest

from ckanext_gkcatalog.baseline import BaselineError, demo_baseline_files, load_baseline

from support import csv_bytes, make_xlsx_with_merges


def test_demo_baselines_are_labelled_partial_demos():
    files = demo_baseline_files()
    assert [f.name for f in files] == ["demo_elderly_care.yaml", "demo_employment.yaml",
                                       "demo_social_assistance.yaml", "demo_social_insurance.yaml"]
    for path in files:
        baseline = load_baseline(path.read_bytes(), path.name)
        assert baseline.is_demo and "DEMO" in baseline.notice and "演示" in baseline.notice
        assert baseline.items and all(i.code.startswith(baseline.domain) for i in baseline.items)


def test_declared_counts_are_checked_and_a_mismatch_is_reported():
    path = next(p for p in demo_baseline_files() if p.name == "demo_employment.yaml")
    baseline = load_baseline(path.read_bytes(), path.name)
    assert baseline.declared == {"level1": 9, "level2": 25}  # the national employment catalog
    assert baseline.found == {"level1": 1, "level2": 3}
    assert baseline.count_ok is False
    messages = [p.message("en") for p in baseline.problems if p.code == "declared_count_mismatch"]
    assert messages == ["demo_employment.yaml: declared 9 level 1 items, found 1",
                        "demo_employment.yaml: declared 25 level 2 items, found 3"]
    matching = load_baseline(path.read_bytes(), path.name, declared={"level1": 1, "level2": 3})
    assert matching.count_ok is True and not matching.problems


def test_table_baseline_in_the_county_format(data_dir):
    baseline = load_baseline((data_dir / "si_catalog_two_row_header.csv").read_bytes(), "si.csv", "社会保险")
    assert baseline.domain == "social_insurance"
    assert [i.code for i in baseline.items][:3] == ["social_insurance-01-01", "social_insurance-01-02",
                                                     "social_insurance-01-03"]
    assert baseline.items[5].code == "social_insurance-02-01"
    assert baseline.items[0].time_limit_days == 20
    assert baseline.items[0].elements["tiers"] == ["county", "township", "village"]


def test_xlsx_baseline():
    baseline = load_baseline(make_xlsx_with_merges(), "sa.xlsx", "social_assistance")
    assert [(i.code, i.level2) for i in baseline.items] == [
        ("social_assistance-01-01", "政策法规文件"), ("social_assistance-01-02", "监督检查"),
        ("social_assistance-02-01", "政策法规文件"), ("social_assistance-02-02", "审核信息")]
    assert baseline.items[3].elements["parsed"]["time_limit"]["publicity_days"] == 7


def errors_of(data, name, domain=None):
    with pytest.raises(BaselineError) as exc:
        load_baseline(data, name, domain)
    return exc.value.problems


def test_yaml_errors_name_file_item_and_field_in_both_languages():
    bad = """
domain: employment
items:
  - level1: 就业信息服务
    level2: 岗位信息发布
    mode: [主动, 偶尔]
  - level1: 就业信息服务
    level2: ""
  - level1: 就业信息服务
    level2: 岗位信息发布
""".encode()
    problems = errors_of(bad, "emp.yaml")
    assert [(p.code, p.location.row, p.location.field) for p in problems] == [
        ("vocabulary", 1, "mode"), ("required", 2, "level2"), ("duplicate_item", 3, None)]
    assert problems[0].message("zh") == "文件 emp.yaml,第1行,(公开方式):“公开方式”的值“偶尔”不在规范取值中"
    assert problems[0].message("en") == "emp.yaml, row 1, (Mode): value '偶尔' of 'Mode' is not in the vocabulary"
    assert problems[1].message("en") == "emp.yaml, row 2, (Level 2 item): required element 'Level 2 item' is empty"


def test_malformed_yaml_and_unknown_domain():
    (problem,) = errors_of(b"domain: employment\nitems: [level1: x\n", "broken.yaml")
    assert problem.code == "yaml_invalid" and problem.location.file == "broken.yaml"
    (problem,) = errors_of(b"domain: astrology\nitems: []\n", "astro.yaml")
    assert problem.message("en") == "astro.yaml, (Policy domain): unknown domain 'astrology'"
    (problem,) = errors_of(b"- just\n- a list\n", "list.yaml")
    assert problem.code == "baseline_invalid"


def test_table_errors_name_sheet_row_and_column():
    rows = [["序号", "一级事项", "二级事项", "公开内容", "公开时限", "公开方式", "相应领域"],
            ["1", "就业信息服务", "", "1.招聘单位", "20个工作日", "主动", "就业"],
            ["2", "就业信息服务", "岗位信息发布", "1.招聘单位", "20个工作日", "主动", "社会救助"]]
    problems = errors_of(csv_bytes(rows), "emp.csv", "employment")
    assert [(p.code, p.location.row, p.location.column) for p in problems] == [
        ("required", 2, "C"), ("domain_mismatch", 3, "G")]
    assert problems[1].message("zh") == "文件 emp.csv,第3行,G列(领域):该行属于领域“社会救助”,与本次载入的领域“employment”不符"


def test_table_needs_a_domain_and_a_header():
    (problem,) = errors_of(csv_bytes([["a", "b"]]), "t.csv")
    assert problem.code == "baseline_invalid"
    (problem,) = errors_of(csv_bytes([["a", "b"], ["1", "2"]]), "t.csv", "employment")
    assert problem.code == "no_header"
    (problem,) = errors_of(b"\x00\x01garbage", "t.xlsx", "employment")
    assert problem.code == "file_unreadable"
