"""ckanext-gkcatalog inside a real CKAN 2.11: the scheming dataset type, the dashboards in CKAN's page,
the actions and their auth, the facets."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from ckan.tests import factories, helpers

from ckanext_gkcatalog.baseline import demo_baseline_files, load_baseline

pytestmark = pytest.mark.ckan_config("ckan.plugins", "scheming_datasets gkcatalog")

ITEM = {"type": "gk-catalog-item", "domain": "social_assistance", "level1": "综合业务", "level2": "政策法规文件",
        "title": "政策法规文件", "content": "政策文件名称、文号", "basis": "《社会救助暂行办法》(国务院令第649号)",
        "time_limit": "信息形成或变更之日起20个工作日内", "subject": "县民政局",
        "channels": ["government_website", "微信公众号"], "audience": ["public"], "mode": ["proactive"],
        "tiers": ["county"], "county_code": "990101", "county_name": "青山县"}


@pytest.mark.usefixtures("with_plugins")
def test_ckan_finds_the_plugins_by_their_entry_points():
    """The names in ckan.plugins and the schema named by scheming.dataset_schemas, as a site's ckan.ini has them."""
    from importlib import metadata

    from ckan import plugins

    from ckanext_gkcatalog.ckan.harvest_plugin import GkCatalogHarvester
    from ckanext_gkcatalog.ckan.plugin import GkCatalogPlugin

    assert isinstance(plugins.get_plugin("gkcatalog"), GkCatalogPlugin)
    (harvester,) = [e for e in metadata.entry_points(group="ckan.plugins") if e.name == "gkcatalog_harvest"]
    assert harvester.load() is GkCatalogHarvester
    schema = helpers.call_action("scheming_dataset_schema_show", type="gk-catalog-item")
    assert "channels" in {f["field_name"] for f in schema["dataset_fields"]}


def _item(org, **changes):
    return {**ITEM, "name": f"gk-{org['name']}-{len(changes)}", "owner_org": org["id"], **changes}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_items_are_created_through_the_api_with_scheming_validation():
    user = factories.Sysadmin()
    org = factories.Organization(name="990101")
    context = {"user": user["name"], "ignore_auth": False}
    created = helpers.call_action("package_create", context, **_item(org))
    assert created["type"] == "gk-catalog-item" and created["domain"] == "social_assistance"
    assert created["channels"] == ["government_website", "微信公众号"]  # a local channel is kept
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("package_create", context, **_item(org, domain="astrology", mode=["sometimes"]))
    assert set(error.value.error_dict) >= {"domain", "mode"}


PROVINCE_DOMAINS = str(Path(__file__).resolve().parent.parent / "data" / "province_domains.yaml")


@pytest.mark.ckan_config("ckanext.gkcatalog.domains", PROVINCE_DOMAINS)
@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_provinces_own_domains_are_valid_and_labelled_in_ckan():
    org = factories.Organization(name="990101")
    context = {"user": factories.Sysadmin()["name"]}
    created = helpers.call_action("package_create", context, **_item(org, domain="statistics", level1="统计数据",
                                                                      level2="统计公报", title="统计公报"))
    assert created["domain"] == "statistics"
    found = helpers.call_action("package_search", {}, q="*:*", fq="+dataset_type:gk-catalog-item",
                                **{"facet.field": json.dumps(["domain"])})
    (facet,) = found["search_facets"]["domain"]["items"]
    assert (facet["name"], facet["display_name"]) == ("statistics", "统计")
    from ckanext.scheming.helpers import scheming_field_choices

    fields = helpers.call_action("scheming_dataset_schema_show", type="gk-catalog-item")["dataset_fields"]
    (domain,) = [f for f in fields if f["field_name"] == "domain"]
    labels = {c["value"]: c["label"]["zh_Hans_CN"] for c in scheming_field_choices(domain)}  # the edit form's
    assert labels["statistics"] == "统计" and labels["employment"] == "就业" and len(labels) == 28


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_domain_no_file_declares_is_refused():
    org = factories.Organization(name="990101")
    with pytest.raises(helpers.logic.ValidationError) as error:
        helpers.call_action("package_create", {"user": factories.Sysadmin()["name"]}, **_item(org, domain="statistics"))
    assert set(error.value.error_dict) == {"domain"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_facets_count_domains_channels_and_modes():
    user = factories.Sysadmin()
    org = factories.Organization(name="990101")
    context = {"user": user["name"]}
    helpers.call_action("package_create", context, **_item(org))
    helpers.call_action("package_create", context, **_item(org, level2="监督检查", title="监督检查",
                                                             channels=["government_website"]))
    found = helpers.call_action("package_search", {}, q="*:*", fq="+dataset_type:gk-catalog-item",
                                **{"facet.field": json.dumps(["domain", "channels", "mode"])})
    assert found["count"] == 2
    assert found["facets"]["channels"] == {"government_website": 2, "微信公众号": 1}
    assert found["facets"]["domain"] == {"social_assistance": 2}


def test_dashboards_render_in_ckan_page_and_admin_actions_are_denied(app, gk_store):
    path = next(p for p in demo_baseline_files() if p.name == "demo_social_assistance.yaml")
    gk_store.add_baseline(load_baseline(path.read_bytes(), path.name))
    gk_store.upsert_county("990101", "青山县", city_name="青川市")
    page = app.get("/gkcatalog/", status=200)
    assert "Province overview" in page.body or "全省概览" in page.body
    assert 'class="main"' in page.body and "gkcatalog/style.css" in page.body  # CKAN's layout around ours
    result = helpers.call_action("gkcatalog_overview", {})
    assert result["ranking"] == []
    stranger = factories.User()
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action("gkcatalog_load_baseline", {"user": stranger["name"], "ignore_auth": False},
                            content=path.read_text(encoding="utf-8"), name=path.name)
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action("gkcatalog_load_baseline", {"user": "", "ignore_auth": False},
                            content=path.read_text(encoding="utf-8"), name=path.name)
    admin = factories.Sysadmin()
    loaded = helpers.call_action("gkcatalog_load_baseline", {"user": admin["name"], "ignore_auth": False},
                                 content=path.read_text(encoding="utf-8"), name=path.name)
    assert loaded["domain"] == "social_assistance" and loaded["version"] == 2
    anonymous = app.get("/gkcatalog/admin/sources", follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]


def test_a_county_admin_harvests_a_source_and_reads_its_completeness(app, gk_store, tmp_path):
    from servers import LocalServer

    from ckanext_gkcatalog.demo.province import baseline_items
    from ckanext_gkcatalog.writers import write_catalog

    path = next(p for p in demo_baseline_files() if p.name == "demo_social_assistance.yaml")
    baseline = load_baseline(path.read_bytes(), path.name)
    gk_store.add_baseline(baseline)
    gk_store.upsert_county("990101", "青山县", city_name="青川市")
    published = [dict(i, subject="青山县民政局", county_code="990101", county_name="青山县")
                 for i in baseline_items(baseline)][1:]  # the first baseline item is missing
    (tmp_path / "sa.html").write_bytes(write_catalog(published, "html", "青山县社会救助领域基层政务公开标准目录"))
    admin, stranger = factories.User(), factories.User()
    factories.Organization(name="990101", users=[{"name": admin["name"], "capacity": "admin"}])
    with LocalServer(str(tmp_path)) as server:
        source = gk_store.add_source("990101", f"{server.url}/sa.html", "html", "social_assistance")
        with pytest.raises(helpers.logic.NotAuthorized):
            helpers.call_action("gkcatalog_harvest_source", {"user": stranger["name"], "ignore_auth": False},
                                source_id=source.id)
        job = helpers.call_action("gkcatalog_harvest_source", {"user": admin["name"], "ignore_auth": False},
                                  source_id=source.id)
    assert job["status"] == "finished" and job["counts"]["added"] == len(published)
    (domain,) = helpers.call_action("gkcatalog_county_completeness", {}, county_code="990101")["domains"]
    statuses = [i["status"] for i in domain["items"]]
    assert statuses.count("missing") == 1 and statuses.count("present") == len(baseline.items) - 1
    page = app.get("/gkcatalog/county/990101", status=200)
    assert "青山县" in page.body and published[1]["level2"] in page.body


def test_translations_follow_ckan_locale(app, gk_store):
    """ITranslation: CKAN's own gettext reads the extension's catalogs (zh_Hans_CN default, en by URL)."""
    chinese = app.get("/gkcatalog/", status=200).body
    assert "<h1>全省概览</h1>" in chinese and "Province overview" not in chinese
    english = app.get("/en/gkcatalog/", status=200).body
    assert "<h1>Province overview</h1>" in english
    assert helpers.call_action("gkcatalog_overview", {})["ranking"] == []


def test_county_tools_inside_ckan_the_checker_the_template_and_the_baseline_action(app, gk_store):
    """The checker and the template in CKAN's page, and the baseline action a county's offline check reads."""
    import io

    from ckanext_gkcatalog.county_template import write_template

    path = next(p for p in demo_baseline_files() if p.name == "demo_employment.yaml")
    baseline = load_baseline(path.read_bytes(), path.name)
    gk_store.add_baseline(baseline)
    assert app.get("/gkcatalog/template/employment.xlsx", status=200).data[:2] == b"PK"
    page = app.post("/gkcatalog/check", data={"file": (io.BytesIO(write_template(baseline, "xlsx")), "jy.xlsx")},
                    content_type="multipart/form-data", status=200)
    assert "check-report" in page.body and 'class="main"' in page.body
    assert "No errors found" in page.body or "未发现错误" in page.body
    found = helpers.call_action("gkcatalog_baseline_show", {}, domain="就业")
    assert [i["code"] for i in found["items"]] == [i.code for i in baseline.items]
    with pytest.raises(helpers.logic.NotFound):
        helpers.call_action("gkcatalog_baseline_show", {}, domain="social_assistance")


def _form_fields(page: str, form_id: str = "dataset-edit") -> list:
    """What a browser submits from the form as it is shown: text inputs, checked boxes, textareas, the
    selected options, and the submit button."""
    import lxml.html

    form = lxml.html.fromstring(page).get_element_by_id(form_id)
    pairs = []
    for element in form.iter("input", "textarea", "select", "button"):
        name, kind = element.get("name"), (element.get("type") or "text").lower()
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "textarea":
            pairs.append((name, element.text or ""))
        elif element.tag == "select":
            chosen = [o.get("value", o.text) for o in element.iter("option") if o.get("selected") is not None]
            pairs.extend((name, v) for v in chosen[:None if element.get("multiple") is not None else 1])
        elif kind in ("checkbox", "radio"):
            if element.get("checked") is not None:
                pairs.append((name, element.get("value", "on")))
        elif kind in ("text", "hidden", "url", "email", "number", "date") or element.tag == "button" and name == "save":
            pairs.append((name, element.get("value", "")))
    return pairs


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_edit_form_saved_unchanged_keeps_every_value_of_every_field(app):
    """A county's own channel has a text input beside the checkboxes: saving the edit form as it is shown
    keeps every field, and a channel typed there is added."""
    from werkzeug.datastructures import MultiDict

    user = factories.Sysadmin()
    token = factories.APIToken(user=user["name"])["token"]
    org = factories.Organization(name="990101")
    full = _item(org, level3="低保政策", department="社会救助股", person="张三", source_url="http://example.gov.cn/sa.html",
                 source_location="#3", channels=["government_website", "村务公开栏", "微信公众号"],
                 audience=["public", "specific_groups"], mode=["proactive", "on_request"], tiers=["county", "township"])
    created = helpers.call_action("package_create", {"user": user["name"]}, **full)
    shown = app.get(f"/dataset/{created['name']}", headers={"Authorization": token}, status=200).body
    assert "村务公开栏" in shown and "微信公众号" in shown and "政府网站" in shown
    edit = f"/gk-catalog-item/edit/{created['name']}"
    fields = _form_fields(app.get(edit, headers={"Authorization": token}, status=200).body)
    app.post(edit, data=MultiDict(fields), headers={"Authorization": token}, status=200, follow_redirects=True)
    saved = helpers.call_action("package_show", id=created["id"])
    schema = helpers.call_action("scheming_dataset_schema_show", type="gk-catalog-item")
    for name in (f["field_name"] for f in schema["dataset_fields"]):
        assert saved.get(name) == created.get(name), name
    typed = [(k, "村务公开栏、便民服务群" if k == "channels" and v == "村务公开栏、微信公众号" else v) for k, v in fields]
    app.post(edit, data=MultiDict(typed), headers={"Authorization": token}, status=200, follow_redirects=True)
    assert helpers.call_action("package_show", id=created["id"])["channels"] == [
        "government_website", "村务公开栏", "便民服务群"]
