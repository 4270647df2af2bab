"""The harvest aggregate: jobs with their findings, and the items they import (upserted by stable id,
withdrawn when no longer offered), with what inside CKAN still has to be written as datasets."""
from __future__ import annotations

import os

from sqlalchemy import func, insert, select

from .catalog import schedule
from .models import County, Finding, Item, ItemEvent, Job, Source, utcnow
from .search import SearchStore

# an item imported without an assessment (its domain has no active baseline yet)
UNASSESSED = {"baseline_id": None, "baseline_code": None, "match_method": None, "match_score": None, "overlaps": None,
              "name_key": None, "filled": None, "errors": 0, "warnings": 0, "penalty": None, "checks": []}


class HarvestStore(SearchStore):
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
                    job.message_code, job.message_params = "interrupted", {}
                    closed += 1
        return closed

    def finish_job(self, job_id: int, status: str, counts: dict, timings: dict, message: tuple | None,
                   findings: list, unchanged_state: dict | None = None) -> Job:
        """Close a job and schedule its source's next run, in one transaction. `unchanged_state` (the fetch
        state of a source that did not change) is saved with the time of the check; its items stay as they are."""
        with self.session() as s:
            job = s.get(Job, job_id)
            job.status, job.finished_at, job.timings = status, utcnow(), timings
            job.message_code, job.message_params = message or (None, None)
            if unchanged_state is not None:
                counts["unchanged"] = self._checked_unchanged(s, job.source_id, unchanged_state)
            for key in ("added", "updated", "unchanged", "withdrawn", "errors"):
                setattr(job, key, counts.get(key, 0))
            s.add_all(Finding(job_id=job_id, source_id=job.source_id, **f) for f in findings)
            if job.source_id:
                schedule(s.get(Source, job.source_id), utcnow())
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

    def import_items(self, source_id: int, job_id: int, items: list, fetch_state: dict,
                     kept_pages: list | None = None) -> dict:
        """Upsert a source's items by stable id in one transaction; items it no longer offers are withdrawn
        (kept, marked, dated), never deleted. `fetch_state` (etag, last-modified, hash) is saved with them,
        so a source is only marked as read when its items are. The items of `kept_pages` (item pages that
        did not change, or could not be read this time) stay as they are, still offered."""
        now = utcnow()
        counts = {"added": 0, "updated": 0, "unchanged": 0, "withdrawn": 0}
        # each record may bring its search document (indexing.search_document): written with the item
        documents = {data["id"]: data.pop("search") for data in items if "search" in data}
        indexed, events = {}, []
        with self.session() as s, s.no_autoflush:
            existing = {i.id: i for i in s.scalars(select(Item).where(Item.source_id == source_id))}
            # an item can move here from another source of the county (a page split differently): one query
            moved = [data["id"] for data in items if data["id"] not in existing]
            for chunk in range(0, len(moved), 500):
                existing.update((i.id, i) for i in s.scalars(select(Item).where(Item.id.in_(moved[chunk:chunk + 500]))))
            seen, added = set(), []
            kept = set(kept_pages or ())
            for item_id, item in (existing.items() if kept else ()):  # not the items moved from other sources
                if item.source_id == source_id and item.status == "active" and (item.location or {}).get("url") in kept:
                    seen.add(item_id)
                    item.last_seen = now
                    counts["unchanged"] += 1
            for data in items:
                if data["id"] in seen:  # also on a kept page, and counted there: counted here instead
                    counts["unchanged"] -= 1
                seen.add(data["id"])
                item = existing.get(data["id"])
                if item is None:
                    added.append({**data, "source_id": source_id, "job_id": job_id, "first_seen": now,
                                  "last_seen": now, "status": "active"})
                    continue
                changed = item.content_hash != data["content_hash"] or item.status != "active"
                if changed:
                    events.append(_event(item, data, job_id, now))
                    item.baseline_id = None  # assessed again unless the record brings its new assessment
                    for key, value in data.items():
                        setattr(item, key, value)
                    item.status, item.withdrawn_at, item.job_id = "active", None, job_id
                    indexed[item.id] = documents.get(item.id)
                elif item.location != data["location"]:  # the same item moved in its file: say where it is now
                    item.location, item.fields = data["location"], data["fields"]
                item.source_id, item.last_seen = source_id, now
                counts["updated" if changed else "unchanged"] += 1
            for item_id, item in existing.items():
                if item_id not in seen and item.status == "active":
                    item.status, item.withdrawn_at, item.job_id = "withdrawn", now, job_id
                    events.append({"item_id": item_id, "job_id": job_id, "at": now, "kind": "withdrawn", "changes": {}})
                    counts["withdrawn"] += 1
            if added:  # one multi-row INSERT instead of an ORM object per item; every row with the same keys
                s.execute(insert(Item), [{**UNASSESSED, **data} for data in added])
                counts["added"] = len(added)
                indexed.update((data["id"], documents.get(data["id"])) for data in added)
            s.flush()
            if events:
                s.execute(insert(ItemEvent), events)
            withdrawn = [e["item_id"] for e in events if e["kind"] == "withdrawn"]
            self._index(s, {k: v for k, v in indexed.items() if v is not None},
                        withdrawn + [k for k, v in indexed.items() if v is None], dict.fromkeys(indexed, now))
            source = s.get(Source, source_id)
            for key, value in {**fetch_state, "last_checked_at": now, "offered": sorted(seen)}.items():
                setattr(source, key, value)
        return counts

    def item_events(self, item_id: str) -> list[ItemEvent]:
        with self.reading() as s:
            return list(s.scalars(select(ItemEvent).where(ItemEvent.item_id == item_id).order_by(ItemEvent.id)))

    @staticmethod
    def _checked_unchanged(s, source_id: int, fetch_state: dict) -> int:
        """A source that did not change is checked, its items untouched (rewriting every item row of the
        province on each no-change harvest is most of that harvest's cost); returns its active items."""
        source = s.get(Source, source_id)
        for key, value in {**fetch_state, "last_checked_at": utcnow()}.items():
            setattr(source, key, value)
        return s.scalar(select(func.count()).select_from(Item).where(Item.source_id == source_id,
                                                                    Item.status == "active"))

    def items(self, county_code: str | None = None, domain: str | None = None, status: str | None = "active") -> list[Item]:
        with self.reading() as s:
            query = select(Item).order_by(Item.county_code, Item.domain, Item.level1, Item.level2)
            for column, value in ((Item.county_code, county_code), (Item.domain, domain), (Item.status, status)):
                if value:
                    query = query.where(column == value)
            return list(s.scalars(query))

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

    def published_items(self, source_ids: list[int] | None = None) -> list[str]:
        """Inside CKAN: the ids of the active items whose dataset was written (of the given sources, or
        all), so that a dataset deleted outside the extension is noticed and written again."""
        with self.reading() as s:
            query = select(Item.id).where(Item.status == "active", Item.ckan_hash.is_not(None))
            if source_ids is not None:
                query = query.where(Item.source_id.in_(source_ids))
            return list(s.scalars(query))

    def mark_published(self, hashes: dict) -> None:
        """{item id: the content hash its dataset now has, or None once its dataset is deleted}."""
        self._update_items([{"id": item_id, "ckan_hash": value} for item_id, value in hashes.items()])

    def find_jobs(self, status: str | None = None, county_code: str | None = None, domain: str | None = None,
                  since=None, limit: int = 50, offset: int = 0) -> tuple[list, int]:
        """([(job, its source, its county's name)], how many match), newest first."""
        with self.reading() as s:
            query = select(Job, Source, County.name).join(Source, Job.source_id == Source.id) \
                .join(County, County.code == Source.county_code)
            for column, value in ((Job.status, status), (Source.county_code, county_code), (Source.domain, domain)):
                if value:
                    query = query.where(column == value)
            if since is not None:
                query = query.where(Job.started_at >= since)
            total = s.scalar(select(func.count()).select_from(query.subquery()))
            rows = [tuple(row) for row in s.execute(query.order_by(Job.id.desc()).limit(limit).offset(offset))]
            return rows, total

    def county_jobs(self, county_code: str, limit: int = 50) -> list[tuple[Job, Source]]:
        with self.reading() as s:
            return [tuple(row) for row in s.execute(
                select(Job, Source).join(Source, Job.source_id == Source.id)
                .where(Source.county_code == county_code).order_by(Job.id.desc()).limit(limit))]

    def source_states(self) -> dict:
        """{(county, domain): (status, job id, when it ended, its first error's zh and en message)} from the
        newest job of the pair's sources: "failed" when every one failed (or was aborted), else "finished".
        Sources of several domains are left out. Read again only when a job starts or ends."""
        with self.reading() as s:
            key = tuple(s.execute(select(select(func.max(Job.id)).scalar_subquery(),
                                         select(func.max(Job.finished_at)).scalar_subquery(),
                                         select(func.count(Job.finished_at)).scalar_subquery(),
                                         select(func.count()).where(Source.enabled).scalar_subquery())).one())
        return self.remembered("source_states", key, self._source_states)

    def _source_states(self) -> dict:
        with self.reading() as s:
            newest = select(func.max(Job.id)).group_by(Job.source_id)
            jobs = s.execute(select(Source.county_code, Source.domain, Job.id, Job.status, Job.finished_at)
                             .join(Job, Job.source_id == Source.id)
                             .where(Job.id.in_(newest), Source.domain.is_not(None), Source.enabled)).all()
            failed_ids = [j.id for j in jobs if j.status in ("failed", "aborted")]
            reasons = {}
            for job_id, zh, en in s.execute(select(Finding.job_id, Finding.message_zh, Finding.message_en)
                                            .where(Finding.job_id.in_(failed_ids), Finding.severity == "error")
                                            .order_by(Finding.id)):
                reasons.setdefault(job_id, (zh, en))
        states: dict = {}
        for job in jobs:
            key = (job.county_code, job.domain)
            failed = job.status in ("failed", "aborted")
            known = states.get(key)
            if known is None or (known[0] == "failed" and not failed):
                states[key] = ("failed" if failed else "finished", job.id, job.finished_at,
                               reasons.get(job.id, (None, None)))
        return states

    def last_harvests(self) -> dict:
        """{county code: when its newest job ended}."""
        with self.reading() as s:
            return {code: at for code, at in s.execute(
                select(Source.county_code, func.max(Job.finished_at)).join(Job, Job.source_id == Source.id)
                .group_by(Source.county_code))}


def _event(item: Item, data: dict, job_id: int, now) -> dict:
    """What changed in an item that is imported again: its fields before and after, or that it is back."""
    if item.status != "active":
        return {"item_id": item.id, "job_id": job_id, "at": now, "kind": "restored", "changes": {}}
    before, after = item.fields or {}, data.get("fields") or {}
    changes = {key: [_short(before.get(key)), _short(after.get(key))] for key in sorted(set(before) | set(after))
               if before.get(key) != after.get(key)}
    return {"item_id": item.id, "job_id": job_id, "at": now, "kind": "changed", "changes": changes}


def _short(value, limit: int = 300):
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value
