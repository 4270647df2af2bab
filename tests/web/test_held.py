"""What held when the product was attacked stays tested: every admin route refuses the anonymous and
non-admins, every POST needs its CSRF token, private mode hides every page, and harvested text in every
field of a catalog runs as script on no page."""
import pytest

from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.web.blueprint import ROUTES
from ckanext_gkcatalog.writers import write_catalog

from support import SETTINGS

ADMIN = [(rule, methods) for rule, _view, methods in ROUTES if rule.startswith("/admin/")]
PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>'


def concrete(rule: str) -> str:
    return (rule.replace("<int:source_id>", "1").replace("<int:recipient_id>", "1").replace("<action>", "disable").replace("<code>", "990101")
            .replace("<domain>", "social_assistance").replace("<int:job_id>", "1").replace("<name>.<fmt>", "ranking.csv")
            .replace("<fmt>", "csv").replace("<name>", "package_search").replace("<item_id>", "0" * 32))


def login(client, name, password):
    client.post("/login", data={"name": name, "password": password})


@pytest.mark.parametrize("rule, methods", ADMIN)
def test_every_admin_route_refuses_the_anonymous_and_non_admins(app, rule, methods):
    assert ADMIN
    for method in methods:
        anonymous = app.test_client().open(concrete(rule), method=method)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
        reader = app.test_client()
        login(reader, "reader", "r3ader")
        assert reader.open(concrete(rule), method=method).status_code == 403


@pytest.mark.parametrize("rule", [rule for rule, _view, methods in ROUTES if "POST" in methods])
def test_every_post_needs_its_csrf_token(app, rule):
    client = app.test_client()
    login(client, "admin", "s3cret")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(concrete(rule), data={"domain": "social_assistance"}).status_code == 400


@pytest.mark.parametrize("rule", [rule for rule, _view, methods in ROUTES if "GET" in methods and rule != "/login"])
def test_private_mode_hides_every_page(app, rule):
    app.config["GKCATALOG_PRIVATE"] = True
    response = app.test_client().get(concrete(rule))
    if "/api/" in rule:  # an API client gets CKAN's refusal, not a login page
        assert response.status_code == 403 and response.get_json()["error"]["__type"] == "Authorization Error"
    else:
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_harvested_text_in_every_field_runs_nowhere(app, store, tmp_path, county_site):
    item = {name: PAYLOAD for name in ("level1", "level2", "level3", "content", "basis", "time_limit", "subject",
                                       "department", "person")}
    item.update(domain="social_assistance", channels=[PAYLOAD], county_code="990101", county_name=PAYLOAD,
                source_url="javascript:alert(3)")
    (county_site.root / "xss.html").write_bytes(write_catalog([item], "html", PAYLOAD))
    source = store.add_source("990101", f"{county_site.url}/xss.html", "html", "social_assistance")
    (report,) = harvest(store, [source], SETTINGS)
    client = app.test_client()
    login(client, "admin", "s3cret")
    hostile = next(i for i in store.items("990101") if "<script>" in (i.level2 or ""))
    pages = ["/", "/county/990101", "/baseline/social_assistance", "/jobs", f"/job/{report.job_id}",
             "/admin/sources", "/?lang=en", "/county/990101?lang=en", "/search?q=alert", "/search?q=script&lang=en",
             f"/item/{hostile.id}", f"/item/{hostile.id}?lang=en", "/search?q=alert&level1=" + PAYLOAD]
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript:' not in html, page
