"""The administrator's pages in Chromium on a province at real width: every one of the schema's 26 domains,
harvested from a synthetic province with one broken source. The overview, a county, a baseline, the jobs and
a job, in zh and en: the heatmap's domain labels never overlap, the failed source is a state with its job,
and no page shows English on the zh side. GKCATALOG_SCREENSHOTS keeps the screenshots (the README's)."""
import os
import re
import threading

import pytest
from waitress.server import create_server

from ckanext_gkcatalog.demo.province import build_province, register_sources, synthetic_baselines, \
    loaded_baselines, write_province
from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.schema import load_schema
from ckanext_gkcatalog.web.app import create_app

from servers import LocalServer
from support import SETTINGS
from test_browser import CHROMIUM, FLAGS
from test_every_word import RAW_CODE, visible_text

COUNTIES, ITEMS = 12, 6


@pytest.fixture(scope="module")
def province_portal(tmp_path_factory):
    from ckanext_gkcatalog.store import Store

    folder = tmp_path_factory.mktemp("province")
    domains = [c.value for c in load_schema().field("domain").choices]
    items = synthetic_baselines(ITEMS, domains)
    province = build_province(items, counties=COUNTIES, seed=5)
    write_province(province, folder / "files")
    broken = province.publications[0]
    (folder / "files" / broken.path).write_bytes(b"PK\x03\x04 broken")
    store = Store(f"sqlite:///{folder / 'gk.db'}")
    store.init()
    for baseline in loaded_baselines(items):
        store.add_baseline(baseline)
    with LocalServer(str(folder / "files")) as files:
        reports = harvest(store, register_sources(store, province, files.url), SETTINGS)
    server = create_server(create_app(store.url), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    failed = next(r for r in reports if r.status == "failed")
    # the broken file's reason quotes its URL and the reader library's own words: harvested, not ours
    quoted = set(re.findall(r"[A-Za-z]{3,}", " ".join(f.message_zh for f in store.findings(failed.job_id))))
    yield {"quoted": quoted, "url": f"http://127.0.0.1:{server.effective_port}", "domains": domains, "failed": failed,
           "county": broken.county, "jobs": len(reports)}
    server.close()
    store.dispose()


LABEL_GEOMETRY = """els => els.map(e => {
  const box = e.getBoundingClientRect(), m = e.getScreenCTM(), p = e.getStartPositionOfChar(0);
  const svg = e.ownerSVGElement.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, right: box.right, svgTop: svg.top, svgRight: svg.right, x: m.a * p.x + m.c * p.y + m.e,
          y: m.b * p.x + m.d * p.y + m.f, font: parseFloat(getComputedStyle(e).fontSize) * Math.hypot(m.a, m.b)};
})"""


def crowded(labels: list) -> list:
    """Neighbouring labels closer than a line of text: rotated labels are parallel lines, apart by the distance
    between their start points across the lines' direction (45°: sin 45° of the horizontal spacing)."""
    ordered = sorted(labels, key=lambda b: b["x"])
    return [(a, b) for a, b in zip(ordered, ordered[1:])
            if abs((b["x"] - a["x"]) - (b["y"] - a["y"])) * 0.7071 < a["font"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_26_domain_province_reads_at_a_glance_in_chromium(province_portal, tmp_path, lang):
    from playwright.sync_api import sync_playwright

    from test_public import english_left

    base, failed, county = province_portal["url"], province_portal["failed"], province_portal["county"]
    shots = os.environ.get("GKCATALOG_SCREENSHOTS") or str(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{base}/?lang={lang}")
        heading = page.locator("#heatmap svg text[transform]")
        assert heading.count() == 26
        labels = heading.evaluate_all(LABEL_GEOMETRY)
        grid_top = page.locator("#heatmap svg a rect").first.bounding_box()["y"]
        assert all(b["top"] >= b["svgTop"] and b["right"] <= b["svgRight"] for b in labels)  # none cut off
        assert all(b["bottom"] <= grid_top + 1 for b in labels)  # none on the grid
        assert not crowded(labels), crowded(labels)
        assert page.locator("#heatmap svg a rect").count() == COUNTIES * 26
        failure = page.locator(f"#heatmap a[href='/job/{failed.job_id}']")
        assert failure.count() == 1
        assert page.locator("#attention").inner_text().count(county.name) >= 1
        page.screenshot(path=os.path.join(shots, f"province-overview-{lang}.png"), full_page=False)
        checks = [("overview", page.content())]

        page.click(f"#ranking tbody a:has-text('{county.name}')")
        page.wait_for_url(f"**/county/{county.code}")
        assert page.locator(".failure").count() >= 1 and page.locator(f"a[href='/job/{failed.job_id}']").count() >= 1
        page.screenshot(path=os.path.join(shots, f"province-county-{lang}.png"), full_page=False)
        checks.append(("county", page.content()))

        page.goto(f"{base}/baseline/{province_portal['domains'][-1]}")
        assert page.locator("#coverage tbody tr").count() == ITEMS
        checks.append(("baseline", page.content()))
        page.screenshot(path=os.path.join(shots, f"province-baseline-{lang}.png"), full_page=False)

        page.goto(f"{base}/jobs")
        assert page.locator("#jobs tbody tr").count() == 50 and page.locator("#job-pages a[rel=next]").count() == 1
        checks.append(("jobs", page.content()))
        page.select_option("select[name=status]", "failed")
        page.click("#job-filters button")
        page.wait_for_url("**/jobs?status=failed*")
        assert page.locator("#jobs tbody tr").count() == 1 and page.locator("#jobs .state-failed").count() == 1
        page.click(f"#jobs a[href='/job/{failed.job_id}']")
        page.wait_for_url(f"**/job/{failed.job_id}")
        message = page.locator("#job-message").inner_text()
        assert message and (("保留上次成功采集的数据" in message or "未能" in message) if lang == "zh" else "kept" in message)
        checks.append(("job", page.content()))
        page.screenshot(path=os.path.join(shots, f"province-job-{lang}.png"), full_page=False)
        browser.close()
    if lang == "zh":
        for name, html in checks:
            left = english_left(html) - province_portal["quoted"]
            assert not left, (name, left, [line for line in visible_text(html).split("  ") if any(w in line for w in left)][:5])
            assert not RAW_CODE.findall(visible_text(html)), (name, RAW_CODE.findall(visible_text(html)))
