"""Damaged and hostile files end as located problems: no reader exception escapes, span and merge bombs are
refused before they are built, a header without items says so, and a source's bytes beat its kind."""
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ckanext_gkcatalog.cli import main
from ckanext_gkcatalog.harvesters.parse import parse_document
from ckanext_gkcatalog.harvesters.pipeline import harvest

from hostile import HOSTILE, span_bomb_html
from servers import LocalServer
from support import SETTINGS, csv_bytes

REFUSED = {"file_unreadable", "table_too_large"}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_a_located_problem(case):
    name, build = HOSTILE[case]
    parsed = parse_document(build(), name)
    assert parsed.items == []
    (problem,) = [p for p in parsed.problems if p.code in REFUSED]
    assert problem.location.file == name and problem.is_error
    assert problem.message("zh") and problem.message("en")
    if problem.code == "file_unreadable":
        assert problem.params["reason"]


@pytest.mark.parametrize("case", list(HOSTILE))
def test_no_command_shows_a_traceback_for_a_hostile_file(case, tmp_path):
    name, build = HOSTILE[case]
    path = tmp_path / name
    path.write_bytes(build())
    db = f"sqlite:///{tmp_path / 'gk.db'}"
    for args in (["parse", str(path)], ["baseline", "load", str(path), "--domain", "就业"],
                 ["source", "import", str(path)]):
        result = CliRunner().invoke(main, ["--db", db, *args])
        assert result.exit_code != 0, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert "Traceback" not in result.output
        assert name in result.output, (args, result.output)


SPAN_BOMB = """
import json, resource, sys, time
from ckanext_gkcatalog.harvesters.parse import parse_document
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
parsed = parse_document(data, "bomb.html")
took = time.perf_counter() - started
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"seconds": took, "grown_kb": grown, "codes": [p.code for p in parsed.problems],
                  "location": parsed.problems[0].location.__dict__}))
"""


def test_a_span_bomb_is_refused_quickly_in_little_memory(tmp_path):
    """Sixty cells of rowspan=colspan=500 in 2 KB: 15 million cells if expanded (2.4 GB, 40 s before)."""
    page = span_bomb_html()
    assert len(page) < 3000
    path = tmp_path / "bomb.html"
    path.write_bytes(page)
    done = subprocess.run([sys.executable, "-c", SPAN_BOMB, str(path)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)  # not the checkout: the installed package
    figures = json.loads(done.stdout)
    assert figures["codes"] == ["table_too_large"]
    assert figures["location"]["sheet"] == "table 1" and figures["location"]["row"] == 2
    assert figures["grown_kb"] < 100 * 1024 and figures["seconds"] < 5, figures


def test_the_cell_limit_is_configurable(monkeypatch):
    rows = [["一级事项", "二级事项", "公开内容"]] + [["就业", f"事项{i}", "内容"] for i in range(50)]
    assert len(parse_document(csv_bytes(rows), "c.csv").items) == 50
    monkeypatch.setenv("GKCATALOG_MAX_TABLE_CELLS", "100")
    parsed = parse_document(csv_bytes(rows), "c.csv")
    assert parsed.items == [] and parsed.problems[0].code == "table_too_large"
    assert parsed.problems[0].params["limit"] == 100 and parsed.problems[0].location.row == 34


def test_a_bare_carriage_return_inside_a_cell_is_read():
    data = "一级事项,二级事项,公开内容\r\n就业政策法规,政策文件,文件名称\r甲\r\n".encode()
    parsed = parse_document(data, "cr.csv", defaults={"domain": "employment"})
    assert not [p for p in parsed.problems if p.code in REFUSED]


def test_a_table_with_headers_and_no_items_says_so():
    parsed = parse_document(csv_bytes([["序号", "一级事项", "二级事项", "公开内容", "公开时限"]]), "empty.csv")
    (problem,) = [p for p in parsed.problems if p.code == "table_without_items"]
    assert problem.location.row == 1 and problem.is_error


def test_a_harvest_of_a_hostile_file_fails_with_the_right_rule_and_stage(store, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    for case in ("calamine XmlError", "JSON nested 100,000 deep", "HTML span bomb"):
        name, build = HOSTILE[case]
        (root / name).write_bytes(build())
    (root / "headers.csv").write_bytes(csv_bytes([["序号", "一级事项", "二级事项", "公开内容", "公开时限"]]))
    store.upsert_county("530581", "腾冲市")
    with LocalServer(str(root)) as server:
        sources = [store.add_source("530581", f"{server.url}/{name}", "auto", "employment")
                   for name in ("sheet.xlsx", "deep.json", "bomb.html", "headers.csv")]
        reports = harvest(store, sources, SETTINGS)
    expected = {"sheet.xlsx": "file_unreadable", "deep.json": "file_unreadable", "bomb.html": "table_too_large",
                "headers.csv": "table_without_items"}
    by_source = {s.id: s for s in sources}
    for report in reports:
        source = by_source[report.source_id]
        assert report.status == "failed"
        rules = {(f.rule, f.stage) for f in store.findings(report.job_id)}
        assert (expected[source.url.rsplit("/", 1)[1]], "parse") in rules, rules
        assert not {r for r, _ in rules} & {"fetch_failed", "unexpected_error"}


def test_the_bytes_decide_over_the_registered_kind(store, tmp_path, data_dir):
    """A source registered as xlsx that serves an HTML table is read as HTML, with a note."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "catalog.xlsx").write_bytes((data_dir / "elder_dachuan_two_domains.html").read_bytes())
    store.upsert_county("511703", "达川区")
    with LocalServer(str(root)) as server:
        source = store.add_source("511703", f"{server.url}/catalog.xlsx", "xlsx", None)
        (report,) = harvest(store, [source], SETTINGS)
    assert report.status == "finished" and report.counts["added"] > 0, report.message
    (note,) = [f for f in store.findings(report.job_id) if f.rule == "format_mismatch"]
    assert note.severity == "info" and "xlsx" in note.message_en and "html" in note.message_en
