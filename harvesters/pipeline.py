"""The harvest pipeline: gather -> fetch -> parse -> validate -> match -> import, one job per source.

The stages mirror ckanext-harvest's gather/fetch/import so that its adapter stays a thin wrapper. A
source is one transaction: a failed fetch or parse changes nothing stored (the last good harvest
stays), and every problem becomes a finding with its stage and location.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field

import requests

from ckanext_gkcatalog import notices
from ckanext_gkcatalog.assess import assess, matchers
from ckanext_gkcatalog.problems import Location, Problem, job_message

from .ckan import gather_ckan
from .crawl import CrawlOptions, fetch_item_pages, gather_item_links
from .fetch import FetchError, FetchLimits, fetch, guarded_session
from .parse import parse_stage
from .sandbox import exit_when_gone, forkserver_context


@dataclass
class HarvestSettings:
    limits: FetchLimits = field(default_factory=FetchLimits)
    workers: int = 4  # sources fetched and imported at once (threads)
    processes: int = 0  # parser processes; 0 or 1 parses in the harvesting threads
    assess: bool = True  # score the counties whose catalogs changed (items are matched and checked at import)
    notify: bool = True  # tell the notice recipients what got worse (notices.py), when there are any


@dataclass
class JobReport:
    job_id: int
    source_id: int
    county_code: str
    status: str  # finished | unchanged | failed
    counts: dict
    message_code: str | None = None  # problems.JOB_MESSAGES
    message_params: dict | None = None

    @property
    def message(self) -> str:
        return job_message(self.message_code, self.message_params, "en")


def _finding(problem: Problem, stage: str, source, item_id: str | None = None, domain: str | None = None) -> dict:
    return {"stage": stage, "rule": problem.code, "severity": problem.severity, "item_id": item_id,
            "county_code": source.county_code, "domain": domain or source.domain,
            "message_zh": problem.message("zh"), "message_en": problem.message("en"),
            "location": asdict(problem.location)}


_own_jobs: set = set()  # ids of the jobs this process is running: a pid alone can be a dead process's, reused
_own_jobs_lock = threading.Lock()
# one import at a time per county: two of its sources can offer the same items (the same catalog on two
# platforms), and two threads inserting the same new item id would collide
_county_locks: dict = {}


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's
        return True
    return True


_http = threading.local()


def _session() -> requests.Session:
    """One HTTP session per harvesting thread: connections to a county site are reused across its sources."""
    if not hasattr(_http, "session"):
        _http.session = guarded_session()
    return _http.session


def job_still_running(job) -> bool:
    """Whether a job marked running has a live harvester behind it (on this machine)."""
    if job.pid is None:
        return False
    if job.pid == os.getpid():
        with _own_jobs_lock:
            return job.id in _own_jobs
    return pid_alive(job.pid)


def harvest(store, sources: list, settings: HarvestSettings | None = None, on_done=None,
            on_notice=None) -> list[JobReport]:
    """Harvest sources concurrently; `on_done(report)` is called as each one ends (a progress bar), and
    `on_notice(delivery)` for each notice sent (or failed) once the harvest is assessed."""
    settings = settings or HarvestSettings()
    store.close_stale_jobs(job_still_running)
    watched = settings.notify and bool(store.recipients(enabled_only=True))
    before = notices.state(store) if watched else None
    reports = []
    parsers = _ParserPool(settings.processes) if settings.processes > 1 and len(sources) > 1 else None
    prepared = matchers(store)
    try:
        with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as threads:
            futures = [threads.submit(harvest_source, store, source, settings, parsers, prepared) for source in sources]
            for future in as_completed(futures):
                report = future.result()
                reports.append(report)
                if on_done:
                    on_done(report)
    finally:
        if parsers:
            parsers.shutdown()
    # the harvest has landed: assess what changed; a failed source is assessed too (on its last good data,
    # or on nothing: a county whose catalog page is gone has a gap for every item); an unchanged one is not
    if settings.assess:
        assess_landed(store, {r.source_id: r.job_id for r in reports if r.status != "unchanged"})
    if watched:
        for delivery in notices.deliver(store, notices.news(store, before, notices.state(store)), settings.limits):
            if on_notice:
                on_notice(delivery)
    return sorted(reports, key=lambda r: r.job_id)


def assess_landed(store, landed: dict) -> list:
    """Score what the landed sources ({source id: its job id}) publish, each pair recording its job (also
    the queue's assessment job, cli/queue.py)."""
    if not landed:
        return []
    pairs = store.source_pairs(list(landed))
    return assess(store, list(pairs), {pair: landed[source_id] for pair, source_id in pairs.items()})


def harvest_source(store, source, settings: HarvestSettings, pool=None, prepared: dict | None = None) -> JobReport:
    """One job for one source; never raises: whatever happens ends as a job state and findings. `prepared`
    is assess.matchers(store), made once per harvest."""
    job = store.start_job(source.id)
    with _own_jobs_lock:
        _own_jobs.add(job.id)
    try:
        return _run_job(store, job, source, settings, pool, matchers(store) if prepared is None else prepared)
    finally:
        with _own_jobs_lock:
            _own_jobs.discard(job.id)


NEXT_STAGE = {"gather": "fetch", "fetch": "parse", "parse": "import"}


def _run_job(store, job, source, settings: HarvestSettings, pool, prepared: dict) -> JobReport:
    timings, findings, counts = {}, [], {"added": 0, "updated": 0, "unchanged": 0, "withdrawn": 0, "errors": 0}
    status, message = "failed", None
    clock, stage = time.perf_counter(), "gather"  # the stage running now: an unexpected error is reported in it

    def lap(ended):
        nonlocal clock, stage
        now = time.perf_counter()
        timings[ended] = round(timings.get(ended, 0) + now - clock, 4)
        clock, stage = now, NEXT_STAGE.get(ended, ended)

    try:
        kept = None  # item pages: the pages whose items stay as they are
        if source.kind == "item_pages":  # the list pages are the gather stage, the item pages the fetch
            options = CrawlOptions.of(source.options)
            crawl = gather_item_links(source.url, settings.limits, _session(), options)
            lap("gather")
            if not crawl.links:  # a list that names no item is a broken page, not an emptied catalog
                findings.append(_finding(Problem("no_item_links", Location(file=source.url)), "gather", source))
                return _end(store, job.id, source, "failed", {**counts, "errors": 1}, timings,
                            ("nothing_read", {"files": source.url}), findings)
            fetched = fetch_item_pages(crawl.links, source.page_state or {}, settings.limits, _session, options)
            findings.extend(_finding(p, "fetch", source) for p in crawl.problems + fetched.problems)
            pages, kept, single = fetched.changed, fetched.kept, False
            digest = _state_digest(fetched.state)
            fetch_state = {"page_state": fetched.state}
        else:
            if source.kind == "ckan":  # the API calls are the gather stage; they fetch what they list
                pages, single = gather_ckan(source.url, source.options, settings.limits), False
                lap("gather")
            else:
                urls = [source.url, *source.options.get("pages", [])]  # a catalog split over several pages
                single = len(urls) == 1
                lap("gather")
                pages = [fetch(url, settings.limits, etag=source.http_etag if single else None,
                               last_modified=source.http_last_modified if single else None, session=_session())
                         for url in urls]
            digest = hashlib.sha256(b"".join(p.data for p in pages)).hexdigest()
            fetch_state = {"http_etag": pages[0].etag if single else None,
                           "http_last_modified": pages[0].last_modified if single else None}
        lap("fetch")
        if (single and pages[0].not_modified) or digest == source.content_hash:
            status, message = "unchanged", ("unchanged", {})
            return _end(store, job.id, source, status, counts, timings, message, findings, fetch_state)
        county = store.county(source.county_code)
        defaults = {"county_code": county.code, "county_name": county.name, "domain": source.domain}
        wanted = {source.domain: prepared[source.domain]} if source.domain in prepared else prepared
        args = (pages, defaults, _format(source.kind), wanted, store.mappings([county.code]).get(county.code),
                {"city_code": county.city_code, "city_name": county.city_name})
        parsed = pool.submit(parse_stage, *args).result() if pool else parse_stage(*args)
        clock, stage = time.perf_counter(), "import"
        for name, seconds in parsed.timings.items():
            timings[name] = round(seconds, 4)
        findings.extend(_finding(problem, step, source, item_id, domain)
                        for step, problem, item_id, domain in parsed.problems)
        if kept is not None and parsed.empty and (kept or len(parsed.empty) < len(pages)):
            _keep_unread(parsed.empty, kept, fetch_state["page_state"])  # one broken item page: its items stay
        elif parsed.empty:  # a page that gave nothing is broken, not emptied: withdrawing its items would lose data
            message = ("nothing_read", {"files": ", ".join(parsed.empty)})
            counts["errors"] = sum(1 for f in findings if f["severity"] == "error")
            return _end(store, job.id, source, "failed", counts, timings, message, findings)
        records = parsed.records
        with _own_jobs_lock:
            county_lock = _county_locks.setdefault(source.county_code, threading.Lock())
        with county_lock:
            if kept is not None:  # without the pages that gave nothing: they are read again next time
                digest = _state_digest(fetch_state["page_state"])
            counts.update(store.import_items(source.id, job.id, records, {**fetch_state, "content_hash": digest},
                                             kept))
        lap("import")
        counts["errors"] = sum(1 for f in findings if f["severity"] == "error")
        status = "finished"
    except FetchError as exc:
        findings.append(_finding(exc.problem, "fetch", source))
        counts["errors"] = 1
        message = ("fetch_failed", {})
    except Exception as exc:  # a bug must not stop the other sources; the job says what happened, and where
        reason = f"{type(exc).__name__}: {str(exc)[:300]}"
        problem = Problem("unexpected_error", Location(file=source.url), {"stage": stage, "reason": reason})
        findings.append(_finding(problem, stage, source))
        counts["errors"] += 1
        message = ("unexpected_error", {"stage": stage, "reason": reason})
    return _end(store, job.id, source, status, counts, timings, message, findings)


def _state_digest(state: dict) -> str:
    """One hash for a catalog of item pages: which pages it has, and what each held."""
    lines = sorted(f"{link} {page.get('hash')}" for link, page in state.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _keep_unread(unread: list, kept: list, page_state: dict) -> None:
    """Item pages that gave no item this time keep their items, and are read again next time."""
    for link in unread:
        kept.append(link)
        page_state.pop(link, None)


class _ParserPool:
    """Parser processes, started when the first source needs parsing: a harvest where nothing changed
    should not pay for starting them."""

    def __init__(self, processes: int):
        self.processes, self.executor, self.lock = processes, None, threading.Lock()

    def submit(self, fn, *args):
        with self.lock:
            if self.executor is None:
                # a parser process ends soon after the harvester does, even when it is killed with -9
                self.executor = ProcessPoolExecutor(self.processes, mp_context=forkserver_context(),
                                                    initializer=exit_when_gone, initargs=(os.getpid(),))
        return self.executor.submit(fn, *args)

    def shutdown(self):
        if self.executor:
            self.executor.shutdown()


def _end(store, job_id, source, status, counts, timings, message, findings, unchanged_state=None) -> JobReport:
    if status == "failed":  # nothing was imported: the findings' items may not exist, their locations say where
        findings = [{**f, "item_id": None} for f in findings]
    store.finish_job(job_id, status, counts, timings, message, findings, unchanged_state)
    return JobReport(job_id, source.id, source.county_code, status, counts, *(message or (None, None)))


def _format(kind: str | None) -> str | None:
    from .readers import KIND_FORMATS

    return KIND_FORMATS.get(kind or "")
