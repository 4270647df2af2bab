"""Search benchmark (issue 13): a synthetic province of all 26 domains (100,000 items by default; --items
1000000 for a million), imported into a fresh store with its search index, then 200 queries (1-, 2- and 3+-
character words, phrases, document numbers, with and without facet filters, facet counts on each).

Prints, on SQLite and (with --pg URL) PostgreSQL: import seconds with and without the index (what the
index adds to the import), p50/p95 server time of the searches (Searcher.search, in process), p50/p95 over
HTTP (package_search with facet.field, the portal served by waitress), peak RSS; and the peer in the same
run: Datasette 0.65 serving the same items with SQLite FTS5 set up with `sqlite-utils enable-fts`, its p50/p95
over HTTP with the same facets, and the recall of each on the 2-character words (against a plain scan).

    python bench/search_bench.py [--items 100000] [--queries 200] [--pg URL] [--no-datasette]

Datasette and sqlite-utils are installed into a separate virtualenv (bench/.venv-datasette) the first time.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ckanext_gkcatalog.indexing import search_document
from ckanext_gkcatalog.items import content_hash
from ckanext_gkcatalog.schema import load_schema
from ckanext_gkcatalog.search.engine import Searcher
from ckanext_gkcatalog.search.query import SearchQuery
from ckanext_gkcatalog.store import Store
from ckanext_gkcatalog.tokens import fold

HERE = Path(__file__).resolve().parent
TWO = ["低保", "养老", "就业", "特困", "救助", "补贴", "登记", "医保", "残疾", "培训", "住房", "审批", "公示", "名单"]
THREE = ["最低生活保障", "养老服务", "就业创业", "临时救助", "社会保险", "职业培训", "公共租赁住房", "残疾人两项补贴"]
ONE = ["证", "费", "税", "粮"]
NUMBERS = ["国发〔2014〕13号", "国务院令第711号", "国发〔2015〕23号", "民发〔2012〕220号"]
PHRASES = ["低保 审批", "养老 补贴", "就业 登记 信息", "特困 供养"]
# words every domain's catalog uses, and words of one domain (with its own name), as real catalogs have them
COMMON = ["审核", "条件", "标准", "程序", "对象", "资金", "发放", "结果", "政策", "文件", "服务", "项目", "申请", "材料",
          "办理", "流程", "地点", "方式", "电话", "监督", "投诉", "登记", "审批", "公示", "名单", "信息", "证", "费"]
OWN = {"social_assistance": ["低保", "特困", "救助", "临时救助", "最低生活保障", "特困供养", "残疾人两项补贴", "残疾"],
       "elderly_care": ["养老", "养老服务", "高龄津贴", "补贴", "养老机构"], "employment": ["就业", "培训", "就业创业", "职业培训", "失业登记"],
       "social_insurance": ["社会保险", "医保", "养老", "参保", "缴费"], "health": ["医保", "健康", "疫苗", "医疗机构"],
       "affordable_housing": ["住房", "公共租赁住房", "租赁补贴"], "agricultural_subsidies": ["补贴", "粮", "耕地地力保护补贴"],
       "tax_administration": ["税", "纳税", "减免"], "disaster_relief": ["救助", "受灾", "救灾物资"],
       "rural_dilapidated_housing": ["危房", "改造", "补贴", "住房"], "poverty_alleviation": ["扶贫", "帮扶", "低保"]}


def synthetic_items(count: int, seed: int = 13) -> list:
    """[(county, name, city, domain, records)]: ~300 items per county over the 26 domains, each domain's text
    from the common words and its own."""
    rng = random.Random(seed)
    schema = load_schema()
    choices = schema.field("domain").choices[:26]
    own = {c.value: OWN.get(c.value, []) + [c.label()] for c in choices}
    channels = [c.value for c in schema.field("channels").choices]
    counties = [(f"99{c // 20 + 1:02d}{c % 20 + 1:02d}", f"第{c + 1}县", f"第{c // 20 + 1}市") for c in range(max(1, count // 300))]
    batches, made = [], 0
    while made < count:
        for code, name, city in counties:
            domain = rng.choice(choices).value
            words = own[domain]
            records = []
            for n in range(min(12, count - made)):
                level1 = rng.choice(words) + rng.choice(COMMON)
                level2 = rng.choice(words + COMMON) + rng.choice(COMMON) + rng.choice(["公开", "办理", "名单", "标准"]) + str(n)
                fields = {"level1": level1, "level2": level2, "domain": domain, "county_code": code, "county_name": name,
                          "content": "、".join(rng.sample(COMMON, 5) + rng.sample(words, min(2, len(words)))) + ";联系电话0875-1234567",
                          "basis": f"《{rng.choice(words)}{rng.choice(COMMON)}办法》({rng.choice(NUMBERS)})",
                          "time_limit": f"信息形成或变更之日起{rng.choice([5, 10, 20])}个工作日内",
                          "subject": f"{name}{rng.choice(['民政局', '人社局', '医保局'])}",
                          "mode": [rng.choice(["proactive", "on_request"])], "tiers": rng.sample(["county", "township"], rng.randint(1, 2)),
                          "channels": rng.sample(channels, 3), "audience": [rng.choice(["public", "specific_groups"])]}
                record = {"id": f"{made:032x}", "county_code": code, "domain": domain, "level1": level1, "level2": level2,
                          "level3": None, "fields": fields, "content_hash": content_hash(fields), "location": {}}
                record["search"] = search_document(record, name, None, city)
                records.append(record)
                made += 1
            batches.append((code, name, city, domain, records))
            if made >= count:
                break
    return batches


def load(db: str, batches: list, with_index: bool) -> float:
    store = Store(db)
    store.init()
    for code, name, city, _domain, _records in batches:
        store.upsert_county(code, name, city_name=city)
    started = time.perf_counter()
    for n, (code, _name, _city, domain, records) in enumerate(batches):
        source = store.add_source(code, f"http://bench/{n}", "json", domain)
        job = store.start_job(source.id)
        rows = [dict(r) if with_index else {k: v for k, v in r.items() if k != "search"} for r in records]
        store.import_items(source.id, job.id, rows, {})
    seconds = time.perf_counter() - started
    store.dispose()
    return seconds


def queries(n: int, seed: int = 5) -> list:
    """(q, filters) pairs: words of each length, phrases, document numbers, a third with a facet filter."""
    rng = random.Random(seed)
    pool = TWO + THREE + ONE + NUMBERS + PHRASES
    out = []
    for i in range(n):
        filters = ()
        if i % 3 == 1:
            filters = (("tiers", ("township",)),)
        elif i % 3 == 2:
            filters = (("mode", ("proactive",)), ("channels", ("government_website",)))
        out.append((pool[i % len(pool)] if i % 10 else "", filters))
    rng.shuffle(out)
    return out


def percentiles(samples: list) -> tuple:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def counters(db: str) -> tuple:
    """Seconds and MB to build a process's facet counters for the index's generation (after each harvest)."""
    import tracemalloc

    started = time.perf_counter()
    Searcher(Store(db)).index()
    seconds = time.perf_counter() - started
    tracemalloc.start()  # a second build, traced: tracing slows the allocations it counts
    Searcher(Store(db)).index()
    size = tracemalloc.get_traced_memory()[0] / 2 ** 20
    tracemalloc.stop()
    return seconds, size


def server_times(db: str, qs: list, cold: bool = False) -> list:
    """Milliseconds per search; `cold`: without the matches a process keeps of the words asked before."""
    searcher = Searcher(Store(db))
    searcher.search(SearchQuery(q="低保"))  # the facet counters of this generation
    times = []
    for q, filters in qs:
        if cold:
            searcher.forget()
        started = time.perf_counter()
        searcher.search(SearchQuery(q=q, clauses=filters))
        times.append((time.perf_counter() - started) * 1000)
    return times


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_times(url_for, qs: list) -> list:
    import requests

    session, times = requests.Session(), []
    session.get(url_for("低保", ()), timeout=60)
    for q, filters in qs:
        started = time.perf_counter()
        answer = session.get(url_for(q, filters), timeout=60)
        answer.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return times


def wait_for(url: str) -> None:
    import requests

    for _ in range(300):
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def ours_over_http(db: str, qs: list, folder: Path) -> tuple:
    """`gkcatalog serve` in its own process, as people run it: package_search with the facets; its peak RSS."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ckanext_gkcatalog.cli", "--db", db, "serve", "--port", str(port)],
                              cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/3/action/package_search"
    wait_for(f"http://127.0.0.1:{port}/api/3/action/status_show")
    facets = json.dumps(["county", "domain", "level1", "mode", "tiers", "channels", "audience"])

    def url(q, filters):
        fq = " AND ".join(f'{f}:"{v}"' for f, values in filters for v in values)
        return f"{base}?q={q}&fq={fq}&rows=20&facet.field={facets}"
    try:
        return http_times(url, qs), peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(10)


def datasette_venv() -> Path:
    venv = HERE / ".venv-datasette"
    if not (venv / "bin" / "datasette").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "datasette==0.65.1", "sqlite-utils"], check=True)
    return venv


def datasette_peer(batches: list, qs: list, folder: Path) -> tuple:
    """Datasette over the same items, FTS5 by `sqlite-utils enable-fts`: its HTTP times and 2-char recall."""
    import sqlite3

    import requests

    venv = datasette_venv()
    db = folder / "peer.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, level1 TEXT, content TEXT, basis TEXT, subject TEXT,"
                 " county TEXT, city TEXT, domain TEXT, mode TEXT, tiers TEXT, channels TEXT, audience TEXT)")
    conn.executemany("INSERT INTO items VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [
        (r["id"], r["level2"], r["level1"], r["fields"]["content"], r["fields"]["basis"], r["fields"]["subject"], code, city,
         domain, r["fields"]["mode"][0], json.dumps(r["fields"]["tiers"]), json.dumps(r["fields"]["channels"]),
         r["fields"]["audience"][0]) for code, _n, city, domain, records in batches for r in records])
    conn.commit()
    conn.close()
    subprocess.run([str(venv / "bin" / "sqlite-utils"), "enable-fts", str(db), "items", "title", "level1", "content",
                    "basis", "subject", "--fts5"], check=True)
    port = free_port()
    server = subprocess.Popen([str(venv / "bin" / "datasette"), "serve", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/peer/items.json"
    wait_for(base + "?_size=1")

    def url(q, filters):
        params = [f"_search={q}"] if q else []
        for f, values in filters:
            for v in values:
                params.append(f"{f}__arraycontains={v}" if f in ("tiers", "channels") else f"{f}={v}")
        params += ["_facet=county", "_facet=domain", "_facet=level1", "_facet=mode", "_facet_array=tiers",
                   "_facet_array=channels", "_facet=audience", "_size=20"]
        return base + "?" + "&".join(params)
    try:
        times = http_times(url, qs)
        recall = {w: requests.get(f"{base}?_search={w}&_size=0", timeout=60).json()["filtered_table_rows_count"]
                  for w in TWO}
        return times, recall, peak_rss_mb(server.pid)
    finally:
        server.terminate()


def truth(batches: list) -> dict:
    """How many items hold each 2-character word, by a plain scan of the indexed text."""
    counts = dict.fromkeys(TWO, 0)
    for *_rest, records in batches:
        for r in records:
            f = r["fields"]
            text = fold(" ".join([r["level1"], r["level2"], f["content"], f["basis"], f["subject"], f["time_limit"]]))
            for word in TWO:
                counts[word] += word in text
    return counts


def ours_recall(db: str) -> dict:
    searcher = Searcher(Store(db))
    return {w: searcher.search(SearchQuery(q=w, rows=0), facets=()).total for w in TWO}


def measure(db: str, count: int) -> None:
    """In a process of its own (the generated items would weigh on the collector): the searches' server
    time, the facet counters' cost and the 2-character recall, as JSON."""
    qs = queries(count)
    built = counters(db)
    print(json.dumps({"server": server_times(db, qs), "cold": server_times(db, qs, cold=True),
                      "recall": ours_recall(db), "counters": built}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pg", default=os.environ.get("GKCATALOG_BENCH_PG_URL"))
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure, args.queries)
    plain_words = Path(tempfile.mkdtemp()) / "synonyms.yaml"
    plain_words.write_text("groups: []\n", encoding="utf-8")
    os.environ["GKCATALOG_SYNONYMS"] = str(plain_words)  # recall is measured word for word, as Datasette has none
    started = time.perf_counter()
    batches = synthetic_items(args.items)
    build = time.perf_counter() - started
    qs = queries(args.queries)
    expected = truth(batches)
    print(f"{args.items:,} items in {len(batches):,} imports, 26 domains; generated with their documents in {build:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        targets = [("SQLite", f"sqlite:///{folder / 'gk.db'}", f"sqlite:///{folder / 'plain.db'}")]
        if args.pg:
            targets.append(("PostgreSQL", args.pg, None))
        for name, db, plain in targets:
            plain_seconds = load(plain, batches, with_index=False) if plain else None
            indexed_seconds = load(db, batches, with_index=True)
            child = subprocess.run([sys.executable, __file__, "--measure", db, "--queries", str(args.queries)],
                                   capture_output=True, text=True, cwd=folder, check=True)
            measured = json.loads(child.stdout.strip().splitlines()[-1])
            http, rss = ours_over_http(db, qs, folder)
            rows.append((name, indexed_seconds, plain_seconds, percentiles(measured["server"]), percentiles(http),
                         measured["recall"], (measured["counters"], percentiles(measured["cold"])), rss))
        peer = None if args.no_datasette else datasette_peer(batches, qs, folder)
    print(f"\n{'':11} {'import s':>8} {'no index':>8} {'p50 ms':>7} {'p95 ms':>7} {'HTTP p50':>9} {'HTTP p95':>9} "
          f"{'recall 2-char':>13} {'RSS MB':>7}")
    for name, indexed, plain, server, http, recall, _built, rss in rows:
        hit = sum(min(recall[w], expected[w]) for w in TWO) / sum(expected.values())
        print(f"{name:11} {indexed:8.1f} {plain if plain else 0:8.1f} {server[0]:7.1f} {server[1]:7.1f} "
              f"{http[0]:9.1f} {http[1]:9.1f} {hit * 100:12.1f}% {rss:7.0f}")
    if peer:
        times, recall, rss = peer
        p50, p95 = percentiles(times)
        hit = sum(min(recall[w], expected[w]) for w in TWO) / sum(expected.values())
        print(f"{'Datasette':11} {'':8} {'':8} {'':7} {'':7} {p50:9.1f} {p95:9.1f} {hit * 100:12.1f}% {rss:7.0f}")
    print()
    for name, indexed, plain, *_rest, (built, cold), _rss in rows:
        print(f"{name}: without the kept matches (every search's words looked up again): p50 {cold[0]:.1f} ms, "
              f"p95 {cold[1]:.1f} ms")
        if plain:
            print(f"{name}: the index adds {indexed - plain:.1f} s to importing {args.items:,} items "
                  f"({(indexed / plain - 1) * 100:+.0f}% of the import alone)")
        print(f"{name}: a process's facet counters of {args.items:,} items: built in {built[0]:.2f} s, {built[1]:.0f} MB")
    print(f"2-character words held by the items (a plain scan): {sum(expected.values()):,} matches of {len(TWO)} words")


if __name__ == "__main__":
    main()
