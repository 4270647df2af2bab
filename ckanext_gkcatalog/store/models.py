"""The store's tables: SQLAlchemy models of divisions, baselines, sources, jobs, items, findings, score
snapshots, county decisions and portal users. The Alembic revisions in migration/ create and upgrade them.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text,
                        UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import declarative_base, relationship

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
    code = Column(String(12), primary_key=True)  # 行政区划代码
    name = Column(String(100), nullable=False)
    city_code = Column(String(12), nullable=True)
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
    county_code = Column(String(12), ForeignKey("gk_county.code"), index=True, nullable=False)
    domain = Column(String(50), nullable=True)  # None: the source offers several domains
    kind = Column(String(20), nullable=False)  # sources.KINDS
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
    # a catalog published one item per page: {page address: {etag, last_modified, hash}} at the last harvest
    page_state = Column(JSONType, default=dict, nullable=True)
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
    message_code = Column(String(40), nullable=True)  # problems.JOB_MESSAGES: worded when shown
    message_params = Column(JSONType, nullable=True)


class Item(Base):
    __tablename__ = "gk_item"
    __table_args__ = (Index("ix_gk_item_county_domain", "county_code", "domain"),)
    id = Column(String(64), primary_key=True)  # stable id
    county_code = Column(String(12), ForeignKey("gk_county.code"), nullable=False)
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
    penalty = Column(Float, nullable=True)  # the share of the item its findings cost (scoring.item_penalty)
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


class ItemEvent(Base):
    """A change in an item's life after it was first seen: changed (with what changed), withdrawn, back."""
    __tablename__ = "gk_item_event"
    id = Column(Integer, primary_key=True)
    item_id = Column(String(64), ForeignKey("gk_item.id", ondelete="CASCADE"), index=True, nullable=False)
    job_id = Column(Integer, ForeignKey("gk_job.id", ondelete="SET NULL"), nullable=True)
    at = Column(DateTime(timezone=True), default=utcnow, nullable=False)
    kind = Column(String(20), nullable=False)  # changed | withdrawn | restored
    changes = Column(JSONType, default=dict, nullable=False)  # field -> [before, after]


class SearchDoc(Base):
    """An active item in the public search: its facet values and when it last changed. The text index
    lives beside it: an FTS5 table keyed by doc_id on SQLite, tsvector columns of this table on PostgreSQL
    (migration 0005 makes both; store/search.py writes them)."""
    __tablename__ = "gk_search_doc"
    doc_id = Column(Integer, primary_key=True)
    item_id = Column(String(64), ForeignKey("gk_item.id", ondelete="CASCADE"), unique=True, nullable=False)
    facets = Column(Text, default="", nullable=False)  # indexing.encode_facets
    changed_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)


class SearchState(Base):
    """One row: a number every index write increases, so a web process knows when to reload its facets."""
    __tablename__ = "gk_search_state"
    id = Column(Integer, primary_key=True)
    generation = Column(Integer, default=0, nullable=False)


class Finding(Base):
    __tablename__ = "gk_finding"
    id = Column(Integer, primary_key=True)
    job_id = Column(Integer, ForeignKey("gk_job.id", ondelete="CASCADE"), index=True, nullable=True)
    # findings of the compliance checks belong to the score snapshot that made them
    snapshot_id = Column(Integer, ForeignKey("gk_score_snapshot.id", ondelete="CASCADE"), index=True, nullable=True)
    source_id = Column(Integer, ForeignKey("gk_source.id", ondelete="SET NULL"), nullable=True)
    item_id = Column(String(64), ForeignKey("gk_item.id", ondelete="CASCADE"), index=True, nullable=True)
    county_code = Column(String(12), index=True, nullable=True)
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
    county_code = Column(String(12), ForeignKey("gk_county.code"), nullable=False)
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
    county_code = Column(String(12), ForeignKey("gk_county.code"), nullable=False)
    domain = Column(String(50), nullable=False)
    baseline_code = Column(String(100), nullable=False)
    kind = Column(String(20), nullable=False)  # mapping | not_applicable | domain_na (store.scores.DECISION_KINDS)
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


class NoticeRecipient(Base):
    """Who is told when a harvest makes things worse: an e-mail address or a webhook URL, for the whole
    province or scoped to a city or a county."""
    __tablename__ = "gk_notice_recipient"
    id = Column(Integer, primary_key=True)
    kind = Column(String(10), nullable=False)  # email | webhook
    address = Column(String(500), nullable=False)
    city_name = Column(String(100), nullable=True)
    county_code = Column(String(12), nullable=True)
    lang = Column(String(5), default="zh", nullable=False)
    enabled = Column(Boolean, default=True, nullable=False)
    created_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)


class NoticeSent(Base):
    """A piece of news a recipient was told, so that it is never told twice."""
    __tablename__ = "gk_notice_sent"
    __table_args__ = (UniqueConstraint("recipient_id", "news_key", name="uq_gk_notice_sent"),)
    id = Column(Integer, primary_key=True)
    recipient_id = Column(Integer, ForeignKey("gk_notice_recipient.id", ondelete="CASCADE"), nullable=False)
    news_key = Column(String(200), nullable=False)
    sent_at = Column(DateTime(timezone=True), default=utcnow, nullable=False)


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for the UTC values we stored."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
