"""The dashboards as a Flask blueprint, and the standalone portal around it.

Pages: the province overview (/), a county (/county/CODE), a baseline (/baseline/DOMAIN), jobs (/jobs,
/job/ID), exports (/export/ranking.csv|xlsx|json, /export/gaps.…). Harvest, source and declaration
administration need an admin login. Reading is public unless GKCATALOG_PRIVATE is set. Chinese by default,
English with ?lang=en (remembered in a cookie). Jinja2 autoescapes everything harvested.

The blueprint runs in the standalone app (create_app) and inside CKAN (plugin.py), which sets these app
config hooks: GKCATALOG_LAYOUT (the template pages extend), GKCATALOG_LANG() -> 'zh' | 'en',
GKCATALOG_IS_ADMIN(county code or None) -> bool and GKCATALOG_USER() -> the user's name or None.
"""
from __future__ import annotations

import copy
import gc
import os
import secrets
import threading

from flask import (Blueprint, Flask, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import Babel, gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.security import check_password_hash

from . import charts, dashboard
from .exports import MEDIA_TYPES, export
from .schema import load_schema
from .scoring import RATING_LABELS, WEIGHTS
from .store import Store

blueprint = Blueprint("gkcatalog", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/gkcatalog-static")
LANG_COOKIE = "gk_lang"


def mounted_at(url_prefix: str) -> Blueprint:
    """The same blueprint (routes, name, templates) mounted under a prefix, for a host app such as CKAN
    whose own pages own '/'."""
    mounted = copy.copy(blueprint)
    mounted.url_prefix = url_prefix
    return mounted


def store() -> Store:
    return current_app.extensions["gkcatalog_store"]


def lang() -> str:
    """'zh' or 'en': the language of the page."""
    if "GKCATALOG_LANG" in current_app.config:
        return current_app.config["GKCATALOG_LANG"]()
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if chosen.startswith("en") else "zh"


def is_admin(county_code: str | None = None) -> bool:
    """May the user administer (this county's) sources, harvests and declarations?"""
    if "GKCATALOG_IS_ADMIN" in current_app.config:
        return current_app.config["GKCATALOG_IS_ADMIN"](county_code)
    return current_user.is_authenticated and current_user.is_admin


def user_name() -> str | None:
    if "GKCATALOG_USER" in current_app.config:
        return current_app.config["GKCATALOG_USER"]()
    return current_user.id if current_user.is_authenticated else None


def domain_label(value: str) -> str:
    return load_schema().field("domain").value_label(value, "en" if lang() == "en" else "zh_Hans_CN")


def rating_label(name: str) -> str:
    zh, en = RATING_LABELS[name]
    return en if lang() == "en" else zh


def link(url) -> str | None:
    """A harvested URL as a link target only when it is http(s): escaping does not stop 'javascript:'."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def message(finding) -> str:
    return finding.message_en if lang() == "en" else finding.message_zh


class PortalUser(UserMixin):
    def __init__(self, record):
        self.id, self.is_admin = record.name, record.is_admin


def admin_required(view):
    """Admin pages: a login, then the admin right (403 for other accounts); a county's page asks about
    that county (inside CKAN, its organization's admins have it)."""
    @login_required
    def wrapped(*args, **kwargs):
        if not is_admin(kwargs.get("code")):
            abort(403)
        return view(*args, **kwargs)
    wrapped.__name__ = view.__name__
    return wrapped


@blueprint.before_request
def _private_portal():
    if current_app.config.get("GKCATALOG_PRIVATE") and not current_user.is_authenticated \
            and request.endpoint not in ("gkcatalog.login", "gkcatalog.static"):
        return redirect(url_for("gkcatalog.login", next=request.full_path))


@blueprint.after_request
def _remember_language(response):
    if request.args.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax")
    return response


@blueprint.context_processor
def _helpers():
    return {"domain_label": domain_label, "rating_label": rating_label, "message": message, "link": link, "lang": lang(),
            "is_admin": is_admin, "user_name": user_name(),
            "csrf_field": current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"),
            "weights": WEIGHTS, "layout": current_app.config.get("GKCATALOG_LAYOUT", "gkcatalog/base.html"),
            "percent": lambda v: f"{v * 100:.0f}%", "when": lambda t: t.strftime("%Y-%m-%d %H:%M") if t else "–"}


# --- reading ------------------------------------------------------------------------------------------

@blueprint.route("/")
def overview():
    city, domain = request.args.get("city") or None, request.args.get("domain") or None
    sort, order = request.args.get("sort", "score"), request.args.get("order", "desc")
    view = dashboard.overview(store(), city, domain, sort, order != "asc")
    ranked = sorted(view.rows, key=lambda r: r.rank)
    heat = charts.heatmap([(f"{r.name}", url_for("gkcatalog.county", code=r.code),
                            [r.scores[d].score if d in r.scores else None for d in view.domains]) for r in ranked],
                          [domain_label(d) for d in view.domains], _("Score by county and domain"))
    ranking = charts.bars([(r.name, r.score) for r in ranked], _("Ranking by score"))
    return render_template("gkcatalog/overview.html", view=view, heat=heat, ranking=ranking, city=city,
                           domain=domain, sort=sort, order=order)


@blueprint.route("/county/<code>")
def county(code):
    record = store().county(code)
    if record is None:
        abort(404)
    reports = dashboard.county_report(store(), code)
    trends = {r.domain: charts.trend([(s.computed_at.strftime("%m-%d %H:%M"), s.score) for s in r.history],
                                     _("Score over time")) for r in reports}
    jobs = store().county_jobs(code, limit=20)
    # asked once per page: inside CKAN the answer costs an organization look-up
    return render_template("gkcatalog/county.html", county=record, reports=reports, trends=trends, jobs=jobs,
                           may_decide=is_admin(code))


@blueprint.route("/baseline/<domain>")
def baseline(domain):
    record = store().baseline(domain)
    if record is None:
        abort(404)
    coverage = dashboard.baseline_coverage(store(), domain)
    chart = charts.bars([(f"{entry.level2}", 100 * present / assessed if assessed else 0)
                         for entry, present, _na, assessed in coverage], _("Share of counties publishing each item"))
    return render_template("gkcatalog/baseline.html", baseline=record, coverage=coverage, chart=chart,
                           versions=store().baselines(domain))


@blueprint.route("/jobs")
def jobs():
    return render_template("gkcatalog/jobs.html", jobs=store().jobs(limit=200),
                           sources={s.id: s for s in store().sources()})


@blueprint.route("/job/<int:job_id>")
def job(job_id):
    record = store().job(job_id)
    if record is None:
        abort(404)
    return render_template("gkcatalog/job.html", job=record, source=store().source(record.source_id)
                           if record.source_id else None, findings=store().findings(job_id))


@blueprint.route("/export/<name>.<fmt>")
def export_table(name, fmt):
    if fmt not in MEDIA_TYPES or name not in ("ranking", "gaps"):
        abort(404)
    city, domain = request.args.get("city") or None, request.args.get("domain") or None
    if name == "ranking":
        rows, columns = dashboard.ranking_rows(dashboard.overview(store(), city, domain)), dashboard.RANKING_COLUMNS
    else:
        rows, columns = dashboard.gap_list(store(), domain, city), dashboard.GAP_COLUMNS
    data = export(rows, list(columns), fmt, sheet=name)
    return Response(data, mimetype=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="gkcatalog-{name}.{fmt}"'})


# --- administration -------------------------------------------------------------------------------------

@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        record = store().user(request.form.get("name", ""))
        if record and check_password_hash(record.password_hash, request.form.get("password", "")):
            login_user(PortalUser(record))
            target = request.args.get("next") or ""
            return redirect(target if target.startswith("/") and not target.startswith("//")
                            else url_for("gkcatalog.overview"))
        flash(_("Wrong name or password."))
    return render_template("gkcatalog/login.html")


@blueprint.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("gkcatalog.overview"))


@blueprint.route("/admin/sources")
@admin_required
def sources():
    return render_template("gkcatalog/sources.html", sources=store().sources(),
                           counties={c.code: c for c in store().counties()})


@blueprint.route("/admin/sources/<int:source_id>/<action>", methods=["POST"])
@admin_required
def source_action(source_id, action):
    record = store().source(source_id)
    if record is None or action not in ("enable", "disable", "harvest"):
        abort(404)
    if action == "harvest":
        start_harvest([record])
        flash(_("Harvest started."))
        return redirect(url_for("gkcatalog.jobs"))
    store().set_source_enabled(source_id, action == "enable")
    return redirect(url_for("gkcatalog.sources"))


@blueprint.route("/admin/county/<code>/decide", methods=["POST"])
@admin_required
def decide(code):
    from .assess import assess

    domain, baseline_code = request.form["domain"], request.form["baseline_code"]
    if request.form.get("undo"):
        store().remove_decision(int(request.form["undo"]))
    else:
        store().add_decision(code, domain, baseline_code, "not_applicable", reason=request.form.get("reason") or None,
                             decided_by=user_name())
    assess(store(), [(code, domain)])
    return redirect(url_for("gkcatalog.county", code=code) + f"#{domain}")


def start_harvest(sources: list) -> threading.Thread:
    """A harvest in the background: the page returns at once and the jobs page shows progress."""
    from .harvesters.fetch import FetchLimits
    from .harvesters.pipeline import HarvestSettings, harvest

    networks = current_app.config.get("GKCATALOG_ALLOW_NETWORKS", [])
    settings = HarvestSettings(FetchLimits(allowed_networks=networks), workers=4, processes=1)
    thread = threading.Thread(target=harvest, args=(store(), sources, settings), daemon=True)
    thread.start()
    return thread


# --- the standalone portal ------------------------------------------------------------------------------

def create_app(db: str | None = None, config: dict | None = None) -> Flask:
    from .i18n import DEFAULT_LOCALE, DOMAIN, compiled_dir

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("GKCATALOG_SECRET_KEY") or secrets.token_hex(32),  # random: sessions end on restart
        GKCATALOG_PRIVATE=os.environ.get("GKCATALOG_PRIVATE", "") not in ("", "0", "false"),
        GKCATALOG_ALLOW_NETWORKS=os.environ.get("GKCATALOG_ALLOW_NETWORKS", "").split(),
        BABEL_DEFAULT_LOCALE=DEFAULT_LOCALE, BABEL_TRANSLATION_DIRECTORIES=compiled_dir(), BABEL_DOMAIN=DOMAIN,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(config or {})
    app.extensions["gkcatalog_store"] = Store(db)
    Babel(app, locale_selector=lambda: "en" if lang() == "en" else DEFAULT_LOCALE)
    CSRFProtect(app)
    logins = LoginManager(app)
    logins.login_view = "gkcatalog.login"

    @logins.user_loader
    def _load(name):
        record = app.extensions["gkcatalog_store"].user(name)
        return PortalUser(record) if record else None

    app.register_blueprint(blueprint)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                    "img-src 'self' data:; script-src 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
    return app


def warm_up(app: Flask) -> None:
    """Compile the templates and load the translations with a first overview, then move everything alive to
    the collector's permanent generation: full collections no longer walk the app's hundreds of thousands of
    long-lived objects in the middle of a request (they tripled the overview's p95)."""
    app.test_client().get("/")
    gc.freeze()


def run(app: Flask, host: str, port: int) -> None:
    from waitress import serve

    warm_up(app)
    serve(app, host=host, port=port, threads=8)


__all__ = ["blueprint", "create_app", "run", "warm_up"]
