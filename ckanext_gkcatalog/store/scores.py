"""The scores aggregate: what assessment reads (items to match, their stored assessments summed per county
and domain), the score snapshots with their findings, and the counties' decisions (manual mappings, items
declared not applicable)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, insert, select, tuple_, update

from .database import Database
from .models import County, CountyDecision, Finding, Item, Job, ScoreSnapshot, Source, aware, utcnow


# mapping: an item is a baseline item; not_applicable: a baseline item does not apply locally;
# domain_na: a whole domain does not apply (未涉及领域), its baseline_code is the domain
DECISION_KINDS = ("mapping", "not_applicable", "domain_na")
# pairs in one IN list: PostgreSQL's parser recurses into a long list of row values (stack depth exceeded at
# 18,900 pairs, bench/province_bench.py)
PAIRS_PER_STATEMENT = 500


class ScoreStore(Database):
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

    def save_item_assessments(self, rows: list[dict]) -> None:
        """Store items' assessment columns (rows of ckanext_gkcatalog.assess.assess_items), by item id."""
        self._update_items(rows)

    def scoring_input(self, pairs: list) -> dict:
        """Per (county, domain): sums over the stored assessments of its active items, its items listed more
        than once (in catalog order), its published sources and its not-applicable declarations."""
        wanted = set(pairs)
        counties, domains = {c for c, _ in wanted}, {d for _, d in wanted}
        active = (Item.status == "active", Item.county_code.in_(counties), Item.domain.in_(domains))
        data = {pair: {"items": 0, "added": 0, "filled": 0.0, "with_errors": 0, "with_warnings_only": 0,
                       "errors": 0, "warnings": 0, "penalty": 0.0, "covered": 0, "covered_not_applicable": 0, "doubles": [],
                       "sources": [], "not_applicable": set()} for pair in wanted}
        with self.reading() as s:
            sums = select(Item.county_code, Item.domain, func.count().label("items"),
                          func.sum(case((Item.baseline_code.is_(None), 1), else_=0)).label("added"),
                          func.coalesce(func.sum(Item.filled), 0.0).label("filled"),
                          func.sum(case((Item.errors > 0, 1), else_=0)).label("with_errors"),
                          func.sum(case(((Item.errors == 0) & (Item.warnings > 0), 1), else_=0)).label("with_warnings_only"),
                          func.sum(Item.errors).label("errors"), func.sum(Item.warnings).label("warnings"),
                          func.coalesce(func.sum(Item.penalty), 0.0).label("penalty"),
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
            for start in range(0, len(declared), PAIRS_PER_STATEMENT):  # a declared item is not applicable,
                chunk = declared[start:start + PAIRS_PER_STATEMENT]     # published or not: not counted present
                for county, domain, code in s.execute(select(Item.county_code, Item.domain, Item.baseline_code)
                                                      .where(*active, tuple_(Item.county_code, Item.baseline_code)
                                                             .in_(chunk)).distinct()):
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
        changed = {source_id: aware(at) for source_id, at in s.execute(
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
            for start in range(0, len(pairs), PAIRS_PER_STATEMENT):  # a province's pairs overflow one statement
                earlier = select(ScoreSnapshot.id).where(tuple_(ScoreSnapshot.county_code, ScoreSnapshot.domain)
                                                         .in_(pairs[start:start + PAIRS_PER_STATEMENT]))
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

    def latest_snapshots(self, domain: str | None = None, county_code: str | None = None) -> list[ScoreSnapshot]:
        """The newest snapshot of every county and domain (of one domain, of one county). The whole
        province's is read again only when a snapshot is added (the overview asks for it on every view)."""
        if domain is None and county_code is None:
            with self.reading() as s:
                key = tuple(s.execute(select(func.max(ScoreSnapshot.id), func.count(ScoreSnapshot.id))).one())
            return self.remembered("latest_snapshots", key, self._latest_snapshots)
        return self._latest_snapshots(domain, county_code)

    def data_version(self) -> tuple:
        """A cheap answer that changes whenever what the dashboards show may have: a snapshot, a job, a
        county, a source or a declaration added or changed. Pages cache what they draw under it."""
        with self.reading() as s:
            return tuple(s.execute(select(select(func.max(ScoreSnapshot.id)).scalar_subquery(),
                                          select(func.max(Job.id)).scalar_subquery(),
                                          select(func.count(Job.finished_at)).scalar_subquery(),
                                          select(func.count()).select_from(County).scalar_subquery(),
                                          # a renamed county (no timestamp): the names' total length
                                          select(func.sum(func.length(County.name) + func.length(
                                              func.coalesce(County.city_name, "")))).scalar_subquery(),
                                          select(func.count()).where(Source.enabled).scalar_subquery(),
                                          # a declaration added, replaced or withdrawn (a domain N/A adds no snapshot)
                                          select(func.count()).select_from(CountyDecision).scalar_subquery(),
                                          select(func.max(CountyDecision.id)).scalar_subquery())).one())

    def _latest_snapshots(self, domain: str | None = None, county_code: str | None = None) -> list[ScoreSnapshot]:
        with self.reading() as s:
            newest = select(func.max(ScoreSnapshot.id)).group_by(ScoreSnapshot.county_code, ScoreSnapshot.domain)
            for column, value in ((ScoreSnapshot.domain, domain), (ScoreSnapshot.county_code, county_code)):
                if value:
                    newest = newest.where(column == value)
            query = select(ScoreSnapshot).where(ScoreSnapshot.id.in_(newest))
            return list(s.scalars(query.order_by(ScoreSnapshot.county_code, ScoreSnapshot.domain)))

    def previous_scores(self) -> dict:
        """{(county, domain): the score of the snapshot before the newest}, for the pairs that have one; read
        again only when a snapshot is added."""
        with self.reading() as s:
            key = s.scalar(select(func.max(ScoreSnapshot.id)))
        return self.remembered("previous_scores", key, self._previous_scores)

    def _previous_scores(self) -> dict:
        with self.reading() as s:
            ranked = select(ScoreSnapshot.county_code, ScoreSnapshot.domain, ScoreSnapshot.score,
                            func.row_number().over(partition_by=(ScoreSnapshot.county_code, ScoreSnapshot.domain),
                                                   order_by=ScoreSnapshot.id.desc()).label("age")).subquery()
            return {(c, d): score for c, d, score in s.execute(
                select(ranked.c.county_code, ranked.c.domain, ranked.c.score).where(ranked.c.age == 2))}

    def snapshot_history(self, county_code: str, domain: str, limit: int = 100) -> list[ScoreSnapshot]:
        with self.reading() as s:
            query = (select(ScoreSnapshot).where(ScoreSnapshot.county_code == county_code, ScoreSnapshot.domain == domain)
                     .order_by(ScoreSnapshot.id.desc()).limit(limit))
            return list(reversed(list(s.scalars(query))))

    def snapshot_findings(self, snapshot_id: int) -> list[Finding]:
        with self.reading() as s:
            return list(s.scalars(select(Finding).where(Finding.snapshot_id == snapshot_id).order_by(Finding.id)))

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

    def declared_not_applicable(self, county_code: str, domain: str | None = None) -> dict:
        """{domain: baseline codes} the county declared not applicable locally."""
        declared: dict = {}
        for decision in self.decisions(county_code, domain):
            if decision.kind == "not_applicable":
                declared.setdefault(decision.domain, set()).add(decision.baseline_code)
        return declared

    def add_decision(self, county_code: str, domain: str, baseline_code: str, kind: str, item_id: str | None = None,
                     reason: str | None = None, decided_by: str | None = None) -> CountyDecision:
        if kind not in DECISION_KINDS:
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

    def domains_not_applicable(self, county_codes=None) -> dict:
        """{(county, domain): decision} of the domains counties declared not applicable as a whole."""
        with self.reading() as s:
            query = select(CountyDecision).where(CountyDecision.kind == "domain_na")
            if county_codes is not None:
                query = query.where(CountyDecision.county_code.in_(set(county_codes)))
            return {(d.county_code, d.domain): d for d in s.scalars(query)}

    def scored_pairs(self, county_codes) -> set:
        """{(county, domain)} that have a score snapshot, of these counties."""
        with self.reading() as s:
            return set(map(tuple, s.execute(select(ScoreSnapshot.county_code, ScoreSnapshot.domain).distinct()
                                            .where(ScoreSnapshot.county_code.in_(set(county_codes))))))

    def decision(self, decision_id: int) -> CountyDecision | None:
        with self.reading() as s:
            return s.get(CountyDecision, decision_id)

    def decisions(self, county_code: str, domain: str | None = None) -> list[CountyDecision]:
        with self.reading() as s:
            query = select(CountyDecision).where(CountyDecision.county_code == county_code)
            if domain:
                query = query.where(CountyDecision.domain == domain)
            return list(s.scalars(query.order_by(CountyDecision.domain, CountyDecision.baseline_code)))
