"""`gkcatalog source …`, `harvest` and `jobs` from the command line."""
import json
import shutil

from click.testing import CliRunner

from ckanext_gkcatalog.cli import main
from ckanext_gkcatalog.sources import parse_frequency

from servers import LocalServer
from support import csv_bytes


def cli(db_url, *args):
    return CliRunner(env={"GKCATALOG_ALLOW_NETWORKS": "127.0.0.1/32"}).invoke(
        main, ["--db", db_url, "--lang", "en", *args], catch_exceptions=False)


def test_import_a_city_list_harvest_and_list_jobs(db_url, tmp_path, data_dir):
    shutil.copy(data_dir / "si_catalog_two_row_header.csv", tmp_path / "si.csv")
    with LocalServer(str(tmp_path)) as server:
        listing = tmp_path / "list.csv"
        listing.write_bytes(csv_bytes([
            ["行政区划代码", "县(市、区)", "市", "领域", "网址", "类型", "频率"],
            ["530581", "腾冲市", "保山市", "社会保险", f"{server.url}/si.csv", "csv", "1d"],
            ["5305", "坏代码", "保山市", "社会保险", f"{server.url}/si.csv", "", ""],
            ["530502", "隆阳区", "保山市", "占星", "ftp://example/x", "pdf", "often"],
        ]))
        result = cli(db_url, "source", "import", str(listing))
        assert result.exit_code == 0
        assert "Registered 1 sources; 5 errors, their rows left out" in result.stdout
        assert "list.csv, row 3, column A (County code): value '5305' of 'County code' has the wrong format" in result.stderr
        assert "list.csv, row 4, column D (Policy domain): unknown domain '占星'" in result.stderr
        sources = json.loads(cli(db_url, "source", "list", "--format", "json").stdout)
        assert [(s["county_code"], s["domain"], s["kind"], s["frequency_seconds"]) for s in sources] == [
            ("530581", "social_insurance", "csv", 86400)]
        result = cli(db_url, "harvest")
        assert result.exit_code == 0 and "finished" in result.stdout
        result = cli(db_url, "source", "disable", str(sources[0]["id"]))
        assert "disabled" in result.stdout
        assert "No sources to harvest." in cli(db_url, "harvest").stdout
    jobs = json.loads(cli(db_url, "jobs", "--format", "json").stdout)
    assert [(j["status"], j["added"]) for j in jobs] == [("finished", 7)]
    detail = json.loads(cli(db_url, "jobs", "--job", str(jobs[0]["id"]), "--format", "json").stdout)
    assert any(f["rule"] == "same_as_above" and f["location"]["row"] == 9 for f in detail["findings"])


def test_add_requires_a_county_name_the_first_time(db_url):
    result = cli(db_url, "source", "add", "530581", "https://example.gov.cn/x.html")
    assert result.exit_code == 1 and "give its name" in result.stderr
    result = cli(db_url, "source", "add", "530581", "https://example.gov.cn/x.html", "--county-name", "腾冲市",
                 "--every", "12h", "--page", "https://example.gov.cn/x_2.html")
    assert result.exit_code == 0
    (source,) = json.loads(cli(db_url, "source", "list", "--format", "json").stdout)
    assert source["options"] == {"pages": ["https://example.gov.cn/x_2.html"]} and source["frequency_seconds"] == 43200


def test_frequencies():
    assert [parse_frequency(t) for t in ("30m", "12h", "1d", "2w", "", None)] == [1800, 43200, 86400, 1209600, None, None]
