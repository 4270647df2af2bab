"""What a CKAN admin and the public see of the items in CKAN's own pages (issue 17): facets on /dataset with
labels, the content as description with county and L1 beside each result, the type's name translated, the
dashboards' links keeping CKAN's locale, translated auth errors, and the standalone portal's own accounts,
server and login left out; the "Harvest now" button and `ckan gkcatalog harvest` reading ckan.ini."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ckan.tests import factories, helpers
from servers import LocalServer

from ckanext_gkcatalog.baseline import demo_baseline_files, load_baseline
from ckanext_gkcatalog.demo.province import baseline_items
from ckanext_gkcatalog.writers import write_catalog

pytestmark = pytest.mark.ckan_config("ckan.plugins", "scheming_datasets gkcatalog")
TITLE = "青山县社会救助领域基层政务公开标准目录"


def _harvested(gk_store, tmp_path, server, count=4):
    """A county source harvested through the extension's action: its items are CKAN datasets."""
    path = next(p for p in demo_baseline_files() if p.name == "demo_social_assistance.yaml")
    baseline = load_baseline(path.read_bytes(), path.name)
    gk_store.add_baseline(baseline)
    gk_store.upsert_county("990101", "青山县")  # no city: the county's title has no dangling separator
    published = [dict(i, subject="青山县民政局", county_code="990101", county_name="青山县",
                      channels=[*i.get("channels", []), "村务公开栏"]) for i in baseline_items(baseline)][:count]
    (tmp_path / "sa.html").write_bytes(write_catalog(published, "html", TITLE))
    factories.Organization(name="990101", title="青山县")
    source = gk_store.add_source("990101", f"{server.url}/sa.html", "html", "social_assistance")
    return source, published


def test_items_on_dataset_search_have_labelled_facets_descriptions_and_context(app, gk_store, tmp_path):
    with LocalServer(str(tmp_path)) as server:
        source, published = _harvested(gk_store, tmp_path, server)
        helpers.call_action("gkcatalog_harvest_source", {"ignore_auth": True}, source_id=source.id)
    page = app.get("/dataset/", status=200).body
    assert 'nav aria-label="领域"' in page and 'nav aria-label="公开渠道' in page  # the items' facets on /dataset too
    labels = re.findall(r'<span class="item-label">([^<]*)</span>', page)
    assert {"社会救助", "政府网站", "村务公开栏"} <= set(labels), labels
    assert not {"social_assistance", "government_website"} & set(labels)
    assert "There is no description" not in page and "没有描述" not in page
    first = published[0]
    assert first["content"][:20] in page  # the content is each result's description
    assert f"青山县 · 社会救助 · {first['level1']}" in page
    english = app.get("/en/dataset/", status=200).body
    assert "Social assistance" in english and "Government website" in english and "Policy domain" in english
    typed = app.get("/gk-catalog-item/", status=200).body
    assert "公开事项" in typed and "Gk-catalog-item" not in typed and "gk-catalog-item" not in re.sub(r'"[^"]*"', "", typed)
    assert "Disclosure item" in app.get("/en/gk-catalog-item/", status=200).body


def test_dashboards_in_ckan_keep_the_locale_and_link_items_to_their_datasets(app, gk_store, tmp_path):
    with LocalServer(str(tmp_path)) as server:
        source, _ = _harvested(gk_store, tmp_path, server, count=2)
        helpers.call_action("gkcatalog_harvest_source", {"ignore_auth": True}, source_id=source.id)
    page = app.get("/en/gkcatalog/county/990101", status=200).body
    links = re.findall(r'href="(/[^"]*)"', page)
    ours = [link for link in links if "gkcatalog" in link and "static" not in link]
    assert ours and all(link.startswith("/en/") for link in ours), ours
    (item,) = gk_store.items("990101")[:1]
    assert f"/en/gk-catalog-item/gk-{item.id}" in links or f"/en/dataset/gk-{item.id}" in links
    zh = app.get("/gkcatalog/county/990101", status=200).body
    assert "<small>990101</small>" in zh  # no city: no "990101 · "
    app.get("/gkcatalog/login", status=404)  # CKAN's own accounts only
    assert app.get("/gkcatalog/admin/sources", follow_redirects=False).status_code in (302, 403)


def test_auth_errors_are_in_the_page_language(app, gk_store):
    stranger = factories.User()
    token = factories.APIToken(user=stranger["name"])["token"]
    gk_store.upsert_county("990101", "青山县")
    source = gk_store.add_source("990101", "http://127.0.0.1:9/sa.html", "html", "social_assistance")
    answer = app.post("/api/3/action/gkcatalog_harvest_source", json={"source_id": source.id},
                      headers={"Authorization": token}, status=403)
    assert "只有系统管理员" in json.dumps(answer.json, ensure_ascii=False)


def test_the_command_line_inside_ckan_has_no_accounts_or_server_and_reads_ckan_ini(cli, gk_store, tmp_path):
    from ckan.cli.cli import ckan

    listed = cli.invoke(ckan, ["gkcatalog", "--help"])
    assert listed.exit_code == 0 and "sync-datasets" in listed.output
    assert not re.search(r"^\s+(user|serve|demo)\s", listed.output, re.M), listed.output
    with LocalServer(str(tmp_path)) as server:
        source, published = _harvested(gk_store, tmp_path, server, count=3)
        # no --allow-network: ckan.ini's ckanext.gkcatalog.allow_networks lets the harvest reach 127.0.0.1
        result = cli.invoke(ckan, ["gkcatalog", "harvest", "--source", str(source.id)])
    assert result.exit_code == 0, result.output
    assert "created 3" in result.output  # and the items became datasets
    assert helpers.call_action("package_search", {}, fq="+dataset_type:gk-catalog-item")["count"] == 3


def test_ckan_ini_wins_over_a_stray_gkcatalog_db(gk_store, tmp_path):
    gk_store.upsert_county("990101", "青山县")
    gk_store.add_source("990101", "http://county.example.cn/sa.html", "html", "social_assistance")
    ckan_bin = Path(sys.executable).with_name("ckan")
    env = {**os.environ, "GKCATALOG_DB": f"sqlite:///{tmp_path}/stray.db"}
    listed = subprocess.run([str(ckan_bin), "-c", os.environ["CKAN_INI"], "gkcatalog", "source", "list"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "county.example.cn" in listed.stdout and not (tmp_path / "stray.db").exists()


def test_harvest_now_runs_as_a_ckan_background_job_with_ckan_ini_settings(app, gk_store, tmp_path):
    from ckan.lib import jobs

    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    with LocalServer(str(tmp_path)) as server:
        source, published = _harvested(gk_store, tmp_path, server, count=3)
        queue = jobs.get_queue()
        queue.empty()
        app.post(f"/gkcatalog/admin/sources/{source.id}/harvest", headers={"Authorization": token},
                 status=200, follow_redirects=True)
        (job,) = queue.jobs
        outcome = job.perform()  # what `ckan jobs worker` runs
    assert outcome["datasets"]["created"] == 3
    (record,) = gk_store.jobs(source.id)
    assert record.status == "finished"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_chinese_words_are_found_as_the_shipped_solr_schema_finds_them():
    """The test index analyses text as ckanext_gkcatalog/ckan/solr/schema.xml does (CJK bigrams, the
    items' texts copied into "text"): a two-character word is found inside a longer text, in any field an
    item has (its basis too), and a word whose characters are not neighbours there is not."""
    user = factories.Sysadmin()
    org = factories.Organization(name="990101")
    base = {"type": "gk-catalog-item", "domain": "social_assistance", "level1": "最低生活保障",
            "time_limit": "20个工作日", "subject": "县民政局", "channels": ["government_website"],
            "audience": ["public"], "mode": ["proactive"], "tiers": ["county"], "county_code": "990101",
            "county_name": "青山县", "owner_org": org["id"]}
    for name, level2, content, basis in (
            ("gk-a", "审批信息", "低保对象名单及相关信息", "《社会救助暂行办法》(国务院令第649号)"),
            ("gk-b", "办事指南", "最低生活保障的办理条件、申请材料", "《最低生活保障审核确认办法》(民发〔2021〕57号)")):
        helpers.call_action("package_create", {"user": user["name"]}, **base, name=name, title=level2,
                            level2=level2, content=content, basis=basis)

    def found(q):
        return sorted(d["name"] for d in helpers.call_action("package_search", {}, q=q)["results"])
    assert found("低保") == ["gk-a"]  # 最低生活保障 has 最低 and 低生, not 低保
    assert found("保障") == ["gk-a", "gk-b"]  # both L1 items say 最低生活保障
    assert found("国务院令") == ["gk-a"] and found("审核确认") == ["gk-b"]  # the basis is searched
    assert found("申请 材料") == ["gk-b"] and found("名单材料") == []
    assert found("ＧＫ") == found("gk")  # full-width letters fold
