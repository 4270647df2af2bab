"""The catalog aggregate: counties, their sources and the province's baselines with their versions."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from .database import Database
from .models import Baseline, BaselineItem, County, Source, aware, utcnow


class CatalogStore(Database):
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

    def baseline_entry(self, baseline_id: int | None, code: str) -> tuple | None:
        """(the baseline version, its item `code`) that an item was matched to, or None when that version is gone."""
        with self.reading() as s:
            found = s.execute(select(Baseline, BaselineItem).join(BaselineItem, BaselineItem.baseline_id == Baseline.id)
                              .where(Baseline.id == baseline_id, BaselineItem.code == code)).first()
            return tuple(found) if found else None

    def upsert_county(self, code: str, name: str | None = None, city_code: str | None = None,
                      city_name: str | None = None, org_name: str | None = None) -> County:
        with self.session() as s:
            county = s.get(County, code)
            if county is None:
                if not name:
                    raise LookupError(f"unknown county {code}: give its name")
                county = County(code=code, name=name)
                s.add(county)
            # a township (9 digits, divisions.py) is in its county's (its first 6 digits) city
            parent = s.get(County, code[:6]) if len(code) == 9 else None
            if parent is not None and not (city_code or city_name):
                city_code, city_name = parent.city_code, parent.city_name
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

    def schedule_next(self, source_id: int, now: datetime | None = None) -> None:
        with self.session() as s:
            schedule(s.get(Source, source_id), now or utcnow())


def schedule(source, now: datetime) -> None:
    """Next run = the previous scheduled time + the period (never now + period), so runs do not drift;
    runs missed while nothing ran are skipped, not made up in a burst."""
    if not source.frequency_seconds or source.next_run_at is None:
        return
    period = source.frequency_seconds
    scheduled = aware(source.next_run_at)
    missed = max(0, int((now - scheduled).total_seconds() // period))
    source.next_run_at = scheduled + timedelta(seconds=period * (missed + 1))
