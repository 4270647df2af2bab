"""The dashboards as a Flask blueprint: every URL, its view and the request hooks, in one table. It runs
in the standalone app (app.py) and inside CKAN (ckan/plugin.py mounts it at /gkcatalog).

Pages: the province overview (/), a county (/county/CODE, with its catalog as a file at
/county/CODE/catalog.csv|xlsx), a baseline (/baseline/DOMAIN), jobs (/jobs, /job/ID), exports
(/export/ranking.csv|xlsx|json, /export/gaps.…); the public search (/search, its results as files at
/search/export.csv|xlsx|json), an item (/item/ID, /item/ID.json) and the read-only CKAN-compatible
Action API (/api/3/action/NAME); county staff's template (/template/DOMAIN.xlsx) and checker (/check). Harvest, source, declaration
and notice administration need an admin login. Reading is public unless GKCATALOG_PRIVATE is set. Chinese by default,
English with ?lang=en (remembered in a cookie). Jinja2 autoescapes everything harvested.
"""
from __future__ import annotations

from flask import Blueprint

from . import hooks
from .views import admin, api, county_tools, dashboards, public

# (rule, view, methods): the endpoint is the view's name, e.g. url_for("gkcatalog.county", code=...)
ROUTES = [
    ("/", dashboards.overview, ["GET"]),
    ("/county/<code>", dashboards.county, ["GET"]),
    ("/baseline/<domain>", dashboards.baseline, ["GET"]),
    ("/jobs", dashboards.jobs, ["GET"]),
    ("/job/<int:job_id>", dashboards.job, ["GET"]),
    ("/export/<name>.<fmt>", dashboards.export_table, ["GET"]),
    ("/search", public.search, ["GET"]),
    ("/search/export.<fmt>", public.export_results, ["GET"]),
    ("/item/<item_id>", public.item, ["GET"]),
    ("/item/<item_id>.json", public.item_json, ["GET"]),
    ("/county/<code>/catalog.<fmt>", public.county_catalog, ["GET"]),
    ("/api/3/action/<name>", api.action, ["GET", "POST"]),
    ("/api/action/<name>", api.action, ["GET", "POST"]),  # CKAN answers both; ckanapi asks here
    ("/template/<domain>.<fmt>", county_tools.template_file, ["GET"]),
    ("/check", county_tools.check, ["GET", "POST"]),
    ("/login", admin.login, ["GET", "POST"]),
    ("/logout", admin.logout, ["POST"]),
    ("/admin/sources", admin.sources, ["GET"]),
    ("/admin/sources/<int:source_id>/<action>", admin.source_action, ["POST"]),
    ("/admin/county/<code>/decide", admin.decide, ["POST"]),
    ("/admin/notices", admin.notices, ["GET", "POST"]),
    ("/admin/notices/<int:recipient_id>/<action>", admin.notice_action, ["POST"]),
]

STANDALONE_ONLY = ("login", "logout")  # a host such as CKAN has its own accounts


def make_blueprint(url_prefix: str | None = None, hosted: bool = False) -> Blueprint:
    """The blueprint, at `url_prefix`; `hosted` (inside CKAN, whose own pages own '/'): without the
    standalone portal's login."""
    made = Blueprint("gkcatalog", __name__, template_folder="templates", static_folder="static",
                     static_url_path="/gkcatalog-static", url_prefix=url_prefix)
    for rule, view, methods in ROUTES:
        if not (hosted and view.__name__ in STANDALONE_ONLY):
            made.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=methods)
    made.before_request(hooks.private_portal)
    made.after_request(hooks.remember_language)
    made.context_processor(hooks.template_helpers)
    return made


blueprint = make_blueprint()  # the standalone portal's


def mounted_at(url_prefix: str) -> Blueprint:
    """The blueprint inside a host app such as CKAN, under a prefix."""
    return make_blueprint(url_prefix, hosted=True)
