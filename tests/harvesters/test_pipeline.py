"""Harvests from a real local HTTP server into the store, on SQLite and PostgreSQL: incremental runs,
withdrawals, keep-last-good, conditional GET, faults, kill -9, schedules."""
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from ckanext_gkcatalog.harvesters.fetch import FetchLimits
from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest
from ckanext_gkcatalog.problems import job_message
from ckanext_gkcatalog.store import Store

from servers import LocalServer

SETTINGS = HarvestSettings(FetchLimits(timeout=5, connect_timeout=2, allowed_networks=["127.0.0.1/32"]), workers=3)


@pytest.fixture
def site(tmp_path, data_dir):
    root = tmp_path / "site"
    root.mkdir()
    for name in ("si_catalog_two_row_header.csv", "elder_dachuan_two_domains.html"):
        shutil.copy(data_dir / name, root / name)
    with LocalServer(str(root)) as server:
        server.root = root
        yield server


def register(store, site, name="si_catalog_two_row_header.csv", code="530581", domain="social_insurance", **kw):
    store.upsert_county(code, kw.pop("county_name", "腾冲市"))
    return store.add_source(code, f"{site.url}/{name}", "auto", domain, **kw)


def test_first_harvest_then_unchanged_by_conditional_get(store, site):
    source = register(store, site)
    (report,) = harvest(store, [source], SETTINGS)
    assert report.status == "finished" and report.counts["added"] == 7
    items = store.items("530581")
    assert len(items) == 7 and {i.domain for i in items} == {"social_insurance"}
    assert items[0].fields["county_name"] == "腾冲市" and items[0].location["url"].endswith(".csv")
    (again,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert again.status == "unchanged" and again.counts["unchanged"] == 7
    assert site.handler.requests_seen[-1][1].get("If-None-Match")  # the server answered 304
    job = store.jobs(source.id)[0]
    assert job.status == "unchanged" and set(job.timings) >= {"gather", "fetch"}


def test_incremental_changes_and_withdrawals(store, site):
    source = register(store, site)
    harvest(store, [source], SETTINGS)
    path = site.root / "si_catalog_two_row_header.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("7,,个人基本信息变更", "7,,个人基本信息变更(新)")  # renamed: one withdrawn, one added
    text = text.replace("■乡镇便民服务中心", "■政府网站")
    text = text.replace("公开事项 信息形成 或变更之 日起20个 工作日内 公开", "公开事项信息形成或变更之日起10个工作日内公开")
    path.write_text(text, encoding="utf-8")
    (report,) = harvest(store, [store.source(source.id)], SETTINGS)
    # 参保单位注销 changed its time limit; 职工参保登记 and 城乡居民养老保险参保登记 inherit it (merged cells),
    # and 单位(项目)基本信息变更 says 同上 (same as above)
    assert report.counts == {"added": 1, "updated": 4, "unchanged": 2, "withdrawn": 1, "errors": 0}
    withdrawn = store.items("530581", status="withdrawn")
    assert [i.level2 for i in withdrawn] == ["个人基本信息变更"] and withdrawn[0].withdrawn_at is not None
    assert len(store.items("530581")) == 7
    # the item comes back: it is active again, with the same id
    path.write_text(text.replace("个人基本信息变更(新)", "个人基本信息变更"), encoding="utf-8")
    (back,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert back.counts["updated"] == 1 and back.counts["withdrawn"] == 1
    assert store.items("530581", status="withdrawn")[0].level2 == "个人基本信息变更(新)"
    assert withdrawn[0].id in {i.id for i in store.items("530581")}


def test_a_broken_source_keeps_the_last_good_harvest(store, site):
    source = register(store, site)
    harvest(store, [source], SETTINGS)
    (site.root / "si_catalog_two_row_header.csv").write_bytes(b"this is,not,a catalog\n1,2,3\n")
    (report,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert report.status == "failed" and report.counts["errors"] == 1
    assert len(store.items("530581")) == 7 and not store.items("530581", status="withdrawn")
    (finding,) = store.findings(report.job_id)
    assert (finding.stage, finding.rule) == ("parse", "no_catalog_table")
    (site.root / "si_catalog_two_row_header.csv").unlink()
    (report,) = harvest(store, [store.source(source.id)], SETTINGS)
    (finding,) = store.findings(report.job_id)
    assert (finding.stage, finding.rule) == ("fetch", "fetch_http_error") and "HTTP 404" in finding.message_en
    assert len(store.items("530581")) == 7


def test_faulty_sources_do_not_stop_the_others(store, site):
    good = register(store, site)
    html = register(store, site, "elder_dachuan_two_domains.html", "511703", None, county_name="达川区")
    bad = [register(store, site, f"fault/{f}", f"51170{n}", "employment", county_name=f"县{n}")
           for n, f in enumerate(("500", "truncated", "loop"), start=4)]
    reports = harvest(store, [good, html, *bad], SETTINGS)
    by_source = {r.source_id: r for r in reports}
    assert by_source[good.id].status == by_source[html.id].status == "finished"
    assert [by_source[s.id].status for s in bad] == ["failed"] * 3
    assert [store.findings(by_source[s.id].job_id)[0].rule for s in bad] == [
        "fetch_http_error", "fetch_truncated", "fetch_redirect_loop"]
    domains = sorted({i.domain for i in store.items("511703")})
    assert domains == ["elderly_care", "social_assistance"]  # one page, two domain tables


def test_item_findings_name_the_item_and_rows_without_names_are_left_out(store, site):
    text = (site.root / "si_catalog_two_row_header.csv").read_text(encoding="utf-8")
    text = text.replace("7,,个人基本信息变更,", "7,,,")  # a row without an L2 name
    text = text.replace("1,社会保险登记,机关事业单位社会保险登记,", "1,社会保险登记,机关事业单位社会保险登记,,", 1)
    (site.root / "si_catalog_two_row_header.csv").write_text(text, encoding="utf-8")
    source = register(store, site)
    (report,) = harvest(store, [source], SETTINGS)
    assert report.status == "finished" and report.counts["added"] == 6
    findings = store.findings(report.job_id)
    required = [f for f in findings if f.rule == "required"]
    assert any(f.item_id is None and f.location["row"] == 10 for f in required)


def test_schedule_does_not_drift(store, site):
    start = datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc)
    source = register(store, site, frequency_seconds=3600, start_at=start)
    assert [s.id for s in store.due_sources(start + timedelta(minutes=1))] == [source.id]
    assert store.due_sources(start - timedelta(minutes=1)) == []
    store.schedule_next(source.id, now=start + timedelta(hours=2, minutes=30))
    assert store.source(source.id).next_run_at.replace(tzinfo=timezone.utc) == start + timedelta(hours=3)
    store.schedule_next(source.id, now=start + timedelta(hours=3, minutes=1))
    assert store.source(source.id).next_run_at.replace(tzinfo=timezone.utc) == start + timedelta(hours=4)


def test_kill_9_mid_harvest_leaves_a_job_the_next_run_closes(tmp_path, site):
    db = f"sqlite:///{tmp_path / 'k.db'}"
    store = Store(db)
    store.init()
    slow = register(store, site, "fault/slow", "530599", "employment", county_name="慢县")
    env = {**os.environ, "GKCATALOG_ALLOW_NETWORKS": "127.0.0.1/32"}
    gkcatalog = os.path.join(os.path.dirname(sys.executable), "gkcatalog")
    proc = subprocess.Popen([gkcatalog, "--db", db, "harvest", "--source", str(slow.id)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if store.jobs(slow.id):
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert [j.status for j in store.jobs(slow.id)] == ["running"]
    good = register(store, site)
    harvest(store, [good], SETTINGS)
    (killed,) = store.jobs(slow.id)
    assert killed.status == "aborted" and killed.finished_at is not None and killed.message_code == "interrupted"
    assert "closed by the next run" in job_message(killed.message_code, killed.message_params, "en")
    assert "下一次运行" in job_message(killed.message_code, killed.message_params, "zh")


def test_two_harvests_in_one_process_do_not_abort_each_other(store, site):
    """A long-running process (the web admin) can start a harvest while another is running; only jobs of
    dead processes, or of an earlier process whose pid this one reuses, are closed."""
    import threading

    slow = register(store, site, "fault/slow", "530599", "employment", county_name="慢县")
    worker = threading.Thread(target=harvest, args=(store, [slow], SETTINGS))
    worker.start()
    for _ in range(100):
        if store.jobs(slow.id):
            break
        time.sleep(0.05)
    orphan = store.start_job(None)  # carries this pid, but no harvester of this process runs it
    harvest(store, [register(store, site)], SETTINGS)
    assert store.jobs(slow.id)[0].status == "running"
    assert store.job(orphan.id).status == "aborted"
    worker.join()
    assert store.jobs(slow.id)[0].status == "failed"  # it ran to its own end: "late" after 3 s is no catalog


def test_the_same_catalog_on_two_platforms_is_harvested_at_once(store, site):
    shutil.copy(site.root / "si_catalog_two_row_header.csv", site.root / "mirror.csv")
    sources = [register(store, site), register(store, site, "mirror.csv")]
    reports = harvest(store, sources, SETTINGS)  # two threads import the same new items of one county
    assert [r.status for r in reports] == ["finished", "finished"]
    assert len(store.items("530581")) == 7


def test_a_failed_import_keeps_its_findings_and_the_run_goes_on(store, site, monkeypatch):
    source = register(store, site)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "import_items", broken)
    (report,) = harvest(store, [source], SETTINGS)
    assert report.status == "failed" and "disk full" in report.message
    findings = store.findings(report.job_id)
    (bug,) = [f for f in findings if f.rule == "unexpected_error"]
    assert bug.stage == "import" and "RuntimeError: disk full" in bug.message_en
    assert any(f.location.get("row") for f in findings if f.rule != "unexpected_error")  # the rows' findings kept
    assert all(f.item_id is None for f in findings) and store.items("530581") == []
