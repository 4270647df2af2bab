"""The `gkcatalog` command: the main group, and where each command lives.

Each command group is its own module, imported only when the command runs (click's lazy-loading pattern),
so `gkcatalog parse` never imports the store (SQLAlchemy) or the portal (Flask). Messages are Chinese by
default; `--lang en` (or GKCATALOG_LANG=en) switches to English.
"""
from __future__ import annotations

import copy
import importlib
import os
import sys

import click

from ..domains import DomainFileError
from .base import Context, Refused
from .translate import language_of, translate_command, use_language

# command name -> "module:object" under ckanext_gkcatalog.cli
COMMANDS = {
    "init": "admin:init",
    "user": "admin:user",
    "baseline": "baseline:baseline",
    "parse": "parse:parse",
    "check": "check:check",
    "template": "template:template",
    "publish": "publish:publish",
    "source": "source:source",
    "harvest": "harvest:harvest",
    "jobs": "harvest:jobs",
    "worker": "harvest:worker",
    "assess": "assess:assess",
    "report": "report:report",
    "notice": "notice:notice",
    "decide": "assess:decide",
    "domains": "domains:domains",
    "search-index": "search:search_index",
    "serve": "serve:serve",
    "demo": "serve:demo",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they are asked for (to run, or for --help)."""

    def main(self, args=None, *rest, **kwargs):
        """Words click's messages and the help in the user's language before anything is parsed."""
        self.lang = language_of(list(sys.argv[1:] if args is None else args))
        if self.lang in ("zh", "en"):
            use_language(self.lang)
            translate_command(self, self.lang)
        return super().main(args, *rest, **kwargs)

    left_out: tuple = ()  # commands this host has its own of (inside CKAN: its users and its server)

    def list_commands(self, ctx) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS} - set(self.left_out))

    def invoke(self, ctx):
        """Whatever a command did not foresee ends as one line in the user's language and exit code 1, never
        as a traceback (GKCATALOG_DEBUG=1 shows it, for developers)."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except DomainFileError as exc:  # the province's domain file, read by whatever needed the schema first
            raise Refused(exc.message(getattr(ctx.obj, "lang", "zh")))
        except Exception as exc:
            if os.environ.get("GKCATALOG_DEBUG"):
                raise
            reason = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:300]}".rstrip(": ")
            zh = getattr(ctx.obj, "lang", "zh") == "zh"
            raise Refused(f"意外错误,命令未完成:{reason}" if zh else f"unexpected error; the command did not finish: {reason}")

    def get_command(self, ctx, name):
        if name in self.left_out:
            return None
        if name in self.commands or name not in COMMANDS:
            return super().get_command(ctx, name)
        module, attribute = COMMANDS[name].split(":")
        command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
        return translate_command(command, getattr(self, "lang", "zh"))


@click.group(name="gkcatalog", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="GKCATALOG_DB", default=None, metavar="URL",
              help="Database: a SQLAlchemy URL (postgresql://…) or a SQLite file path. Default: ./gkcatalog.db")
@click.option("--lang", envvar="GKCATALOG_LANG", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of messages.")
@click.pass_context
def main(ctx, db, lang):
    """ckanext-gkcatalog: grassroots disclosure standard catalogs (基层政务公开标准目录)."""
    ctx.obj = Context(db, lang)


STANDALONE_ONLY = ("user", "serve", "demo", "worker")  # the portal's own accounts, web server and queue worker
# (inside CKAN, harvests run on ckanext-harvest's consumers or CKAN's own background jobs)


def inside_ckan(*extra: click.Command) -> click.Group:
    """`ckan gkcatalog`: the same commands on CKAN's database, less those CKAN has its own of (its users,
    its web server), plus `extra` (the dataset sync, which only CKAN has)."""
    group = copy.copy(main)
    group.commands, group.left_out = {command.name: command for command in extra}, STANDALONE_ONLY
    return group
