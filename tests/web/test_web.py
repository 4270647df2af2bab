"""The dashboards through Flask's test client on a harvested and assessed county (SQLite and PostgreSQL):
pages in Chinese and English, escaping of harvested text, exports safe for spreadsheets, admin auth."""
import csv
import io
import json

import openpyxl


def test_overview_in_chinese_and_english(app):
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "<h1>全省概览</h1>" in page and "<svg" in page and 'id="ranking"' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    english = client.get("/?lang=en")
    assert "<h1>Province overview</h1>" in english.get_data(as_text=True)
    assert "gk_lang=en" in english.headers["Set-Cookie"]
    assert "<h1>Province overview</h1>" in client.get("/").get_data(as_text=True)  # remembered
    assert "script-src 'none'" in english.headers["Content-Security-Policy"]


def test_county_baseline_and_job_pages(app, store):
    client = app.test_client()
    page = client.get("/county/990101").get_data(as_text=True)
    assert "缺失" in page and "已公开" in page and "personal_mobile" in page
    assert page.count('class="status-missing"') == 1
    assert client.get("/county/000000").status_code == 404
    assert "演示数据" in client.get("/baseline/social_assistance").get_data(as_text=True)
    job = store.jobs()[0]
    assert f"#{job.id}" in client.get(f"/job/{job.id}").get_data(as_text=True)


def test_exports_are_safe_for_spreadsheets(app):
    client = app.test_client()
    rows = list(csv.reader(io.StringIO(client.get("/export/ranking.csv").get_data().decode("utf-8-sig"))))
    assert rows[0][:6] == ["排名", "县级代码", "县(市、区)", "市(州)", "得分", "等级"]  # words, in the page's language
    assert rows[1][5] in ("优秀", "良好", "合格", "不合格")
    assert rows[1][3] == "'=HYPERLINK(\"http://x\")"  # the city cell is text, not a formula
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/gaps.xlsx").get_data()))
    city = book.active.cell(row=2, column=3)
    assert city.value == "=HYPERLINK(\"http://x\")" and city.data_type == "s"
    gaps = json.loads(client.get("/export/gaps.json").get_data())
    assert len(gaps) == 1 and gaps[0]["county_code"] == "990101"
    assert client.get("/export/secrets.csv").status_code == 404


def test_admin_pages_need_an_admin(app, store):
    client = app.test_client()
    assert client.get("/admin/sources").status_code == 302  # to the login page
    assert client.post("/admin/sources/1/disable").status_code == 302
    assert client.post("/login", data={"name": "admin", "password": "wrong"}).status_code == 200
    client.post("/login", data={"name": "reader", "password": "r3ader"})
    assert client.get("/admin/sources").status_code == 403
    client.post("/logout")
    client.post("/login", data={"name": "admin", "password": "s3cret"})
    assert client.get("/admin/sources").status_code == 200
    source = store.sources()[0]
    client.post(f"/admin/sources/{source.id}/disable")
    assert not store.source(source.id).enabled
    # declaring the missing item not applicable rescored the county: full coverage
    missing = store.baseline("social_assistance").items[0].code
    client.post("/admin/county/990101/decide", data={"domain": "social_assistance", "baseline_code": missing})
    assert store.latest_snapshots()[0].coverage == 1.0


def test_csrf_protects_admin_posts(store, app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    assert client.post("/login", data={"name": "admin", "password": "s3cret"}).status_code == 400


def test_private_portal_asks_for_a_login(app):
    app.config["GKCATALOG_PRIVATE"] = True
    assert app.test_client().get("/").status_code == 302


def test_a_baseline_revision_on_its_page_in_its_export_and_on_the_command_line(app, store, tmp_path):
    """Version 2 of the social-assistance baseline adds an item: the baseline page shows the change and the
    county that now misses it, the export lists it, and `gkcatalog baseline diff` prints the same."""
    import csv
    import io

    import yaml
    from click.testing import CliRunner

    from ckanext_gkcatalog.baseline import baseline_document, load_baseline
    from ckanext_gkcatalog.cli import main
    from test_public import english_left

    document = baseline_document(store.baseline("social_assistance"))
    for entry in document["items"]:
        entry.pop("code")  # the new version numbers its own items
    document["items"][1]["time_limit"] = "制定或获取信息之日起5个工作日内"
    document["items"].append(dict(document["items"][0], level2="资金使用情况", content="资金来源、使用情况"))
    store.add_baseline(load_baseline(yaml.safe_dump(document, allow_unicode=True).encode(), "v2.yaml"))
    client = app.test_client()
    page = client.get("/baseline/social_assistance").get_data(as_text=True)
    assert "第 1 版到第 2 版的变化" in page and "时限缩短" in page and "资金使用情况" in page
    assert "新版本使各县缺少的事项" in page and "/county/990101" in page
    section = page[page.index('id="changes"') - 4:page.index("baseline-changes.csv")]  # the demo's bilingual title aside
    assert not english_left(f"<html><body>{section}</body></html>"), english_left(f"<html><body>{section}</body></html>")
    exported = client.get("/export/baseline-changes.csv?domain=social_assistance&from=1&to=2")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["县级代码"], r["二级事项"]) for r in rows] == [("990101", "资金使用情况")]
    assert client.get("/export/baseline-changes.csv?domain=employment").status_code == 404
    printed = CliRunner().invoke(main, ["--db", store.url, "baseline", "diff", "社会救助", "1", "2", "--format", "json"])
    found = json.loads(printed.output)
    assert {c["kind"] for c in found["changes"]} == {"changed", "added"}
    assert [m["level2"] for m in found["made_missing"]] == ["资金使用情况"]
    refused = CliRunner().invoke(main, ["--db", store.url, "baseline", "diff", "社会救助", "1", "9"])
    assert refused.exit_code == 1 and "没有第9版" in refused.output


def test_the_baseline_page_tells_items_apart_and_lists_the_counties_lacking_each(app, store):
    """Items as L1 › L2 (政策法规文件 is under four L1 items), shares with %, and per item the counties
    lacking it with their export."""
    import csv
    import io

    from lxml import html as lxml_html

    client = app.test_client()
    page = client.get("/baseline/social_assistance").get_data(as_text=True)
    tree = lxml_html.fromstring(page)
    names = [" ".join(td.text_content().split()) for td in tree.xpath("//table[@id='coverage']//tr/td[2]")]
    assert "综合业务 › 政策法规文件" in names and "最低生活保障 › 政策法规文件" in names
    assert len(set(names)) == len(names)  # no two rows read alike
    shares = [td.text_content().strip() for td in tree.xpath("//table[@id='coverage']//tr/td[4]")]
    assert shares[0] == "0% (0 / 1)" and shares[1] == "100% (1 / 1)"
    assert "综合业务 › 政策法规文件" in page.split("</svg>")[0] and "100.0%" in page.split("</svg>")[0]
    (lacking,) = tree.xpath("//table[@id='coverage']//tr[1]/td[@class='lacking']//a[contains(@href, '/county/')]")
    assert lacking.get("href") == "/county/990101"
    export = tree.xpath("//table[@id='coverage']//tr[1]/td[@class='lacking']//a[text()='CSV']/@href")[0]
    rows = list(csv.DictReader(io.StringIO(client.get(export).get_data(as_text=True).lstrip("\ufeff"))))
    code = store.baseline("social_assistance").items[0].code
    assert [(r["县级代码"], r["基准事项编号"]) for r in rows] == [("990101", code)]


def test_the_overview_opens_on_what_needs_attention_worst_first(app, store, county_site):
    """A second county whose only source fails: a state, not a red 0. It heads the attention panel with the
    job's reason, its heatmap cell and table cell say 采集失败 and link to the job, and it stays out of the
    means; the heatmap, the ranking chart and the table share one order, worst first by default."""
    from lxml import html as lxml_html

    from ckanext_gkcatalog.harvesters.pipeline import harvest
    from test_public import english_left

    from support import SETTINGS

    store.upsert_county("990102", "白水县", city_name="青川市")
    (county_site.root / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    broken = store.add_source("990102", f"{county_site.url}/broken.xlsx", "xlsx", "social_assistance")
    (report,) = harvest(store, [broken], SETTINGS)
    assert report.status == "failed"
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    tree = lxml_html.fromstring(page)
    panel = tree.xpath("//section[@id='attention']")[0].text_content()
    assert "采集失败的来源 (1)" in panel and "白水县" in panel and "无法读取文件" in panel
    heat = tree.xpath("//div[@id='heatmap']")[0]
    assert [a.get("href") for a in heat.xpath(".//a[.//text()='采集失败']")] == [f"/job/{report.job_id}"]
    cell = tree.xpath("//table[@id='ranking']//a[@class='state-failed']")[0]
    assert cell.text == "采集失败" and cell.get("href") == f"/job/{report.job_id}"
    assert "0</text>" not in "".join(lxml_html.tostring(t, encoding="unicode") for t in heat.xpath(".//text[@fill='#fff']"))
    assert tree.xpath("//p[@id='legend']")[0].text_content().count("≥") == 4
    order = [a.text for a in tree.xpath("//table[@id='ranking']/tbody/tr/td[2]/a")]
    heat_order = [t.text for t in heat.xpath(".//a/text[@text-anchor='end']")]
    chart_order = [t.text for t in tree.xpath("//div[@id='ranking-chart']//text[@text-anchor='end']")]
    assert heat_order == chart_order == order and order[0] == "白水县"  # worst first: nothing usable
    best_first = lxml_html.fromstring(client.get("/?sort=score&order=desc").get_data(as_text=True))
    assert [t.text for t in best_first.xpath("//div[@id='ranking-chart']//text[@text-anchor='end']")] == chart_order[::-1]
    for reason in tree.xpath("//section[@id='attention']//a[contains(@href, '/job/')] | //svg//title"):
        reason.drop_tree()  # the reader library's own words about the broken file
    left = english_left(lxml_html.tostring(tree, encoding="unicode"))
    assert not left, left


def test_heatmap_labels_stand_rotated_and_clear_of_each_other_at_26_domains():
    from ckanext_gkcatalog.reports.charts import _text_width, heatmap

    columns = [f"Domain number {n} with a long English name" for n in range(26)]
    rows = [(f"County {n}", f"/county/{n}", [float(n % 100)] * 26) for n in range(160)]
    svg = str(heatmap(rows, columns, "scores"))
    assert svg.count('transform="rotate(-45') == 26
    top = int(svg.split(' y="')[2].split('"')[0]) + 6  # the first column label stands on the grid's top
    assert top >= min(220, _text_width(columns[0]) * 0.7)


def test_the_county_page_opens_with_its_standing_and_its_failures(app, store, county_site):
    """The overall score and rank at the top, a failed domain opening with its reason and job, the demo notice
    once, a sentence instead of a one-point trend, findings by severity with their rules as words."""
    from lxml import html as lxml_html

    from ckanext_gkcatalog.harvesters.pipeline import harvest
    from test_public import english_left

    from support import SETTINGS, demo_baseline

    store.add_baseline(demo_baseline("employment"))
    (county_site.root / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    broken = store.add_source("990101", f"{county_site.url}/broken.xlsx", "xlsx", "employment")
    (report,) = harvest(store, [broken], SETTINGS)
    page = app.test_client().get("/county/990101").get_data(as_text=True)
    tree = lxml_html.fromstring(page)
    standing = tree.xpath("//p[@id='standing']")[0].text_content()
    assert "全省第 1 / 1 名" in standing and '=HYPERLINK("http://x")第 1 / 1 名' in standing  # the fixture's city
    assert page.count("评估所用的是部分演示基准目录") == 1
    failure = tree.xpath("//section[@id='employment']//p[contains(@class, 'failure')]")[0]
    assert "最近一次采集失败" in failure.text_content() and "从未成功采集,没有得分" in failure.text_content()
    assert failure.xpath(".//a/@href") == [f"/job/{report.job_id}"]
    assert "目前只评估过一次" in page
    rules = [td.text_content() for td in tree.xpath("//section[@id='social_assistance']//table[@class='findings']//tr/td[2]")]
    severities = [td.get("class") for td in tree.xpath("//section[@id='social_assistance']//table[@class='findings']//tr/td[1]")]
    assert "手机号码" in rules and "依据无文号" in rules
    assert severities == sorted(severities, key=["sev-error", "sev-warning", "sev-info"].index)
    failure.drop_tree()  # the reader library's own words about the broken file
    for title in tree.xpath("//small"):
        title.drop_tree()
    left = english_left(lxml_html.tostring(tree, encoding="unicode")) - {"Partial", "demo", "baseline", "Social",
                                                                         "assistance", "Employment"}
    assert not left, left


def test_the_jobs_page_names_counties_marks_failures_filters_and_pages(app, store, county_site, monkeypatch):
    from lxml import html as lxml_html

    from ckanext_gkcatalog.harvesters.pipeline import harvest
    from ckanext_gkcatalog.web.views import dashboards
    from test_public import english_left

    from support import SETTINGS

    (county_site.root / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    broken = store.add_source("990101", f"{county_site.url}/broken.xlsx", "xlsx", "employment")
    (failed,) = harvest(store, [broken], SETTINGS)
    client = app.test_client()
    tree = lxml_html.fromstring(client.get("/jobs").get_data(as_text=True))
    rows = tree.xpath("//table[@id='jobs']/tbody/tr")
    assert len(rows) == 2 and rows[0].get("class") == "job-failed"  # newest first
    assert "青山县" in rows[0].xpath("td[2]")[0].text_content() and rows[0].xpath("td[5]//b")[0].text == "失败"
    only_failed = lxml_html.fromstring(client.get("/jobs?status=failed").get_data(as_text=True))
    assert [r.xpath("td[1]/a")[0].text for r in only_failed.xpath("//table[@id='jobs']/tbody/tr")] == [f"#{failed.job_id}"]
    assert "共 1 个作业" in only_failed.text_content()
    assert len(lxml_html.fromstring(client.get("/jobs?domain=social_assistance").get_data(as_text=True))
               .xpath("//table[@id='jobs']/tbody/tr")) == 1
    assert "共 0 个作业" in client.get("/jobs?since=2999-01-01").get_data(as_text=True)
    assert client.get("/jobs?status=<x>&county=nope&since=yesterday&page=-2").status_code == 200  # ignored
    monkeypatch.setattr(dashboards, "JOBS_PER_PAGE", 1)
    first = lxml_html.fromstring(client.get("/jobs").get_data(as_text=True))
    (next_page,) = first.xpath("//nav[@id='job-pages']/a[@rel='next']/@href")
    second = lxml_html.fromstring(client.get(next_page).get_data(as_text=True))
    assert "第 2 页,共 2 页" in second.xpath("//nav[@id='job-pages']")[0].text_content()
    assert [r.xpath("td[1]/a")[0].text for r in second.xpath("//table[@id='jobs']/tbody/tr")] != \
        [r.xpath("td[1]/a")[0].text for r in first.xpath("//table[@id='jobs']/tbody/tr")]
    left = english_left(lxml_html.tostring(tree, encoding="unicode"))
    assert not left - {"http", "xlsx", "broken", "html"}, left  # the sources' addresses aside


def test_the_county_table_groups_by_city_with_subtotals(app, store, county_site):
    from lxml import html as lxml_html

    from ckanext_gkcatalog.harvesters.pipeline import harvest
    from test_public import english_left

    from support import SETTINGS

    store.upsert_county("990201", "红石县", city_name="白沙市")
    source = store.add_source("990201", f"{county_site.url}/sa.html", "html", "social_assistance")
    harvest(store, [source], SETTINGS)
    client = app.test_client()
    plain = lxml_html.fromstring(client.get("/").get_data(as_text=True))
    assert not plain.xpath("//tr[@class='subtotal']")
    link = plain.xpath("//a[@id='group-by-city']/@href")[0]
    grouped = lxml_html.fromstring(client.get("/" + link).get_data(as_text=True))
    subtotals = grouped.xpath("//table[@id='ranking']//tr[@class='subtotal']")
    assert len(subtotals) == 2 and "白沙市" in subtotals[0].text_content() + subtotals[1].text_content()
    assert all("1 个县" in row.text_content() for row in subtotals)
    scores = [float(row.xpath("td[4]/b")[0].text) for row in subtotals]
    assert scores == sorted(scores)  # worst city first, like the counties
    assert not english_left(lxml_html.tostring(grouped, encoding="unicode")) - {"HYPERLINK", "http"}
