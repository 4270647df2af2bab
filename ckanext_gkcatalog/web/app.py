"""The standalone portal: a Flask app around the blueprint, with its own logins (Flask-Login, accounts in
the store), CSRF protection, translations (Flask-Babel) and a strict content security policy; served by
waitress."""
from __future__ import annotations

import gc
import os
import secrets

from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from waitress import serve

from ..i18n import DEFAULT_LOCALE, DOMAIN, compiled_dir
from ..store import Store
from .blueprint import blueprint
from .hooks import PortalUser, lang, template_helpers
from .security import protect
from .views import api


def create_app(db: str | None = None, config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("GKCATALOG_SECRET_KEY") or secrets.token_hex(32),  # random: sessions end on restart
        GKCATALOG_PRIVATE=_flag("GKCATALOG_PRIVATE"),
        GKCATALOG_ALLOW_NETWORKS=os.environ.get("GKCATALOG_ALLOW_NETWORKS", "").split(),
        BABEL_DEFAULT_LOCALE=DEFAULT_LOCALE, BABEL_TRANSLATION_DIRECTORIES=compiled_dir(), BABEL_DOMAIN=DOMAIN,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        GKCATALOG_SECURE_COOKIES=_flag("GKCATALOG_SECURE_COOKIES"),  # behind HTTPS: Secure cookies and HSTS
        GKCATALOG_TRUSTED_PROXIES=int(os.environ.get("GKCATALOG_TRUSTED_PROXIES") or 0),
        GKCATALOG_RATELIMIT_STORAGE=os.environ.get("GKCATALOG_RATELIMIT_STORAGE") or "memory://",
    )
    app.config.update(config or {})
    app.extensions["gkcatalog_store"] = Store(db)
    Babel(app, locale_selector=lambda: "en" if lang() == "en" else DEFAULT_LOCALE)
    CSRFProtect(app).exempt(api.action)  # the read-only API: CKAN clients POST JSON without a form token
    logins = LoginManager(app)
    logins.login_view = "gkcatalog.login"

    @logins.user_loader
    def _load(name):
        record = app.extensions["gkcatalog_store"].user(name)
        return PortalUser(record) if record else None

    app.register_blueprint(blueprint)
    app.context_processor(template_helpers)  # error pages outside the blueprint's URLs use its layout too
    protect(app)
    return app


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def warm_up(app: Flask) -> None:
    """Compile the templates and load the translations with a first overview, then move everything alive to
    the collector's permanent generation: full collections no longer walk the app's hundreds of thousands of
    long-lived objects in the middle of a request (they tripled the overview's p95)."""
    app.test_client().get("/")
    gc.freeze()


def run(app: Flask, host: str, port: int) -> None:
    warm_up(app)
    serve(app, host=host, port=port, threads=8)
