"""Harvest benchmark: a synthetic province (150 counties x 4 domains, ~60k items, formats mixed like the
samples) served by a separate HTTP server process on 127.0.0.1, harvested into a fresh SQLite store.

Prints: full-harvest items/s (items matched to the synthetic baselines and checked at import, the counties
scored when the harvest lands), no-change re-harvest seconds, peak RSS of the harvesting process.
Goals (issue 3, on 2 cores): >= 2,000 items/s, <= 3 s, <= 300 MB.

    python bench/harvest_bench.py [--counties 150] [--items 100] [--workers 4] [--db URL]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
import threading
import time
from pathlib import Path


def domain_keys(count: int) -> list | None:
    """The first `count` of the schema's 26 domains; 0: the four of the demo baselines."""
    from ckanext_gkcatalog.schema import load_schema

    return [c.value for c in load_schema().field("domain").choices][:count] if count else None


def synthetic_baselines(per_domain: int, domains: int = 0) -> dict:
    from ckanext_gkcatalog.demo.province import synthetic_baselines as made

    return made(per_domain, domain_keys(domains))


def synthetic_baselines_as_baselines(per_domain: int, domains: int = 0) -> list:
    """The synthetic baselines as loaded Baseline objects, ready for the store."""
    from ckanext_gkcatalog.demo.province import loaded_baselines

    return loaded_baselines(synthetic_baselines(per_domain, domains))


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)


@contextmanager
def served(folder: Path):
    """The province's files from a separate `python -m http.server` process; yields (port, its pid)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait()


def register(store, manifest: list, port: int) -> list:
    """The province's counties and one source per published file."""
    for code, name, city in {(p["code"], p["name"], p["city"]) for p in manifest}:
        store.upsert_county(code, name, city_name=city)
    return [store.add_source(p["code"], f"http://127.0.0.1:{port}/{p['path']}",
                             "csv" if p["fmt"].startswith("csv") else p["fmt"], p["domain"]) for p in manifest]


def generate(folder: str, counties: int, per_domain: int, domains: int = 0) -> None:
    from ckanext_gkcatalog.demo.province import build_province, write_province

    province = build_province(synthetic_baselines(per_domain, domains), counties=counties, seed=11)
    write_province(province, Path(folder))
    manifest = [{"code": p.county.code, "name": p.county.name, "city": p.county.city, "domain": p.domain,
                 "path": p.path, "fmt": p.fmt, "items": len(p.items)} for p in province.publications]
    Path(folder, "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=150)
    parser.add_argument("--items", type=int, default=100, help="baseline items per domain")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--processes", type=int, default=os.cpu_count(), help="parser processes")
    parser.add_argument("--db", help="store URL (default: a fresh SQLite file)")
    parser.add_argument("--domains", type=int, default=0, help="domains of the schema (0: the 4 demo ones)")
    parser.add_argument("--generate", metavar="FOLDER", help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()
    if args.generate:
        return generate(args.generate, args.counties, args.items, args.domains)

    from ckanext_gkcatalog.harvesters.fetch import FetchLimits
    from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest
    from ckanext_gkcatalog.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "province")
        started = time.perf_counter()
        # generated in a child process so that the RSS measured below is the harvester's alone
        subprocess.run([sys.executable, __file__, "--generate", str(folder), "--counties", str(args.counties),
                        "--items", str(args.items), "--domains", str(args.domains)], check=True)
        manifest = json.loads(Path(folder, "manifest.json").read_text(encoding="utf-8"))
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        formats = {}
        for pub in manifest:
            formats[pub["fmt"]] = formats.get(pub["fmt"], 0) + 1
        print(f"province: {args.counties} counties, {len(manifest)} files ({size / 1e6:.1f} MB), "
              f"{sum(p['items'] for p in manifest)} items published; formats {formats}; "
              f"generated in {time.perf_counter() - started:.1f} s")
        with served(folder) as (port, server_pid), RssWatch(exclude={server_pid}) as watch:
            store = Store(args.db or f"sqlite:///{tmp}/bench.db")
            store.init()
            for baseline in synthetic_baselines_as_baselines(args.items, args.domains):  # items are matched and checked at
                store.add_baseline(baseline)                              # import, counties scored after
            sources = register(store, manifest, port)
            settings = HarvestSettings(FetchLimits(allowed_networks=["127.0.0.1/32"]), workers=args.workers,
                                       processes=args.processes)
            report(store, sources, settings, "full harvest", harvest)
            report(store, [store.source(s.id) for s in sources], settings, "no-change re-harvest", harvest)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: harvesting process {peak:.0f} MB; with its {args.processes} parser processes "
          f"{watch.peak:.0f} MB (sampled every 0.1 s; goal <= 300 MB)")


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024
    except (OSError, StopIteration):
        return 0.0


def _descendants(pid: int) -> list[int]:
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            children += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
        except OSError:
            continue
    return children + [d for c in children for d in _descendants(c)]


class RssWatch:
    """Peak of the summed RSS of this process and its descendants (the parser processes), sampled."""

    def __init__(self, exclude: set):
        self.exclude, self.peak, self.stop = exclude, 0.0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(0.1):
            pids = [os.getpid()] + [p for p in _descendants(os.getpid()) if p not in self.exclude]
            self.peak = max(self.peak, sum(_rss_mb(p) for p in pids))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def report(store, sources, settings, label, harvest) -> None:
    started = time.perf_counter()
    reports = harvest(store, sources, settings)
    seconds = time.perf_counter() - started
    statuses = {}
    for r in reports:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    added = sum(r.counts.get("added", 0) for r in reports)
    unchanged = sum(r.counts.get("unchanged", 0) for r in reports)
    stages = {}
    for job in store.jobs(limit=len(sources)):
        for stage, t in (job.timings or {}).items():
            stages[stage] = stages.get(stage, 0) + t
    print(f"{label}: {seconds:.2f} s, jobs {statuses}, added {added}, unchanged {unchanged}, "
          f"{(added or unchanged) / seconds:,.0f} items/s; stage seconds summed over workers "
          + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
          + f"; score snapshots stored {len(store.latest_snapshots())}")


if __name__ == "__main__":
    main()
