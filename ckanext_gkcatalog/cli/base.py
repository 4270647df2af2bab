"""What the command groups share: the context (database, language, store), options and printing."""
from __future__ import annotations

import ipaddress
import os
import sys
import unicodedata
from typing import TYPE_CHECKING

import click

from ..problems import Location, Problem
from ..schema import load_schema

if TYPE_CHECKING:
    from ..store import Store


class Refused(click.ClickException):
    """A command refused: its message is already in the user's language, so no English 'Error:' before it."""

    def show(self, file=None) -> None:
        click.echo(f"✗ {self.format_message()}", err=True)


class Context:
    """What every command gets: the database it was given, the language of its messages, the store."""

    def __init__(self, db: str | None, lang: str):
        self.db = db
        self.lang = lang
        self._store = None

    @property
    def store(self) -> Store:
        """The store, migrated to the newest schema on first use (so a new file just works)."""
        if self._store is None:
            from sqlalchemy.exc import SQLAlchemyError

            from ..store import Store  # here, not above: commands without a store never import SQLAlchemy

            try:
                self._store = Store(self.db)
                self._store.init()
                if self._store.search_index_missing():  # items harvested before the search existed
                    from ..indexing import item_document

                    self._store.rebuild_search_index(item_document)
            except (SQLAlchemyError, OSError) as exc:  # a folder that is not there, a server that does not answer
                reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
                raise Refused(self.say(f"无法打开数据库 {self.db or ''}:{reason}",
                                       f"cannot open the database {self.db or ''}: {reason}"))
        return self._store

    def fail(self, problem) -> None:
        """Refuse the command with a located problem, in the user's language."""
        raise Refused(problem.message(self.lang))

    def known_county(self, code: str | None) -> None:
        """Refuse a county code the store does not know (nothing given: every county)."""
        if code and self.store.county(code) is None:
            self.fail(Problem("unknown_county", Location(), {"value": code}))

    def known_city(self, city: str | None) -> None:
        """Refuse a city none of the store's counties is in (nothing given: every city)."""
        if city and city not in {c.city_name for c in self.store.counties()}:
            raise Refused(self.say(f"没有市“{city}”", f"no city '{city}'"))

    def say(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def report(self, problems, err: bool = True) -> None:
        for p in problems:
            mark = {"error": "✗", "warning": "!", "info": "·"}[p.severity]
            click.echo(f"{mark} {p.message(self.lang)}", err=err)


pass_ctx = click.make_pass_decorator(Context)


def domain_key(ctx: Context, domain: str | None) -> str | None:
    """The domain's key for a key or Chinese name given on the command line; a clear error otherwise."""
    if not domain:
        return None
    key = load_schema().domain(domain)
    if key is None:
        raise Refused(ctx.say(f"无法识别领域“{domain}”", f"unknown domain '{domain}'"))
    return key


def fetch_options(command):
    """The download limits, shared by every command that fetches."""
    for option in reversed([
        click.option("--allow-network", multiple=True, metavar="CIDR", envvar="GKCATALOG_ALLOW_NETWORKS",
                     help="Private network a source may resolve to (e.g. 127.0.0.1/32); refused by default."),
        click.option("--timeout", type=click.FloatRange(0.1, 3600), default=30.0, show_default=True,
                     help="Seconds for a whole download."),
        click.option("--max-bytes", type=click.IntRange(1), default=50 * 1024 * 1024, show_default=True,
                     help="Largest download accepted."),
    ]):
        command = option(command)
    return command


def limits(allow_network, timeout, max_bytes, lang: str = "zh"):
    from ..harvesters.fetch import FetchLimits  # here, not above: requests costs a local file's command 0.1 s

    networks = [n for value in allow_network for n in value.split()]
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise Refused(f"“{network}”不是网段(如 127.0.0.1/32)" if lang == "zh"
                          else f"'{network}' is not a network (such as 127.0.0.1/32)")
    return FetchLimits(timeout=timeout, max_bytes=max_bytes, allowed_networks=networks)


def read_input(ctx: Context, file_or_url: str, fetch_limits) -> tuple[bytes, str, str | None, str | None]:
    """(data, name, content type, URL) of a local file or a URL; `fetch_limits()` gives the download's
    limits. A download that fails is reported and exits 2; a missing file is a usage error."""
    if file_or_url.startswith(("http://", "https://")):
        from ..harvesters.fetch import FetchError, fetch

        try:
            fetched = fetch(file_or_url, fetch_limits())
        except FetchError as exc:
            ctx.report([exc.problem])
            sys.exit(2)
        return fetched.data, fetched.url, fetched.content_type, fetched.url
    if not os.path.isfile(file_or_url):
        raise Refused(ctx.say(f"找不到文件 {file_or_url}", f"no such file: {file_or_url}"))
    with open(file_or_url, "rb") as fh:
        return fh.read(), os.path.basename(file_or_url), None, None


def width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(header: list, rows: list) -> str:
    widths = [max(width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(str(c) + " " * (w - width(str(c))) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
