"""The public pages in the test client: the search with facets, remove links, sorting, pages and downloads,
an item with its history, a county's catalog tree and file, bad input as messages, and no English left on
the Chinese pages."""
import csv
import io
import json
import re

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

ALLOWED_LATIN = {"CSV", "XLSX", "XLS", "DOCX", "HTML", "JSON", "English"}
# the fixture's county name and city are hostile text (a script tag, a spreadsheet formula): harvested, not ours
HARVESTED = {"script", "alert", "HYPERLINK", "http"}


def english_left(page: str) -> set:
    """Latin words of three letters or more in the text people read (not in URLs or attributes)."""
    tree = lxml_html.fromstring(page)
    for node in tree.xpath("//style|//script|//code|//small"):
        node.drop_tree()
    words = set(re.findall(r"[A-Za-z]{3,}", " ".join(tree.xpath("//body//text()"))))
    return words - ALLOWED_LATIN - HARVESTED


def links(page: str, xpath: str) -> list:
    return [(a.text_content().strip(), a.get("href")) for a in lxml_html.fromstring(page).xpath(xpath)]


def test_a_search_in_chinese_with_facets_filters_and_their_remove_links(app):
    client = app.test_client()
    page = client.get("/search?q=低保").get_data(as_text=True)
    assert "同时检索了与“低保”同义的“最低生活保障”" in page
    assert "<mark>低保</mark>" in page or "<mark>最低生活保障</mark>" in page
    assert not english_left(page), english_left(page)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page  # the county's harvested name
    county_links = links(page, "//*[@id='facet-county']//a")
    assert len(county_links) == 1 and county_links[0][0].startswith("青山县")
    filtered = client.get(county_links[0][1]).get_data(as_text=True)
    total = int(re.search(r'id="total">共 (\d+) 个事项', filtered).group(1))
    assert total == int(re.search(r'id="total">共 (\d+) 个事项', page).group(1))
    (chip,) = links(filtered, "//a[@class='chip']")
    assert "county=" not in chip[1] and "q=" in chip[1]
    hits = links(filtered, "//a[@class='hit-title']")
    assert hits and all(href.startswith("/item/") for _, href in hits)


def test_english_search_page_and_shared_urls(app):
    client = app.test_client()
    page = client.get("/search?q=救助&mode=proactive&sort=county&lang=en").get_data(as_text=True)
    assert "Search the disclosure catalogs" in page and "<b>county</b>" in page
    assert 'href="/search?q=%E6%95%91%E5%8A%A9&amp;sort=county&amp;mode=proactive&amp;lang=zh"' in page or "lang=zh" in page
    assert "✓ Proactive" in page or "✓ proactive" in page.lower()


def test_downloads_of_results_are_read_back_and_safe(app):
    client = app.test_client()
    found = client.get("/search?q=救助").get_data(as_text=True)
    total = int(re.search(r'id="total">共 (\d+) 个事项', found).group(1))
    rows = list(csv.DictReader(io.StringIO(client.get("/search/export.csv?q=救助").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == total and all(r["县级代码"] == "990101" for r in rows)  # headers and values in words
    assert all(not (r["县(市、区)"] or "").startswith(("=", "+", "-", "@")) for r in rows)
    assert {r["领域"] for r in rows} <= {"社会救助", "社会保险", "就业", "养老服务"} and not english_left(" ".join(rows[0]))
    assert any("政府网站" in r["公开渠道和载体"] for r in rows) and not any("government_website" in r["公开渠道和载体"] for r in rows)
    book = load_workbook(io.BytesIO(client.get("/search/export.xlsx?q=救助").data))
    assert book.active.max_row == total + 1 and book.active["A1"].value == "事项标识"
    coded = json.loads(client.get("/search/export.json?q=救助").data)  # JSON is for programs: it keeps the codes
    assert len(coded) == total and all(isinstance(r["channels"], list) for r in coded)
    assert any("government_website" in r["channels"] for r in coded)
    english = list(csv.DictReader(io.StringIO(client.get("/search/export.csv?q=救助&lang=en").get_data(as_text=True).lstrip("\ufeff"))))
    assert english[0]["County code"] == "990101" and "Government website" in {c for r in english for c in r["Channels"].split("、")}


def test_an_item_page_shows_its_fields_source_match_and_history(app, store):
    client = app.test_client()
    item = next(i for i in store.items("990101") if i.baseline_code)
    page = client.get(f"/item/{item.id}").get_data(as_text=True)
    assert item.level2 in page and "公开依据" in page and "来源" in page and "首次采集" in page
    assert item.baseline_code in page
    assert not english_left(page), english_left(page)
    data = client.get(f"/item/{item.id}.json").get_json()
    assert data["name"] == f"gk-{item.id}" and data["county_code"] == "990101"
    assert client.get("/item/" + "f" * 32).status_code == 404
    assert client.get("/item/" + "x" * 5000).status_code == 404


def test_the_county_page_holds_its_catalog_tree_and_file(app, store):
    client = app.test_client()
    page = client.get("/county/990101").get_data(as_text=True)
    assert 'id="catalog"' in page and page.count('href="/item/') >= len(store.items("990101"))
    book = load_workbook(io.BytesIO(client.get("/county/990101/catalog.xlsx").data))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert any(item.level2 in cells for item in store.items("990101"))
    text = client.get("/county/990101/catalog.csv").get_data(as_text=True)
    assert "序号" in text
    assert client.get("/county/990101/catalog.exe").status_code == 404
    assert "检索本县事项" in page and "声明不适用" not in page  # admin controls stay for admins


@pytest.mark.parametrize("url", ["/search?q=%22低保&sort=random", "/search?astrology=1", "/search?page=-2",
                                 "/search?page=abc", "/search?q=" + "保" * 10_000, "/search?q=%00%00",
                                 "/search?q=低保&page=99999", "/search?county=<script>"])
def test_bad_input_is_a_message_never_an_error_page(app, url):
    response = app.test_client().get(url)
    assert response.status_code in (200, 400)
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "<script>" not in page.split("</header>")[1]
    if response.status_code == 400:
        assert 'id="search-error"' in page


def test_the_home_page_leads_to_the_search(app):
    page = app.test_client().get("/").get_data(as_text=True)
    assert 'action="/search"' in page and 'href="/search?domain=social_assistance"' in page


def test_no_english_is_left_on_the_chinese_pages(app, store):
    """Every page an admin or the public reads, in Chinese: statuses, stages and severities are labelled.
    (The baseline page shows the baseline file's own title and notice, which the demo writes in both.)"""
    client = app.test_client()
    client.post("/login", data={"name": "admin", "password": "s3cret"})
    item = store.items("990101")[0]
    pages = ["/", "/county/990101", "/jobs", f"/job/{store.jobs(limit=1)[0].id}", "/admin/sources", "/search",
             "/search?q=救助&tiers=county", f"/item/{item.id}"]
    for url in pages:
        assert not english_left(client.get(url).get_data(as_text=True)) - {"admin"}, url  # the account's name
    assert not english_left(app.test_client().get("/login").get_data(as_text=True))
