"""New datasets written in bulk (ckanext_gkcatalog/ckan/bulk.py): the same dataset, search document and
activity as package_create gives, each indexed once, one search-index commit per batch, and a dataset the
schema refuses reported while the rest of its batch is written."""
from __future__ import annotations

import json

import pytest
from ckan import model
from ckan.tests import factories, helpers
from servers import LocalServer
from test_harvest import TITLE, _baseline, _published

from ckanext_gkcatalog.ckan import sync
from ckanext_gkcatalog.ckan.settings import harvest_settings
from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.writers import write_catalog

# What differs between two copies of one dataset: their identity and when they were written.
IDENTITY = {"id", "name", "index_id", "metadata_created", "metadata_modified", "data_dict", "validated_data_dict",
            "_version_", "indexed_ts"}


def _harvested(store, tmp_path, count: int, spoil=None) -> list:
    """`count` items of the demo social-assistance baseline, published by a county and harvested into the
    store only (no dataset written yet); `spoil(fields)` changes the first one."""
    published = _published(_baseline(store))[:count]
    store.upsert_county("990101", "青山县", city_name="青川市")
    (tmp_path / "sa.csv").write_bytes(write_catalog(published, "csv", TITLE))
    with LocalServer(str(tmp_path)) as server:
        harvest(store, [store.add_source("990101", f"{server.url}/sa.csv", "csv", "social_assistance")],
                harvest_settings())
    items = sorted(store.items(), key=lambda i: i.id)
    if spoil:
        with store.session() as s:
            row = s.get(type(items[0]), items[0].id)
            row.fields = spoil(dict(row.fields))
        items = sorted(store.items(), key=lambda i: i.id)
    return items


def _without_identity(found: dict) -> dict:
    return {k: v for k, v in found.items() if k not in IDENTITY}


def test_a_dataset_written_in_bulk_is_the_one_package_create_writes(gk_store, tmp_path, memory_solr):
    (item,) = _harvested(gk_store, tmp_path, 1)
    report = sync.sync_datasets(gk_store)  # the bulk writer: a new dataset
    assert report.counts == {"created": 1, "updated": 0, "deleted": 0, "errors": 0}
    bulk_id = sync.dataset_id(item.id)
    data = sync.item_dataset(item, {"990101": "990101"})
    twin = {**data, "id": "0" * 8 + bulk_id[8:], "name": data["name"] + "-twin"}
    helpers.call_action("package_create", sync.writer_context(), **twin)  # CKAN's own way

    bulk_shown, twin_shown = (helpers.call_action("package_show", {}, id=i) for i in (bulk_id, twin["id"]))
    assert _without_identity(bulk_shown) == _without_identity(twin_shown)
    assert bulk_shown["subject"] == item.fields["subject"] and bulk_shown["organization"]["name"] == "990101"
    bulk_doc, twin_doc = (memory_solr.docs[next(k for k, d in memory_solr.docs.items() if d["id"] == i)]
                          for i in (bulk_id, twin["id"]))
    assert _without_identity(bulk_doc) == _without_identity(twin_doc)
    assert _without_identity(json.loads(bulk_doc["validated_data_dict"])) == \
        _without_identity(json.loads(twin_doc["validated_data_dict"]))
    members = model.Session.query(model.Member.table_id, model.Member.capacity, model.Member.state).filter(
        model.Member.table_id.in_([bulk_id, twin["id"]])).all()
    assert sorted(m[1:] for m in members) == [("organization", "active")] * 2


def test_each_new_dataset_is_indexed_once_with_one_index_commit_per_batch(gk_store, tmp_path, memory_solr,
                                                                            monkeypatch):
    monkeypatch.setattr(sync, "BATCH", 4)
    items = _harvested(gk_store, tmp_path, 10)
    memory_solr.added.clear()
    memory_solr.commits = 0
    assert sync.sync_datasets(gk_store).counts["created"] == 10
    assert sorted(memory_solr.added) == sorted(sync.dataset_id(i.id) for i in items)  # package_create: twice each
    assert memory_solr.commits == 3  # package_create: one hard commit per document


def test_a_dataset_the_schema_refuses_is_reported_and_the_rest_of_its_batch_written(gk_store, tmp_path):
    refused, *others = _harvested(gk_store, tmp_path, 4, spoil=lambda f: {**f, "mode": ["每逢周一"]})
    report = sync.sync_datasets(gk_store)
    assert report.counts == {"created": 3, "updated": 0, "deleted": 0, "errors": 1}
    (message,) = report.errors
    assert "sa.csv" in message and "mode" in message and refused.level2 in message
    assert model.Package.get(sync.dataset_id(refused.id)) is None
    assert all(helpers.call_action("package_show", {}, id=sync.dataset_id(i.id)) for i in others)
    assert [i.id for i in gk_store.items_to_publish()] == [refused.id]  # tried again by the next run


@pytest.mark.ckan_config("ckan.plugins", "activity scheming_datasets gkcatalog")
@pytest.mark.usefixtures("with_plugins")
def test_other_extensions_hear_of_datasets_written_in_bulk(gk_store, tmp_path, migrate_db_for):
    migrate_db_for("activity")
    items = _harvested(gk_store, tmp_path, 3)
    assert sync.sync_datasets(gk_store).counts["created"] == 3
    for item in items:
        (activity,) = helpers.call_action("package_activity_list", {"ignore_auth": True},  # the site user's:
                                          id=sync.dataset_id(item.id), include_hidden_activity=True)  # hidden
        assert activity["activity_type"] == "new package"
        assert activity["data"]["package"]["subject"] == item.fields["subject"]


def test_a_name_a_deleted_dataset_holds_goes_through_package_create(gk_store, tmp_path):
    (item,) = _harvested(gk_store, tmp_path, 1)
    data = sync.item_dataset(item, {"990101": "990101"})
    org = factories.Organization(name="990101")
    factories.Dataset(name=data["name"], owner_org=org["id"], state="deleted")
    assert sync.sync_datasets(gk_store).counts["created"] == 1
    assert helpers.call_action("package_show", {}, id=data["name"])["id"] == sync.dataset_id(item.id)
