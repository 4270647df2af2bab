"""`gkcatalog harvest` (run the sources' harvests) and `gkcatalog jobs` (what each run did)."""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager

import click

from ..harvesters.pipeline import HarvestSettings, harvest as run_harvest
from ..problems import code_label, job_message
from .base import Context, Refused, fetch_options, limits, pass_ctx, table


@click.command()
@click.option("--county", help="Only this county's sources (6-digit code).")
@click.option("--source", "source_id", type=int, help="Only this source.")
@click.option("--due", is_flag=True, help="Only the sources whose scheduled time has come.")
@click.option("--workers", type=click.IntRange(1, 64), default=4, show_default=True, help="Sources harvested at once.")
@click.option("--processes", type=click.IntRange(0, 64), default=os.cpu_count() or 1, show_default=True,
              help="Parser processes (files are parsed on every core); 1 parses in the harvesting threads.")
@click.option("--queue", "on_queue", is_flag=True,
              help="Enqueue one job per source on RQ (Redis) for `gkcatalog worker`s, instead of harvesting here.")
@click.option("--redis", "redis", envvar="GKCATALOG_REDIS_URL", metavar="URL", help="Redis of the queue.")
@fetch_options
@pass_ctx
def harvest(ctx: Context, county, source_id, due, workers, processes, on_queue, redis, allow_network, timeout,
            max_bytes):
    """Harvest county sources into the store (all enabled sources unless narrowed)."""
    store = ctx.store
    ctx.known_county(county)
    if source_id:
        chosen = [s for s in [store.source(source_id)] if s]
        if not chosen:
            raise Refused(ctx.say(f"没有编号为 {source_id} 的来源", f"no source {source_id}"))
    elif due:
        chosen = store.due_sources()
    else:
        chosen = store.sources(county, enabled_only=True)
    if county:
        chosen = [s for s in chosen if s.county_code == county]
    if not chosen:
        click.echo(ctx.say("没有需要采集的来源。", "No sources to harvest."))
        return
    settings = HarvestSettings(limits(allow_network, timeout, max_bytes), workers, processes)
    if on_queue:
        return _enqueue(ctx, chosen, settings, due, redis)
    told = []
    with click.progressbar(length=len(chosen), label=ctx.say("采集", "Harvesting"), file=sys.stderr) as bar:
        reports = run_harvest(store, chosen, settings, on_done=lambda report: bar.update(1), on_notice=told.append)
    header = ctx.say(["作业", "来源", "县", "状态", "新增", "更新", "未变", "撤下", "错误"],
                     ["job", "source", "county", "status", "added", "updated", "unchanged", "withdrawn", "errors"])
    click.echo(table(header, [[str(r.job_id), str(r.source_id), r.county_code, code_label(r.status, ctx.lang),
                                *(str(r.counts.get(k, 0)) for k in ("added", "updated", "unchanged", "withdrawn", "errors"))]
                               for r in reports]))
    for delivery in told:
        if delivery.error:
            click.echo(ctx.say(f"! 通知 {delivery.address} 未发出:{delivery.error}",
                               f"! the notice to {delivery.address} was not sent: {delivery.error}"), err=True)
        else:
            click.echo(ctx.say(f"已通知 {delivery.address}:{delivery.sent} 项新情况",
                               f"notified {delivery.address}: {delivery.sent} new problems"))
    if any(r.status == "failed" for r in reports):
        sys.exit(1)


@contextmanager
def _on_the_queue(ctx: Context, redis: str | None):
    """The queue's module; a Redis that cannot be reached ends the command with a clear message."""
    from redis.exceptions import RedisError

    from . import queue

    try:
        yield queue
    except RedisError as exc:
        raise Refused(ctx.say(f"无法连接队列(Redis {redis or queue.redis_url()}):{exc}",
                              f"cannot reach the queue (Redis {redis or queue.redis_url()}): {exc}"))


def _enqueue(ctx: Context, sources: list, settings, due: bool, redis: str | None) -> None:
    with _on_the_queue(ctx, redis) as queue:
        done = queue.enqueue_harvest(queue.connect(redis), ctx.store, sources, settings, due=due)
    click.echo(ctx.say(f"已排队 {len(done['sources'])} 个来源的采集,全部结束后评分(作业 {done['assessment']})",
                       f"Queued {len(done['sources'])} sources' harvests, scored when all have ended (job {done['assessment']})"))
    if done["skipped"]:
        click.echo(ctx.say(f"{len(done['skipped'])} 个到期来源已由其他调度排队", f"{len(done['skipped'])} due sources were "
                           "already queued by another scheduler"))


@click.command()
@click.option("--redis", "redis", envvar="GKCATALOG_REDIS_URL", metavar="URL", help="Redis of the queue.")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--monitoring-interval", type=click.IntRange(1, 600), default=30, show_default=True,
              help="Seconds between a running job's heartbeats.")
@click.option("--maintenance-interval", type=click.IntRange(1, 86400), default=600, show_default=True,
              help="Seconds between looks for jobs whose worker died.")
@click.option("--abandon-after", type=click.IntRange(1, 3600), default=60, show_default=True,
              help="Seconds a job's heartbeat may be late before its worker counts as dead and the job is retried.")
@click.option("--name", help="The worker's name (default: RQ's random one).")
@pass_ctx
def worker(ctx: Context, redis, burst, monitoring_interval, maintenance_interval, abandon_after, name):
    """Run queued harvest jobs (from `gkcatalog harvest --queue`) on this machine, into the store of --db."""
    os.environ["GKCATALOG_DB"] = str(ctx.store.url)  # the jobs open the store themselves, in their own process
    with _on_the_queue(ctx, redis) as queue:
        queue.run_worker(queue.connect(redis), burst, monitoring_interval, maintenance_interval, abandon_after, name)


@click.command()
@click.option("--source", "source_id", type=int, help="Only this source's jobs.")
@click.option("--job", "job_id", type=int, help="Show one job with its findings.")
@click.option("--limit", type=click.IntRange(1), default=30, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def jobs(ctx: Context, source_id, job_id, limit, fmt):
    """List harvest jobs, newest first, or one job's findings."""
    def summary(j):
        return {"id": j.id, "source_id": j.source_id, "status": j.status, "started_at": j.started_at.isoformat(),
                "finished_at": j.finished_at.isoformat() if j.finished_at else None, "timings": j.timings,
                **{k: getattr(j, k) for k in ("added", "updated", "unchanged", "withdrawn", "errors")},
                "message_code": j.message_code, "message_params": j.message_params}
    if job_id:
        job = ctx.store.job(job_id)
        if job is None:
            raise Refused(ctx.say(f"没有作业 {job_id}", f"no job {job_id}"))
        findings = ctx.store.findings(job_id)
        if fmt == "json":
            click.echo(json.dumps({**summary(job), "findings": [
                {"stage": f.stage, "rule": f.rule, "severity": f.severity, "item_id": f.item_id, "location": f.location,
                 "message_zh": f.message_zh, "message_en": f.message_en} for f in findings]}, ensure_ascii=False, indent=2))
            return
        click.echo(json.dumps(summary(job), ensure_ascii=False))
        if job.message_code:
            click.echo(job_message(job.message_code, job.message_params, ctx.lang))
        for f in findings:
            click.echo(f"[{code_label(f.stage, ctx.lang)}] {code_label(f.severity, ctx.lang)}: "
                       f"{f.message_zh if ctx.lang == 'zh' else f.message_en}")
        return
    records = ctx.store.jobs(source_id, limit)
    if fmt == "json":
        click.echo(json.dumps([summary(j) for j in records], ensure_ascii=False, indent=2))
        return
    header = ctx.say(["作业", "来源", "状态", "开始", "用时(秒)", "新增", "更新", "未变", "撤下", "错误"],
                     ["job", "source", "status", "started", "seconds", "added", "updated", "unchanged", "withdrawn", "errors"])
    rows = []
    for j in records:
        took = f"{(j.finished_at - j.started_at).total_seconds():.2f}" if j.finished_at else "-"
        rows.append([str(j.id), str(j.source_id or "-"), code_label(j.status, ctx.lang), j.started_at.strftime("%Y-%m-%d %H:%M:%S"), took,
                     *(str(getattr(j, k)) for k in ("added", "updated", "unchanged", "withdrawn", "errors"))])
    click.echo(table(header, rows))
