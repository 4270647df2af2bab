"""`gkcatalog init` (the database's tables) and `gkcatalog user` (accounts of the standalone portal)."""
from __future__ import annotations

import click
from werkzeug.security import generate_password_hash

from .base import Context, Refused, pass_ctx


@click.command()
@pass_ctx
def init(ctx: Context):
    """Create or upgrade the database tables."""
    store = ctx.store  # opened and migrated, or a clear refusal
    revision = store.init()
    click.echo(ctx.say(f"数据库已就绪:{store.engine.url.render_as_string()}(迁移版本 {revision})",
                       f"Database ready: {store.engine.url.render_as_string()} (revision {revision})"))


@click.group()
def user():
    """Accounts of the standalone portal (admins run harvests and manage sources)."""


@user.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May run harvests, manage sources and declarations.")
@click.password_option()
@pass_ctx
def user_add(ctx: Context, name, admin, password):
    """Create or update the account NAME."""
    if not name.strip() or len(name) > 100:
        raise Refused(ctx.say("账号名不能为空,且不超过 100 个字符", "the account name must be 1 to 100 characters"))
    ctx.store.set_user(name, generate_password_hash(password), admin)
    click.echo(ctx.say(f"已保存账号 {name}", f"Saved account {name}"))
