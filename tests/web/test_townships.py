"""Townships (issue 18): 9-digit codes (12-digit statistical ones accepted), registered and harvested like
counties, scored on the township subset of each baseline, rolled up on their county's page, a level of
the overview of their own, and in the exports and the circular."""
import csv
import io

import docx
import pytest
from click.testing import CliRunner

from ckanext_gkcatalog.cli.main import main
from ckanext_gkcatalog.demo.province import baseline_items
from ckanext_gkcatalog.divisions import normalize_code, township_subset
from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.sources import read_source_list
from ckanext_gkcatalog.writers import write_catalog

from support import SETTINGS

TOWNSHIP = "990101001"


@pytest.mark.parametrize("text, code", [("990101", "990101"), ("990101001", "990101001"), ("990101001000", "990101001"),
                                        ("990101000000", "990101"), (" 990101001 ", "990101001"), ("990101001.0", "990101001"),
                                        ("990101001002", None), ("990101000", None), ("99010", None), ("青山镇", None)])
def test_division_codes(text, code):
    assert normalize_code(text) == code


def test_a_source_list_takes_townships_by_their_statistical_codes():
    text = "行政区划代码,名称,网址,领域\n990101001000,青山镇,https://qs.example.gov.cn/ml.html,社会救助\n" \
           "990101001002,某村,https://v.example.gov.cn/ml.html,社会救助\n"
    rows, problems = read_source_list(text.encode("utf-8"), "乡镇目录地址.csv")
    assert [(r.county_code, r.county_name) for r in rows] == [(TOWNSHIP, "青山镇")]
    (problem,) = problems  # a village is no publisher of a catalog
    assert (problem.location.row, problem.location.field) == (3, "county_code")


@pytest.fixture
def township(app, store, county_site):
    """青山镇 of 青山县 registered by its 12-digit code from the command line, publishing the township subset of
    the social-assistance baseline with its first item left out; harvested and scored."""
    subset = township_subset(county_site.baseline.items)
    assert 0 < len(subset) < len(county_site.baseline.items)  # some items are the county's alone
    codes = {e.code for e in subset}
    entries = [i for i, e in zip(baseline_items(county_site.baseline), county_site.baseline.items) if e.code in codes]
    published = [dict(i, subject="青山镇人民政府", county_code=TOWNSHIP, county_name="青山镇") for i in entries[1:]]
    (county_site.root / "qs.xlsx").write_bytes(write_catalog(published, "xlsx", "青山镇社会救助领域基层政务公开标准目录"))
    result = CliRunner().invoke(main, ["--db", store.url, "source", "add", "990101001000", f"{county_site.url}/qs.xlsx",
                                       "--domain", "社会救助", "--county-name", "青山镇"])
    assert result.exit_code == 0, result.output
    (source,) = [s for s in store.sources() if s.county_code == TOWNSHIP]
    harvest(store, [source], SETTINGS)
    return {"subset": subset, "published": published}


def test_a_township_is_scored_on_the_township_subset(store, township):
    record = store.county(TOWNSHIP)
    assert record.name == "青山镇" and record.city_name == store.county("990101").city_name  # its county's city
    items = store.items(TOWNSHIP)
    assert len(items) == len(township["published"])
    (job,) = store.jobs(source_id=items[0].source_id)
    assert "pattern" not in {f.rule for f in store.findings(job.id)}  # a 9-digit code is a division code
    (snapshot,) = store.latest_snapshots(county_code=TOWNSHIP)
    assert snapshot.details["baseline_items"] == len(township["subset"]) and snapshot.details["missing"] == 1
    assert {s.domain for s in store.latest_snapshots(county_code=TOWNSHIP)} == {"social_assistance"}  # only its own


def test_townships_roll_up_to_their_county_and_have_their_own_overview(app, township):
    client = app.test_client()
    counties = client.get("/").get_data(as_text=True)
    assert "青山镇" not in counties and "?level=township" in counties
    page = client.get("/?level=township").get_data(as_text=True)
    assert "青山镇" in page and 'href="/county/990101"' in page  # each township under its county
    county = client.get("/county/990101").get_data(as_text=True)
    assert 'id="townships"' in county and "青山镇" in county and "/county/990101001" in county
    own = client.get("/county/990101001").get_data(as_text=True)
    assert 'href="/county/990101"' in own and "社会救助" in own
    api = client.get("/api/3/action/gkcatalog_overview?level=township").get_json()["result"]
    assert [r["county_code"] for r in api["ranking"]] == [TOWNSHIP]


def test_exports_and_the_circular_include_townships(app, township):
    client = app.test_client()
    rows = list(csv.reader(io.StringIO(client.get("/export/ranking.csv?level=township").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["排名", "乡镇代码", "乡镇(街道)", "县(市、区)"] and rows[1][1:3] == [TOWNSHIP, "青山镇"]
    gaps = list(csv.DictReader(io.StringIO(client.get("/export/gaps.csv?level=township").get_data(as_text=True).lstrip("\ufeff"))))
    missing = township["subset"][0]
    assert [g["基准事项编号"] for g in gaps] == [missing.code]
    county_gaps = client.get("/export/gaps.csv").get_data(as_text=True)
    assert TOWNSHIP not in county_gaps
    circular = client.get("/export/circular.docx?townships=1")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(circular.data)).paragraphs)
    cells = [c.text for t in docx.Document(io.BytesIO(circular.data)).tables for row in t.rows for c in row.cells]
    assert "乡镇(街道)目录情况" in text and "青山镇" in cells
    plain = client.get("/export/circular.docx")
    assert "乡镇(街道)目录情况" not in "\n".join(p.text for p in docx.Document(io.BytesIO(plain.data)).paragraphs)
