"""Administration: logging in and out, the sources with their harvests, a county's declarations, and who
is told when a harvest makes things worse (notices).
Every page but the login needs an admin (admin_required); every form carries a CSRF token."""
from __future__ import annotations

import threading

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.security import check_password_hash

from ...assess import assess
from ...decisions import decision_problem, domain_of
from ...harvesters.fetch import FetchLimits
from ...harvesters.pipeline import HarvestSettings, harvest
from ...notices import address_problem
from ...problems import Location, Problem
from ...schema import load_schema
from ..hooks import FormError, PortalUser, admin_required, lang, refuse, safe_target, store, url_for, user_name


def login():
    if request.method == "POST":
        record = store().user(request.form.get("name", ""))
        if record and check_password_hash(record.password_hash, request.form.get("password", "")):
            login_user(PortalUser(record))
            return redirect(safe_target(request.args.get("next")) or url_for("gkcatalog.overview"))
        flash(_("Wrong name or password."))
    return render_template("gkcatalog/login.html")


def logout():
    logout_user()
    return redirect(url_for("gkcatalog.overview"))


@admin_required
def sources():
    return render_template("gkcatalog/sources.html", sources=store().sources(),
                           counties={c.code: c for c in store().counties()})


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


@admin_required
def decide(code):
    """Declare a baseline item (`baseline_code`) or a whole domain (`whole_domain`) not applicable in a
    county, or withdraw a declaration (`undo`)."""
    if store().county(code) is None:
        abort(404)
    baseline_code, whole_domain, undo = (request.form.get(k, "").strip()
                                         for k in ("baseline_code", "whole_domain", "undo"))
    if undo:
        problem = decision_problem(store(), code, decision_id=int(undo)) if undo.isdigit() else \
            Problem("unknown_decision", Location(), {"value": undo})
    elif whole_domain:
        problem = decision_problem(store(), code) or (None if load_schema().field("domain").choice(whole_domain) else
                                                      Problem("unknown_domain", Location(), {"value": whole_domain}))
    else:
        problem = decision_problem(store(), code, baseline_code)
    if problem:
        refuse(problem)
    reason = request.form.get("reason", "").strip()[:500] or None
    if undo:
        domain = store().decision(int(undo)).domain
        store().remove_decision(int(undo))
    elif whole_domain:
        domain = whole_domain
        store().add_decision(code, domain, domain, "domain_na", reason=reason, decided_by=user_name())
    else:
        domain = domain_of(baseline_code)
        store().add_decision(code, domain, baseline_code, "not_applicable", reason=reason, decided_by=user_name())
    assess(store(), [(code, domain)])
    return redirect(url_for("gkcatalog.county", code=code) + f"#{domain}")


@admin_required
def notices():
    """The recipients, with a form to add one (POST) and buttons to switch each off, on or remove it."""
    if request.method == "POST":
        kind, address = request.form.get("kind", ""), request.form.get("address", "").strip()[:500]
        county_code, city = request.form.get("county") or None, request.form.get("city") or None
        problem = address_problem(kind, address)
        if problem is None and county_code and store().county(county_code) is None:
            problem = (f"没有行政区划代码为 {county_code} 的县", f"no county with the code {county_code}")
        if problem:
            raise FormError(description=problem[lang() == "en"])
        store().add_recipient(kind, address, city, county_code, "en" if request.form.get("lang") == "en" else "zh")
        flash(_("Recipient added."))
        return redirect(url_for("gkcatalog.notices"))
    counties = store().counties()
    return render_template("gkcatalog/notices.html", recipients=store().recipients(), counties=counties,
                           cities=sorted({c.city_name for c in counties if c.city_name}),
                           names={c.code: c.name for c in counties})


@admin_required
def notice_action(recipient_id, action):
    if action not in ("enable", "disable", "remove") or store().recipient(recipient_id) is None:
        abort(404)
    if action == "remove":
        store().remove_recipient(recipient_id)
    else:
        store().set_recipient_enabled(recipient_id, action == "enable")
    return redirect(url_for("gkcatalog.notices"))


def start_harvest(sources: list):
    """A harvest in the background: the page returns at once and the jobs page shows progress. A host
    runs it its own way (CKAN: a background job, which also writes the datasets)."""
    if current_app.config.get("GKCATALOG_START_HARVEST"):
        return current_app.config["GKCATALOG_START_HARVEST"](sources)
    networks = current_app.config.get("GKCATALOG_ALLOW_NETWORKS", [])
    settings = HarvestSettings(FetchLimits(allowed_networks=networks), workers=4, processes=1)
    thread = threading.Thread(target=harvest, args=(store(), sources, settings), daemon=True)
    thread.start()
    return thread
