"""The CKAN-compatible read API, as CKAN's own clients use it: ckanapi.RemoteCKAN against a live
`gkcatalog serve` started by the test, and a second portal harvesting the first with `--kind ckan`, every
item arriving unchanged (a province's portal harvested by a national one)."""
import os
import socket
import subprocess
import sys
import time

import ckanapi
import pytest
import requests

from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.store import Store

from support import SETTINGS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(tmp_path, *args, **env):
    return subprocess.run([sys.executable, "-m", "ckanext_gkcatalog.cli", *args], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, **env}, timeout=120)  # the installed package


@pytest.fixture
def live(store, county_site, tmp_path):
    """The county's catalog harvested into `store`, served by `gkcatalog serve` in its own process."""
    harvest(store, [store.add_source("990101", f"{county_site.url}/sa.html", "html", "social_assistance")], SETTINGS)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ckanext_gkcatalog.cli", "--db", store.url, "serve", "--port",
                               str(port)], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{url}/api/3/action/status_show", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(10)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("get_only", [True, False])  # ckanapi's GET, and its default POST with a JSON body
def test_ckanapi_reads_the_standalone_portal(live, store, get_only):
    portal = ckanapi.RemoteCKAN(live, get_only=get_only)
    items = store.items("990101")
    assert portal.action.status_show()["ckan_version"].startswith("2.11")
    found = portal.action.package_search(q="救助", fq='organization:990101 AND dataset_type:"gk-catalog-item"',
                                         rows=5, **{"facet.field": '["organization", "tiers", "channels"]'})
    assert found["count"] == sum(1 for i in items if "救助" in f"{i.level1}{i.level2}{i.fields.get('content')}"
                                 f"{i.fields.get('basis')}{i.fields.get('subject')}{i.fields.get('department')}"
                                 f"{i.fields.get('time_limit')}")
    assert len(found["results"]) == 5 and found["facets"]["organization"] == {"990101": found["count"]}
    assert found["search_facets"]["organization"]["items"][0]["display_name"].startswith("青山县")
    dataset = found["results"][0]
    assert dataset["type"] == "gk-catalog-item" and dataset["organization"]["name"] == "990101"
    shown = portal.action.package_show(id=dataset["name"])
    assert shown == portal.action.package_show(id=dataset["id"])
    assert shown["level1"] and isinstance(shown["channels"], list) and shown["domain"] == "social_assistance"
    names = portal.action.package_list()
    assert len(names) == len(items) and dataset["name"] in names
    (organization,) = portal.action.organization_list(all_fields=True)
    assert organization["package_count"] == len(items) and organization["name"] == "990101"
    assert portal.action.organization_show(id="990101")["id"] == organization["id"]
    assert portal.action.gkcatalog_county_completeness(county_code="990101")["domains"][0]["domain"] == "social_assistance"
    assert "ranking" in portal.action.gkcatalog_overview()
    paged = [d["name"] for start in range(0, len(items), 4)
             for d in portal.action.package_search(rows=4, start=start, sort="name asc")["results"]]
    assert paged == sorted(names)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_requests_get_ckans_error_shapes(live):
    portal = ckanapi.RemoteCKAN(live, get_only=True)
    with pytest.raises(ckanapi.NotFound):
        portal.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.NotFound):
        portal.action.organization_show(id="000000")
    with pytest.raises(ckanapi.ValidationError) as caught:
        portal.action.package_search(start=-1)
    assert "start" in caught.value.error_dict
    for params in ({"fq": "astrology:1"}, {"fq": 'tiers:"county'}, {"facet.field": '["nope"]'}, {"sort": "drop table"}):
        answer = requests.get(f"{live}/api/3/action/package_search", params=params, timeout=10)
        assert answer.status_code == 400 and answer.json()["success"] is False, params
        assert answer.json()["error"]["message"] and answer.json()["error"]["message_zh"]
    capped = requests.get(f"{live}/api/3/action/package_search", params={"rows": 1_000_000}, timeout=10).json()
    assert capped["success"] and len(capped["result"]["results"]) == capped["result"]["count"]
    beyond = requests.get(f"{live}/api/3/action/package_search", params={"start": 10 ** 5}, timeout=10).json()
    assert beyond["result"]["results"] == [] and beyond["result"]["count"] > 0
    assert requests.get(f"{live}/api/3/action/nope", timeout=10).status_code == 400
    posted = requests.post(f"{live}/api/3/action/package_search", data="not json", timeout=10,
                           headers={"Content-Type": "application/json"})
    assert posted.status_code == 400 and posted.json()["success"] is False


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_second_portal_harvests_the_first_through_its_api(live, store, tmp_path):
    second = f"sqlite:///{tmp_path / 'national.db'}"
    added = cli(tmp_path, "--db", second, "source", "add", "990101", live, "--kind", "ckan", "--county-name", "青山县",
                "--organization", "990101")
    assert added.returncode == 0, added.stderr
    run = cli(tmp_path, "--db", second, "harvest", GKCATALOG_ALLOW_NETWORKS="127.0.0.1/32")
    assert run.returncode == 0, run.stderr + run.stdout
    theirs = {i.id: i for i in Store(second).items("990101")}
    ours = {i.id: i for i in store.items("990101")}
    assert set(theirs) == set(ours)
    for item_id, item in ours.items():
        assert theirs[item_id].fields == item.fields, item.level2
        assert (theirs[item_id].level1, theirs[item_id].level2, theirs[item_id].domain) == (item.level1, item.level2, item.domain)
