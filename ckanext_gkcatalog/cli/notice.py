"""`gkcatalog notice`: who is told when a harvest makes things worse (e-mail or webhook, scoped to a city
or a county)."""
from __future__ import annotations

import click

from ..notices import address_problem
from .base import Context, Refused, pass_ctx, table


@click.group()
def notice():
    """Notice recipients: told after a harvest of new failures, new errors and scores that fell a band."""


@notice.command("add")
@click.option("--email", help="An e-mail address (sent through GKCATALOG_SMTP_HOST).")
@click.option("--webhook", help="A URL that receives the news as a JSON POST.")
@click.option("--city", help="Only this city's counties.")
@click.option("--county", "county_code", help="Only this county (6-digit code).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the e-mails.")
@pass_ctx
def notice_add(ctx: Context, email, webhook, city, county_code, lang):
    """Add a recipient: one --email or one --webhook."""
    if bool(email) == bool(webhook):
        raise Refused(ctx.say("请给出 --email 或 --webhook 之一", "give one of --email or --webhook"))
    kind, address = ("email", email) if email else ("webhook", webhook)
    problem = address_problem(kind, address)
    if problem:
        raise Refused(ctx.say(*problem))
    ctx.known_county(county_code)
    ctx.known_city(city)
    record = ctx.store.add_recipient(kind, address, city, county_code, lang)
    click.echo(ctx.say(f"已添加通知对象 #{record.id}:{address}", f"Added recipient #{record.id}: {address}"))


@notice.command("list")
@pass_ctx
def notice_list(ctx: Context):
    """List the recipients."""
    header = ctx.say(["编号", "方式", "地址", "范围", "语言", "状态"], ["id", "kind", "address", "scope", "lang", "state"])
    everyone = ctx.say("全省", "province")
    rows = [[str(r.id), ctx.say({"email": "邮件", "webhook": "网络钩子"}[r.kind], r.kind), r.address,
             r.county_code or r.city_name or everyone, r.lang, ctx.say("启用", "on") if r.enabled else ctx.say("停用", "off")]
            for r in ctx.store.recipients()]
    click.echo(table(header, rows))


def _switch(ctx: Context, recipient_id: int, change) -> None:
    if not change(recipient_id):
        raise Refused(ctx.say(f"没有编号为 {recipient_id} 的通知对象", f"no recipient {recipient_id}"))
    click.echo(ctx.say(f"已更新通知对象 #{recipient_id}", f"Recipient #{recipient_id} updated"))


@notice.command("remove")
@click.argument("recipient_id", type=int)
@pass_ctx
def notice_remove(ctx: Context, recipient_id):
    """Remove RECIPIENT_ID."""
    _switch(ctx, recipient_id, ctx.store.remove_recipient)


@notice.command("disable")
@click.argument("recipient_id", type=int)
@pass_ctx
def notice_disable(ctx: Context, recipient_id):
    """Stop telling RECIPIENT_ID, keeping it."""
    _switch(ctx, recipient_id, lambda i: ctx.store.set_recipient_enabled(i, False))


@notice.command("enable")
@click.argument("recipient_id", type=int)
@pass_ctx
def notice_enable(ctx: Context, recipient_id):
    """Tell RECIPIENT_ID again."""
    _switch(ctx, recipient_id, lambda i: ctx.store.set_recipient_enabled(i, True))
