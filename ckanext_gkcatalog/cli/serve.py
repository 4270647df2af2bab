"""`gkcatalog serve` (the portal) and `gkcatalog demo` (a demo province harvested, then served)."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from ..demo.publish import LOOPBACK, FileServer, publish
from ..harvesters.fetch import FetchLimits
from ..harvesters.pipeline import HarvestSettings, harvest as run_harvest
from ..web.app import create_app, run
from .assess import score_table
from .base import Context, pass_ctx


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@pass_ctx
def serve(ctx: Context, host, port):
    """Serve the portal: the province overview at /, county, baseline and job pages, exports, admin."""
    ctx.store.init()  # migrate before serving
    click.echo(ctx.say(f"门户:http://{host}:{port}/", f"Portal: http://{host}:{port}/"))
    run(create_app(ctx.db), host, port)


@click.command()
@click.option("--counties", default=36, show_default=True, type=click.IntRange(1, 500), help="How many fictional counties.")
@click.option("--folder", type=click.Path(file_okay=False), help="Where the counties' files are written "
              "(default: a temporary folder).")
@click.option("--no-serve", is_flag=True, help="Stop after the summary table instead of serving the dashboards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--processes", type=click.IntRange(0, 64), default=os.cpu_count() or 1, show_default=True, help="Parser processes.")
@pass_ctx
def demo(ctx: Context, counties, folder, no_serve, host, port, processes):
    """A demo province: fictional counties publish catalogs built from the demo baselines, with realistic
    gaps, errors and formats, over local HTTP; they are harvested and scored, then the dashboards served."""
    store = ctx.store
    with tempfile.TemporaryDirectory(prefix="gkcatalog-demo-") as tmp:
        files = FileServer(Path(folder or tmp))
        files.folder.mkdir(parents=True, exist_ok=True)
        base_url = files.start()
        try:
            sources = publish(store, files.folder, base_url, counties)
            click.echo(ctx.say(f"演示省:{counties} 个县,{len(sources)} 个来源,发布于 {base_url}",
                               f"Demo province: {counties} counties, {len(sources)} sources, published at {base_url}"))
            settings = HarvestSettings(FetchLimits(timeout=30, allowed_networks=LOOPBACK), 4, processes)
            with click.progressbar(length=len(sources), label=ctx.say("采集", "Harvesting"), file=sys.stderr) as bar:
                reports = run_harvest(store, sources, settings, on_done=lambda report: bar.update(1))
            failed = sum(1 for r in reports if r.status == "failed")
            click.echo(score_table(ctx, store))
            click.echo(ctx.say(f"采集作业 {len(reports)} 个,失败 {failed} 个(演示中有意设置的坏来源)。",
                               f"{len(reports)} harvest jobs, {failed} failed (broken sources are part of the demo)."))
        finally:
            files.stop()
    if not no_serve:
        site = f"http://{host}:{port}"
        click.echo(ctx.say(f"仪表板:{site}/    公众检索:{site}/search?q=低保    县级目录检查:{site}/check",
                           f"Dashboards: {site}/    Public search: {site}/search?q=低保    County checker: {site}/check"))
        run(create_app(ctx.db), host, port)
