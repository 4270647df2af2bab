"""Every domain (issue 18): the province's own domains from a data file, without a code change, shown by
every page, facet, template and check; a domain nothing is published in is a gap, scored 0; and a whole
domain a county declares not applicable (未涉及领域) is not."""
import io

import openpyxl
import pytest

from ckanext_gkcatalog.baseline import load_baseline
from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.schema import domain_label, reload_schema
from ckanext_gkcatalog.writers import write_catalog

from support import SETTINGS
from test_public import english_left

PROVINCE_DOMAINS = """domains:
  - code: statistics
    label: {zh_Hans_CN: 统计, en: Statistics}
    aliases: [统计工作]
  - {code: natural_resources, label: {zh_Hans_CN: 自然资源, en: Natural resources}}
"""
STATISTICS_BASELINE = """gk_baseline: 1
domain: 统计
title: 某省统计领域基层政务公开标准目录
items:
- {level1: 统计制度, level2: 统计调查项目, content: 项目名称、调查对象、调查内容, basis: 《中华人民共和国统计法》(主席令第15号),
   time_limit: 信息形成之日起20个工作日内, subject: 县统计局, channels: [政府网站], audience: [全社会], mode: [主动], tiers: [县级]}
- {level1: 统计制度, level2: 统计标准, content: 标准名称、标准内容, basis: 《中华人民共和国统计法》(主席令第15号),
   time_limit: 信息形成之日起20个工作日内, subject: 县统计局, channels: [政府网站], audience: [全社会], mode: [主动], tiers: [县级]}
- {level1: 统计数据, level2: 统计公报, content: 国民经济和社会发展统计公报, basis: 《中华人民共和国统计法》(主席令第15号),
   time_limit: 信息形成之日起20个工作日内, subject: 县统计局, channels: [政府网站], audience: [全社会], mode: [主动], tiers: [县级]}
"""


@pytest.fixture
def province_domains(tmp_path, monkeypatch):
    path = tmp_path / "domains.yaml"
    path.write_text(PROVINCE_DOMAINS, encoding="utf-8")
    monkeypatch.setenv("GKCATALOG_DOMAINS", str(path))
    reload_schema()
    yield path
    monkeypatch.delenv("GKCATALOG_DOMAINS")
    reload_schema()


def _statistics(store, county_site) -> list:
    """The statistics baseline loaded and the county's statistics catalog published and harvested; the
    county names the domain by its alias in the title, and the source has no domain of its own."""
    baseline = load_baseline(STATISTICS_BASELINE.encode(), "statistics.yaml")
    store.add_baseline(baseline)
    published = [dict(i.elements or {}, level1=i.level1, level2=i.level2, subject="青山县统计局", county_code="990101",
                      county_name="青山县") for i in baseline.items]
    (county_site.root / "tj.csv").write_bytes(write_catalog(published, "csv", "青山县统计工作领域基层政务公开标准目录"))
    harvest(store, [store.add_source("990101", f"{county_site.url}/tj.csv", "csv", None)], SETTINGS)
    return published


def test_a_province_adds_its_own_domains_in_a_data_file(province_domains, store, county_site, app):
    published = _statistics(store, county_site)
    items = store.items("990101", "statistics")
    assert len(items) == len(published) and domain_label("statistics") == "统计"
    assert domain_label("statistics", "en") == "Statistics"
    client = app.test_client()
    overview = client.get("/").get_data(as_text=True)
    assert "统计" in overview and "/baseline/statistics" in overview
    county = client.get("/county/990101").get_data(as_text=True)
    assert 'id="statistics"' in county and "统计调查项目" in county
    search = client.get("/search?q=统计公报").get_data(as_text=True)
    assert "统计" in search and "统计公报" in search
    facets = client.get("/api/3/action/package_search?facet.field=[\"domain\"]&rows=0").get_json()["result"]
    assert {"name": "statistics", "display_name": "统计", "count": len(published)} in \
        facets["search_facets"]["domain"]["items"]
    template = client.get("/template/statistics.xlsx")
    assert template.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(template.data)).active
    assert any("统计" in str(c.value or "") for row in sheet.iter_rows(max_row=3) for c in row)
    # the checker reads a catalog of the new domain, named in its title
    upload = write_catalog(published[:2], "xlsx", "青山县统计领域基层政务公开标准目录")
    checked = client.post("/check", data={"file": (io.BytesIO(upload), "tj.xlsx")}, content_type="multipart/form-data")
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "统计" in page and "统计数据 / 统计公报" in page  # the one left out
    assert not english_left(page) - {"xlsx"}  # the file name, tj.xlsx
    english = client.get("/search?q=统计公报&lang=en").get_data(as_text=True)
    assert "Statistics" in english


def test_a_domain_file_that_cannot_be_used_is_a_clear_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ckanext_gkcatalog.cli.main import main

    bad = tmp_path / "domains.yaml"
    for text, zh in [("domains:\n  - {code: Stats, label: 统计}\n", "第1个领域:代码“Stats”"),
                     ("domains:\n  - {code: stats}\n", "缺少中文名称"),
                     ("domains: [\n", "不是有效的 YAML"),
                     ("domains:\n  - {code: stats, label: 统计}\n  - {code: stats, label: 统计}\n", "第2个领域:代码“stats”重复")]:
        bad.write_text(text, encoding="utf-8")
        monkeypatch.setenv("GKCATALOG_DOMAINS", str(bad))
        reload_schema()
        result = CliRunner().invoke(main, ["domains"])
        assert result.exit_code == 1 and zh in result.output and "domains.yaml" in result.output
        assert "Traceback" not in result.output
    monkeypatch.delenv("GKCATALOG_DOMAINS")
    reload_schema()


def test_an_unpublished_domain_is_a_gap_unless_declared_not_applicable(province_domains, store, county_site, app):
    store.add_baseline(load_baseline(STATISTICS_BASELINE.encode(), "statistics.yaml"))
    from ckanext_gkcatalog.assess import assess

    assess(store)  # the county publishes social assistance only: statistics is a gap, scored 0
    snapshots = {s.domain: s for s in store.latest_snapshots(county_code="990101")}
    assert snapshots["statistics"].score == 0 and snapshots["statistics"].details["not_published"]
    rules = [f.rule for f in store.current_findings("990101", "statistics", snapshots["statistics"].id)]
    assert rules == ["domain_not_published"]
    client = app.test_client()
    overview = client.get("/").get_data(as_text=True)
    assert "0 未发布" in overview
    mean_before = client.get("/api/3/action/gkcatalog_overview").get_json()["result"]["ranking"][0]["score"]
    assert mean_before == pytest.approx(snapshots["social_assistance"].score / 2, abs=0.1)

    client.post("/login", data={"name": "admin", "password": "s3cret"})
    page = client.get("/county/990101").get_data(as_text=True)
    assert "未发布本领域的目录" in page and 'name="whole_domain" value="statistics"' in page
    client.post("/admin/county/990101/decide", data={"whole_domain": "statistics", "reason": "本县未设统计调查点"})
    page = client.get("/county/990101").get_data(as_text=True)
    assert "不涉及的领域" in page and "本县未设统计调查点" in page and 'id="statistics"' not in page
    ranking = client.get("/api/3/action/gkcatalog_overview").get_json()["result"]["ranking"]
    assert ranking[0]["score"] == pytest.approx(snapshots["social_assistance"].score, abs=0.1)  # not a gap
    assert 'title="已声明整体不涉及">未涉及</span>' in client.get("/").get_data(as_text=True)  # its cell, drawn anew
    gaps = client.get("/export/gaps.csv").get_data(as_text=True)
    assert "统计调查项目" not in gaps
    assess(store)  # assessing again never scores a domain declared not applicable
    assert "statistics" not in {s.domain for s in store.latest_snapshots(county_code="990101")
                                if s.id > snapshots["statistics"].id}
    (decision,) = store.domains_not_applicable(["990101"]).values()
    client.post("/admin/county/990101/decide", data={"undo": str(decision.id)})  # withdrawn: a gap again
    assert "0 未发布" in client.get("/").get_data(as_text=True)
