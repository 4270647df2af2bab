"""A small demo province (six counties, four domains, every format), published over local HTTP and
harvested into the store under test."""
from pathlib import Path

import pytest

from ckanext_gkcatalog.demo.publish import FileServer, publish
from ckanext_gkcatalog.harvesters.pipeline import harvest

from support import SETTINGS


@pytest.fixture
def province(store, tmp_path):
    files = FileServer(Path(tmp_path / "province"))
    files.folder.mkdir()
    base_url = files.start()
    try:
        sources = publish(store, files.folder, base_url, 6)
        harvest(store, sources, SETTINGS)
        yield store
    finally:
        files.stop()
