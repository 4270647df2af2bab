"""The dashboards in a real browser: headless Chromium (Debian's chromium) driven by Playwright opens the
overview, follows a county link, downloads an export and saves screenshots.

Skipped only when no Chromium is installed and GKCATALOG_REQUIRE_BROWSER is unset; scripts/test.sh installs
Chromium and sets it, so CI fails instead of skipping."""
import os
import shutil
import threading

import pytest
from waitress.server import create_server

from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.web.app import create_app

from support import SETTINGS

CHROMIUM = os.environ.get("GKCATALOG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# the flags this machine's closed network needs (no background calls to Google's services)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

if not CHROMIUM and not os.environ.get("GKCATALOG_REQUIRE_BROWSER"):
    pytest.skip("no Chromium installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
def portal(store, county_site):
    store.upsert_county("990101", "青山县", city_name="青川市")
    harvest(store, [store.add_source("990101", f"{county_site.url}/sa.html", "html", "social_assistance")], SETTINGS)
    server = create_server(create_app(store.url), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the pages, not the database, are under test
def test_overview_county_page_and_export_in_chromium(portal, tmp_path):
    from playwright.sync_api import sync_playwright

    shots = os.environ.get("GKCATALOG_SCREENSHOTS") or str(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(portal + "/")
        assert page.locator("h1").inner_text() == "全省概览"
        assert page.locator("#heatmap svg a rect").count() == 1 and page.locator("#ranking tbody tr").count() == 1
        page.screenshot(path=os.path.join(shots, "overview.png"), full_page=True)
        page.click("#ranking tbody a:has-text('青山县')")
        page.wait_for_url("**/county/990101")
        assert "社会救助" in page.locator("h2").first.inner_text()
        assert page.locator(".status-missing").count() == 1
        page.screenshot(path=os.path.join(shots, "county.png"), full_page=True)
        page.goto(portal + "/?lang=en")
        assert page.locator("h1").inner_text() == "Province overview"
        with page.expect_download() as caught:
            page.click("a:has-text('XLSX') >> nth=1")  # the gap list
        download = caught.value
        assert download.suggested_filename == "gkcatalog-gaps.xlsx"
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.read_bytes()[:2] == b"PK"
        browser.close()
    assert os.path.getsize(os.path.join(shots, "overview.png")) > 10_000


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_facet_item_and_back_in_chromium(portal, tmp_path, lang):
    """A person searches 低保, narrows to a county with its facet, opens an item and goes back."""
    from playwright.sync_api import sync_playwright

    shots = os.environ.get("GKCATALOG_SCREENSHOTS") or str(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{portal}/?lang={lang}")
        page.fill("input[name=q]", "低保")
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/search?q=*")
        total = page.locator("#total").inner_text()
        assert page.locator("li.hit").count() > 0 and page.locator("mark").count() > 0
        assert ("最低生活保障" in page.locator("#expansions").inner_text())
        page.click("#facet-county a >> nth=0")
        page.wait_for_url("**county=990101*")
        assert page.locator("a.chip").count() == 1 and page.locator("#total").inner_text() == total
        if lang == "zh":
            page.screenshot(path=os.path.join(shots, "search.png"), full_page=False)
        title = page.locator("a.hit-title >> nth=0").inner_text()
        page.click("a.hit-title >> nth=0")
        page.wait_for_url("**/item/*")
        assert page.locator("h1").inner_text().startswith(title.split(" / ")[0])
        assert page.locator("h2").nth(0).inner_text() == ("来源" if lang == "zh" else "Where it came from")
        page.go_back()
        page.wait_for_url("**county=990101*")
        assert page.locator("a.chip").count() == 1 and page.input_value("input[name=q]") == "低保"
        browser.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_county_downloads_its_template_and_checks_a_file_in_chromium(portal, county_site, tmp_path, lang):
    """County staff download the XLSX template, then upload their catalog to the checker (with its CSRF
    token, as the form sends it) and read the report."""
    from playwright.sync_api import sync_playwright

    shots = os.environ.get("GKCATALOG_SCREENSHOTS") or str(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(f"{portal}/?lang={lang}")
        page.click("header a[href='/check']")
        page.wait_for_url("**/check")
        with page.expect_download() as caught:
            page.click("a:has-text('XLSX')")
        assert caught.value.suggested_filename == "社会救助领域基层政务公开标准目录.xlsx"  # RFC 5987 name
        page.set_input_files("input[name=file]", str(county_site.root / "sa.html"))
        page.fill("input[name=county]", "990101")
        page.click(".check-form button:not([name])")
        page.wait_for_selector(".check-report")
        report = page.locator(".check-report").inner_text()
        if lang == "zh":
            assert "发现错误,请修改后再发布" in report and "缺少 1 项" in report and "13812345678" in report
        else:
            assert "Errors found" in report and "1 missing" in report and "13812345678" in report
        page.screenshot(path=os.path.join(shots, f"check-{lang}.png"), full_page=True)
        browser.close()
