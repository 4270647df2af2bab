"""The CKAN API reader (ckanapi) against a county portal's Action API served on 127.0.0.1: gk-catalog-item
datasets, a dataset whose resources are catalog files, and the faults of an API that is not there."""
import shutil

import pytest

from ckanext_gkcatalog.harvesters.ckan import gather_ckan
from ckanext_gkcatalog.harvesters.fetch import FetchError, FetchLimits
from ckanext_gkcatalog.harvesters.pipeline import harvest

from servers import LocalServer
from test_pipeline import SETTINGS

LIMITS = SETTINGS.limits


@pytest.fixture
def portal(tmp_path, data_dir):
    root = tmp_path / "portal"
    shutil.copytree(data_dir / "ckan", root / "ckan")
    shutil.copy(data_dir / "si_catalog_two_row_header.csv", root)
    with LocalServer(str(root)) as server:
        server.root = root
        yield server


def test_catalog_item_datasets_of_one_organization(portal, monkeypatch):
    import ckanext_gkcatalog.harvesters.ckan as ckan

    monkeypatch.setattr(ckan, "PAGE_ROWS", 2)  # three datasets over two pages
    (document,) = gather_ckan(portal.url, {"organization": "tengchong"}, LIMITS)
    searches = [p for p, _ in portal.handler.requests_seen if "package_search" in p]
    assert len(searches) == 2 and "start=2" in searches[1]
    assert document.content_type == "application/json"
    from ckanext_gkcatalog.harvesters.parse import parse_document

    parsed = parse_document(document.data, document.url, content_type=document.content_type)
    names = [i["level2"] for i in parsed.items]
    assert names == ["就业创业政策法规", "公共就业服务机构名录", "职业介绍"]  # not the other county's, not type dataset
    first = parsed.items[0]
    assert first["channels"] == ["government_website", "service_center"] and first["tiers"] == ["county", "township"]
    assert first["source_url"] == f"{portal.url}/dataset/jy-01-01"
    assert parsed.items[1]["channels"] == ["government_website", "办事窗口"]  # text list, local channel kept
    bad = [p for p in parsed.item_problems[2] if p.code == "vocabulary"]
    assert bad and bad[0].params["value"] == "sometimes"


def test_a_dataset_whose_resources_are_catalog_files(portal):
    documents = gather_ckan(portal.url, {"dataset": "si-catalog-files"}, LIMITS)
    assert [d.url for d in documents] == [f"{portal.url}/si_catalog_two_row_header.csv"]  # the PDF is skipped
    with pytest.raises(FetchError) as caught:
        gather_ckan(portal.url, {"dataset": "no-catalog-files"}, LIMITS)
    assert "no resource in a format" in caught.value.problem.message("en")


@pytest.mark.parametrize("options, path, expected", [
    ({"dataset": "missing"}, "", "not found"),
    ({}, "/nothing-here", "not a CKAN Action API answer"),
])
def test_api_faults_are_findings(portal, options, path, expected):
    with pytest.raises(FetchError) as caught:
        gather_ckan(portal.url + path, options, LIMITS)
    assert expected in caught.value.problem.message("en")


def test_private_addresses_are_refused_for_api_calls_too(portal):
    with pytest.raises(FetchError) as caught:
        gather_ckan(portal.url, {}, FetchLimits(timeout=5))
    assert caught.value.problem.code == "fetch_private_address"
    assert not [p for p, _ in portal.handler.requests_seen if "package_search" in p]


def test_harvest_from_a_ckan_source_is_incremental(store, portal):
    store.upsert_county("530581", "腾冲市")
    source = store.add_source("530581", portal.url, "ckan", "employment", {"organization": "tengchong"})
    (report,) = harvest(store, [source], SETTINGS)
    assert report.status == "finished" and report.counts["added"] == 3
    assert report.counts["errors"] == 1  # the vocabulary error, kept as a finding
    (again,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert again.status == "unchanged"
    path = portal.root / "ckan" / "datasets.json"
    path.write_text(path.read_text(encoding="utf-8").replace("职业介绍", "职业指导"), encoding="utf-8")
    (third,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert (third.counts["added"], third.counts["withdrawn"], third.counts["unchanged"]) == (1, 1, 2)


def test_the_api_calls_of_a_gather_share_one_deadline(portal):
    """A portal that answers its API a byte at a time: the gather ends at the limits' timeout."""
    import time

    limits = FetchLimits(timeout=1.0, connect_timeout=1.0, allowed_networks=["127.0.0.1/32"])
    started = time.monotonic()
    with pytest.raises(FetchError) as exc:
        gather_ckan(portal.url + "/fault/drip", {}, limits)
    assert exc.value.problem.code == "fetch_timeout" and time.monotonic() - started < 1.6
