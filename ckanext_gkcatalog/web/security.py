"""The standalone portal's defences around the blueprint: logins limited per account and per client address
with a back-off (Flask-Limiter), Secure cookies and HSTS behind HTTPS, the client address from trusted
proxies, security headers, and error pages in the portal's style and language. Inside CKAN, CKAN does this.
"""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from .hooks import FormError

# failed logins: an account, and a client address trying many accounts; breaching either three times in an
# hour blocks the client for the rest of that hour
PER_ACCOUNT, PER_ADDRESS, BACK_OFF = "5 per minute", "20 per minute", "3 per hour"
CHECKS_PER_ADDRESS = "10 per minute"  # the checker parses an upload in the request: a client cannot queue many
ERRORS = (400, 403, 404, 405, 429, 500)
CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'none'"


def protect(app: Flask) -> None:
    """Apply the defences to the standalone app, after the blueprint is registered."""
    proxies = app.config["GKCATALOG_TRUSTED_PROXIES"]
    if proxies:  # the client address and scheme as the proxies in front of the portal saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    secure = app.config["GKCATALOG_SECURE_COOKIES"]
    app.config.update(SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_SECURE=secure)
    _limit_logins(app)
    for code in ERRORS:
        app.register_error_handler(code, _error_page)
    app.register_error_handler(Exception, _unexpected)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _account() -> str:
    return "account:" + (request.form.get("name") or "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 302  # a successful login redirects


def _limit_logins(app: Flask) -> None:
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["GKCATALOG_RATELIMIT_STORAGE"],
                      key_prefix="gkcatalog")
    view = app.view_functions["gkcatalog.login"]
    view = limiter.limit(PER_ACCOUNT, key_func=_account, methods=["POST"], deduct_when=_failed,
                         meta_limits=[BACK_OFF])(view)
    view = limiter.limit(PER_ADDRESS, methods=["POST"], deduct_when=_failed, meta_limits=[BACK_OFF])(view)
    app.view_functions["gkcatalog.login"] = view
    checker = app.view_functions["gkcatalog.check"]
    app.view_functions["gkcatalog.check"] = limiter.limit(CHECKS_PER_ADDRESS, methods=["POST"])(checker)
    app.extensions["gkcatalog_limiter"] = limiter


def _error_page(error: HTTPException):
    titles = {400: _("The request is not valid"), 403: _("You may not do this"), 404: _("Not found"),
              405: _("The request is not valid"), 429: _("Too many attempts: wait a while and try again"),
              500: _("Something went wrong on our side")}
    code = error.code or 500
    detail = error.description if isinstance(error, FormError) else None  # ours are in the page's language
    return render_template("gkcatalog/error.html", code=code, title=titles.get(code, titles[500]), detail=detail), code


def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _error_page(error)
    logging.getLogger(__name__).exception("unexpected error in %s", request.path)  # the log has the traceback
    return _error_page(InternalServerError())
