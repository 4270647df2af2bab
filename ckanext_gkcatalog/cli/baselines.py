"""Where a command that needs a domain's baseline gets it: the provincial store when the command runs there,
else a baseline file or the provincial portal (its gkcatalog_baseline_show action), so that a county works
offline. Without the store nothing imports SQLAlchemy."""
from __future__ import annotations

import os
from urllib.parse import urlencode, urlsplit

import click

from .base import Context, Refused, read_input

BASELINE_FILES = (".yaml", ".yml", ".json", ".csv", ".xlsx", ".xls")
BASELINE_ACTION = "/api/3/action/gkcatalog_baseline_show"


def baselines(ctx: Context, where: str | None, domains: list, county_code: str | None, fetch_limits) -> tuple[dict, dict]:
    """({domain: baseline (stored or loaded)}, {domain: codes the county declared not applicable})."""
    if where:
        return _remote_baselines(ctx, where, domains, county_code, fetch_limits)
    return _stored_baselines(ctx, domains, county_code)


def _stored_baselines(ctx: Context, domains: list, county_code: str | None) -> tuple[dict, dict]:
    """The active baselines of the provincial store, with the county's declarations; nothing when this
    machine has no store (a county checking without --baseline)."""
    if ctx.db is None and not os.path.exists("gkcatalog.db"):
        click.echo(ctx.say("提示:本机没有省级数据库,请用 --baseline 指定基准目录文件或省级门户地址。",
                           "Note: no provincial database here; give --baseline, a baseline file or the provincial "
                           "portal's address."), err=True)
        return {}, {}
    from ..checker import stored_baselines

    ctx.known_county(county_code)
    return stored_baselines(ctx.store, domains, county_code)


def _remote_baselines(ctx: Context, where: str, domains: list, county_code: str | None,
                      fetch_limits) -> tuple[dict, dict]:
    """Baselines from a file or a URL: a baseline file, the portal's baseline action, or the portal itself."""
    from ..baseline import BaselineError, load_baseline

    documents = []
    path = urlsplit(where).path if where.startswith(("http://", "https://")) else where
    if not where.startswith(("http://", "https://")) or path.lower().endswith(BASELINE_FILES):
        documents.append(_read_baseline(ctx, where, fetch_limits)[:2] + (domains[0] if len(domains) == 1 else None,))
    else:
        action = where if "/api/" in path else where.rstrip("/") + BASELINE_ACTION
        for domain in domains:
            query = {"domain": domain, **({"county": county_code} if county_code else {})}
            url = action + ("&" if "?" in action else "?") + urlencode(query)
            data, name = _read_baseline(ctx, url, fetch_limits)
            documents.append((data, name + ".json", domain))
    baselines, declared = {}, {}
    for data, name, domain in documents:
        try:
            loaded = load_baseline(data, name, domain)
        except BaselineError as exc:
            ctx.report(exc.problems)
            raise Refused(ctx.say(f"{where} 不是可用的基准目录", f"{where} is not a usable baseline"))
        baselines[loaded.domain] = loaded
        if loaded.not_applicable:
            declared[loaded.domain] = set(loaded.not_applicable)
    return baselines, declared


def _read_baseline(ctx: Context, where: str, fetch_limits) -> tuple[bytes, str]:
    try:
        data, name, _, _ = read_input(ctx, where, fetch_limits)
    except SystemExit:  # a download that failed was reported: the baseline, not the catalog, is missing
        raise Refused(ctx.say(f"无法取得基准目录 {where}", f"cannot get the baseline {where}"))
    return data, name
