"""Province-scale benchmark (issue 18): a synthetic province as large as a real one, harvested on SQLite and
on PostgreSQL (started by the benchmark, as the tests start theirs), with the 54,000-item province of the
harvest benchmark measured in the same run for the growth figures.

The large province: 150 counties x 26 domains (baselines of 40 items, half of them with a township tier;
a county leaves out or spoils some, so about 35 per county and domain), plus 10 townships per county
(1,500), each publishing 10 domains' township subsets (about 18 items): about 410,000 items in the formats
counties publish (HTML, XLSX, DOCX, CSV in UTF-8 and GBK, JSON), served by a separate HTTP server.

For each database and each province it prints: the full harvest (items/s, each stage's share of the summed
stage time), a no-change re-harvest, a harvest where 5 % of the files changed, scoring the whole province,
the overview and a county page (p50/p95, drawn afresh and from the page cache), public searches (p95),
the peak RSS summed over the harvesting process and its parser processes, and the floor: the same files
parsed, matched and checked with no store (same processes), against which the harvest's speed is given.

    python bench/province_bench.py [--scale 1.0] [--databases sqlite,postgresql] [--processes 2]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from harvest_bench import RssWatch, served  # noqa: E402  the province's HTTP server, the RSS sampler

QUERIES = ["低保", "养老", "就业", "救助", "补贴", "公示", "名单", "审核", "条件", "登记", "培训", "医保", "特困",
           "临时救助", "政策法规", "办理流程", "最低生活保障", "国务院令第711号"]


# --- the province --------------------------------------------------------------------------------

def baselines(domains: int, per_domain: int) -> dict:
    """{domain: items}: the synthetic baselines, every other item with a township tier too."""
    from ckanext_gkcatalog.demo.province import synthetic_baselines
    from ckanext_gkcatalog.schema import load_schema

    keys = [c.value for c in load_schema().field("domain").choices][:domains] if domains != 4 else None
    made = synthetic_baselines(per_domain, keys)
    for items in made.values():
        for i, item in enumerate(items):
            item["tiers"] = ["county", "township"] if i % 2 == 0 else ["county"]
    return made


def province(counties: int, domains: int, per_domain: int, townships: int, township_domains: int) -> list:
    """Every publication as (code, name, city, domain, path, fmt, items): the counties' catalogs, then
    their townships' (the township subset of each of the first `township_domains` domains)."""
    from ckanext_gkcatalog.demo.province import FORMAT_WEIGHTS, County, county_catalog, fictional_counties
    from ckanext_gkcatalog.divisions import TOWNSHIP_TIERS
    from ckanext_gkcatalog.writers import EXTENSIONS

    rng, made = random.Random(18), baselines(domains, per_domain)
    formats = list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values())
    publications = []
    for county in fictional_counties(counties, 18):
        divisions = [(county, list(made))]
        divisions += [(County(f"{county.code}{n:03d}", f"{county.name[:-1]}第{n}镇", county.city, county.quality),
                       list(made)[:township_domains]) for n in range(1, townships + 1)]
        for division, wanted in divisions:
            for domain in wanted:
                items = made[domain] if len(division.code) == 6 else \
                    [i for i in made[domain] if set(i["tiers"]) & TOWNSHIP_TIERS]
                catalog, _ = county_catalog(division, domain, items, rng)
                fmt = rng.choices(*formats)[0]
                publications.append((division.code, division.name, division.city, domain,
                                     f"{division.code}/{domain}{EXTENSIONS[fmt]}", fmt, catalog))
    return publications


def _write(args) -> int:
    from ckanext_gkcatalog.schema import domain_label
    from ckanext_gkcatalog.writers import write_catalog

    folder, (code, name, city, domain, path, fmt, items) = args
    target = Path(folder, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(write_catalog(items, fmt, f"{name}{domain_label(domain)}领域基层政务公开标准目录",
                                     checklist=fmt != "csv-gbk"))
    return len(items)


def generate(folder: Path, shape: dict, processes: int) -> list:
    """Writes the province's files (in parallel) and returns its manifest."""
    publications = province(**shape)
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_write, [(str(folder), p) for p in publications], chunksize=64))
    return [{"code": c, "name": n, "city": city, "domain": d, "path": p, "fmt": f, "items": len(i)}
            for c, n, city, d, p, f, i in publications]


# --- the measurements ----------------------------------------------------------------------------

def floor(folder: Path, manifest: list, processes: int) -> float:
    """Seconds to parse, match and check every file with no store (the pipeline's parse stage, in a pool)."""
    started = time.perf_counter()
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_parse_one, [(str(folder), p) for p in manifest], chunksize=16, timeout=3600))
    return time.perf_counter() - started


_PREPARED = {}


def _parse_one(args) -> int:
    from ckanext_gkcatalog.assess import Matcher
    from ckanext_gkcatalog.demo.province import loaded_baselines
    from ckanext_gkcatalog.harvesters.fetch import Fetched
    from ckanext_gkcatalog.harvesters.parse import parse_stage

    folder, pub = args
    if not _PREPARED:
        shape = json.loads(Path(folder, "shape.json").read_text())
        _PREPARED.update({b.domain: Matcher.of(b) for b in loaded_baselines(baselines(shape["domains"],
                                                                                       shape["per_domain"]))})
    data = Path(folder, pub["path"]).read_bytes()
    kind = "csv" if pub["fmt"].startswith("csv") else pub["fmt"]
    outcome = parse_stage([Fetched(f"http://bench/{pub['path']}", 200, data, None)],
                          {"domain": pub["domain"], "county_code": pub["code"], "county_name": pub["name"]},
                          "." + kind, _PREPARED)
    return len(outcome.records)


def percentiles(samples: list) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.0f} ms"


def harvest_timed(store, sources, settings) -> tuple[float, list, dict]:
    from ckanext_gkcatalog.harvesters.pipeline import harvest

    started = time.perf_counter()
    reports = harvest(store, sources, settings)
    seconds = time.perf_counter() - started
    stages: dict = {}
    for job in store.jobs(limit=len(sources)):
        for stage, spent in (job.timings or {}).items():
            stages[stage] = stages.get(stage, 0.0) + spent
    return seconds, reports, stages


def change_five_percent(folder: Path, manifest: list) -> int:
    """Rewrites 5 % of the files (UTF-8 text ones) with one item's content changed, as a county edits."""
    rng = random.Random(5)
    text = [p for p in manifest if p["fmt"] in ("html", "csv", "json")]
    chosen = rng.sample(text, min(len(text), max(1, len(manifest) // 20)))
    for pub in chosen:
        path = Path(folder, pub["path"])
        path.write_bytes(path.read_bytes().decode("utf-8").replace("咨询电话", "咨询电话(工作日)", 1).encode("utf-8"))
    return len(chosen)


def measure(label: str, db_url: str, folder: Path, manifest: list, shape: dict, server: tuple, processes: int) -> dict:
    from ckanext_gkcatalog.assess import assess
    from ckanext_gkcatalog.demo.province import loaded_baselines
    from ckanext_gkcatalog.harvesters.fetch import FetchLimits
    from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings
    from ckanext_gkcatalog.store import Store
    from ckanext_gkcatalog.web.app import create_app
    from ckanext_gkcatalog.web.views import dashboards

    items, (port, server_pid) = sum(p["items"] for p in manifest), server
    store = Store(db_url)
    store.init()
    for baseline in loaded_baselines(baselines(shape["domains"], shape["per_domain"])):
        store.add_baseline(baseline)
    for code, name, city in sorted({(p["code"], p["name"], p["city"]) for p in manifest}, key=lambda c: len(c[0])):
        store.upsert_county(code, name, city_name=city)  # counties first: a township takes its county's city
    sources = [store.add_source(p["code"], f"http://127.0.0.1:{port}/{p['path']}",
                                "csv" if p["fmt"].startswith("csv") else p["fmt"], p["domain"]) for p in manifest]
    settings = HarvestSettings(FetchLimits(allowed_networks=["127.0.0.1/32"]), workers=4, processes=processes)
    out = {"items": items}
    with RssWatch(exclude={server_pid}) as watch:
        out["full"], _, stages = harvest_timed(store, sources, settings)
    out["rss"], total = watch.peak, sum(stages.values()) or 1
    out["stages"] = {k: round(100 * v / total, 1) for k, v in stages.items()}
    out["nochange"], _, _ = harvest_timed(store, [store.source(s.id) for s in sources], settings)
    out["changed_files"] = change_five_percent(folder, manifest)
    out["five"], _, _ = harvest_timed(store, [store.source(s.id) for s in sources], settings)
    started = time.perf_counter()
    out["pairs"] = len(assess(store))
    out["scoring"] = time.perf_counter() - started
    app = create_app(db_url, {"TESTING": True})
    app.extensions["gkcatalog_store"] = store
    client, counties = app.test_client(), sorted({p["code"] for p in manifest if len(p["code"]) == 6})
    fresh, cached, county_pages, searches = [], [], [], []
    for n in range(12):
        dashboards._overviews.drawn.clear()  # drawn afresh, as after a harvest
        started = time.perf_counter()
        assert client.get("/").status_code == 200
        fresh.append(time.perf_counter() - started)
        started = time.perf_counter()
        client.get("/")
        cached.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert client.get(f"/county/{counties[n * 7 % len(counties)]}").status_code == 200
        county_pages.append(time.perf_counter() - started)
    for query in QUERIES * 4:
        started = time.perf_counter()
        assert client.get("/search", query_string={"q": query}).status_code == 200
        searches.append(time.perf_counter() - started)
    out.update(overview=percentiles(fresh), overview_cached=percentiles(cached), county=percentiles(county_pages),
               search=percentiles(searches))
    store.dispose()
    print(f"  {label}: {json.dumps(out, ensure_ascii=False)}", flush=True)
    return out


def start_postgresql():
    from conftest import PostgresServer, _pg_bindir

    bindir = _pg_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    server = PostgresServer(bindir)
    return server, server.start()


def fresh_database(admin_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="counties x this (0.1 for a quick try)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chart", metavar="SVG", help="also draw the harvest's speed against the floor")
    args = parser.parse_args()
    counties = max(6, round(150 * args.scale))
    shapes = {"54k": dict(counties=counties, domains=4, per_domain=100, townships=0, township_domains=0),
              "large": dict(counties=counties, domains=26, per_domain=40, townships=10, township_domains=10)}
    postgres = start_postgresql() if "postgresql" in args.databases else None
    results: dict = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, shape in shapes.items():
                folder = Path(tmp, name)
                folder.mkdir()
                started = time.perf_counter()
                manifest = generate(folder, shape, args.processes)
                Path(folder, "shape.json").write_text(json.dumps(shape))
                items = sum(p["items"] for p in manifest)
                print(f"{name}: {len(manifest)} files, {items} items, generated in {time.perf_counter() - started:.0f} s",
                      flush=True)
                seconds = floor(folder, manifest, args.processes)
                results[name, "floor"] = {"items": items, "seconds": seconds}
                print(f"  floor (parse, match, check; no store): {seconds:.1f} s, {items / seconds:,.0f} items/s",
                      flush=True)
                with served(folder) as server:
                    for db in args.databases.split(","):
                        url = f"sqlite:///{tmp}/{name}.db" if db == "sqlite" else \
                            fresh_database(postgres[1], f"gk_bench_{name}")
                        results[name, db] = measure(f"{name} on {db}", url, folder, manifest, shape, server,
                                                    args.processes)
    finally:
        if postgres:
            postgres[0].stop()
    summary(results, args.databases.split(","))
    if args.chart:
        Path(args.chart).write_text(chart(results, args.databases.split(",")), encoding="utf-8")


def chart(results: dict, databases: list) -> str:
    """The full harvest's speed as a share of the no-store floor, per province size and database."""
    from ckanext_gkcatalog.reports.charts import bars

    rows = []
    for name in ("54k", "large"):
        floor_rate = results[name, "floor"]["items"] / results[name, "floor"]["seconds"]
        for db in databases:
            found = results[name, db]
            rows.append((f"{found['items']:,} items, {db}", 100 * found["items"] / found["full"] / floor_rate))
    return str(bars(rows, "full harvest, % of the no-store floor's items/s (goal 85 %)", unit=" %"))


def summary(results: dict, databases: list) -> None:
    print(f"\n{'':24}" + "".join(f"{db:>22}" for db in databases))
    for name in ("54k", "large"):
        floor_rate = results[name, "floor"]["items"] / results[name, "floor"]["seconds"]
        rows = {"items": lambda r: f"{r['items']:,}",
                "full harvest items/s": lambda r: f"{r['items'] / r['full']:,.0f}",
                "vs the no-store floor": lambda r: f"{100 * r['items'] / r['full'] / floor_rate:.0f} %",
                "no-change re-harvest s": lambda r: f"{r['nochange']:.1f}",
                "5 % changed s": lambda r: f"{r['five']:.1f}",
                "scoring s (pairs)": lambda r: f"{r['scoring']:.1f} ({r['pairs']})",
                "overview afresh": lambda r: r["overview"], "overview cached": lambda r: r["overview_cached"],
                "county page": lambda r: r["county"], "search": lambda r: r["search"],
                "peak RSS MB": lambda r: f"{r['rss']:.0f}"}
        print(f"{name} (floor {floor_rate:,.0f} items/s)")
        for label, cell in rows.items():
            print(f"  {label:22}" + "".join(f"{cell(results[name, db]):>22}" for db in databases))
    for db in databases:
        small, large = results["54k", db], results["large", db]
        per_item = (large["full"] / large["items"]) / (small["full"] / small["items"])
        per_pair = (large["scoring"] / large["pairs"]) / (small["scoring"] / small["pairs"])
        print(f"growth on {db}: per-item harvest cost x{per_item:.2f}, per-county-domain scoring cost x{per_pair:.2f} "
              f"(goal <= 1.2); stage shares at the large size {results['large', db]['stages']}")


if __name__ == "__main__":
    main()
