"""The store on SQLite and on a real PostgreSQL: migrations, baseline versions, one transaction per load."""
import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import String, inspect, select
from sqlalchemy.exc import IntegrityError

from ckanext_gkcatalog.store import Store, database_url
from ckanext_gkcatalog.store.models import VERSION_TABLE, Base, BaselineItem, County, Item

from support import demo_baseline as demo


def test_migrations_create_every_table_and_match_the_models(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"gk_county", "gk_baseline", "gk_baseline_item", "gk_source", "gk_job", "gk_item", "gk_finding",
            "gk_score_snapshot", "gk_county_decision", "gk_user", VERSION_TABLE} <= tables
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _ours, "compare_type": _type_differs})
        assert compare_metadata(context, Base.metadata) == []
    assert store.init() == "0010"  # running again is a no-op


def _type_differs(context, inspected, metadata, inspected_type, metadata_type):
    """Types as alembic compares them, but a VARCHAR's length on SQLite, which never enforces it (migration
    0010 widens the division codes on PostgreSQL only)."""
    if context.dialect.name == "sqlite" and isinstance(inspected_type, String) and isinstance(metadata_type, String):
        return False
    return None


def _ours(name, type_, parents) -> bool:
    """Our tables, without the search's text index, which lives outside the models: an FTS5 table (and
    its shadow tables) on SQLite, tsvector columns with GIN indexes on PostgreSQL."""
    if type_ == "table":
        return name.startswith("gk_") and not name.startswith("gk_search_fts")
    return not (type_ == "column" and name in ("tsv", "chars")
                or type_ == "index" and name in ("ix_gk_search_doc_tsv", "ix_gk_search_doc_chars"))


def test_baseline_versions_with_one_active_per_domain(store):
    first = store.add_baseline(demo("employment"))
    assert (first.version, first.active) == (1, True)
    second = store.add_baseline(demo("employment"), activate=False)
    assert (second.version, second.active) == (2, False)
    store.add_baseline(demo("social_assistance"))
    assert store.baseline("employment").version == 1
    store.activate_baseline("employment", 2)
    assert [(b.domain, b.version, b.active) for b in store.baselines()] == [
        ("employment", 1, False), ("employment", 2, True), ("social_assistance", 1, True)]
    shown = store.baseline("employment")
    assert shown.version == 2 and [i.level2 for i in shown.items] == ["就业政策法规咨询", "岗位信息发布", "职业培训信息发布"]
    assert shown.count_ok is False and shown.problems[0]["code"] == "declared_count_mismatch"
    assert shown.problems[0]["message_zh"].endswith("声明一级事项9个,实际读到1个")
    with pytest.raises(LookupError):
        store.activate_baseline("employment", 9)


def test_json_elements_round_trip_with_chinese_text(store):
    store.add_baseline(demo("social_assistance"))
    item = store.baseline("social_assistance").items[0]
    assert item.elements["channels"] == ["government_website", "reading_point", "service_center"]
    assert item.elements["parsed"]["time_limit"]["days"] == 10
    assert item.time_limit_days == 10


def test_a_failed_load_leaves_nothing_behind(store):
    baseline = demo("employment")
    baseline.items.append(baseline.items[0])  # same code twice: the unique constraint fails mid-insert
    with pytest.raises(IntegrityError):
        store.add_baseline(baseline)
    assert store.baselines() == []
    with store.session() as s:
        assert s.scalars(select(BaselineItem)).all() == []


def test_items_and_counties_store_json_fields(store):
    with store.session() as s:
        s.add(County(code="530581", name="腾冲市", city_code="530500", city_name="保山市"))
        s.add(Item(id="530581-emp-1", county_code="530581", domain="employment", level1="就业信息服务",
                   level2="岗位信息发布", fields={"channels": ["government_website", "党群服务中心"]},
                   content_hash="0" * 64))
    with store.session() as s:
        item = s.get(Item, "530581-emp-1")
        assert item.fields["channels"][1] == "党群服务中心" and item.status == "active"
    with pytest.raises(IntegrityError):  # foreign keys are enforced on SQLite too
        with store.session() as s:
            s.add(Item(id="x", county_code="999999", domain="employment", content_hash="0" * 64))


def test_database_url_forms(tmp_path, monkeypatch):
    monkeypatch.delenv("GKCATALOG_DB", raising=False)
    assert database_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    # psycopg 3 on SQLAlchemy 2 (the standalone); psycopg2, the URL's default, inside CKAN 2.11's SQLAlchemy 1.4
    driver = "postgresql+psycopg" if int(sqlalchemy.__version__[0]) >= 2 else "postgresql"
    assert database_url("postgresql://u:p@127.0.0.1/gk") == f"{driver}://u:p@127.0.0.1/gk"
    monkeypatch.chdir(tmp_path)
    assert database_url(None) == f"sqlite:///{tmp_path / 'gkcatalog.db'}"
    monkeypatch.setenv("GKCATALOG_DB", "sqlite:///x.db")
    assert database_url(None) == "sqlite:///x.db"


def test_sqlite_file_uses_wal(tmp_path):
    store = Store(str(tmp_path / "w.db"))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_province_of_snapshots_is_saved_in_one_call(store):
    """18,900 county-domain pairs (bench/province_bench.py's province) overflowed PostgreSQL's parser in one
    IN list; they are saved, and saved again over themselves."""
    from datetime import datetime, timezone

    from ckanext_gkcatalog.scoring import Score

    store.upsert_county("990101", "青山县")
    score = Score(0.5, 0.5, 0.5, 1.0, 60.0, "sufficient", {"items": 1})
    snapshots = [(("990101", f"d{n:05d}"), None, None, score, []) for n in range(20000)]
    now = datetime.now(timezone.utc)
    assert len(store.save_snapshots(snapshots, now)) == 20000
    assert len(store.save_snapshots(snapshots, now)) == 20000
