"""Fixtures of the tests on a real CKAN 2.11 (run by scripts/ckan_test.sh in CKAN's own virtualenv, with
CKAN's pytest plugin and tests/ckan/test.ini): PostgreSQL and Redis are real, Solr is the in-memory index
of solr.py, and the extension's store lives in CKAN's database, migrated by `ckan gkcatalog init`'s code.
"""
from __future__ import annotations

import pytest
from sqlalchemy import text

import solr


@pytest.fixture(autouse=True)
def memory_solr(monkeypatch):
    return solr.install(monkeypatch.setattr)


@pytest.fixture
def gk_store(clean_db, with_plugins):
    """The extension's tables in CKAN's database, emptied for each test."""
    from ckanext_gkcatalog.ckan.settings import get_store

    store = get_store()
    store.init()
    with store.engine.begin() as conn:
        tables = [t for t in reversed(store.engine.dialect.get_table_names(conn)) if t.startswith("gk_")]
        conn.execute(text("TRUNCATE " + ", ".join(tables) + " CASCADE"))
    return store
