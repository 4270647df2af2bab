"""`ckan gkcatalog ...`: the standalone command line on CKAN's database, less what CKAN has its own of (its
users, its web server), with a harvest that reads ckan.ini and writes the datasets, and the dataset sync.
The harvest behind the dashboards' "Harvest now" button runs as a CKAN background job (`ckan jobs worker`).
"""
from __future__ import annotations

import copy
import functools

import click
import ckan.plugins.toolkit as tk

from ..cli.harvest import harvest as standalone_harvest
from ..cli.main import inside_ckan
from ..harvesters.pipeline import harvest
from .settings import get_store, harvest_settings
from .sync import items_to_write, sync_datasets


@click.command("sync-datasets")
def sync_command():
    """Write the items that changed since the last run as CKAN datasets (after harvests run by
    `ckan gkcatalog harvest` or the standalone scheduler on CKAN's database)."""
    store = get_store()
    items = items_to_write(store)
    with click.progressbar(length=len(items), label="datasets") as bar:
        report = sync_datasets(store, items, on_item=lambda: bar.update(1))
    _say(report)
    if report.errors:
        raise SystemExit(1)


def _say(report, prefix: str = "") -> None:
    for message in report.errors:
        click.echo(message, err=True)
    click.echo(prefix + ", ".join(f"{k} {v}" for k, v in report.counts.items()))


def _harvest_command() -> click.Command:
    """The standalone `harvest`, its parser processes and private networks by default from ckan.ini
    (ckanext.gkcatalog.harvest_processes, ckanext.gkcatalog.allow_networks), then the dataset sync."""
    command = copy.copy(standalone_harvest)
    command.params = [copy.copy(p) for p in standalone_harvest.params]
    for param in command.params:
        if param.name == "processes":
            param.default = lambda: harvest_settings().processes
        elif param.name == "allow_network":
            param.default, param.envvar = (lambda: tuple(harvest_settings().limits.allowed_networks)), None
    read = standalone_harvest.callback

    @functools.wraps(read)
    def harvest_then_write(*args, **kwargs):
        try:
            return read(*args, **kwargs)
        finally:  # a failed source does not keep the others' items from CKAN
            _say(sync_datasets(get_store()), "datasets: ")

    command.callback = harvest_then_write
    return command


def commands() -> list[click.Command]:
    return [inside_ckan(sync_command, _harvest_command())]


def run_harvest_job(source_ids: list[int]) -> dict:
    """A background job: harvest these sources with ckan.ini's settings and write what changed."""
    store = get_store()
    sources = [s for s in (store.source(i) for i in source_ids) if s]
    reports = harvest(store, sources, harvest_settings())
    written = sync_datasets(store, items_to_write(store, [s.id for s in sources]))
    return {"jobs": [r.job_id for r in reports], "datasets": written.counts}


def start_harvest(sources: list):
    """The dashboards' "Harvest now": a CKAN background job, run by `ckan jobs worker`."""
    return tk.enqueue_job(run_harvest_job, [[s.id for s in sources]], title="gkcatalog harvest",
                          rq_kwargs={"timeout": 3600})
