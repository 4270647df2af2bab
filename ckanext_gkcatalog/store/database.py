"""The connection to the store's database: SQLite (a file, the default) or PostgreSQL (by URL), and the
Alembic migrations in migration/, the layout CKAN runs for an extension's tables too.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager, nullcontext
from importlib import resources

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker

from .models import VERSION_TABLE, Item

DEFAULT_DB_FILE = "gkcatalog.db"


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

    folder = resources.files("ckanext_gkcatalog.store.migration")
    config = Config(str(folder.joinpath("alembic.ini")))
    config.set_main_option("script_location", str(folder))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class Database:
    """The connection: an engine, its sessions and the SQLite write lock. The aggregates' stores in this
    package add their queries to it."""

    def __init__(self, db: str | None = None):
        self.url = database_url(db)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, future=True)
        # SQLite has one writer at a time and its busy handler waits by sleeping in growing steps; harvest
        # threads queue on a lock instead. PostgreSQL takes concurrent transactions itself.
        self._write_lock = threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext()
        self._memo: dict = {}  # name -> (key, value): answers that change only when a harvest lands

    def remembered(self, name: str, key, compute):
        """compute(), or the value it gave last time while `key` (a cheap query's answer) is the same."""
        known = self._memo.get(name)
        if known is not None and known[0] == key:
            return known[1]
        value = compute()
        self._memo[name] = (key, value)
        return value

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

    def _update_items(self, rows: list[dict]) -> None:
        """Update item columns by id, 1,000 rows per statement batch."""
        with self.session() as s:
            for chunk in range(0, len(rows), 1000):
                s.bulk_update_mappings(Item, rows[chunk:chunk + 1000])  # by primary key, on SQLAlchemy 1.4 too
