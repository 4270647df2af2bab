"""The portal as an attacker and a careless admin would use it: redirects after login stay on the site,
logins are rate-limited with a back-off, cookies can be Secure, admin forms refuse bad fields with a
message, and every error page is the portal's own, in the page's language."""
import pytest

from ckanext_gkcatalog.web.app import create_app


def login(client, name="admin", password="s3cret", next_=None):
    return client.post("/login" + (f"?next={next_}" if next_ else ""), data={"name": name, "password": password})


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/",
                                    "/%2F%2Fevil.example", "javascript:alert(1)", "/%5Cevil.example", "%0d%0a//evil"])
def test_after_login_the_browser_stays_on_the_site(app, target):
    response = login(app.test_client(), next_=target)
    assert response.status_code == 302 and response.headers["Location"] == "/", response.headers["Location"]


def test_a_same_site_target_is_kept(app):
    response = login(app.test_client(), next_="/county/990101%3Flang%3Den")
    assert response.headers["Location"] == "/county/990101?lang=en"


def test_wrong_passwords_are_rate_limited_per_account(app):
    client = app.test_client()
    answers = [login(client, password=f"guess{i}").status_code for i in range(8)]
    assert answers[:5] == [200] * 5 and answers[5:] == [429] * 3
    refused = login(client)  # the right password, right after: still refused
    assert refused.status_code == 429 and "尝试次数过多" in refused.get_data(as_text=True)
    assert app.test_client().get("/admin/sources").status_code == 302  # not logged in
    assert login(app.test_client(), "reader", "r3ader").status_code == 302  # another account is not blocked


def test_one_address_trying_many_accounts_is_rate_limited(app):
    client = app.test_client()
    answers = [login(client, name=f"user{i}", password="x").status_code for i in range(22)]
    assert answers[:20] == [200] * 20 and set(answers[20:]) == {429}


def test_successful_logins_are_not_counted(app):
    client = app.test_client()
    for _ in range(8):
        assert login(client).status_code == 302
        client.post("/logout")


def test_secure_cookies_and_hsts_behind_https(store, monkeypatch):
    plain = create_app(store.url, {"TESTING": True, "WTF_CSRF_ENABLED": False}).test_client().get("/?lang=en")
    assert "Secure" not in plain.headers["Set-Cookie"] and "Strict-Transport-Security" not in plain.headers
    monkeypatch.setenv("GKCATALOG_SECURE_COOKIES", "1")
    app = create_app(store.url, {"TESTING": True, "WTF_CSRF_ENABLED": False})
    app.extensions["gkcatalog_store"] = store
    client = app.test_client()
    response = client.get("/?lang=en")
    assert "Secure" in response.headers["Set-Cookie"] and "gk_lang=en" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    login_response = login(client)
    assert all("Secure" in c for c in login_response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("form, message", [
    ({"domain": "astrology", "baseline_code": "astrology-01-01"}, "启用的基准目录中没有事项“astrology-01-01”"),
    ({"domain": "social_assistance", "baseline_code": "nope-01"}, "启用的基准目录中没有事项“nope-01”"),
    ({"domain": "social_assistance", "baseline_code": "x", "undo": "abc"}, "该县没有编号为 abc 的声明"),
    ({"domain": "social_assistance", "baseline_code": "x", "undo": "99999"}, "该县没有编号为 99999 的声明"),
    ({}, "启用的基准目录中没有事项“”"),
])
def test_admin_forms_refuse_bad_fields_with_a_message(app, store, form, message):
    client = app.test_client()
    login(client)
    response = client.post("/admin/county/990101/decide", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "Traceback" not in page
    assert store.decisions("990101") == []
    assert client.post("/admin/county/999999/decide", data=form).status_code == 404


def test_error_pages_are_the_portals_in_its_language(app, store, monkeypatch):
    client = app.test_client()
    missing = client.get("/no/such/page")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 404 and "未找到该页面" in page and "全省概览" in page
    assert "Not Found" not in page and "The requested URL" not in page
    assert "Not found" in client.get("/no/such/page?lang=en").get_data(as_text=True)
    client.get("/?lang=zh")
    login(client, "reader", "r3ader")
    forbidden = client.get("/admin/sources")
    assert forbidden.status_code == 403 and "您没有权限执行此操作" in forbidden.get_data(as_text=True)

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(store, "find_jobs", broken)
    failed = client.get("/jobs")
    page = failed.get_data(as_text=True)
    assert failed.status_code == 500 and "服务器出现错误" in page
    assert "database gone" not in page and "Traceback" not in page
