"""The portal on a harvested and assessed county, with an admin and a reader account."""
import pytest
from werkzeug.security import generate_password_hash

from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.web.app import create_app

from support import SETTINGS


@pytest.fixture
def app(store, county_site):
    # harvested text that tries to run script, and a formula for a spreadsheet
    store.upsert_county("990101", "青山县<script>alert(1)</script>", city_name="=HYPERLINK(\"http://x\")")
    source = store.add_source("990101", f"{county_site.url}/sa.html", "html", "social_assistance")
    harvest(store, [source], SETTINGS)
    store.set_user("admin", generate_password_hash("s3cret"), is_admin=True)
    store.set_user("reader", generate_password_hash("r3ader"), is_admin=False)
    app = create_app(store.url, {"TESTING": True, "WTF_CSRF_ENABLED": False})
    app.extensions["gkcatalog_store"] = store
    return app
