"""What the views ask of the app that hosts the blueprint: the store, the page's language, the user and
their admin right, and the helpers every template gets.

The standalone app answers from its own login; CKAN (ckan/plugin.py) sets these app config hooks instead:
GKCATALOG_LAYOUT (the template pages extend), GKCATALOG_LANG() -> 'zh' | 'en', GKCATALOG_IS_ADMIN(county
code or None) -> bool, GKCATALOG_USER() -> the user's name or None, and GKCATALOG_URL_FOR(endpoint, **values).
"""
from __future__ import annotations

from urllib.parse import unquote, urlencode, urlsplit

import flask
from flask import abort, current_app, jsonify, redirect, request
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required
from werkzeug.exceptions import BadRequest

from .. import problems
from ..problems import RULE_NAMES
from .. import schema
from ..schema import load_schema
from ..scoring import RATING_LABELS, WEIGHTS
from ..store import Store

LANG_COOKIE = "gk_lang"


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
    return schema.domain_label(value, lang())


def field_label(name: str) -> str:
    fields = load_schema().fields
    return fields[name].label("en" if lang() == "en" else "zh_Hans_CN") if name in fields else name


def _in_page_language(labels: tuple) -> str:
    """One of a (Chinese, English) pair of labels, for the page's language."""
    zh, en = labels
    return en if lang() == "en" else zh


def rating_label(name: str) -> str:
    return _in_page_language(RATING_LABELS[name])


MATCH_LABELS = {"manual": ("人工对应", "mapped by hand"), "exact": ("名称一致", "same name"),
                "fuzzy": ("名称相近", "similar name"), "parent": ("对应上级事项", "its parent item")}


def match_label(method: str | None) -> str:
    """How an item was matched to its baseline item, in the page's language."""
    return _in_page_language(MATCH_LABELS.get(method or "", (method or "–",) * 2))


def code_label(code: str | None) -> str:
    """A status, stage or severity code in the page's language (an unknown code as it is)."""
    return problems.code_label(code, lang())


def baseline_title(baseline) -> str:
    """A baseline's title; a demo baseline's (bilingual in its file) in the page's language."""
    if baseline.is_demo:
        return _("Partial demo baseline: %(domain)s", domain=domain_label(baseline.domain))
    return baseline.title


def job_message(job) -> str:
    """A job's closing message in the page's language."""
    return problems.job_message(job.message_code, job.message_params, lang())


def rule_label(rule: str) -> str:
    """A finding's rule as the page names it (an unknown rule as it is)."""
    return _in_page_language(RULE_NAMES.get(rule, (rule, rule)))


def link(url) -> str | None:
    """A harvested URL as a link target only when it is http(s): escaping does not stop 'javascript:'."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


class FormError(BadRequest):
    """A form field the view refused: its description is a message in the page's language."""


def refuse(problem):
    """Answer 400 with the problem's message, in the page's language."""
    raise FormError(description=problem.message(lang()))


def safe_target(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: no scheme, no host, no '//' (also once decoded),
    no backslash or control character (browsers drop a tab, and '/\t/evil' becomes '//evil')."""
    if not target:
        return None
    for text in (target, unquote(target)):
        if "\\" in text or any(ord(c) < 32 or ord(c) == 127 for c in text):
            return None
        parts = urlsplit(text)
        if not text.startswith("/") or text.startswith("//") or parts.scheme or parts.netloc:
            return None
    return target


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


# --- request hooks and template helpers, registered by blueprint.py ------------------------------

def private_portal():
    if current_app.config.get("GKCATALOG_PRIVATE") and not current_user.is_authenticated \
            and request.endpoint not in ("gkcatalog.login", "gkcatalog.static"):
        if request.endpoint == "gkcatalog.action":  # an API client gets CKAN's answer, not a login page
            response = jsonify({"success": False, "error": {"__type": "Authorization Error",
                                                            "message": "Access denied: this portal is private"}})
            response.status_code = 403
            return response
        return redirect(url_for("gkcatalog.login", next=request.full_path))


def remember_language(response):
    if request.args.get("lang") in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def url_for(endpoint: str, **values) -> str:
    """A URL of the portal; the host builds it when it says how (CKAN keeps its locale prefix, and sends
    an item to its dataset page)."""
    host = current_app.config.get("GKCATALOG_URL_FOR")
    return host(endpoint, **values) if host else flask.url_for(endpoint, **values)


def switch_language(target: str) -> str:
    """This page's URL in the other language: its parameters kept, so a search stays a search."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", target)]
    return request.path + "?" + urlencode(params)


def template_helpers():
    return {"url_for": url_for, "domain_label": domain_label, "rating_label": rating_label, "message": message, "link": link, "lang": lang(),
            "is_admin": is_admin, "user_name": user_name(), "switch_language": switch_language, "match_label": match_label,
            "code_label": code_label, "job_message": job_message, "baseline_title": baseline_title, "field_label": field_label, "rule_label": rule_label,
            "csrf_field": current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"),
            "weights": WEIGHTS, "layout": current_app.config.get("GKCATALOG_LAYOUT", "gkcatalog/base.html"),
            "percent": lambda v: f"{v * 100:.0f}%", "when": lambda t: t.strftime("%Y-%m-%d %H:%M") if t else "–"}
