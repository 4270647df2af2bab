"""`gkcatalog parse FILE_OR_URL`: the county's first debugging tool; it never touches the store."""
import json

from click.testing import CliRunner

from ckanext_gkcatalog.cli import main

from servers import LocalServer


def parse(*args, db=None):
    return CliRunner().invoke(main, ["--db", db or "sqlite:///:memory:", "parse", *args], catch_exceptions=False)


def test_parse_a_file_as_json(data_dir, tmp_path):
    db = tmp_path / "untouched.db"
    result = parse(str(data_dir / "si_catalog_two_row_header.csv"), "--format", "json", "--domain", "社会保险",
                   "--county-code", "511703", "--county-name", "达川区", db=str(db))
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert len(doc["items"]) == 7
    assert list(doc["items"][0]) == ["domain", "level1", "level2", "level3", "content", "basis", "time_limit", "subject",
                                     "channels", "audience", "mode", "tiers", "county_code", "county_name", "department",
                                     "person", "source_url", "source_location"]
    assert doc["items"][0]["domain"] == "social_insurance" and doc["items"][0]["county_code"] == "511703"
    finding = next(f for f in doc["findings"] if f["code"] == "same_as_above")
    assert finding["location"] == {"file": "si_catalog_two_row_header.csv", "sheet": None, "row": 9, "column": "F",
                                   "field": "time_limit"}
    assert finding["message_en"].startswith("si_catalog_two_row_header.csv, row 9, column F")
    assert not db.exists()  # parse never opens the store


def test_parse_reports_missing_elements_as_errors(data_dir):
    result = parse(str(data_dir / "si_catalog_two_row_header.csv"), "--format", "json")
    doc = json.loads(result.stdout)
    codes = {(f["code"], f["location"]["field"]) for f in doc["findings"]}
    assert ("required", "county_code") in codes
    # the title row above the header names the domain, as a page's caption does
    assert ("required", "domain") not in codes and {i["domain"] for i in doc["items"]} == {"social_insurance"}


def test_parse_a_url_from_a_local_server(data_dir):
    with LocalServer(str(data_dir)) as server:
        url = server.url + "/elder_dachuan_two_domains.html"
        refused = parse(url)
        assert refused.exit_code == 2 and "拒绝访问内网地址" in refused.stderr
        result = parse(url, "--allow-network", "127.0.0.1/32", "--format", "json", "--parsed")
    items = json.loads(result.stdout)["items"]
    assert [i["domain"] for i in items] == ["elderly_care", "elderly_care", "social_assistance"]
    assert items[0]["source_url"] == url
    assert items[0]["parsed"]["time_limit"]["days"] == 10


def test_parse_table_output_in_english(data_dir):
    result = CliRunner().invoke(main, ["--lang", "en", "parse", str(data_dir / "elder_dachuan_two_domains.html"),
                                       "--county-code", "511703", "--county-name", "达川区"])
    assert result.exit_code == 0
    assert "3 items, 0 errors" in result.stdout and "养老机构备案" in result.stdout


def test_parse_an_unreadable_file(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    result = parse(str(bad))
    assert result.exit_code == 2 and "无法读取文件" in result.stdout
