"""`gkcatalog demo`: a demo province from the demo baselines, published over local HTTP, harvested and
scored, ready for the dashboards.

Beyond what province.py does to each catalog, some counties show what a province meets in practice:
a catalog not updated for two years, a second platform that differs from the first, a page that is gone,
a page with no catalog table on it, and declared not-applicable items.
"""
from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..baseline import demo_baseline_files, load_baseline
from .province import baseline_items, build_province, write_province
from ..writers import write_catalog

LOOPBACK = ["127.0.0.1/32"]


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files with Last-Modified and If-Modified-Since (304), as a county site serves them."""

    def log_message(self, *args):
        pass


@dataclass
class FileServer:
    folder: Path
    httpd: ThreadingHTTPServer | None = None

    def start(self) -> str:
        handler = partial(QuietHandler, directory=str(self.folder))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()


def load_demo_baselines(store) -> dict:
    """The demo baselines, loaded unless the domain has an active baseline already; {domain: items}."""
    baselines = {}
    for path in demo_baseline_files():
        loaded = load_baseline(path.read_bytes(), path.name)
        if store.baseline(loaded.domain) is None:
            store.add_baseline(loaded)
        baselines[loaded.domain] = baseline_items(loaded)
    return baselines


def publish(store, folder: Path, base_url: str, counties: int, seed: int = 7) -> list:
    """Write the province's files under `folder` and register their sources; returns the sources."""
    rng = random.Random(seed)
    province = build_province(load_demo_baselines(store), counties=counties, seed=seed)
    write_province(province, folder)
    sources = []
    for county in province.counties:
        store.upsert_county(county.code, county.name, city_name=county.city)
    # an earlier demo on this database served the same files from another port: move its sources here
    for old in store.sources():
        if old.county_code.startswith("99") and old.url.startswith("http://127.0.0.1:"):
            store.move_source(old.id, base_url + "/" + old.url.split("/", 3)[3])
    by_county: dict = {}
    for pub in province.publications:
        by_county.setdefault(pub.county.code, []).append(pub)
    for code, pubs in by_county.items():
        fate = rng.random()
        for pub in pubs:
            path = folder / pub.path
            url = f"{base_url}/{pub.path}"
            if fate < 0.08 and pub is pubs[0]:  # not updated for two years: Last-Modified says so
                old = time.time() - 2 * 365 * 86400
                os.utime(path, (old, old))
            elif fate < 0.12 and pub is pubs[0]:  # the page has gone
                url = f"{base_url}/{pub.county.code}/removed.html"
            elif fate < 0.15 and pub is pubs[0]:  # a news page where the catalog was
                path.with_suffix(".news.html").write_text("<html><body><p>通知公告</p><table><tr><td>新闻</td></tr>"
                                                          "</table></body></html>", encoding="utf-8")
                url = f"{base_url}/{pub.path.rsplit('.', 1)[0]}.news.html"
            kind = "csv" if pub.fmt.startswith("csv") else pub.fmt
            sources.append(store.add_source(code, url, kind, pub.domain))
        if 0.15 <= fate < 0.22:  # the same catalog on a second platform, one item behind
            pub = pubs[-1]
            second = folder / pub.county.code / f"{pub.domain}.platform2.json"
            second.write_bytes(write_catalog(pub.items[:-1], "json"))
            sources.append(store.add_source(code, f"{base_url}/{pub.county.code}/{second.name}", "json", pub.domain))
        if 0.22 <= fate < 0.32:  # an item that does not apply locally (本地未开展)
            pub = pubs[0]
            baseline = store.baseline(pub.domain)
            offered = {(i["level1"], i["level2"]) for i in pub.items}
            absent = [i for i in baseline.items if (i.level1, i.level2) not in offered]
            if absent:
                store.add_decision(code, pub.domain, absent[0].code, "not_applicable", reason="本地未开展",
                                   decided_by="demo")
    return sources
