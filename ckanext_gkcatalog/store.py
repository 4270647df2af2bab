"""The store: the only module that knows SQL.

SQLAlchemy 2 models for counties, baselines, sources, jobs, items, findings and score snapshots, on
SQLite (a file, the default) or PostgreSQL (by URL). The schema is created and upgraded by the Alembic
migrations in migration/gkcatalog/, the layout CKAN runs for an extension's tables too.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta, timezone
from importlib import resources

from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text,
                        UniqueConstraint, case, create_engine, delete, event, func, insert, select, tuple_, update)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import declarative_base, relationship, sessionmaker

DEFAULT_DB_FILE = "gkcatalog.db"
VERSION_TABLE = "gkcatalog_alembic_version"
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Classic declarative mapping: the same models run on SQLAlchemy 2 (standalone) and on the 1.4 that
# CKAN 2.11 pins, when the store lives in CKAN's database.
Base = declarative_base(metadata=MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}))


class County(Base):
    __tablename__ = "gk_county"
    code = Column(String(6), primary_key=True)  # 行政区划代码
    name = Column(String(100), nullable=False)
    city_code = Column(String(6), nullable=True)
    city_name = Column(String(100), nullable=True)
    org_name = Column(String(100), nullable=True)  # the county's CKAN organization
    created_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)


class Baseline(Base):
    __tablename__ = "gk_baseline"
    __table_args__ = (UniqueConstraint("domain", "version"),)
    id = Column(Integer, primary_key=True)
    domain = Column(String(50), index=True, nullable=False)
    version = Column(Integer, nullable=False)
    active = Column(Boolean, default=False, nullable=False)
    title = Column(String(300), nullable=False)
    version_label = Column(String(100), nullable=True)
    source_name = Column(String(300), nullable=False)
    is_demo = Column(Boolean, default=False, nullable=False)
    notice = Column(Text, nullable=True)
    declared = Column(JSONType, default=dict, nullable=False)  # {"level1": 9, "level2": 25}
    found = Column(JSONType, default=dict, nullable=False)
    count_ok = Column(Boolean, nullable=True)
    problems = Column(JSONType, default=list, nullable=False)  # warnings kept with the version
    loaded_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)
    items = relationship("BaselineItem", back_populates="baseline", cascade="all, delete-orphan",
                                                       order_by="BaselineItem.position", lazy="selectin")


class BaselineItem(Base):
    __tablename__ = "gk_baseline_item"
    __table_args__ = (UniqueConstraint("baseline_id", "code"),)
    id = Column(Integer, primary_key=True)
    baseline_id = Column(Integer, ForeignKey("gk_baseline.id", ondelete="CASCADE"), index=True, nullable=False)
    code = Column(String(100), nullable=False)
    position = Column(Integer, nullable=False)
    level1 = Column(String(300), nullable=False)
    level2 = Column(String(300), nullable=False)
    level3 = Column(String(300), nullable=True)
    elements = Column(JSONType, default=dict, nullable=False)
    time_limit_days = Column(Float, nullable=True)
    note = Column(Text, nullable=True)
    baseline = relationship("Baseline", back_populates="items")


class Source(Base):
    __tablename__ = "gk_source"
    id = Column(Integer, primary_key=True)
    county_code = Column(String(6), ForeignKey("gk_county.code"), index=True, nullable=False)
    domain = Column(String(50), nullable=True)  # None: the source offers several domains
    kind = Column(String(20), nullable=False)  # ckan | csv | xlsx | xls | html | docx | json
    url = Column(Text, nullable=False)
    options = Column(JSONType, default=dict, nullable=False)
    enabled = Column(Boolean, default=True, nullable=False)
    frequency_seconds = Column(Integer, nullable=True)
    next_run_at = Column(DateTime(timezone=True), nullable=True)
    http_etag = Column(String(300), nullable=True)
    http_last_modified = Column(String(100), nullable=True)
    content_hash = Column(String(64), nullable=True)
    # when the source was last read whole, changed or not: its active items are on offer as of then
    last_checked_at = Column(DateTime(timezone=True), nullable=True)
    # ids of the items the source offered at its last import: two platforms of one county are compared by them
    offered = Column(JSONType, default=list, nullable=False)
    created_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)


class Job(Base):
    __tablename__ = "gk_job"
    id = Column(Integer, primary_key=True)
    source_id = Column(Integer, ForeignKey("gk_source.id", ondelete="SET NULL"), index=True, nullable=True)
    status = Column(String(20), default="running", nullable=False)  # running | finished | failed | aborted
    started_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)
    finished_at = Column(DateTime(timezone=True), nullable=True)
    heartbeat_at = Column(DateTime(timezone=True), nullable=True)
    pid = Column(Integer, nullable=True)
    timings = Column(JSONType, default=dict, nullable=False)  # stage -> seconds
    added = Column(Integer, default=0, nullable=False)
    updated = Column(Integer, default=0, nullable=False)
    unchanged = Column(Integer, default=0, nullable=False)
    withdrawn = Column(Integer, default=0, nullable=False)
    errors = Column(Integer, default=0, nullable=False)
    message = Column(Text, nullable=True)


class Item(Base):
    __tablename__ = "gk_item"
    __table_args__ = (Index("ix_gk_item_county_domain", "county_code", "domain"),)
    id = Column(String(64), primary_key=True)  # stable id
    county_code = Column(String(6), ForeignKey("gk_county.code"), nullable=False)
    domain = Column(String(50), nullable=False)
    level1 = Column(String(300), nullable=True)
    level2 = Column(String(300), nullable=True)
    level3 = Column(String(300), nullable=True)
    fields = Column(JSONType, default=dict, nullable=False)  # every schema field of the item
    parsed = Column(JSONType, default=dict, nullable=False)
    raw = Column(JSONType, default=dict, nullable=False)
    # the item's own assessment, made at import against its domain's active baseline (`baseline_id`; None:
    # not assessed yet, or to be assessed again); a county's score sums these columns
    baseline_id = Column(Integer, ForeignKey("gk_baseline.id", ondelete="SET NULL"), nullable=True)
    baseline_code = Column(String(100), nullable=True)
    match_method = Column(String(30), nullable=True)
    match_score = Column(Float, nullable=True)
    overlaps = Column(String(100), nullable=True)  # an addition close to this baseline item
    name_key = Column(String(300), nullable=True)  # items with the same key are listed twice
    filled = Column(Float, nullable=True)  # share of the scored elements filled
    errors = Column(Integer, default=0, nullable=False)
    warnings = Column(Integer, default=0, nullable=False)
    checks = Column(JSONType, default=list, nullable=False)  # its findings: rule, severity, messages, location
    status = Column(String(20), default="active", index=True, nullable=False)  # active | withdrawn
    withdrawn_at = Column(DateTime(timezone=True), nullable=True)
    first_seen = Column(DateTime(timezone=True), default=utcnow, nullable=False)
    last_seen = Column(DateTime(timezone=True), default=utcnow, nullable=False)  # last read from its source (see Source.last_checked_at)
    content_hash = Column(String(64), nullable=False)
    source_id = Column(Integer, ForeignKey("gk_source.id", ondelete="SET NULL"), index=True, nullable=True)
    job_id = Column(Integer, ForeignKey("gk_job.id", ondelete="SET NULL"), nullable=True)
    location = Column(JSONType, default=dict, nullable=False)  # url, sheet, row
    ckan_hash = Column(String(64), nullable=True)  # inside CKAN: the content_hash its dataset was last written with


# an item imported without an assessment (its domain has no active baseline yet)
UNASSESSED = {"baseline_id": None, "baseline_code": None, "match_method": None, "match_score": None, "overlaps": None,
              "name_key": None, "filled": None, "errors": 0, "warnings": 0, "checks": []}


class Finding(Base):
    __tablename__ = "gk_finding"
    id = Column(Integer, primary_key=True)
    job_id = Column(Integer, ForeignKey("gk_job.id", ondelete="CASCADE"), index=True, nullable=True)
    # findings of the compliance checks belong to the score snapshot that made them
    snapshot_id = Column(Integer, ForeignKey("gk_score_snapshot.id", ondelete="CASCADE"), index=True, nullable=True)
    source_id = Column(Integer, ForeignKey("gk_source.id", ondelete="SET NULL"), nullable=True)
    item_id = Column(String(64), ForeignKey("gk_item.id", ondelete="CASCADE"), index=True, nullable=True)
    county_code = Column(String(6), index=True, nullable=True)
    domain = Column(String(50), nullable=True)
    stage = Column(String(20), nullable=False)  # gather | fetch | parse | validate | match | import | score
    rule = Column(String(50), nullable=False)
    severity = Column(String(10), nullable=False)
    message_zh = Column(Text, nullable=False)
    message_en = Column(Text, nullable=False)
    location = Column(JSONType, default=dict, nullable=False)
    created_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)


class ScoreSnapshot(Base):
    __tablename__ = "gk_score_snapshot"
    __table_args__ = (Index("ix_gk_score_snapshot_county_domain", "county_code", "domain", "computed_at"),)
    id = Column(Integer, primary_key=True)
    county_code = Column(String(6), ForeignKey("gk_county.code"), nullable=False)
    domain = Column(String(50), nullable=False)
    baseline_id = Column(Integer, ForeignKey("gk_baseline.id", ondelete="SET NULL"), nullable=True)
    job_id = Column(Integer, ForeignKey("gk_job.id", ondelete="SET NULL"), nullable=True)
    computed_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)
    coverage = Column(Float, nullable=False)
    completeness = Column(Float, nullable=False)
    compliance = Column(Float, nullable=False)
    freshness = Column(Float, nullable=False)
    score = Column(Float, nullable=False)
    rating = Column(String(20), nullable=False)
    details = Column(JSONType, default=dict, nullable=False)


class CountyDecision(Base):
    """What a county (or the province for it) has declared about a baseline item: that one of its own items
    is that item (a manual mapping, overriding automatic matching), or that the item does not apply locally
    (本地未开展), which is not a gap."""
    __tablename__ = "gk_county_decision"
    __table_args__ = (UniqueConstraint("county_code", "baseline_code", "kind", "item_id"),
                      Index("ix_gk_county_decision_county_domain", "county_code", "domain"))
    id = Column(Integer, primary_key=True)
    county_code = Column(String(6), ForeignKey("gk_county.code"), nullable=False)
    domain = Column(String(50), nullable=False)
    baseline_code = Column(String(100), nullable=False)
    kind = Column(String(20), nullable=False)  # mapping | not_applicable
    item_id = Column(String(64), nullable=True)  # the county item, for a mapping
    reason = Column(Text, nullable=True)
    decided_by = Column(String(100), nullable=True)
    decided_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)


class User(Base):
    """Accounts of the standalone portal (inside CKAN, CKAN's own users and sysadmins are used)."""
    __tablename__ = "gk_user"
    name = Column(String(100), primary_key=True)
    password_hash = Column(String(300), nullable=False)
    is_admin = Column(Boolean, default=False, nullable=False)
    created_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)


# --- connection -------------------------------------------------------------------------------------

def database_url(db: str | None) -> str:
    """A SQLAlchemy URL from --db: a URL as given, a bare path as a SQLite file, nothing as the default file."""
    db = db or os.environ.get("GKCATALOG_DB") or DEFAULT_DB_FILE
    if "://" in db:
        url = make_url(db)
        if url.drivername in ("postgresql", "postgres") and _psycopg3_dialect():
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver the standalone installs
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{os.path.abspath(db)}"


def _psycopg3_dialect() -> bool:
    """SQLAlchemy 2 with psycopg 3 installed (the standalone); inside CKAN 2.11 (SQLAlchemy 1.4) the URL's
    default driver, psycopg2, is kept."""
    import sqlalchemy

    if int(sqlalchemy.__version__.split(".")[0]) < 2:
        return False
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return True


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # with WAL, NORMAL never corrupts the file; a power cut can only lose the last commits, which the next
    # harvest redoes. FULL would fsync on each of a harvest's thousands of small commits.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    # pre-ping finds server connections that died; a SQLite file has none, and the ping costs a query per checkout
    engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if engine.url.database not in (None, "", ":memory:"):
            with engine.connect() as conn:  # WAL lets readers (the dashboards) work during a harvest
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    return engine


def alembic_config(connection=None):
    from alembic.config import Config

    folder = resources.files("ckanext_gkcatalog.migration").joinpath("gkcatalog")
    config = Config(str(folder.joinpath("alembic.ini")))
    config.set_main_option("script_location", str(folder))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class Store:
    def __init__(self, db: str | None = None):
        self.url = database_url(db)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, future=True)
        # SQLite has one writer at a time and its busy handler waits by sleeping in growing steps; harvest
        # threads queue on a lock instead. PostgreSQL takes concurrent transactions itself.
        self._write_lock = threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext()

    def init(self) -> str:
        """Create or upgrade the tables to the newest migration; returns the revision."""
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        with self.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()

    @contextmanager
    def session(self):
        """One transaction: committed when the block ends, rolled back when it raises."""
        with self._write_lock, self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self):
        """A read-only session, not queued behind writers (WAL lets SQLite read during a write)."""
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    # --- baselines ----------------------------------------------------------------------------------

    def add_baseline(self, baseline, activate: bool = True) -> Baseline:
        """Store a loaded ckanext_gkcatalog.baseline.Baseline as the next version of its domain."""
        with self.session() as s:
            latest = s.scalar(select(func.max(Baseline.version)).where(Baseline.domain == baseline.domain)) or 0
            record = Baseline(
                domain=baseline.domain, version=latest + 1, active=False, title=baseline.title,
                version_label=baseline.version_label, source_name=baseline.source_name, is_demo=baseline.is_demo,
                notice=baseline.notice, declared=baseline.declared, found=baseline.found, count_ok=baseline.count_ok,
                problems=[p.as_dict() for p in baseline.problems],
                items=[BaselineItem(code=i.code, position=i.position, level1=i.level1, level2=i.level2,
                                    level3=i.level3, elements=i.elements, time_limit_days=i.time_limit_days,
                                    note=i.note) for i in baseline.items],
            )
            s.add(record)
            s.flush()
            if activate or latest == 0:
                self._activate(s, baseline.domain, record.version)
            return record

    def _activate(self, s, domain: str, version: int) -> None:
        found = s.scalar(select(Baseline.id).where(Baseline.domain == domain, Baseline.version == version))
        if found is None:
            raise LookupError(f"no baseline version {version} for domain {domain}")
        s.execute(update(Baseline).where(Baseline.domain == domain).values(active=Baseline.version == version)
                  .execution_options(synchronize_session="fetch"))

    def activate_baseline(self, domain: str, version: int) -> None:
        with self.session() as s:
            self._activate(s, domain, version)

    def baselines(self, domain: str | None = None) -> list[Baseline]:
        with self.reading() as s:
            query = select(Baseline).order_by(Baseline.domain, Baseline.version)
            if domain:
                query = query.where(Baseline.domain == domain)
            return list(s.scalars(query))

    def baseline(self, domain: str, version: int | None = None) -> Baseline | None:
        """A version of a domain's baseline with its items; the active one when no version is given."""
        with self.reading() as s:
            query = select(Baseline).where(Baseline.domain == domain)
            query = query.where(Baseline.version == version) if version else query.where(Baseline.active)
            return s.scalar(query)

    # --- counties and sources -----------------------------------------------------------------------

    def upsert_county(self, code: str, name: str | None = None, city_code: str | None = None,
                      city_name: str | None = None, org_name: str | None = None) -> County:
        with self.session() as s:
            county = s.get(County, code)
            if county is None:
                if not name:
                    raise LookupError(f"unknown county {code}: give its name")
                county = County(code=code, name=name)
                s.add(county)
            for attr, value in (("name", name), ("city_code", city_code), ("city_name", city_name),
                                ("org_name", org_name)):
                if value:
                    setattr(county, attr, value)
            return county

    def county(self, code: str) -> County | None:
        with self.reading() as s:
            return s.get(County, code)

    def counties(self) -> list[County]:
        with self.reading() as s:
            return list(s.scalars(select(County).order_by(County.code)))

    def add_source(self, county_code: str, url: str, kind: str, domain: str | None = None,
                   options: dict | None = None, frequency_seconds: int | None = None,
                   start_at: datetime | None = None) -> Source:
        """Register a source; the same county, domain and URL registered again updates the existing one."""
        with self.session() as s:
            source = s.scalar(select(Source).where(Source.county_code == county_code, Source.url == url,
                                                   Source.domain.is_(None) if domain is None else Source.domain == domain))
            if source is None:
                source = Source(county_code=county_code, url=url, domain=domain)
                s.add(source)
            source.kind, source.options = kind, options or source.options or {}
            source.frequency_seconds = frequency_seconds
            source.next_run_at = (start_at or utcnow()) if frequency_seconds else None
            s.flush()
            return source

    def move_source(self, source_id: int, url: str) -> None:
        """The same source at a new address (a site moved): its items, jobs and state stay with it."""
        with self.session() as s:
            s.get(Source, source_id).url = url

    def sources(self, county_code: str | None = None, enabled_only: bool = False) -> list[Source]:
        with self.reading() as s:
            query = select(Source).order_by(Source.county_code, Source.domain, Source.id)
            if county_code:
                query = query.where(Source.county_code == county_code)
            if enabled_only:
                query = query.where(Source.enabled)
            return list(s.scalars(query))

    def source(self, source_id: int) -> Source | None:
        with self.reading() as s:
            return s.get(Source, source_id)

    def set_source_enabled(self, source_id: int, enabled: bool) -> None:
        with self.session() as s:
            source = s.get(Source, source_id)
            if source is None:
                raise LookupError(f"no source {source_id}")
            source.enabled = enabled

    def due_sources(self, now: datetime | None = None) -> list[Source]:
        with self.reading() as s:
            return list(s.scalars(select(Source).where(Source.enabled, Source.next_run_at.is_not(None),
                                                       Source.next_run_at <= (now or utcnow()))
                                  .order_by(Source.next_run_at)))

    # --- jobs ---------------------------------------------------------------------------------------

    def start_job(self, source_id: int | None) -> Job:
        with self.session() as s:
            job = Job(source_id=source_id, status="running", pid=os.getpid(), heartbeat_at=utcnow())
            s.add(job)
            s.flush()
            return job

    def close_stale_jobs(self, still_running) -> int:
        """Jobs left 'running' by a process that died (kill -9, power cut) end as 'aborted';
        `still_running(job)` tells a live job from an orphan."""
        closed = 0
        with self.session() as s:
            for job in s.scalars(select(Job).where(Job.status == "running")):
                if not still_running(job):
                    job.status, job.finished_at = "aborted", utcnow()
                    job.message = "the harvesting process ended before the job did; closed by the next run"
                    closed += 1
        return closed

    def finish_job(self, job_id: int, status: str, counts: dict, timings: dict, message: str | None,
                   findings: list, unchanged_state: dict | None = None) -> Job:
        """Close a job and schedule its source's next run, in one transaction. `unchanged_state` (the fetch
        state of a source that did not change) is saved with the time of the check; its items stay as they are."""
        with self.session() as s:
            job = s.get(Job, job_id)
            job.status, job.finished_at, job.timings, job.message = status, utcnow(), timings, message
            if unchanged_state is not None:
                counts["unchanged"] = self._checked_unchanged(s, job.source_id, unchanged_state)
            for key in ("added", "updated", "unchanged", "withdrawn", "errors"):
                setattr(job, key, counts.get(key, 0))
            s.add_all(Finding(job_id=job_id, source_id=job.source_id, **f) for f in findings)
            if job.source_id:
                self._schedule(s.get(Source, job.source_id), utcnow())
            return job

    def jobs(self, source_id: int | None = None, limit: int = 50) -> list[Job]:
        with self.reading() as s:
            query = select(Job).order_by(Job.id.desc()).limit(limit)
            if source_id:
                query = query.where(Job.source_id == source_id)
            return list(s.scalars(query))

    def job(self, job_id: int) -> Job | None:
        with self.reading() as s:
            return s.get(Job, job_id)

    def findings(self, job_id: int) -> list[Finding]:
        with self.reading() as s:
            return list(s.scalars(select(Finding).where(Finding.job_id == job_id).order_by(Finding.id)))

    # --- items --------------------------------------------------------------------------------------

    def import_items(self, source_id: int, job_id: int, items: list, fetch_state: dict) -> dict:
        """Upsert a source's items by stable id in one transaction; items it no longer offers are withdrawn
        (kept, marked, dated), never deleted. `fetch_state` (etag, last-modified, hash) is saved with them,
        so a source is only marked as read when its items are."""
        now = utcnow()
        counts = {"added": 0, "updated": 0, "unchanged": 0, "withdrawn": 0}
        with self.session() as s, s.no_autoflush:
            existing = {i.id: i for i in s.scalars(select(Item).where(Item.source_id == source_id))}
            # an item can move here from another source of the county (a page split differently): one query
            moved = [data["id"] for data in items if data["id"] not in existing]
            for chunk in range(0, len(moved), 500):
                existing.update((i.id, i) for i in s.scalars(select(Item).where(Item.id.in_(moved[chunk:chunk + 500]))))
            seen, added = set(), []
            for data in items:
                seen.add(data["id"])
                item = existing.get(data["id"])
                if item is None:
                    added.append({**data, "source_id": source_id, "job_id": job_id, "first_seen": now,
                                  "last_seen": now, "status": "active"})
                    continue
                changed = item.content_hash != data["content_hash"] or item.status != "active"
                if changed:
                    item.baseline_id = None  # assessed again unless the record brings its new assessment
                    for key, value in data.items():
                        setattr(item, key, value)
                    item.status, item.withdrawn_at, item.job_id = "active", None, job_id
                item.source_id, item.last_seen = source_id, now
                counts["updated" if changed else "unchanged"] += 1
            for item_id, item in existing.items():
                if item_id not in seen and item.status == "active":
                    item.status, item.withdrawn_at, item.job_id = "withdrawn", now, job_id
                    counts["withdrawn"] += 1
            if added:  # one multi-row INSERT instead of an ORM object per item; every row with the same keys
                s.execute(insert(Item), [{**UNASSESSED, **data} for data in added])
                counts["added"] = len(added)
            source = s.get(Source, source_id)
            for key, value in {**fetch_state, "last_checked_at": now, "offered": sorted(seen)}.items():
                setattr(source, key, value)
        return counts

    @staticmethod
    def _checked_unchanged(s, source_id: int, fetch_state: dict) -> int:
        """A source that did not change is checked, its items untouched (rewriting every item row of the
        province on each no-change harvest is most of that harvest's cost); returns its active items."""
        source = s.get(Source, source_id)
        for key, value in {**fetch_state, "last_checked_at": utcnow()}.items():
            setattr(source, key, value)
        return s.scalar(select(func.count()).select_from(Item).where(Item.source_id == source_id,
                                                                    Item.status == "active"))

    def schedule_next(self, source_id: int, now: datetime | None = None) -> None:
        with self.session() as s:
            self._schedule(s.get(Source, source_id), now or utcnow())

    @staticmethod
    def _schedule(source, now: datetime) -> None:
        """Next run = the previous scheduled time + the period (never now + period), so runs do not drift;
        runs missed while nothing ran are skipped, not made up in a burst."""
        if not source.frequency_seconds or source.next_run_at is None:
            return
        period = source.frequency_seconds
        scheduled = _aware(source.next_run_at)
        missed = max(0, int((now - scheduled).total_seconds() // period))
        source.next_run_at = scheduled + timedelta(seconds=period * (missed + 1))

    def items(self, county_code: str | None = None, domain: str | None = None, status: str | None = "active") -> list[Item]:
        with self.reading() as s:
            query = select(Item).order_by(Item.county_code, Item.domain, Item.level1, Item.level2)
            for column, value in ((Item.county_code, county_code), (Item.domain, domain), (Item.status, status)):
                if value:
                    query = query.where(column == value)
            return list(s.scalars(query))

    # --- assessment: matches, findings and score snapshots ------------------------------------------

    def county_domains(self) -> list[tuple[str, str]]:
        """Every (county, domain) with a source for the domain or an active item in it."""
        with self.reading() as s:
            pairs = set(map(tuple, s.execute(select(Source.county_code, Source.domain)
                                              .where(Source.domain.is_not(None)))))
            pairs |= set(map(tuple, s.execute(select(Item.county_code, Item.domain)
                                              .where(Item.status == "active").distinct())))
        return sorted(pairs)

    def source_pairs(self, source_ids: list[int]) -> dict:
        """{(county, domain): source id} for what these sources publish (their domain, or their items' domains)."""
        with self.reading() as s:
            pairs = {(c, d): i for i, c, d in s.execute(select(Source.id, Source.county_code, Source.domain)
                                                        .where(Source.id.in_(source_ids), Source.domain.is_not(None)))}
            pairs.update({(c, d): i for i, c, d in s.execute(
                select(Item.source_id, Item.county_code, Item.domain).where(Item.source_id.in_(source_ids)).distinct())})
        return pairs

    def pending_items(self, pairs: list, baseline_ids: list[int]) -> dict:
        """{(county, domain): [item dicts]} of these pairs' active items not assessed against any of these
        (active) baselines: new baseline versions and a county's new decisions send items back here."""
        wanted = set(pairs)
        columns = (Item.id, Item.county_code, Item.domain, Item.level1, Item.level2, Item.level3, Item.fields,
                   Item.parsed, Item.location)
        pending: dict = {}
        with self.reading() as s:
            for row in s.execute(select(*columns).where(
                    Item.status == "active", Item.county_code.in_({c for c, _ in wanted}),
                    Item.domain.in_({d for _, d in wanted}),
                    Item.baseline_id.is_(None) | Item.baseline_id.not_in(baseline_ids))):
                if (row.county_code, row.domain) in wanted:
                    pending.setdefault((row.county_code, row.domain), []).append(dict(row._mapping))
        return pending

    def mappings(self, county_codes) -> dict:
        """{county: {item id: baseline code}}: the counties' manual mappings."""
        with self.reading() as s:
            found: dict = {}
            for county, item_id, code in s.execute(
                    select(CountyDecision.county_code, CountyDecision.item_id, CountyDecision.baseline_code)
                    .where(CountyDecision.kind == "mapping", CountyDecision.county_code.in_(set(county_codes)))):
                found.setdefault(county, {})[item_id] = code
        return found

    def items_to_publish(self, source_ids: list[int] | None = None) -> list[Item]:
        """Inside CKAN: active items whose dataset is missing or older than the item, and withdrawn items
        that still have a dataset (of the given sources, or all)."""
        with self.reading() as s:
            stale = ((Item.status == "active") & (Item.ckan_hash.is_(None) | (Item.ckan_hash != Item.content_hash))
                     | (Item.status != "active") & Item.ckan_hash.is_not(None))
            query = select(Item).where(stale).order_by(Item.county_code, Item.id)
            if source_ids is not None:
                query = query.where(Item.source_id.in_(source_ids))
            return list(s.scalars(query))

    def mark_published(self, hashes: dict) -> None:
        """{item id: the content hash its dataset now has, or None once its dataset is deleted}."""
        self._update_items([{"id": item_id, "ckan_hash": value} for item_id, value in hashes.items()])

    def save_item_assessments(self, rows: list[dict]) -> None:
        """Store items' assessment columns (rows of ckanext_gkcatalog.assess.assess_items), by item id."""
        self._update_items(rows)

    def _update_items(self, rows: list[dict]) -> None:
        """Update item columns by id, 1,000 rows per statement batch."""
        with self.session() as s:
            for chunk in range(0, len(rows), 1000):
                s.bulk_update_mappings(Item, rows[chunk:chunk + 1000])  # by primary key, on SQLAlchemy 1.4 too

    def scoring_input(self, pairs: list) -> dict:
        """Per (county, domain): sums over the stored assessments of its active items, its items listed more
        than once (in catalog order), its published sources and its not-applicable declarations."""
        wanted = set(pairs)
        counties, domains = {c for c, _ in wanted}, {d for _, d in wanted}
        active = (Item.status == "active", Item.county_code.in_(counties), Item.domain.in_(domains))
        data = {pair: {"items": 0, "added": 0, "filled": 0.0, "with_errors": 0, "with_warnings_only": 0,
                       "errors": 0, "warnings": 0, "covered": 0, "covered_not_applicable": 0, "doubles": [],
                       "sources": [], "not_applicable": set()} for pair in wanted}
        with self.reading() as s:
            sums = select(Item.county_code, Item.domain, func.count().label("items"),
                          func.sum(case((Item.baseline_code.is_(None), 1), else_=0)).label("added"),
                          func.coalesce(func.sum(Item.filled), 0.0).label("filled"),
                          func.sum(case((Item.errors > 0, 1), else_=0)).label("with_errors"),
                          func.sum(case(((Item.errors == 0) & (Item.warnings > 0), 1), else_=0)).label("with_warnings_only"),
                          func.sum(Item.errors).label("errors"), func.sum(Item.warnings).label("warnings"),
                          func.count(Item.baseline_code.distinct()).label("covered"))
            for row in s.execute(sums.where(*active).group_by(Item.county_code, Item.domain)):
                if (row.county_code, row.domain) in wanted:
                    data[row.county_code, row.domain].update({k: v for k, v in row._mapping.items()
                                                              if k not in ("county_code", "domain")})
            for county, domain, code in s.execute(
                    select(CountyDecision.county_code, CountyDecision.domain, CountyDecision.baseline_code)
                    .where(CountyDecision.kind == "not_applicable", CountyDecision.county_code.in_(counties))):
                if (county, domain) in wanted:
                    data[county, domain]["not_applicable"].add(code)
            declared = [(c, code) for (c, _), d in data.items() for code in d["not_applicable"]]
            if declared:  # a declared item is not applicable, published or not: not counted as present
                for county, domain, code in s.execute(select(Item.county_code, Item.domain, Item.baseline_code)
                                                      .where(*active, tuple_(Item.county_code, Item.baseline_code)
                                                             .in_(declared)).distinct()):
                    if (county, domain) in wanted:
                        data[county, domain]["covered_not_applicable"] += 1
            doubled = (select(Item.county_code, Item.domain, Item.name_key).where(*active)
                       .group_by(Item.county_code, Item.domain, Item.name_key).having(func.count() > 1).subquery())
            for row in s.execute(
                    select(Item.id, Item.county_code, Item.domain, Item.level1, Item.level2, Item.level3,
                           Item.location, Item.name_key, Item.errors, Item.warnings).where(*active)
                    .join(doubled, (Item.county_code == doubled.c.county_code) & (Item.domain == doubled.c.domain)
                          & (Item.name_key == doubled.c.name_key))
                    .order_by(Item.county_code, Item.domain, Item.level1, Item.level2, Item.level3)):
                if (row.county_code, row.domain) in wanted:
                    data[row.county_code, row.domain]["doubles"].append(dict(row._mapping))
            self._published(s, data, counties)
        return data

    @staticmethod
    def _published(s, data: dict, counties: set) -> None:
        """Each pair's sources that have been read, with when each last brought a change and the ids of
        the pair's items it offered (a source can offer several domains)."""
        published = list(s.scalars(select(Source).where(Source.county_code.in_(counties),
                                                        Source.content_hash.is_not(None))))
        changed = {source_id: _aware(at) for source_id, at in s.execute(
            select(Job.source_id, func.max(Job.finished_at))
            .where(Job.status == "finished", Job.source_id.in_([src.id for src in published]))
            .group_by(Job.source_id))}
        domains_of: dict = {}
        for county, domain in data:
            domains_of.setdefault(county, []).append(domain)
        by_pair: dict = {}
        for src in published:  # a source without a domain publishes for each of its county's domains
            for domain in domains_of.get(src.county_code, []):
                if src.domain in (domain, None):
                    by_pair.setdefault((src.county_code, domain), []).append(src)
        for pair, sources in by_pair.items():
            known = set()
            if len(sources) > 1:  # only platforms compared need to know which offered items are this domain's
                known = set(s.scalars(select(Item.id).where(Item.county_code == pair[0], Item.domain == pair[1])))
            data[pair]["sources"] = [
                {"id": src.id, "url": src.url, "http_last_modified": src.http_last_modified,
                 "changed_at": changed.get(src.id), "offered": [i for i in src.offered or [] if i in known]}
                for src in sources]

    def save_snapshots(self, snapshots: list, now: datetime) -> list[int]:
        """One transaction: a snapshot per (pair, baseline id, job id, Score, [(item id, Problem)]) with the
        county-level findings, which replace those of the pairs' earlier snapshots (the trend needs their
        numbers, not their findings). Returns the snapshot ids."""
        with self.session() as s:
            pairs = [pair for pair, *_ in snapshots]
            earlier = select(ScoreSnapshot.id).where(tuple_(ScoreSnapshot.county_code, ScoreSnapshot.domain).in_(pairs))
            s.execute(delete(Finding).where(Finding.snapshot_id.in_(earlier))
                      .execution_options(synchronize_session=False))  # none is loaded in this session
            records = [ScoreSnapshot(county_code=county, domain=domain, baseline_id=baseline_id, job_id=job_id,
                                     computed_at=now, coverage=score.coverage, completeness=score.completeness,
                                     compliance=score.compliance, freshness=score.freshness, score=score.score,
                                     rating=score.rating, details=score.details)
                       for (county, domain), baseline_id, job_id, score, _ in snapshots]
            s.add_all(records)
            s.flush()
            rows = [{"snapshot_id": record.id, "item_id": item_id, "county_code": record.county_code,
                     "domain": record.domain, "stage": "check", "created_at": now, **p.check_columns()}
                    for record, (*_, problems) in zip(records, snapshots) for item_id, p in problems]
            if rows:
                s.execute(insert(Finding), rows)
            return [record.id for record in records]

    def current_findings(self, county_code: str, domain: str, snapshot_id: int) -> list[Finding]:
        """A county's findings for a domain: its active items' own (stored on them at import, shown as
        unsaved Finding objects) and those of its newest snapshot (duplicates, platforms, staleness)."""
        with self.reading() as s:
            own = [Finding(item_id=item_id, county_code=county_code, domain=domain, stage="check", **check)
                   for item_id, checks in s.execute(
                       select(Item.id, Item.checks).where(Item.county_code == county_code, Item.domain == domain,
                                                          Item.status == "active")
                       .order_by(Item.level1, Item.level2, Item.level3))
                   for check in checks or []]
            return own + list(s.scalars(select(Finding).where(Finding.snapshot_id == snapshot_id).order_by(Finding.id)))

    def add_decision(self, county_code: str, domain: str, baseline_code: str, kind: str, item_id: str | None = None,
                     reason: str | None = None, decided_by: str | None = None) -> CountyDecision:
        if kind not in ("mapping", "not_applicable"):
            raise ValueError(f"unknown decision kind {kind}")
        with self.session() as s:
            if kind == "mapping":  # an item maps to one baseline item: a new mapping replaces the old
                s.execute(delete(CountyDecision).where(CountyDecision.county_code == county_code,
                                                       CountyDecision.kind == "mapping",
                                                       CountyDecision.item_id == item_id))
            existing = s.scalar(select(CountyDecision).where(
                CountyDecision.county_code == county_code, CountyDecision.baseline_code == baseline_code,
                CountyDecision.kind == kind, CountyDecision.item_id.is_(None) if item_id is None
                else CountyDecision.item_id == item_id))
            decision = existing or CountyDecision(county_code=county_code, domain=domain, baseline_code=baseline_code,
                                                  kind=kind, item_id=item_id)
            decision.reason, decision.decided_by, decision.decided_at = reason, decided_by, utcnow()
            s.add(decision)
            self._reassess(s, county_code, domain)
            return decision

    def remove_decision(self, decision_id: int) -> None:
        with self.session() as s:
            decision = s.get(CountyDecision, decision_id)
            if decision is not None:
                s.delete(decision)
                self._reassess(s, decision.county_code, decision.domain)

    @staticmethod
    def _reassess(s, county_code: str, domain: str) -> None:
        """A county's decision changes how its items match: the next assessment matches them again."""
        s.execute(update(Item).where(Item.county_code == county_code, Item.domain == domain).values(baseline_id=None)
                  .execution_options(synchronize_session=False))

    def decisions(self, county_code: str, domain: str | None = None) -> list[CountyDecision]:
        with self.reading() as s:
            query = select(CountyDecision).where(CountyDecision.county_code == county_code)
            if domain:
                query = query.where(CountyDecision.domain == domain)
            return list(s.scalars(query.order_by(CountyDecision.domain, CountyDecision.baseline_code)))

    def latest_snapshots(self, domain: str | None = None, county_code: str | None = None) -> list[ScoreSnapshot]:
        """The newest snapshot of every county and domain (of one domain, of one county)."""
        with self.reading() as s:
            newest = select(func.max(ScoreSnapshot.id)).group_by(ScoreSnapshot.county_code, ScoreSnapshot.domain)
            for column, value in ((ScoreSnapshot.domain, domain), (ScoreSnapshot.county_code, county_code)):
                if value:
                    newest = newest.where(column == value)
            query = select(ScoreSnapshot).where(ScoreSnapshot.id.in_(newest))
            return list(s.scalars(query.order_by(ScoreSnapshot.county_code, ScoreSnapshot.domain)))

    def snapshot_history(self, county_code: str, domain: str, limit: int = 100) -> list[ScoreSnapshot]:
        with self.reading() as s:
            query = (select(ScoreSnapshot).where(ScoreSnapshot.county_code == county_code, ScoreSnapshot.domain == domain)
                     .order_by(ScoreSnapshot.id.desc()).limit(limit))
            return list(reversed(list(s.scalars(query))))

    def snapshot_findings(self, snapshot_id: int) -> list[Finding]:
        with self.reading() as s:
            return list(s.scalars(select(Finding).where(Finding.snapshot_id == snapshot_id).order_by(Finding.id)))

    def county_jobs(self, county_code: str, limit: int = 50) -> list[tuple[Job, Source]]:
        with self.reading() as s:
            return [tuple(row) for row in s.execute(
                select(Job, Source).join(Source, Job.source_id == Source.id)
                .where(Source.county_code == county_code).order_by(Job.id.desc()).limit(limit))]

    def last_harvests(self) -> dict:
        """{county code: when its newest job ended}."""
        with self.reading() as s:
            return {code: at for code, at in s.execute(
                select(Source.county_code, func.max(Job.finished_at)).join(Job, Job.source_id == Source.id)
                .group_by(Source.county_code))}

    def matched_codes(self, domain: str | None = None) -> set:
        """{(county, baseline code)} of every active item matched to a baseline item."""
        with self.reading() as s:
            query = select(Item.county_code, Item.baseline_code).where(Item.status == "active",
                                                                       Item.baseline_code.is_not(None)).distinct()
            if domain:
                query = query.where(Item.domain == domain)
            return set(map(tuple, s.execute(query)))

    def not_applicable_codes(self) -> set:
        with self.reading() as s:
            return set(map(tuple, s.execute(select(CountyDecision.county_code, CountyDecision.baseline_code)
                                            .where(CountyDecision.kind == "not_applicable"))))

    # --- users of the standalone portal -------------------------------------------------------------

    def set_user(self, name: str, password_hash: str, is_admin: bool = False) -> None:
        with self.session() as s:
            user = s.get(User, name) or User(name=name)
            user.password_hash, user.is_admin = password_hash, is_admin
            s.add(user)

    def user(self, name: str) -> User | None:
        with self.reading() as s:
            return s.get(User, name)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for the UTC values we stored."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
