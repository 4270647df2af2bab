"""`gkcatalog search-index`: the public search's index, which every harvest keeps up to date itself."""
from __future__ import annotations

import time

import click

from ..indexing import item_document
from .base import Context, pass_ctx


@click.group("search-index")
def search_index():
    """The public search's index (kept current by every harvest; rebuild after changing synonyms' data or
    restoring a database)."""


@search_index.command("rebuild")
@pass_ctx
def rebuild(ctx: Context):
    """Index every active item again, in one transaction: searches keep the old index until it commits."""
    started = time.perf_counter()
    count = ctx.store.rebuild_search_index(item_document)
    seconds = time.perf_counter() - started
    click.echo(ctx.say(f"已重建检索索引:{count} 个事项,用时 {seconds:.1f} 秒",
                       f"Search index rebuilt: {count} items in {seconds:.1f} s"))
