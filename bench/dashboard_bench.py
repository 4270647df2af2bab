"""Dashboard benchmark: the synthetic province of harvest_bench.py (every one of the 26 domains by default),
harvested once (items matched and checked
at import, counties not scored), then timed:
- scoring the whole province (every county and domain summed from the items' assessments made at import,
  scored and stored as snapshots; goal <= 1 s), and assessing every item again after new baseline versions;
- the overview page's server time over 100 requests through the WSGI app (goal <= 50 ms), median and p95,
  beside the login page's (no data) as the reference, and the first view after a harvest (it draws the
  charts the next views reuse until the data changes).

    python bench/dashboard_bench.py [--counties 150] [--domains 26] [--items 35] [--db URL]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from harvest_bench import register, served, synthetic_baselines_as_baselines  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=150)
    parser.add_argument("--items", type=int, default=35, help="baseline items per domain")
    parser.add_argument("--domains", type=int, default=26, help="domains of the schema (0: the 4 demo ones)")
    parser.add_argument("--db", help="store URL (default: a fresh SQLite file)")
    args = parser.parse_args()

    from ckanext_gkcatalog.assess import assess
    from ckanext_gkcatalog.harvesters.fetch import FetchLimits
    from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest
    from ckanext_gkcatalog.store import Store
    from ckanext_gkcatalog.web.app import create_app, warm_up

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "province")
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "harvest_bench.py"), "--generate",
                        str(folder), "--counties", str(args.counties), "--items", str(args.items),
                        "--domains", str(args.domains)], check=True)
        manifest = json.loads(Path(folder, "manifest.json").read_text(encoding="utf-8"))
        with served(folder) as (port, _):
            store = Store(args.db or f"sqlite:///{tmp}/bench.db")
            store.init()
            for baseline in synthetic_baselines_as_baselines(args.items, args.domains):
                store.add_baseline(baseline)
            sources = register(store, manifest, port)
            harvest(store, sources, HarvestSettings(FetchLimits(allowed_networks=["127.0.0.1/32"]), workers=4,
                                                    processes=os.cpu_count() or 1, assess=False))
        items = sum(p["items"] for p in manifest)
        pairs = store.county_domains()
        for label in ("scoring the province", "scoring it again"):  # items were matched and checked at import
            started = time.perf_counter()
            done = assess(store, pairs)
            seconds = time.perf_counter() - started
            print(f"{label}: {len(done)} county-domains, {items} items in {seconds:.2f} s (goal <= 1 s)")
        for baseline in synthetic_baselines_as_baselines(args.items, args.domains):  # new versions: every item is matched again
            store.add_baseline(baseline)
        started = time.perf_counter()
        done = assess(store, pairs)
        seconds = time.perf_counter() - started
        print(f"after a new baseline version of every domain, matching, checking and scoring every item again: "
              f"{seconds:.2f} s ({items / seconds:,.0f} items/s)")
        app = create_app(store.url)
        warm_up(app)  # as `gkcatalog serve` does before serving
        client = app.test_client()
        started = time.perf_counter()
        assert client.get("/?order=desc").status_code == 200  # an order not drawn yet (warm_up drew the default)
        first = (time.perf_counter() - started) * 1000
        overview, floor = timed(client, "/"), timed(client, "/login")
        print(f"overview page ({overview[2] / 1024:.0f} KiB, {args.counties} counties x {args.domains or 4} domains): "
              f"median {overview[0]:.1f} ms, p95 {overview[1]:.1f} ms over 100 requests (goal <= 50 ms); a view not "
              f"drawn since the data changed (the first after a harvest): {first:.0f} ms")
        print(f"reference, the login page (no data) in the same app: median {floor[0]:.1f} ms, p95 {floor[1]:.1f} ms")


def timed(client, path: str) -> tuple:
    """(median ms, p95 ms, bytes) of 100 requests."""
    times = []
    for _ in range(100):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[94], len(response.data)


if __name__ == "__main__":
    main()
