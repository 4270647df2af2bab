"""County staff in the portal: a template downloaded and read back, a catalog file uploaded to /check (parsed in
memory, never stored) with the same report as the command, the upload's limits, and the baseline API a
county's offline check reads."""
import io

import openpyxl
import yaml
from lxml import html as lxml_html
from test_public import english_left

from ckanext_gkcatalog.baseline import load_baseline
from ckanext_gkcatalog.demo.province import ID_NUMBER


def upload(client, data: bytes, name: str, **form):
    return client.post("/check", data={"file": (io.BytesIO(data), name), **form}, content_type="multipart/form-data")


def test_a_county_downloads_its_template_and_checks_it_in_the_portal(app, store):
    client = app.test_client()
    page = client.get("/check").get_data(as_text=True)
    assert not english_left(page), english_left(page)
    link = lxml_html.fromstring(page).xpath("//a[text()='XLSX']/@href")[0]
    assert link == "/template/social_assistance.xlsx"
    response = client.get(link + "?county=990101")
    assert response.status_code == 200 and "990101-social_assistance-template.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book["目录"]["A1"].value.startswith("青山县") and book["目录"]["C4"].value == "政策法规文件"
    assert client.get("/template/无此领域.xlsx").status_code == 404
    assert client.get("/template/social_assistance.pdf").status_code == 404

    items_before = len(store.items("990101"))
    checked = upload(client, response.data, "我的目录.xlsx", county="990101")
    body = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "目录检查报告: 我的目录.xlsx" in body
    assert not english_left(body) - {"xlsx"}, english_left(body)  # the file's own name aside
    # the demo baseline leaves elements open: the template shows them, and the check names their cells
    assert "第8行,I列(公开对象)" in body and "缺少必填要素“公开对象”" in body
    assert "已有 11 项,缺少 0 项" in body
    assert len(store.items("990101")) == items_before  # checked, not stored
    english = client.post("/check?lang=en", data={"file": (io.BytesIO(response.data), "mine.xlsx")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "Catalog check report: mine.xlsx" in english and "row 8, column I" in english


def test_the_report_escapes_what_the_file_says_and_counts_declarations(app, store, county_site):
    client = app.test_client()
    hostile = "信息公开规定&lt;script&gt;alert(1)&lt;/script&gt;"  # a basis cell whose text is a script tag
    data = (county_site.root / "sa.html").read_bytes().replace("信息公开规定".encode(), hostile.encode(), 1)
    body = upload(client, data, "<b>sa.html").get_data(as_text=True)
    assert "<b>sa.html" not in body and "&lt;b&gt;sa.html" in body
    assert "<script>" not in body and "&lt;script&gt;alert(1)" in body
    assert "缺少 1 项" in body and "13812345678" in body
    missing = county_site.baseline.items[0].code
    store.add_decision("990101", "social_assistance", missing, "not_applicable")
    declared = upload(client, data, "sa.html", county="990101").get_data(as_text=True)
    assert "缺少 0 项,声明不适用 1 项" in declared


def test_uploads_are_limited_in_size_need_a_file_and_carry_the_csrf_token(app, monkeypatch):
    from ckanext_gkcatalog.web.views import county_tools

    client = app.test_client()
    monkeypatch.setattr(county_tools, "MAX_UPLOAD", 1000)
    too_large = upload(client, b"x" * 2000, "big.csv")
    assert too_large.status_code == 413 and "文件超过" in too_large.get_data(as_text=True)
    empty = client.post("/check", data={}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "请选择要检查的文件" in empty.get_data(as_text=True)
    app.config["WTF_CSRF_ENABLED"] = True
    assert upload(app.test_client(), b"a,b\n", "a.csv").status_code == 400


def test_uploads_are_rate_limited_per_address(app):
    client = app.test_client()
    answers = [upload(client, f"序号,公开事项\n{n},x\n".encode(), "a.csv").status_code for n in range(12)]
    assert answers[:10] == [200] * 10 and answers[10:] == [429] * 2
    assert client.get("/check").status_code == 200  # the form itself is not limited


def test_a_private_portal_asks_for_a_login_before_the_checker(app):
    app.config["GKCATALOG_PRIVATE"] = True
    assert app.test_client().get("/check").status_code == 302
    assert app.test_client().get("/template/social_assistance.xlsx").status_code == 302


def test_the_baseline_api_serves_what_an_offline_check_reads(app, store):
    client = app.test_client()
    answer = client.get("/api/3/action/gkcatalog_baseline_show?domain=社会救助&county=990101").get_json()
    assert answer["success"] and answer["result"]["domain"] == "social_assistance"
    assert answer["result"]["not_applicable"] == []
    loaded = load_baseline(yaml.safe_dump(answer).encode(), "baseline.json")  # the envelope is read through
    assert len(loaded.items) == len(store.baseline("social_assistance").items)
    assert [i.code for i in loaded.items] == [i.code for i in store.baseline("social_assistance").items]
    assert client.get("/api/3/action/gkcatalog_baseline_show").status_code == 409
    assert client.get("/api/3/action/gkcatalog_baseline_show?domain=employment").status_code == 404
    assert client.get("/api/3/action/gkcatalog_baseline_show?domain=x").status_code == 404
    assert client.get("/api/3/action/gkcatalog_baseline_show?domain=社会救助&county=1").status_code == 404
    assert ID_NUMBER not in str(answer)


def test_the_policy_rules_run_at_harvest_and_show_on_the_county_page(store, county_site):
    """An item that names internal meeting minutes and a basis citing an article: found when harvested,
    shown on the county page with the negative list's category, and found by the checker alike."""
    from ckanext_gkcatalog.harvesters.pipeline import harvest
    from ckanext_gkcatalog.web.app import create_app
    from ckanext_gkcatalog.writers import write_catalog

    from support import SETTINGS

    items = [dict(i) for i in county_site.items]
    items[1] = dict(items[1], content="局长办公会议纪要", basis="《社会救助暂行办法》第十二条")
    (county_site.root / "minutes.html").write_bytes(write_catalog(items, "html", "青山县社会救助领域基层政务公开标准目录"))
    source = store.add_source("990101", f"{county_site.url}/minutes.html", "html", "social_assistance")
    harvest(store, [source], SETTINGS)
    app = create_app(store.url, {"TESTING": True, "WTF_CSRF_ENABLED": False})
    app.extensions["gkcatalog_store"] = store
    page = app.test_client().get("/county/990101").get_data(as_text=True)
    assert "可能属于负面清单“不作为行政管理依据的内部管理信息”" in page and "不需给出具体条款" in page
    body = upload(app.test_client(), (county_site.root / "minutes.html").read_bytes(), "minutes.html").get_data(as_text=True)
    assert "可能属于负面清单“不作为行政管理依据的内部管理信息”" in body and "不需给出具体条款" in body


def test_the_checker_page_offers_the_review_form(app, county_site):
    data = (county_site.root / "sa.html").read_bytes()
    response = upload(app.test_client(), data, "sa.html", review_form="xlsx")
    assert response.status_code == 200 and "review-form.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "政府信息公开及合规性审核表"
    assert len([r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] and str(r[0]).isdigit()]) == \
        len(county_site.items)
