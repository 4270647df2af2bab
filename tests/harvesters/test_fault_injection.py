"""A province of 100 sources on a local server, 30 of them faulty in every way county sites fail: every good
source is imported, every faulty one has a finding that names it, each keeps its last good data, no job is
left running; with parser processes."""
import pytest

from ckanext_gkcatalog.demo.province import baseline_items
from ckanext_gkcatalog.harvesters.fetch import FetchLimits
from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest
from ckanext_gkcatalog.writers import write_catalog

from hostile import span_bomb_html
from servers import LocalServer
from support import csv_bytes, demo_baseline

FORMATS = ("html", "csv", "csv-gbk", "xlsx", "docx", "json")


def _faults(catalogs: dict) -> dict:
    """Fault name -> what the server answers instead of the catalog (a fault_* method's name or a reply)."""
    html = catalogs["html"]
    gbk = html.decode("utf-8").replace("utf-8", "gbk").encode("gb18030")
    return {
        "hang": "hang", "drip": "drip", "500": "500", "503": "503", "404": (404, b"not found", "text/plain"),
        "truncated": "truncated", "oversized": "huge", "loop": "loop", "private": "redirect-private",
        "wrong charset": (200, gbk, "text/html; charset=utf-8"),
        "no charset": (200, catalogs["csv-gbk"], "text/csv"),
        "zip bomb": (200, _zip_bomb(), "application/octet-stream"),
        "html as xlsx": (200, html, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "empty": (200, b"", "text/html"),
        "garbage": (200, bytes(range(256)) * 8, "application/octet-stream"),
        "no table": (200, "<html><body><p>栏目建设中</p></body></html>".encode(), "text/html; charset=utf-8"),
        "headers only": (200, csv_bytes([["序号", "一级事项", "二级事项", "公开内容", "公开时限"]]), "text/csv"),
        "span bomb": (200, span_bomb_html(), "text/html; charset=utf-8"),
    }


def _zip_bomb() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    return out.getvalue()


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    baseline = demo_baseline("social_assistance")
    items = baseline_items(baseline)
    root = tmp_path_factory.mktemp("province")
    catalogs = {}
    for fmt in FORMATS:
        catalogs[fmt] = write_catalog(items, fmt, "社会救助领域基层政务公开标准目录")
    sources = []
    for n in range(100):
        fmt = FORMATS[n % len(FORMATS)]
        name = f"c{n:03d}.{'csv' if fmt == 'csv-gbk' else fmt}"
        (root / name).write_bytes(catalogs[fmt])
        sources.append((f"99{n // 10 + 1:02d}{n % 10 + 1:02d}", f"/{name}"))
    faults = _faults(catalogs)
    kinds = sorted(faults)
    faulty = [n for n in range(100) if n % 10 in (0, 3, 6)]  # 30 sources, every kind of fault at least once
    plan = {sources[n][1]: kinds[i % len(kinds)] for i, n in enumerate(faulty)}
    with LocalServer(str(root)) as server:
        server.plan, server.replies = plan, {path: faults[kind] for path, kind in plan.items()}
        server.sources = sources
        yield server


def test_a_hundred_sources_thirty_faulty(store, province):
    assert len(province.plan) == 30 and len(set(province.plan.values())) == 18
    province.handler.faults.clear()
    settings = HarvestSettings(FetchLimits(timeout=3, connect_timeout=2, max_bytes=2 * 1024 * 1024,
                                           allowed_networks=["127.0.0.1/32"]), workers=8, processes=2)
    registered = []
    for code, path in province.sources:
        store.upsert_county(code, f"县{code}")
        registered.append(store.add_source(code, province.url + path, "auto", "social_assistance"))
    first = harvest(store, registered, settings)  # everything good: every source's last good data
    assert all(r.status == "finished" for r in first)
    before = {s.id: len(store.items(s.county_code)) for s in registered}
    assert all(before.values())

    province.handler.faults.update(province.replies)
    second = {r.source_id: r for r in harvest(store, registered, settings)}
    for source in registered:
        path = source.url.removeprefix(province.url)
        report = second[source.id]
        findings = store.findings(report.job_id)
        if path in province.plan:
            named = [f for f in findings if source.url in (f.location.get("file") or "")]
            assert named, (province.plan[path], report.status, [(f.rule, f.location) for f in findings])
        else:
            assert report.status in ("finished", "unchanged"), (path, report.message)
        assert len(store.items(source.county_code)) == before[source.id], province.plan.get(path)
    assert not [j for j in store.jobs(limit=500) if j.status == "running"]
    kinds = {province.plan[s.url.removeprefix(province.url)]: second[s.id].status for s in registered
             if s.url.removeprefix(province.url) in province.plan}
    failed = {k for k, status in kinds.items() if status == "failed"}
    assert failed >= {"hang", "drip", "500", "503", "404", "truncated", "oversized", "loop", "private", "zip bomb",
                      "empty", "garbage", "no table", "headers only", "span bomb"}
