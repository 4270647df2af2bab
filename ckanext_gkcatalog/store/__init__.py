"""The store: the only package that knows SQL.

`Store` is the one handle the rest of the product holds (the CLI, the pipeline, the web app, CKAN's
actions), as CKAN code holds `model`: an engine and its sessions (database.py) with the queries of each
aggregate, each in its own module: catalog.py (counties, sources, baselines), harvest.py (jobs, item
import), scores.py (assessments, snapshots, decisions), search.py (the public search's index), users.py
and notices.py. The tables are in models.py, created and upgraded by the Alembic revisions in migration/.
"""
from __future__ import annotations

from .catalog import CatalogStore
from .database import DEFAULT_DB_FILE, alembic_config, database_url, make_engine
from .harvest import HarvestStore
from .notices import NoticeStore
from .scores import ScoreStore
from .users import UserStore


class Store(CatalogStore, HarvestStore, ScoreStore, UserStore, NoticeStore):
    """A SQLite file or a PostgreSQL database by URL (`database_url`), with every aggregate's queries."""


__all__ = ["DEFAULT_DB_FILE", "Store", "alembic_config", "database_url", "make_engine"]
