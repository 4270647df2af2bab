"""`gkcatalog publish`: a county's catalog file written as gk-catalog-item datasets on its own CKAN."""
from __future__ import annotations

import re
import sys
from contextlib import contextmanager

import click

from ..harvesters.parse import parse_document
from ..problems import Location
from .base import Context, Refused, domain_key, fetch_options, limits, pass_ctx, read_input

DIVISION_CODE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
MARKS = {"create": ("+", "新建", "created"), "update": ("~", "更新", "updated"), "delete": ("-", "删除", "deleted"),
         "unchanged": ("=", "未变", "unchanged"), "error": ("✗", "失败", "refused")}


@click.command()
@click.argument("file")
@click.option("--ckan", "ckan_url", required=True, metavar="URL", help="The county's CKAN site.")
@click.option("--apikey", envvar="GKCATALOG_CKAN_APIKEY", metavar="KEY",
              help="API token of a user who may edit the organization; better given as GKCATALOG_CKAN_APIKEY, "
                   "which keeps it out of the shell's history.")
@click.option("--organization", help="The CKAN organization (default: the county code).")
@click.option("--county", "county_code", help="6-digit code of the county (default: the organization's name).")
@click.option("--county-name", help="Name of the county, written on every dataset.")
@click.option("--domain", "-d", help="Domain of the catalog when the file does not name it.")
@click.option("--dry-run", is_flag=True, help="Only show what would be created, updated and deleted.")
@click.option("--force", is_flag=True, help="Publish even when the file has errors.")
@fetch_options
@pass_ctx
def publish(ctx: Context, file, ckan_url, apikey, organization, county_code, county_name, domain, dry_run, force,
            allow_network, timeout, max_bytes):
    """Publish FILE on the county's CKAN: new items created, changed ones updated, removed ones deleted.

    Exit code 0: published; 1: refused, or some rows refused by CKAN; 2: the file cannot be read."""
    county_code = county_code or (organization if organization and DIVISION_CODE.match(organization) else None)
    if not county_code:
        raise Refused(ctx.say("请用 --county 给出县的行政区划代码", "give the county's division code with --county"))
    if not DIVISION_CODE.match(county_code):
        raise Refused(ctx.say(f"“{county_code}”不是行政区划代码(6、9 或 12 位数字)",
                              f"'{county_code}' is not a division code (6, 9 or 12 digits)"))
    if not apikey and not dry_run:
        raise Refused(ctx.say("缺少 API 令牌:用 --apikey 或环境变量 GKCATALOG_CKAN_APIKEY 给出",
                              "no API token: give --apikey or the environment variable GKCATALOG_CKAN_APIKEY"))
    organization = organization or county_code
    fetch_limits = limits(allow_network, timeout, max_bytes, ctx.lang)
    try:
        data, name, content_type, _ = read_input(ctx, file, lambda: fetch_limits)
    except Refused as exc:
        exc.exit_code = 2
        raise
    domain = domain_key(ctx, domain)
    with _portal(ctx, ckan_url, apikey, fetch_limits) as portal:
        found = _organization(ctx, portal, organization, dry_run)
        county_name = county_name or found.get("title") or found["name"]
        defaults = {"domain": domain, "county_code": county_code, "county_name": county_name}
        parsed = parse_document(data, name, defaults={k: v for k, v in defaults.items() if v},
                                content_type=content_type)
        if not parsed.items:
            ctx.report(parsed.problems)
            sys.exit(2)
        if parsed.errors:
            ctx.report(parsed.errors)
            if not force:
                raise Refused(ctx.say(f"文件有 {len(parsed.errors)} 个错误,未发布(确需发布请加 --force)",
                                      f"the file has {len(parsed.errors)} errors; nothing published "
                                      "(--force publishes anyway)"))
        from ..publisher import publish as write

        outcome = write(portal, parsed.items, county_code, county_name, found["name"], dry_run,
                        describe_error=_refusal_text)
    for step in outcome.steps:
        mark, zh, en = MARKS[step.action]
        where = _where(name, step.where, ctx.lang)
        line = f"{mark} {ctx.say(zh, en)} {step.name}" + (ctx.say(f"({where})", f" ({where})") if where else "")
        click.echo(line + (f": {step.message}" if step.message else ""), err=step.action == "error")
    counts = outcome.counts
    summary = ctx.say(f"新建 {counts['create']},更新 {counts['update']},删除 {counts['delete']},未变 {counts['unchanged']},失败 {counts['error']}",
                      f"created {counts['create']}, updated {counts['update']}, deleted {counts['delete']}, "
                      f"unchanged {counts['unchanged']}, refused {counts['error']}")
    click.echo(ctx.say("(试运行,未作改动)", "(dry run: nothing changed) ") + summary if dry_run else summary)
    if counts["error"]:
        sys.exit(1)


@contextmanager
def _portal(ctx: Context, url: str, apikey, fetch_limits):
    """The county's CKAN through ckanapi, every call guarded and time-limited; its failures as messages."""
    import ckanapi

    from ..harvesters.fetch import USER_AGENT, ApiSession, FetchError

    try:
        yield ckanapi.RemoteCKAN(url.rstrip("/"), apikey=apikey, user_agent=USER_AGENT, session=ApiSession(fetch_limits))
    except FetchError as exc:
        ctx.report([exc.problem])
        raise Refused(ctx.say(f"无法连接 CKAN {url}", f"cannot reach the CKAN at {url}"))
    except ckanapi.errors.NotAuthorized as exc:
        raise Refused(ctx.say(f"CKAN 拒绝了请求(API 令牌错误或权限不足):{exc}",
                              f"CKAN refused the request (wrong API token or not allowed): {exc}"))
    except ckanapi.errors.CKANAPIError as exc:
        raise Refused(ctx.say(f"{url} 的回答不是 CKAN 接口的回答:{str(exc)[:200]}",
                              f"{url} did not answer as a CKAN Action API: {str(exc)[:200]}"))


def _organization(ctx: Context, portal, organization: str, dry_run: bool) -> dict:
    """The organization the datasets go to, once the token is known to be allowed to create datasets in it."""
    from ckanapi.errors import NotFound

    try:
        found = portal.action.organization_show(id=organization)
    except NotFound:
        raise Refused(ctx.say(f"CKAN 上没有组织“{organization}”", f"CKAN has no organization '{organization}'"))
    if not dry_run:
        allowed = portal.action.organization_list_for_user(permission="create_dataset")
        if found["id"] not in {o.get("id") for o in allowed}:
            raise Refused(ctx.say(f"该 API 令牌无权在组织“{organization}”中发布数据集(令牌错误,或用户不是编辑)",
                                  f"the API token may not create datasets in '{organization}' "
                                  "(a wrong token, or the user is not an editor)"))
    return found


def _refusal_text(exc) -> str:
    """CKAN's validation errors, field by field."""
    errors = getattr(exc, "error_dict", None) or {"": str(exc)}
    return "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in errors.items() if k != "__type")


def _where(file_name: str, at: str, lang: str) -> str:
    if not at:
        return ""
    sheet, _, row = at.rpartition("#")
    return Location(file_name, sheet or None, int(row) if row.isdigit() else None).describe(lang)
