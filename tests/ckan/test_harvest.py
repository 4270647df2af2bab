"""Harvested items as CKAN datasets: through the extension's action, and through ckanext-harvest with the
gkcatalog_harvest adapter, from a county catalog file and from a county CKAN (this CKAN, served over HTTP
on 127.0.0.1 and read with ckanapi)."""
from __future__ import annotations

import json
import threading

import pytest
from ckan import model
from ckan.tests import factories, helpers
from servers import LocalServer
from werkzeug.serving import make_server

from ckanext_gkcatalog.baseline import demo_baseline_files, load_baseline
from ckanext_gkcatalog.ckan.sync import dataset_id
from ckanext_gkcatalog.demo.province import baseline_items
from ckanext_gkcatalog.writers import write_catalog

HARVEST_PLUGINS = "scheming_datasets gkcatalog harvest gkcatalog_harvest"
TITLE = "青山县社会救助领域基层政务公开标准目录"


def _baseline(store):
    path = next(p for p in demo_baseline_files() if p.name == "demo_social_assistance.yaml")
    baseline = load_baseline(path.read_bytes(), path.name)
    store.add_baseline(baseline)
    return baseline


def _published(baseline, code="990101", name="青山县"):
    return [dict(i, subject=f"{name}民政局", county_code=code, county_name=name) for i in baseline_items(baseline)]


def _datasets(org: str) -> dict:
    found = helpers.call_action("package_search", {}, fq=f"+dataset_type:gk-catalog-item +organization:{org}",
                                rows=1000)
    return {_key(d): d for d in found["results"]}


def _key(item: dict) -> str:
    return "/".join(item.get(k) or "" for k in ("level1", "level2", "level3"))


def test_harvest_action_writes_only_changed_items_and_deletes_withdrawn_ones(gk_store, tmp_path):
    baseline = _baseline(gk_store)
    gk_store.upsert_county("990101", "青山县", city_name="青川市")
    published = _published(baseline)
    (tmp_path / "sa.html").write_bytes(write_catalog(published, "html", TITLE))
    admin = factories.User()
    factories.Organization(name="990101", users=[{"name": admin["name"], "capacity": "admin"}])
    context = {"user": admin["name"], "ignore_auth": False}
    with LocalServer(str(tmp_path)) as server:
        source = gk_store.add_source("990101", f"{server.url}/sa.html", "html", "social_assistance")
        first = helpers.call_action("gkcatalog_harvest_source", dict(context), source_id=source.id)
        assert first["datasets"] == {"created": len(published), "updated": 0, "deleted": 0, "errors": 0}
        datasets = _datasets("990101")
        assert len(datasets) == len(published)
        sample = datasets[_key(published[1])]
        assert sample["type"] == "gk-catalog-item" and sample["domain"] == "social_assistance"
        assert sample["county_code"] == "990101" and sample["subject"] == "青山县民政局"

        again = helpers.call_action("gkcatalog_harvest_source", dict(context), source_id=source.id)
        assert again["status"] == "unchanged" and again["datasets"]["created"] == again["datasets"]["updated"] == 0

        changed = [dict(published[0], subject="青山县人民政府办公室")] + published[2:]  # one changed, one dropped
        (tmp_path / "sa.html").write_bytes(write_catalog(changed, "html", TITLE))
        third = helpers.call_action("gkcatalog_harvest_source", dict(context), source_id=source.id)
    assert third["datasets"] == {"created": 0, "updated": 1, "deleted": 1, "errors": 0}
    dropped = next(i for i in gk_store.items(status=None) if _key(i.fields) == _key(published[1]))
    assert dropped.status == "withdrawn"  # kept in the store
    assert model.Package.get(dataset_id(dropped.id)).state == "deleted"  # deleted in CKAN
    datasets = _datasets("990101")
    assert len(datasets) == len(published) - 1
    assert datasets[_key(published[0])]["subject"] == "青山县人民政府办公室"


def test_items_ckan_rejects_are_reported_with_their_row_and_written_by_a_later_run(gk_store, tmp_path):
    from ckanext_gkcatalog.ckan.sync import sync_datasets

    baseline = _baseline(gk_store)
    gk_store.upsert_county("990101", "青山县", city_name="青川市")
    published = _published(baseline)[:3]
    (tmp_path / "sa.csv").write_bytes(write_catalog(published, "csv", TITLE))
    with LocalServer(str(tmp_path)) as server:
        source = gk_store.add_source("990101", f"{server.url}/sa.csv", "csv", "social_assistance")
        # the county has no organization yet: the harvest creates it, named by the division code
        result = helpers.call_action("gkcatalog_harvest_source", {"user": factories.Sysadmin()["name"]},
                                     source_id=source.id)
    assert result["datasets"]["created"] == 3
    assert model.Group.get("990101").title == "青山县"
    # an item scheming's validation refuses (a mode outside the vocabulary) is named with its file and row;
    # the refusal rolls CKAN's session back, and the items of its batch written before it are written again
    first, refused, last = sorted(gk_store.items(), key=lambda i: i.id)
    with gk_store.session() as s:
        for item in (first, last):
            row = s.get(type(item), item.id)
            row.fields, row.content_hash = {**row.fields, "subject": "青山县人民政府"}, "changed"
        row = s.get(type(refused), refused.id)
        row.fields, row.content_hash = {**row.fields, "mode": ["每逢周一"]}, "changed"
    report = sync_datasets(gk_store)
    assert report.counts == {"created": 0, "updated": 2, "deleted": 0, "errors": 1}
    (message,) = report.errors
    assert "sa.csv" in message and "mode" in message and refused.level2 in message
    for item in (first, last):
        shown = helpers.call_action("package_show", {}, id=dataset_id(item.id))
        assert shown["subject"] == "青山县人民政府"
    assert [i.id for i in gk_store.items_to_publish()] == [refused.id]  # tried again next time
    with gk_store.session() as s:
        row = s.get(type(refused), refused.id)
        row.fields = {**row.fields, "mode": ["proactive"]}
    assert sync_datasets(gk_store).counts == {"created": 0, "updated": 1, "deleted": 0, "errors": 0}
    assert gk_store.items_to_publish() == []


class ServedCkan:
    """This CKAN's own app, served over HTTP on 127.0.0.1 (a county's portal for the harvester)."""

    def __init__(self, flask_app):
        self.server = make_server("127.0.0.1", 0, flask_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def _run_harvest(source: dict) -> dict:
    """What `ckan harvester run-test SOURCE` does: the job is created (and sent to Redis's gather queue),
    then gather, fetch and import run here; returns the job's report."""
    from ckanext.harvest.utils import run_test_harvester

    run_test_harvester(source["name"], False)
    job = helpers.call_action("harvest_source_show", {}, id=source["id"])["status"]["last_job"]
    return job


@pytest.mark.ckan_config("ckan.plugins", HARVEST_PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_ckanext_harvest_harvests_a_county_file_and_a_county_ckan(app, gk_store, migrate_db_for, tmp_path):
    migrate_db_for("harvest")
    baseline = _baseline(gk_store)
    published = _published(baseline)
    (tmp_path / "sa.html").write_bytes(write_catalog(published, "html", TITLE))
    org = factories.Organization(name="990101", title="青山县")
    with LocalServer(str(tmp_path)) as server:
        source = helpers.call_action(
            "harvest_source_create", {"user": factories.Sysadmin()["name"]}, name="qingshan-sa",
            title="青山县社会救助目录", url=f"{server.url}/sa.html", source_type="gkcatalog", owner_org=org["id"],
            config=json.dumps({"domain": "社会救助", "kind": "html"}))
        job = _run_harvest(source)
        assert job["stats"].get("added") == len(published) and not job["stats"].get("errored")
        datasets = _datasets("990101")
        assert len(datasets) == len(published)
        assert all(d["owner_org"] == org["id"] for d in datasets.values())
        # ckanext-harvest knows which source each dataset came from
        from ckanext.harvest.model import HarvestObject

        linked = {o.package_id for o in model.Session.query(HarvestObject).filter_by(current=True,
                                                                                   harvest_source_id=source["id"])}
        assert linked == {d["id"] for d in datasets.values()}
        assert gk_store.county("990101").name == "青山县"  # registered from the organization

        # a row that is no longer published is deleted in CKAN by the next run, an unchanged one untouched
        (tmp_path / "sa.html").write_bytes(write_catalog(published[1:], "html", TITLE))
        job = _run_harvest(source)
    assert job["stats"].get("deleted") == 1 and not job["stats"].get("added") and not job["stats"].get("updated")
    assert len(_datasets("990101")) == len(published) - 1

    # a county CKAN (this one, over HTTP) publishing gk-catalog-item datasets, read with ckanapi
    factories.Organization(name="990102", title="白水县")
    with ServedCkan(app.flask_app) as portal:
        ckan_source = helpers.call_action(
            "harvest_source_create", {"user": factories.Sysadmin()["name"]}, name="baishui-portal",
            title="白水县门户", url=portal.url, source_type="gkcatalog", owner_org="990102",
            config=json.dumps({"kind": "ckan", "domain": "social_assistance", "options": {"organization": "990101"}}))
        job = _run_harvest(ckan_source)
    assert job["stats"].get("added") == len(published) - 1, job
    copied = _datasets("990102")
    assert set(copied) == set(_datasets("990101"))
    assert all(d["county_code"] == "990102" for d in copied.values())


@pytest.mark.ckan_config("ckan.plugins", HARVEST_PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_harvest_source_configuration_is_validated(gk_store, migrate_db_for):
    migrate_db_for("harvest")
    sysadmin = {"user": factories.Sysadmin()["name"]}
    for config, wrong in (("{not json", "JSON"), ('{"domain": "astrology"}', "astrology"),
                          ('{"county_code": "12"}', "county_code"), ('{"kind": "pdf"}', "kind")):
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("harvest_source_create", dict(sysadmin), name="bad", title="bad",
                                url="http://127.0.0.1:1/x.html", source_type="gkcatalog", config=config)
        assert wrong in str(error.value.error_dict["config"])


def test_ckan_gkcatalog_sync_datasets_writes_what_a_command_line_harvest_read(cli, gk_store, tmp_path):
    from ckan.cli.cli import ckan

    from ckanext_gkcatalog.harvesters.fetch import FetchLimits
    from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest

    published = _published(_baseline(gk_store))[:4]
    gk_store.upsert_county("990101", "青山县", city_name="青川市")
    (tmp_path / "sa.csv").write_bytes(write_catalog(published, "csv", TITLE))
    with LocalServer(str(tmp_path)) as server:  # as `ckan gkcatalog harvest` does: the store only
        source = gk_store.add_source("990101", f"{server.url}/sa.csv", "csv", "social_assistance")
        harvest(gk_store, [source], HarvestSettings(FetchLimits(allowed_networks=["127.0.0.1/32"])))
    assert len(gk_store.items_to_publish()) == 4
    result = cli.invoke(ckan, ["gkcatalog", "sync-datasets"])
    assert result.exit_code == 0, result.output
    assert "created 4" in result.output and "errors 0" in result.output
    assert len(_datasets("990101")) == 4 and gk_store.items_to_publish() == []


@pytest.mark.ckan_config("ckan.plugins", HARVEST_PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_ckanext_harvest_reports_a_rows_errors_once_where_they_are_now(gk_store, migrate_db_for, tmp_path):
    migrate_db_for("harvest")
    published = _published(_baseline(gk_store))[:3]
    published[1] = dict(published[1], audience=[])  # a required element left empty on one row
    (tmp_path / "sa.csv").write_bytes(write_catalog(published, "csv", TITLE))
    org = factories.Organization(name="990101", title="青山县")
    with LocalServer(str(tmp_path)) as server:
        source = helpers.call_action(
            "harvest_source_create", {"user": factories.Sysadmin()["name"]}, name="qingshan-csv", title="csv",
            url=f"{server.url}/sa.csv", source_type="gkcatalog", owner_org=org["id"],
            config=json.dumps({"domain": "social_assistance", "kind": "csv"}))
        job = _run_harvest(source)
        # one error for the row: its object's, which scheming refuses too; in the site's language (zh)
        assert job["stats"].get("added") == 2 and job["stats"].get("errored") == 1
        report = helpers.call_action("harvest_job_report", {}, id=job["id"])
        assert not [e for e in report["gather_errors"] if "公开对象" in e["message"]]
        (refused,) = [e for o in report["object_errors"].values() for e in o["errors"]]
        assert refused["message"].count("公开对象") >= 1 and "sa.csv" in refused["message"] and "第5行" in refused["message"]
        # a row inserted above it: the next run says where the row is now, once
        (tmp_path / "sa.csv").write_bytes(write_catalog([published[0], *_published(_baseline(gk_store))[5:6],
                                                         *published[1:]], "csv", TITLE))
        job = _run_harvest(source)
    report = helpers.call_action("harvest_job_report", {}, id=job["id"])
    messages = [e["message"] for e in report["gather_errors"]] + [
        e["message"] for o in report["object_errors"].values() for e in o["errors"]]
    assert [m for m in messages if "公开对象" in m and "sa.csv" in m] == [m for m in messages if "第6行" in m]
    assert len([m for m in messages if "公开对象" in m]) == 1


@pytest.mark.ckan_config("ckan.plugins", HARVEST_PLUGINS)
@pytest.mark.usefixtures("with_plugins")
def test_datasets_are_linked_to_their_source_and_cleared_ones_come_back(cli, gk_store, migrate_db_for, tmp_path):
    from ckan.cli.cli import ckan
    from ckanext.harvest.helpers import package_count_for_source

    migrate_db_for("harvest")
    published = _published(_baseline(gk_store))[:5]
    (tmp_path / "sa.csv").write_bytes(write_catalog(published, "csv", TITLE))
    org = factories.Organization(name="990101", title="青山县")
    sysadmin = {"user": factories.Sysadmin()["name"]}
    with LocalServer(str(tmp_path)) as server:
        source = helpers.call_action(
            "harvest_source_create", dict(sysadmin), name="qingshan-clear", title="csv", url=f"{server.url}/sa.csv",
            source_type="gkcatalog", owner_org=org["id"], config=json.dumps({"domain": "social_assistance"}))
        _run_harvest(source)
        assert package_count_for_source(source["id"]) == 5  # the source page's count: the index knows the source
        helpers.call_action("harvest_source_clear", dict(sysadmin), id=source["id"])
        assert _datasets("990101") == {}
        job = _run_harvest(source)  # the catalog did not change: its datasets are written again all the same
        assert job["stats"].get("added") == 5 and len(_datasets("990101")) == 5
        assert package_count_for_source(source["id"]) == 5
    one = next(iter(_datasets("990101").values()))
    helpers.call_action("dataset_purge", dict(sysadmin), id=one["id"])
    result = cli.invoke(ckan, ["gkcatalog", "sync-datasets"])
    assert result.exit_code == 0 and "created 1" in result.output, result.output
    assert len(_datasets("990101")) == 5


def test_a_township_is_an_organization_under_its_countys(gk_store, tmp_path):
    from ckanext_gkcatalog.divisions import township_subset

    baseline = _baseline(gk_store)
    gk_store.upsert_county("990101", "青山县", city_name="青川市")
    gk_store.upsert_county("990101001", "青山镇")
    codes = {e.code for e in township_subset(baseline.items)}
    published = [dict(i, county_code="990101001", county_name="青山镇", subject="青山镇人民政府")
                 for i, e in zip(_published(baseline), baseline.items) if e.code in codes]
    (tmp_path / "qs.csv").write_bytes(write_catalog(published, "csv", "青山镇社会救助领域基层政务公开标准目录"))
    with LocalServer(str(tmp_path)) as server:
        source = gk_store.add_source("990101001", f"{server.url}/qs.csv", "csv", "social_assistance")
        result = helpers.call_action("gkcatalog_harvest_source", {"user": factories.Sysadmin()["name"]},
                                     source_id=source.id)
    assert result["datasets"]["created"] == len(published) and result["datasets"]["errors"] == 0
    township = model.Group.get("990101001")
    assert township.title == "青山镇" and township.is_organization
    assert [g.name for g in township.get_parent_groups(type="organization")] == ["990101"]  # CKAN's hierarchy
    assert model.Group.get("990101").title == "青山县"
    assert len(_datasets("990101001")) == len(published) and _datasets("990101") == {}
