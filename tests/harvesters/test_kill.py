"""kill -9 of a harvest with parser processes, at several points: the store stays consistent (a source's
items are imported whole or not at all; the next run closes the dead jobs and imports everything), and the
parser processes and the forkserver end with the harvester instead of living on as orphans."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ckanext_gkcatalog.demo.province import baseline_items
from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.store import Store
from ckanext_gkcatalog.writers import write_catalog

from servers import LocalServer
from support import SETTINGS, demo_baseline


def descendants(pid: int) -> set:
    """Every live process below `pid`, from /proc."""
    children: dict = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


@pytest.fixture
def province(tmp_path):
    items = baseline_items(demo_baseline("social_assistance"))
    root = tmp_path / "site"
    root.mkdir()
    for n in range(24):
        fmt = ("html", "xlsx", "csv", "docx")[n % 4]
        (root / f"c{n:02d}.{fmt}").write_bytes(write_catalog(items, fmt, "社会救助领域基层政务公开标准目录"))
    with LocalServer(str(root)) as server:
        server.expected = len(items)
        yield server


@pytest.mark.parametrize("delay", [0.0, 0.4, 1.2])
def test_kill_9_with_parser_processes(tmp_path, province, delay):
    db = f"sqlite:///{tmp_path / 'k.db'}"
    store = Store(db)
    store.init()
    sources = []
    for n, name in enumerate(sorted(os.listdir(province.handler.root))):
        code = f"99{n // 9 + 1:02d}{n % 9 + 1:02d}"
        store.upsert_county(code, f"县{code}")
        sources.append(store.add_source(code, f"{province.url}/{name}", "auto", "social_assistance"))
    # a slow source keeps the harvest running while the others are fetched, parsed and imported
    store.add_source(sources[0].county_code, f"{province.url}/fault/slow", "auto", "employment")
    env = {**os.environ, "GKCATALOG_ALLOW_NETWORKS": "127.0.0.1/32"}
    command = [sys.executable, "-m", "ckanext_gkcatalog.cli", "--db", db, "harvest", "--processes", "2", "--workers", "2"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tmp_path)  # not the checkout: the installed package
    for _ in range(200):
        if store.jobs(limit=1):
            break
        time.sleep(0.05)
    time.sleep(delay)
    helpers = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in helpers if alive(pid)], "orphaned helper processes"

    for source in sources:  # a source's items are there whole, or not at all
        assert len(store.items(source.county_code, status=None)) in (0, province.expected)
    reports = harvest(store, sources, SETTINGS)
    assert all(r.status in ("finished", "unchanged") for r in reports)
    for source in sources:
        assert len(store.items(source.county_code)) == province.expected
    dead = [j for j in store.jobs(limit=500) if j.pid == proc.pid]
    assert dead and all(j.status != "running" for j in dead)
