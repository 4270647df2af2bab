"""CKAN import benchmark (issue 5): a slice of the synthetic province (about 5,000 items) imported into a fresh
CKAN 2.11 database three ways, side by side in one run, all reading the same county CKAN portal over HTTP:

- ckanext-harvest's own CKANHarvester (source type `ckan`);
- ours through ckanext-harvest: the gkcatalog_harvest adapter, one source per county (one harvest object
  per dataset, written with the dataset in the gather stage, as the direct path writes);
- ours directly: the pipeline harvests every county's source into the store, then `sync_datasets` writes
  the datasets in batches of one transaction, the new ones by the bulk writer (ckan/bulk.py) (what
  `gkcatalog_harvest_source` and `ckan gkcatalog harvest` + `ckan gkcatalog sync-datasets` do).

The portal is a real CKAN (its own database) holding the items as gk-catalog-item datasets of the counties'
organizations, served by a separate process. Each import runs in its own process on its own empty database;
the timing covers everything from the first API call to the last dataset written and indexed. Solr is the
in-memory index of tests/ckan/solr.py in every process (no Solr package here), so real Solr's indexing cost
is not in any figure. Goals: the adapter >= 5x CKANHarvester's items/s, the direct path >= 20x.

    bash scripts/ckan_bench.sh [--counties 34]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = {"ckanharvester": "scheming_datasets gkcatalog harvest ckan_harvester",
         "adapter": "scheming_datasets gkcatalog harvest gkcatalog_harvest",
         "direct": "scheming_datasets gkcatalog"}
LABELS = {"ckanharvester": "ckanext-harvest CKANHarvester", "adapter": "ours, through ckanext-harvest (adapter)",
          "direct": "ours, direct (harvest + sync_datasets)"}


# --- the orchestrator ----------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=34, help="counties of the slice (34: about 5,000 items)")
    parser.add_argument("--paths", default=",".join(PATHS), help="which imports, e.g. direct (default: all three)")
    parser.add_argument("--role", choices=["portal", *PATHS], help=argparse.SUPPRESS)
    parser.add_argument("--ini", help=argparse.SUPPRESS)
    parser.add_argument("--portal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "portal":
        return serve_portal(args.ini, args.counties)
    if args.role:
        return run_import(args.role, args.ini, args.portal)
    work = Path(tempfile.mkdtemp(prefix="gk-ckan-bench-"))
    inis = {name: make_database(name, work, plugins) for name, plugins in
            {"portal": "scheming_datasets gkcatalog", **PATHS}.items()}
    print(f"portal: {args.counties} counties of the synthetic province as gk-catalog-item datasets ...", flush=True)
    portal = subprocess.Popen([sys.executable, __file__, "--role", "portal", "--ini", inis["portal"],
                               "--counties", str(args.counties)], stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(_last_line(portal, "READY"))
        print(f"portal ready at {ready['url']}: {ready['items']} items in {ready['seconds']:.0f} s", flush=True)
        results = {}
        for name in (n for n in PATHS if n in args.paths.split(",")):
            print(f"{LABELS[name]} ...", flush=True)
            done = subprocess.run([sys.executable, __file__, "--role", name, "--ini", inis[name], "--portal",
                                   ready["url"]], stdout=subprocess.PIPE, text=True, check=True)
            results[name] = json.loads(done.stdout.strip().splitlines()[-1].removeprefix("RESULT "))
    finally:
        portal.terminate()
        portal.wait()
    reference = results.get("ckanharvester")
    base = reference["items"] / reference["seconds"] if reference else float("nan")
    print(f"\n{'path':42} {'datasets':>9} {'errors':>7} {'seconds':>8} {'items/s':>8} {'ratio':>6}")
    for name, result in results.items():
        rate = result["items"] / result["seconds"]
        print(f"{LABELS[name]:42} {result['items']:>9} {result['errors']:>7} {result['seconds']:>8.1f} "
              f"{rate:>8.1f} {rate / base:>5.2f}x")
    short = [LABELS[n] for n, r in results.items() if r["items"] != ready["items"]]
    print(f"\nportal items: {ready['items']}; " + (f"NOT ALL IMPORTED by: {', '.join(short)}; " if short else
                                                  "every path imported them all; ") +
          "goals: the adapter >= 5x CKANHarvester's items/s, the direct path >= 20x")


def _last_line(process, prefix: str) -> str:
    for line in process.stdout:
        if line.startswith(prefix + " "):
            return line[len(prefix) + 1:]
    raise SystemExit(f"the portal process ended without {prefix}")


def make_database(name: str, work: Path, plugins: str) -> str:
    """A fresh database with CKAN's tables (and the harvest and gkcatalog ones), and its ini file."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(os.environ["GKCATALOG_PG_ADMIN_URL"], isolation_level="AUTOCOMMIT")
    database = f"gk_bench_{name}"
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f"DROP DATABASE IF EXISTS {database}"))
        conn.execute(sqlalchemy.text(f"CREATE DATABASE {database} ENCODING 'utf8'"))
    admin.dispose()
    url = os.environ["GKCATALOG_PG_ADMIN_URL"].rsplit("/", 1)[0] + "/" + database
    text = (ROOT / "tests/ckan/test.ini").read_text(encoding="utf-8")
    text = text.replace("ckan.plugins = scheming_datasets gkcatalog", f"ckan.plugins = {plugins}")
    text = text.replace("ckan.storage_path = /tmp/gkcatalog-ckan-storage", f"ckan.storage_path = {work}/storage-{name}")
    text = text.replace("[app:main]", "[app:main]\nckanext.gkcatalog.harvest_processes = 2", 1)
    ini = work / f"{name}.ini"
    ini.write_text(text, encoding="utf-8")
    env = {**os.environ, "CKAN_SQLALCHEMY_URL": url}
    ckan = str(Path(sys.executable).parent / "ckan")
    subprocess.run([ckan, "-c", str(ini), "db", "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([ckan, "-c", str(ini), "gkcatalog", "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    return f"{ini}|{url}"


# --- inside one CKAN -------------------------------------------------------------------------------

def boot(ini_and_url: str):
    """CKAN's app for an ini, with the in-memory search index; returns (app, Flask app)."""
    ini, url = ini_and_url.split("|")
    os.environ["CKAN_SQLALCHEMY_URL"] = url
    sys.path.insert(0, str(ROOT / "tests/ckan"))
    import solr
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    solr.install()
    app = make_app(load_config(ini))
    return app, app._wsgi_app


PER_DOMAIN = 40  # baseline items per domain: a county publishes about 140 items over the four domains


def province_items(counties: int):
    from harvest_bench import synthetic_baselines

    from ckanext_gkcatalog.demo.province import build_province

    return build_province(synthetic_baselines(PER_DOMAIN), counties, seed=11, formats={"json": 1})


def serve_portal(ini: str, counties: int) -> None:
    """The county portal: every county's items as gk-catalog-item datasets of its organization, then served."""
    from ckan import model
    from ckan.plugins import toolkit as tk
    from werkzeug.serving import make_server

    from ckanext_gkcatalog.harvesters.parse import stable_id
    from ckanext_gkcatalog.schema import load_schema

    app, flask_app = boot(ini)
    start = time.perf_counter()
    fields = set(load_schema().field_names)
    with flask_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        province = province_items(counties)
        for county in province.counties:
            tk.get_action("organization_create")({"user": site_user}, {"name": county.code, "title": county.name})
        context = {"user": site_user, "return_id_only": True}
        for publication in province.publications:
            for item in publication.items:
                data = {k: v for k, v in item.items() if k in fields and v not in (None, "", [])}
                item_id = stable_id(publication.county.code, item)
                try:  # the synthetic catalogs' errors that scheming refuses (an item without its audience)
                    tk.get_action("package_create")(dict(context), {
                        **data, "type": "gk-catalog-item", "name": f"gk-{item_id}",
                        "owner_org": publication.county.code, "title": item.get("level3") or item["level2"]})
                except tk.ValidationError:
                    continue
        count = model.Session.query(model.Package).filter_by(type="gk-catalog-item", state="active").count()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print("READY " + json.dumps({"url": f"http://127.0.0.1:{server.server_port}", "items": count,
                                 "seconds": time.perf_counter() - start}), flush=True)
    server.serve_forever()


def run_import(path: str, ini: str, portal: str) -> None:
    from ckan import model
    from ckan.plugins import toolkit as tk

    from harvest_bench import synthetic_baselines_as_baselines

    from ckanext_gkcatalog.ckan.settings import get_store

    _, flask_app = boot(ini)
    with flask_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        context = {"user": site_user}
        store = get_store()
        for baseline in synthetic_baselines_as_baselines(PER_DOMAIN):  # items are matched to them at import
            store.add_baseline(baseline)
        counties = [(o["name"], o["title"]) for o in _portal_organizations(portal)]
        for code, title in counties:  # as a province admin registers them before the first harvest
            tk.get_action("organization_create")(dict(context), {"name": code, "title": title})
        if path == "ckanharvester":
            sources = [_harvest_source(context, "portal", portal, "ckan", counties[0][0], {})]
        elif path == "adapter":
            sources = [_harvest_source(context, f"county-{code}", portal, "gkcatalog", code,
                                       {"county_code": code, "kind": "ckan", "options": {"organization": code}})
                       for code, _ in counties]
        else:
            for code, title in counties:
                store.upsert_county(code, title, org_name=code)
            sources = [store.add_source(code, portal, "ckan", None, {"organization": code}) for code, _ in counties]
        start = time.perf_counter()
        errors = _run(path, store, sources)
        seconds = time.perf_counter() - start
        items = model.Session.query(model.Package).filter_by(type="gk-catalog-item", state="active").count()
    print("RESULT " + json.dumps({"items": items, "errors": errors, "seconds": seconds}), flush=True)


def _portal_organizations(portal: str) -> list:
    """Every organization of the portal (with all fields, CKAN lists 25 at most: names first)."""
    import ckanapi

    api = ckanapi.RemoteCKAN(portal).action
    return [api.organization_show(id=name, include_datasets=False) for name in api.organization_list(limit=1000)]


def _harvest_source(context, name, url, source_type, owner, config) -> dict:
    from ckan.plugins import toolkit as tk

    return tk.get_action("harvest_source_create")(dict(context), {
        "name": name, "title": name, "url": url, "source_type": source_type, "owner_org": owner,
        "config": json.dumps(config)})


def _run(path: str, store, sources: list) -> int:
    """Run the imports; returns the number of errors reported."""
    if path == "direct":
        from ckanext_gkcatalog.ckan.sync import sync_datasets
        from ckanext_gkcatalog.harvesters.fetch import FetchLimits
        from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest

        limits = FetchLimits(allowed_networks=["127.0.0.1/32"])
        start = time.perf_counter()
        reports = harvest(store, sources, HarvestSettings(limits, workers=4, processes=2))
        middle = time.perf_counter()
        if os.environ.get("GKCATALOG_BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            written = profile.runcall(sync_datasets, store)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(70)
        else:
            written = sync_datasets(store)
        print(f"  harvest into the store {middle - start:.1f} s, datasets written {time.perf_counter() - middle:.1f} s",
              file=sys.stderr)
        return sum(r.status == "failed" for r in reports) + written.counts["errors"]
    from ckan.plugins import toolkit as tk
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob
    from ckanext.harvest.tests.lib import run_harvest_job

    errors = 0
    for source in sources:  # what `ckan harvester run-test` does: the job is created, its stages run here
        job = tk.get_action("harvest_job_create")({"ignore_auth": True}, {"source_id": source["id"]})
        run_harvest_job(HarvestJob.get(job["id"]), queue.get_harvester(source["source_type"]))
        stats = tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job["id"]})
        errors += len(stats.get("gather_errors") or []) + (stats.get("stats") or {}).get("errored", 0)
    return errors


if __name__ == "__main__":
    main()
