"""Shared fixtures: a real PostgreSQL server started for the session, and a store on each database.

Tests that take `db_url` or `store` run twice: on a SQLite file and on a fresh PostgreSQL database.
The server is Debian's PostgreSQL (scripts/test.sh installs it), started from a temporary data folder
on a free port; GKCATALOG_TEST_PG_URL points the tests at an existing server instead.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from ckanext_gkcatalog.demo.province import County, baseline_items
from ckanext_gkcatalog.store import Store
from ckanext_gkcatalog.writers import write_catalog

from servers import LocalServer
from support import demo_baseline

DATA = Path(__file__).parent / "data"
# tests/ckan runs in CKAN's own virtualenv, with CKAN's pytest plugin (scripts/ckan_test.sh)
collect_ignore = ["ckan"]


def _pg_bindir() -> str | None:
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        if os.path.exists(os.path.join(bindir, "initdb")):
            return bindir
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return os.path.dirname(candidates[0]) if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A throwaway PostgreSQL cluster; as root it runs as the 'postgres' user, as initdb demands."""

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.folder = tempfile.mkdtemp(prefix="gk-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")

    def _run(self, *args):
        subprocess.run([*self.as_user, os.path.join(self.bindir, args[0]), *args[1:]], check=True,
                       capture_output=True, text=True, timeout=120)

    def start(self):
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", os.path.join(self.folder, "log"), "-w", "start")
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"  # the store picks the driver

    def stop(self):
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin_url():
    url = os.environ.get("GKCATALOG_TEST_PG_URL")
    if url:
        yield url
        return
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed: run the tests with scripts/test.sh, which installs it, "
                    "or set GKCATALOG_TEST_PG_URL to a server's admin URL.")
    server = PostgresServer(bindir)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory):
    """A throwaway Redis (Debian's redis-server) for the queue's tests; nothing is written to disk."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run the tests with scripts/test.sh, which installs it.")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def pg_url(pg_admin_url):
    """A fresh database on the session's server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"gk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    yield make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gk.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url):
    store = Store(db_url)
    store.init()
    yield store
    store.dispose()


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def county_site(tmp_path, store):
    """A county publishing the demo social-assistance baseline as a web page on a local server, with one
    baseline item missing and a phone number in another item's content."""
    baseline = demo_baseline("social_assistance")
    store.add_baseline(baseline)
    items = baseline_items(baseline)
    county = County("990101", "青山县", "青川市", 1.0)
    published = [dict(i, subject="青山县民政局", county_code="990101", county_name="青山县") for i in items]
    published = published[1:]  # the first baseline item is missing
    published[0] = dict(published[0], content=published[0]["content"] + ";联系电话13812345678")
    root = tmp_path / "site"
    root.mkdir()
    (root / "sa.html").write_bytes(write_catalog(published, "html", "青山县社会救助领域基层政务公开标准目录"))
    store.upsert_county(county.code, county.name, city_name=county.city)
    with LocalServer(str(root)) as server:
        server.root, server.items, server.baseline = root, published, baseline
        yield server
