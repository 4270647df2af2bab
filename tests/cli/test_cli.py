"""The gkcatalog command line, on SQLite and PostgreSQL."""
import json

import click
import pytest
from click.testing import CliRunner

from ckanext_gkcatalog.cli import main

from support import csv_bytes


def run(db_url, *args, lang="zh"):
    result = CliRunner().invoke(main, ["--db", db_url, "--lang", lang, *args], catch_exceptions=False)
    return result


def all_commands(group, prefix=()):
    """Every command path, as click lists them (the main group loads its commands on demand)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        yield (*prefix, name)
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [()] + list(all_commands(main)), ids=lambda p: " ".join(p) or "gkcatalog")
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "用法:" in result.output  # Chinese by default (the help in English: --lang en)
    assert len(result.output.splitlines()) > 3


def test_init_and_demo_baselines(db_url):
    result = run(db_url, "init")
    assert result.exit_code == 0 and "迁移版本 0010" in result.output
    result = run(db_url, "baseline", "demo")
    assert result.exit_code == 0
    assert "已载入 就业 基准目录 第1版:3 个事项,1 L1 / 3 L2(声明 9 / 25),已启用" in result.stdout
    assert "声明一级事项9个,实际读到1个" in result.stderr
    listed = json.loads(run(db_url, "baseline", "list", "--format", "json").stdout)
    assert [(b["domain"], b["version"], b["active"], b["count_ok"]) for b in listed] == [
        ("elderly_care", 1, True, None), ("employment", 1, True, False),
        ("social_assistance", 1, True, None), ("social_insurance", 1, True, False)]
    table = run(db_url, "baseline", "list", lang="en").stdout
    assert "MISMATCH" in table and "(demo)" in table


def test_load_a_table_and_show_it(db_url, data_dir):
    result = run(db_url, "baseline", "load", str(data_dir / "si_catalog_two_row_header.csv"), "--domain", "社会保险",
                 "--declared-l1", "2", "--declared-l2", "7", lang="en")
    assert result.exit_code == 0, result.output
    assert "Loaded Social insurance baseline version 1: 7 items, 2 L1 / 7 L2 (declared 2 / 7), active" in result.stdout
    shown = json.loads(run(db_url, "baseline", "show", "social_insurance", "--format", "json").stdout)
    assert shown["count_ok"] is True and len(shown["items"]) == 7
    assert shown["items"][3]["level2"] == "职工参保登记"
    text = run(db_url, "baseline", "show", "社会保险").stdout
    assert "social_insurance-02-02" in text and "个人基本信息变更" in text


def test_bad_file_reports_every_error_and_stores_nothing(db_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["序号", "一级事项", "二级事项", "公开内容", "公开时限", "公开方式"],
                               ["1", "就业信息服务", "", "1.招聘单位", "20个工作日", "主动"],
                               ["2", "就业信息服务", "岗位信息发布", "1.招聘单位", "20个工作日", "主动;偶尔"]]))
    result = run(db_url, "baseline", "load", str(bad), "--domain", "employment")
    assert result.exit_code == 1
    assert "文件 bad.csv,第2行,C列(二级事项):缺少必填要素“二级事项”" in result.stderr
    assert "文件 bad.csv,第3行,F列(公开方式):“公开方式”的值“偶尔”不在规范取值中" in result.stderr
    assert "基准目录未载入,数据库未作任何改动。" in result.stderr
    assert json.loads(run(db_url, "baseline", "list", "--format", "json").stdout) == []


def test_strict_refuses_a_count_mismatch(db_url, data_dir):
    result = run(db_url, "baseline", "load", str(data_dir / "si_catalog_two_row_header.csv"), "-d", "social_insurance",
                 "--strict", lang="en")
    assert result.exit_code == 1 and "declared 78 level 2 items, found 7" in result.stderr
    assert json.loads(run(db_url, "baseline", "list", "--format", "json").stdout) == []


def test_activate_and_unknown_domain(db_url):
    run(db_url, "baseline", "demo")
    run(db_url, "baseline", "demo")
    assert run(db_url, "baseline", "activate", "就业", "1").exit_code == 0
    listed = json.loads(run(db_url, "baseline", "list", "--format", "json").stdout)
    assert [(b["version"], b["active"]) for b in listed if b["domain"] == "employment"] == [(1, True), (2, False)]
    assert run(db_url, "baseline", "activate", "employment", "7").exit_code == 1
    result = run(db_url, "baseline", "show", "astrology", lang="en")
    assert result.exit_code == 1 and "unknown domain 'astrology'" in result.stderr


def test_demo_without_serving_harvests_scores_and_summarises(db_url):
    from ckanext_gkcatalog.store import Store

    result = run(db_url, "demo", "--no-serve", "--counties", "6", "--processes", "1", lang="en")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Demo province: 6 counties")
    header = next(line for line in lines if line.startswith("code"))
    assert "Social assistance" in header and header.rstrip().endswith("mean")
    store = Store(db_url)
    assert {s.county_code for s in store.latest_snapshots()} == {c.code for c in store.counties()}
    assert len(store.counties()) == 6 and all(c.code.startswith("99") for c in store.counties())
    again = run(db_url, "demo", "--no-serve", "--counties", "6", "--processes", "1", lang="en")  # the same database
    assert again.exit_code == 0 and len(Store(db_url).sources()) == len(store.sources())
    decided = run(db_url, "decide", "list", "990101", lang="en")
    assert decided.exit_code == 0
