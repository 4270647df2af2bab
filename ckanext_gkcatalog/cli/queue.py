"""Harvests on a real queue: RQ over Redis (the queue CKAN itself uses for background jobs), for when one
harvesting process is not enough. `gkcatalog harvest --queue` enqueues one RQ job per source, and an
assessment job that depends on all of them; `gkcatalog worker` runs jobs, on any number of machines that
share one PostgreSQL store.

- A source's job harvests it exactly as `gkcatalog harvest` does, without scoring. It is retried when it
  raises, and when its worker dies: another worker's maintenance finds the job's heartbeat late (by
  `--abandon-after`, 60 s) and RQ requeues it. The store's job the dead worker left 'running' then ends
  'aborted'.
- One source is harvested by one job at a time (a Redis lock held by the RQ job, taken over by its own
  retry); items are written by id in one transaction per source, so a retry writes nothing twice and a
  killed import leaves nothing half-written.
- The assessment job runs once, after the last source's job has ended (finished, or failed for good).
- `--due` enqueues each due source once per due time, however many schedulers run: the first to claim
  (source, due time) in Redis enqueues it.
"""
from __future__ import annotations

import dataclasses
import os
import socket

QUEUE = "gkcatalog"
RETRIES = 2
JOB_TIMEOUT = 3600  # seconds one source may take, its downloads' own deadlines included
# a due time's claim outlives its job and retries; a source whose every attempt died is due again after it
CLAIM_TTL = JOB_TIMEOUT * (RETRIES + 2)
_store = None  # the worker's store, opened on its first job from GKCATALOG_DB


def redis_url() -> str:
    return os.environ.get("GKCATALOG_REDIS_URL") or "redis://127.0.0.1:6379/0"


def connect(url: str | None = None):
    from redis import Redis

    return Redis.from_url(url or redis_url(), socket_connect_timeout=10)


def worker_store():
    """The store a worker's jobs write to: GKCATALOG_DB, which `gkcatalog worker --db` sets."""
    global _store
    if _store is None:
        from ..store import Store

        _store = Store(os.environ.get("GKCATALOG_DB"))
    return _store


def enqueue_harvest(connection, store, sources: list, settings, due: bool = False) -> dict:
    """Enqueue each source's harvest and, depending on them all, the assessment; returns {"sources": [RQ job
    ids], "assessment": its id or None, "skipped": [source ids whose due time another scheduler took]}."""
    from rq import Queue, Retry
    from rq.job import Dependency

    from .. import notices

    queue = Queue(QUEUE, connection=connection)
    settings = dataclasses.replace(settings, assess=False, notify=False, processes=1)
    jobs, skipped = [], []
    for source in sources:
        claim = f"{source.id}-{int(source.next_run_at.timestamp())}" if due and source.next_run_at else None
        if claim and not connection.set(f"gkcatalog:due:{claim}", socket.gethostname(), nx=True, ex=CLAIM_TTL):
            skipped.append(source.id)
            continue
        jobs.append(queue.enqueue(harvest_one, source.id, settings, retry=Retry(max=RETRIES), job_timeout=JOB_TIMEOUT,
                                  description=f"harvest source {source.id} ({source.county_code})"))
    if not jobs:
        return {"sources": [], "assessment": None, "skipped": skipped}
    watched = bool(store.recipients(enabled_only=True))
    assessment = queue.enqueue(assess_harvest, [j.id for j in jobs], notices.state(store) if watched else None,
                               settings.limits, depends_on=Dependency(jobs=jobs, allow_failure=True),
                               job_timeout=JOB_TIMEOUT, description="assess the harvest")
    return {"sources": [j.id for j in jobs], "assessment": assessment.id, "skipped": skipped}


def harvest_one(source_id: int, settings) -> dict:
    """A worker's job: one source harvested into the store (not assessed: the assessment job does that)."""
    from rq import get_current_job

    from ..harvesters.pipeline import harvest_source

    store, me = worker_store(), get_current_job()
    lock = f"gkcatalog:source:{source_id}"
    holder = me.connection.set(lock, me.id, nx=True, ex=JOB_TIMEOUT, get=True)
    if holder is not None and holder.decode() != me.id:
        return {"source_id": source_id, "status": "busy"}  # another run harvests it now
    try:
        source = store.source(source_id)
        if source is None:
            return {"source_id": source_id, "status": "gone"}
        # what is still 'running' for this source is an earlier attempt of this job, whose worker died
        store.close_stale_jobs(lambda job: job.source_id != source_id)
        report = harvest_source(store, source, settings)
        return {"source_id": source_id, "job_id": report.job_id, "status": report.status}
    finally:
        me.connection.delete(lock)


def assess_harvest(job_ids: list[str], before: dict | None, limits) -> int:
    """The assessment job: what the harvest's sources publish, scored once all of them have ended (as
    `gkcatalog harvest` scores after its last source), then the notices."""
    from rq import get_current_job
    from rq.job import Job

    from .. import notices
    from ..harvesters.pipeline import assess_landed

    store, landed = worker_store(), {}
    for job in Job.fetch_many(job_ids, connection=get_current_job().connection):
        result = job.return_value() if job else None
        if isinstance(result, dict) and result.get("job_id") and result["status"] != "unchanged":
            landed[result["source_id"]] = result["job_id"]
        elif job is not None and not isinstance(result, dict):  # failed for good: its last state counts
            newest = store.jobs(source_id=job.args[0], limit=1)
            if newest:
                landed[job.args[0]] = newest[0].id
    done = len(assess_landed(store, landed))
    if before is not None:
        notices.deliver(store, notices.news(store, before, notices.state(store)), limits)
    return done


def run_worker(connection, burst: bool = False, monitoring_interval: int = 30, maintenance_interval: int = 600,
               abandon_after: int = 60, name: str | None = None) -> bool:
    """Run jobs until stopped (or, with `burst`, until the queue is empty). Each job runs in a process of its
    own (RQ's fork), so a job that hangs past its timeout is killed without the worker. An idle worker
    wakes at least every `maintenance_interval` seconds to requeue the jobs of dead workers: those whose
    heartbeat (every `monitoring_interval` s) is `abandon_after` s late."""
    from rq import Queue, Worker

    class HarvestWorker(Worker):
        def get_heartbeat_ttl(self, job, *args, **kwargs) -> int:
            """How long a running job counts as alive without news from its worker: RQ's time to the next
            heartbeat plus `abandon_after` instead of RQ's fixed 60 s."""
            return max(1, super().get_heartbeat_ttl(job, *args, **kwargs) - 60 + abandon_after)

    worker = HarvestWorker([Queue(QUEUE, connection=connection)], connection=connection, name=name,
                           job_monitoring_interval=monitoring_interval, maintenance_interval=maintenance_interval,
                           worker_ttl=maintenance_interval + 15)  # the idle wait is worker_ttl - 15 s
    return worker.work(burst=burst, logging_level="WARNING")
