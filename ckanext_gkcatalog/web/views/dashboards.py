"""The pages everyone may read: the province overview, a county, a baseline, the jobs and a job, and the
exports of the ranking and the gap list, and the circular (通报)."""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from ...divisions import COUNTY, TOWNSHIP, county_of, is_township
from ...divisions import level as division_level
from ...reports import changes, charts, circular, dashboard
from ...reports.attention import attention
from ...schema import load_schema
from ...scoring import RATINGS
from ...reports.exports import DOCX_TYPE, MEDIA_TYPES, export
from ...search.engine import searcher
from ..hooks import domain_label, is_admin, lang, store, url_for


class _Recent:
    """What the last few overviews drew, under the data version they were drawn from: at 150 counties and
    26 domains the read model and the charts cost far more than the page's own template."""

    def __init__(self, size: int = 32):
        self.size, self.drawn, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, draw):
        with self.lock:
            if key in self.drawn:
                self.drawn.move_to_end(key)
                return self.drawn[key]
        value = draw()
        with self.lock:
            self.drawn[key] = value
            while len(self.drawn) > self.size:
                self.drawn.popitem(last=False)
        return value


_overviews = _Recent()


def overview():
    """Worst first by default: the heatmap, the ranking chart and the table follow the same order."""
    city, domain = request.args.get("city") or None, request.args.get("domain") or None
    sort = request.args.get("sort", "score")
    sort = sort if sort in dashboard.SORT_KEYS else "score"
    order = "asc" if (request.args.get("order") or ("asc" if sort == "score" else "desc")) == "asc" else "desc"
    grouped = request.args.get("group") == "city"
    level = _level()
    key = (store().url, store().data_version(), lang(), request.script_root, city, domain, sort, order, grouped, level)
    view, heat, ranking, noted, groups = _overviews.get(key, lambda: _draw(city, domain, sort, order, grouped, level))
    index = searcher(store()).index()
    return render_template("gkcatalog/overview.html", view=view, heat=heat, ranking=ranking, city=city,
                           domain=domain, sort=sort, order=order, attention=noted, level=level,
                           grouped=grouped, groups=groups,
                           bands=charts.BAND_COLOURS, ratings=RATINGS,
                           searchable=index.counts("domain", index.active, 100))


def _level() -> str:
    """The overview's level: counties, or townships (?level=township)."""
    return TOWNSHIP if request.args.get("level") == TOWNSHIP else COUNTY


def _draw(city, domain, sort, order, grouped, level) -> tuple:
    view = dashboard.overview(store(), city, domain, sort, order != "asc", level)
    heat = charts.heatmap([(r.name, url_for("gkcatalog.county", code=r.code), [_cell(view, r, d) for d in view.domains])
                           for r in view.rows], [domain_label(d) for d in view.domains], _("Score by county and domain"))
    ranking = charts.bars([(r.name, r.score) for r in view.rows], _("Ranking by score"))
    groups = dashboard.city_groups(view, worst_first=order == "asc") if grouped else \
        [dashboard.CityGroup("", view.rows, 0.0, 0.0, 0, 0)]  # one group without a subtotal row
    return view, heat, ranking, attention(store(), view), groups


def _cell(view, row, domain):
    """A heatmap cell: the score, or the state that stands instead of one, linked to its job."""
    state, absent = row.states.get(domain), row.absent.get(domain)
    county_page = url_for("gkcatalog.county", code=row.code)
    if absent == "not_applicable":
        return ("missing", _("does not apply"), county_page + "#not-applicable", _("declared not applicable as a whole"))
    if domain not in row.scores:
        return ("missing", _("not published"), county_page, "")
    if absent == "not_published" and state is None:  # scored 0: every baseline item missing
        return ("missing", _("not published"), county_page + f"#{domain}", _("scored 0: a gap"))
    if state is None:
        return row.scores[domain].score
    _status, job_id, ended, reason = view.sources[row.code, domain]
    note = (reason[1] if lang() == "en" else reason[0]) or ""
    if state == "last_good":  # the score stands, on the data an earlier harvest left
        return ("failed", f"{row.scores[domain].score:.0f}*", url_for("gkcatalog.job", job_id=job_id),
                _("harvest failed; score on the last good data") + (f": {note}" if note else ""))
    return ("failed", _("harvest failed"), url_for("gkcatalog.job", job_id=job_id), note)


def county(code):
    record = store().county(code)
    if record is None:
        abort(404)
    reports = dashboard.county_report(store(), code)
    trends = {r.domain: charts.trend([(s.computed_at.strftime("%m-%d %H:%M"), s.score) for s in r.history],
                                     _("Score over time")) for r in reports if len(r.history) >= 2}
    view = dashboard.overview(store(), level=division_level(code))
    row = next((r for r in view.rows if r.code == code), None)
    townships = [] if is_township(code) else \
        sorted(dashboard.overview(store(), level=TOWNSHIP, in_county=code).rows, key=lambda r: r.rank)
    standing = dashboard.standing(view, row) if row else None
    jobs = store().county_jobs(code, limit=20)
    # asked once per page: inside CKAN the answer costs an organization look-up
    tree: dict = {}  # the catalog as published: domain -> L1 -> items
    for entry in store().items(code):
        tree.setdefault(entry.domain, {}).setdefault(entry.level1 or "", []).append(entry)
    declared = sorted(store().domains_not_applicable([code]).values(), key=lambda d: d.domain)
    return render_template("gkcatalog/county.html", county=record, reports=reports, trends=trends, jobs=jobs,
                           may_decide=is_admin(code), tree=tree, row=row, standing=standing, declared=declared,
                           townships=townships, townships_domains=sorted({d for t in townships for d in t.scores}),
                           parent=store().county(county_of(code)) if is_township(code) else None,
                           sources=view.sources, demo=any(r.baseline.is_demo for r in reports))


def baseline(domain):
    record = store().baseline(domain)
    if record is None:
        abort(404)
    coverage = dashboard.baseline_coverage(store(), domain)
    chart = charts.bars([(dashboard.item_label(c.entry), 100 * c.share) for c in coverage],
                        _("Share of counties publishing each item"), unit="%")
    changed = changes.revision(store(), domain, _version("from"), record.version)
    return render_template("gkcatalog/baseline.html", baseline=record, coverage=coverage, chart=chart,
                           versions=store().baselines(domain), revision=changed,
                           change_rows=changes.change_rows(changed) if changed else [])


def _version(name: str) -> int | None:
    value = request.args.get(name) or ""
    return int(value) if value.isdigit() else None


JOB_STATUSES = ("running", "finished", "failed", "aborted")
JOBS_PER_PAGE = 50


def jobs():
    """Every harvest job, newest first, failures marked; filtered by status, county, domain and the day
    they started from, a page at a time. A filter value that is not one is left out, not an error."""
    args = request.args
    status = args.get("status") if args.get("status") in JOB_STATUSES else None
    county_code = args.get("county") if store().county(args.get("county") or "") else None
    domain = args.get("domain") if load_schema().field("domain").choice(args.get("domain") or "") else None
    since = _day(args.get("since"))
    page = int(args["page"]) if (args.get("page") or "").isdigit() and int(args["page"]) > 0 else 1
    rows, total = store().find_jobs(status, county_code, domain, since, JOBS_PER_PAGE, (page - 1) * JOBS_PER_PAGE)
    filters = {"status": status, "county": county_code, "domain": domain,
               "since": since.date().isoformat() if since else None}
    return render_template("gkcatalog/jobs.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // JOBS_PER_PAGE)), filters=filters, statuses=JOB_STATUSES,
                           counties=store().counties(), domains=[b.domain for b in store().baselines() if b.active])


def _day(text: str | None):
    try:
        return datetime.strptime(text or "", "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def job(job_id):
    record = store().job(job_id)
    if record is None:
        abort(404)
    source = store().source(record.source_id) if record.source_id else None
    return render_template("gkcatalog/job.html", job=record, source=source, findings=store().findings(job_id),
                           county=store().county(source.county_code) if source else None)


def export_table(name, fmt):
    if name == "circular":
        return _circular(fmt)
    if fmt not in MEDIA_TYPES or name not in ("ranking", "gaps", "baseline-changes"):
        abort(404)
    if name == "baseline-changes":
        return _changes_export(fmt)
    city, domain, level = request.args.get("city") or None, request.args.get("domain") or None, _level()
    if name == "ranking":
        rows, columns = dashboard.ranking_rows(dashboard.overview(store(), city, domain, level=level)), \
            dashboard.RANKING_COLUMNS
        if level == TOWNSHIP:  # each township under its county
            rows = [{**r, "township_code": r["county_code"], "township_name": r["county_name"]} for r in rows]
            columns = ("rank", "township_code", "township_name", "county", *columns[3:])
    else:
        rows, columns = dashboard.gap_list(store(), domain, city, request.args.get("code") or None, level), \
            dashboard.GAP_COLUMNS
    data = export(rows, list(columns), fmt, lang(), sheet=name)
    return Response(data, mimetype=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="gkcatalog-{name}.{fmt}"'})


def _circular(fmt: str):
    """The circular (通报) as DOCX or XLSX (?city=&period=), in the province's template when one is set."""
    if fmt not in ("docx", "xlsx"):
        abort(404)
    city = request.args.get("city") or None
    content = circular.build(store(), (request.args.get("period") or "")[:40] or None, city,
                             os.environ.get("GKCATALOG_CIRCULAR_ISSUER", ""), townships=bool(request.args.get("townships")))
    if not content.view.rows:
        abort(404)
    template_path = os.environ.get("GKCATALOG_CIRCULAR_TEMPLATE")
    template = Path(template_path).read_bytes() if fmt == "docx" and template_path else None
    data = circular.render(content, fmt, template)
    name = quote(f"{content.title}.{fmt}")
    return Response(data, mimetype=DOCX_TYPE if fmt == "docx" else MEDIA_TYPES["xlsx"], headers={
        "Content-Disposition": f"attachment; filename=\"gkcatalog-circular.{fmt}\"; filename*=UTF-8''{name}"})


def _changes_export(fmt: str):
    """Per county, the baseline items a revision makes missing (?domain=D[&from=V1][&to=V2])."""
    domain = request.args.get("domain") or ""
    changed = changes.revision(store(), domain, _version("from"), _version("to")) if domain else None
    if changed is None:
        abort(404)
    data = export(changes.missing_rows(changed), list(changes.MISSING_COLUMNS), fmt, lang(), sheet="baseline-changes")
    filename = f"gkcatalog-{domain}-v{changed.old.version}-v{changed.new.version}-missing.{fmt}"
    return Response(data, mimetype=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'})
