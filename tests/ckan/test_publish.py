"""`gkcatalog publish` against a real CKAN 2.11 served over HTTP on 127.0.0.1: a county's catalog file
written as gk-catalog-item datasets, again after an edit, with a row CKAN refuses, and read back by the
province's CKAN reader (the round trip)."""
from __future__ import annotations

import pytest
from ckan.tests import factories
from click.testing import CliRunner
from test_harvest import ServedCkan, _baseline, _datasets, _key, _published

from ckanext_gkcatalog.cli.main import main
from ckanext_gkcatalog.harvesters.fetch import FetchLimits
from ckanext_gkcatalog.harvesters.parse import parse_document
from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest
from ckanext_gkcatalog.writers import write_catalog

pytestmark = pytest.mark.ckan_config("ckan.plugins", "scheming_datasets gkcatalog")
TITLE = "青山县社会救助领域基层政务公开标准目录"
LOCAL = ["--allow-network", "127.0.0.1/32"]


def _publish(portal, path, token, *extra):
    result = CliRunner().invoke(main, ["--lang", "en", "publish", str(path), "--ckan", portal.url, "--county",
                                       "990101", *LOCAL, *extra], env={"GKCATALOG_CKAN_APIKEY": token})
    return result


def _counts(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.fixture
def county(app, gk_store):
    """The county's CKAN (this one, over HTTP), its organization with an editor, and the editor's token."""
    editor = factories.User()
    factories.Organization(name="990101", title="青山县", users=[{"name": editor["name"], "capacity": "editor"}])
    token = factories.APIToken(user=editor["name"])["token"]
    with ServedCkan(app.flask_app) as portal:
        yield portal, token


@pytest.mark.usefixtures("with_plugins")
def test_publish_creates_updates_and_deletes_exactly_and_a_second_run_changes_nothing(county, gk_store, tmp_path):
    portal, token = county
    published = _published(_baseline(gk_store))
    path = tmp_path / "sa.xlsx"
    path.write_bytes(write_catalog(published, "xlsx", TITLE))
    dry = _publish(portal, path, token, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert _counts(dry.output).endswith(f"created {len(published)}, updated 0, deleted 0, unchanged 0, refused 0")
    assert _datasets("990101") == {}  # a dry run writes nothing

    first = _publish(portal, path, token)
    assert first.exit_code == 0, first.output
    assert _counts(first.output) == f"created {len(published)}, updated 0, deleted 0, unchanged 0, refused 0"
    assert set(_datasets("990101")) == {_key(i) for i in published}
    again = _publish(portal, path, token)
    assert _counts(again.output) == f"created 0, updated 0, deleted 0, unchanged {len(published)}, refused 0"

    # edit the file: one item changed, one removed, one added
    edited = [dict(published[0], time_limit="信息形成之日起5个工作日内")] + published[2:] + \
        [dict(published[1], level2="低保对象名单(本县增加)")]
    path.write_bytes(write_catalog(edited, "xlsx", TITLE))
    second = _publish(portal, path, token)
    assert _counts(second.output) == f"created 1, updated 1, deleted 1, unchanged {len(published) - 2}, refused 0"
    datasets = _datasets("990101")
    assert datasets[_key(edited[0])]["time_limit"] == "信息形成之日起5个工作日内"
    assert _key(published[1]) not in datasets and _key(edited[-1]) in datasets

    # a deleted item published again comes back (CKAN keeps a deleted dataset's name)
    path.write_bytes(write_catalog(published, "xlsx", TITLE))
    third = _publish(portal, path, token)
    assert _counts(third.output) == f"created 1, updated 1, deleted 1, unchanged {len(published) - 2}, refused 0"

    # the round trip: the province harvests the county's CKAN with its CKAN reader and gets the same items
    gk_store.upsert_county("990101", "青山县", city_name="青川市")
    source = gk_store.add_source("990101", portal.url, "ckan", "social_assistance", {"organization": "990101"})
    (report,) = harvest(gk_store, [source], HarvestSettings(FetchLimits(allowed_networks=["127.0.0.1/32"]), workers=1))
    assert report.status == "finished", report.message
    fields = ("domain", "level1", "level2", "content", "basis", "time_limit", "subject", "channels", "audience",
              "mode", "tiers", "county_code")
    harvested = sorted(tuple(str(i.fields.get(f)) for f in fields) for i in gk_store.items("990101"))
    in_file = sorted(tuple(str(i.get(f)) for f in fields)
                     for i in parse_document(path.read_bytes(), "sa.xlsx", defaults={"county_code": "990101"}).items)
    assert harvested == in_file and len(harvested) == len(published)


@pytest.mark.usefixtures("with_plugins")
def test_a_row_ckan_refuses_is_reported_with_its_file_and_row_and_the_others_are_written(county, gk_store, tmp_path):
    portal, token = county
    published = _published(_baseline(gk_store))[:3]
    published[1] = {k: v for k, v in published[1].items() if k != "basis"}  # CKAN's schema requires a basis
    path = tmp_path / "sa.csv"
    path.write_bytes(write_catalog(published, "csv", TITLE))
    refused = _publish(portal, path, token)
    assert refused.exit_code == 1 and "nothing published" in refused.output  # our check found the error first
    forced = _publish(portal, path, token, "--force")
    assert forced.exit_code == 1, forced.output
    assert _counts(forced.output) == "created 2, updated 0, deleted 0, unchanged 0, refused 1"
    (line,) = [line for line in forced.output.splitlines() if line.startswith("✗ refused")]
    assert "sa.csv" in line and "row 5" in line and "basis" in line and published[1]["level2"] in line
    assert len(_datasets("990101")) == 2


@pytest.mark.usefixtures("with_plugins")
def test_publish_refuses_a_wrong_token_a_missing_organization_and_an_unreachable_ckan(county, gk_store, tmp_path):
    portal, token = county
    path = tmp_path / "sa.csv"
    path.write_bytes(write_catalog(_published(_baseline(gk_store))[:2], "csv", TITLE))
    wrong = _publish(portal, path, "not-a-token")
    assert wrong.exit_code == 1
    assert "may not create datasets" in wrong.output or "refused the request" in wrong.output
    missing = _publish(portal, path, token, "--organization", "no-such-org")
    assert missing.exit_code == 1 and "no organization 'no-such-org'" in missing.output
    closed = CliRunner().invoke(main, ["--lang", "en", "publish", str(path), "--ckan", "http://127.0.0.1:9",
                                       "--county", "990101", "--apikey", token, *LOCAL, "--timeout", "3"])
    assert closed.exit_code == 1 and "cannot reach the CKAN" in closed.output
    for result in (wrong, missing, closed):
        assert "Traceback" not in result.output
    assert _datasets("990101") == {}
