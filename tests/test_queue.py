"""Harvests on a real queue (issue 18): RQ over a real Redis, two `gkcatalog worker` processes on one
PostgreSQL store. A province is harvested and every item arrives once, even when a worker is killed in the
middle of a job; the assessment runs once, after the last source; a due source is enqueued once however
many schedulers run."""
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from click.testing import CliRunner

from ckanext_gkcatalog.cli import queue
from ckanext_gkcatalog.cli.main import main
from ckanext_gkcatalog.demo.province import baseline_items
from ckanext_gkcatalog.store import Store
from ckanext_gkcatalog.store.models import utcnow
from ckanext_gkcatalog.writers import write_catalog

from servers import LocalServer
from support import SETTINGS, demo_baseline

COUNTIES = 6
SLOW = 3  # seconds the slow county's file takes (under the download deadline): a worker is killed meanwhile


@pytest.fixture
def province(pg_url, tmp_path):
    """Six counties publishing the demo social-assistance baseline (the last one slowly), registered."""
    store = Store(pg_url)
    store.init()
    baseline = demo_baseline("social_assistance")
    store.add_baseline(baseline)
    published = {}
    for n in range(COUNTIES):
        code, name = f"9902{n + 1:02d}", f"第{n + 1}县"
        items = [dict(i, subject=f"{name}民政局", county_code=code, county_name=name) for i in baseline_items(baseline)]
        published[code] = items[n % 3:]  # each county leaves out a different number of items
        (tmp_path / f"{code}.csv").write_bytes(write_catalog(published[code], "csv", f"{name}社会救助领域基层政务公开标准目录"))
        store.upsert_county(code, name, city_name="青川市")
    with LocalServer(str(tmp_path)) as server:
        slow = f"9902{COUNTIES:02d}"
        server.handler.faults[f"/{slow}.csv"] = SLOW
        sources = [store.add_source(code, f"{server.url}/{code}.csv", "csv", "social_assistance") for code in published]
        yield {"store": store, "sources": sources, "published": published, "slow": slow, "server": server}
    store.dispose()


def _worker(db: str, redis_url: str, name: str) -> subprocess.Popen:
    """A `gkcatalog worker` in a session of its own (killed as a machine dies: with its job's process)."""
    return subprocess.Popen([sys.executable, "-m", "ckanext_gkcatalog.cli", "--db", db, "worker", "--redis", redis_url,
                             "--name", name, "--monitoring-interval", "1", "--maintenance-interval", "1",
                             "--abandon-after", "3"], start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _kill_machine(worker: subprocess.Popen) -> None:
    """SIGKILL to a worker and to the process running its job (RQ gives that one a session of its own)."""
    children = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _parent(pid) == worker.pid]
    for pid in [worker.pid, *children]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    worker.wait(timeout=10)


def _parent(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}")


def test_two_workers_harvest_a_province_and_one_killed_mid_job_loses_nothing(province, pg_url, redis_server_url):
    from rq.job import Job

    store, connection = province["store"], queue.connect(redis_server_url)
    connection.flushdb()
    done = queue.enqueue_harvest(connection, store, province["sources"], SETTINGS)
    assert len(done["sources"]) == COUNTIES and done["assessment"]
    workers = [_worker(pg_url, redis_server_url, f"gk-test-{n}") for n in (1, 2)]
    try:
        slow_source = next(s.id for s in province["sources"] if s.county_code == province["slow"])
        slow_job = next(j for j in Job.fetch_many(done["sources"], connection=connection) if j.args[0] == slow_source)

        def slow_started():
            job = Job.fetch(slow_job.id, connection=connection)
            return job.worker_name if job.get_status() == "started" else None
        victim = _wait(slow_started, 30, "the slow source's job to start")
        time.sleep(1)  # inside its download
        doomed = next(w for w in workers if w.args[w.args.index("--name") + 1] == victim)
        _kill_machine(doomed)
        assessment = Job.fetch(done["assessment"], connection=connection)
        _wait(lambda: assessment.get_status(refresh=True) == "finished", 90, "the assessment")
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)
    # every item arrived, once
    for code, items in province["published"].items():
        assert len(store.items(code)) == len(items), code
    # the killed attempt ended 'aborted', its retry 'finished'; every other source harvested once
    by_source = {s.id: [j.status for j in reversed(store.jobs(source_id=s.id))] for s in province["sources"]}
    assert by_source.pop(slow_source) == ["aborted", "finished"]
    assert all(statuses == ["finished"] for statuses in by_source.values())
    # the assessment ran once, after the last source: one snapshot per county
    snapshots = store.latest_snapshots()
    assert sorted(s.county_code for s in snapshots) == sorted(province["published"])
    assert all(len(store.snapshot_history(code, "social_assistance")) == 1 for code in province["published"])


def test_a_due_source_is_enqueued_once_however_many_schedulers_run(province, redis_server_url):
    store, connection = province["store"], queue.connect(redis_server_url)
    connection.flushdb()
    for source in province["sources"]:
        store.add_source(source.county_code, source.url, "csv", "social_assistance", frequency_seconds=86400,
                         start_at=utcnow() - timedelta(minutes=5))
    due = store.due_sources()
    assert len(due) == COUNTIES
    first = queue.enqueue_harvest(connection, store, due, SETTINGS, due=True)
    second = queue.enqueue_harvest(connection, store, store.due_sources(), SETTINGS, due=True)  # another scheduler
    assert len(first["sources"]) == COUNTIES and second == {"sources": [], "assessment": None,
                                                            "skipped": [s.id for s in due]}
    cli = CliRunner().invoke(main, ["--db", store.url, "harvest", "--due", "--queue", "--redis", redis_server_url])
    assert cli.exit_code == 0 and "6 个到期来源已由其他调度排队" in cli.output


def test_an_unreachable_queue_is_a_clear_error(province):
    result = CliRunner().invoke(main, ["--db", province["store"].url, "harvest", "--queue", "--redis",
                                       "redis://127.0.0.1:9/0"])
    assert result.exit_code == 1 and "无法连接队列" in result.output and "Traceback" not in result.output
