"""Every command with bad arguments: a clear message and a non-zero exit code, never a traceback. Refusals
of ours speak the user's language; click's own usage errors (a value outside an option's range) exit 2."""
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ckanext_gkcatalog.cli import main

from support import csv_bytes

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A database with the demo baselines and one county, and files with bad contents."""
    folder = tmp_path_factory.mktemp("bad")
    db = f"sqlite:///{folder / 'gk.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "baseline", "demo"]).exit_code == 0
    assert runner.invoke(main, ["--db", db, "source", "add", "990101", "https://county.example/c.html",
                                "--county-name", "青山县"]).exit_code == 0
    (folder / "overflow.csv").write_bytes(csv_bytes([["行政区划代码", "县", "网址", "频率"],
                                                     ["990101", "青山县", "https://x.example/", "99999999999999999999d"]]))
    (folder / "notes.txt").write_text("this is not a catalog\n", encoding="utf-8")
    return {"db": db, "folder": folder}


BAD = [  # (arguments; {folder} is the world's folder) -- at least one per command
    ["init", "--db-is-not-an-option"],
    ["user", "add", " ", "--password", "x"],
    ["baseline", "load", "{folder}/notes.txt", "--domain", "就业"],
    ["baseline", "load", "{folder}/notes.txt", "--domain", "astrology"],
    ["baseline", "list", "--format", "xml"],
    ["baseline", "demo", "extra"],
    ["baseline", "show", "astrology"],
    ["baseline", "show", "employment", "--version", "99"],
    ["baseline", "activate", "employment", "99"],
    ["baseline", "activate", "employment", "one"],
    ["baseline", "diff", "employment", "1", "99"],
    ["baseline", "diff", "astrology", "1", "2"],
    ["baseline", "diff", "employment", "one", "2"],
    ["parse", "{folder}/no-such-file.csv"],
    ["parse", "{folder}/notes.txt"],
    ["parse", "http://county.example/c.csv", "--allow-network", "999.1.1.1/99"],
    ["parse", "http://county.example/c.csv", "--timeout", "-1"],
    ["parse", "javascript:alert(1)"],
    ["source", "add", "12", "https://county.example/c.html", "--county-name", "x"],
    ["source", "add", "530581", "javascript:alert(1)", "--county-name", "x"],
    ["source", "add", "530581", "https://county.example/c.html", "--every", "99999999999999999999d", "--county-name", "x"],
    ["source", "add", "530581", "https://county.example/c.html"],
    ["source", "add", "990101", "https://county.example/c.html", "--domain", "astrology"],
    ["source", "import", "{folder}/overflow.csv"],
    ["source", "list", "--format", "xml"],
    ["source", "enable", "99999"],
    ["source", "disable", "abc"],
    ["harvest", "--source", "99999"],
    ["harvest", "--county", "999999"],
    ["harvest", "--workers", "0"],
    ["jobs", "--job", "99999"],
    ["worker", "--redis", "redis://127.0.0.1:9/0", "--burst"],  # nothing listens there
    ["harvest", "--queue", "--redis", "redis://127.0.0.1:9/0"],
    ["assess", "--county", "999999"],
    ["assess", "--domain", "astrology"],
    ["decide", "na", "999999", "nope-01"],
    ["decide", "na", "990101", "nope-01"],
    ["decide", "map", "990101", "no-such-item", "employment-01-01"],
    ["decide", "list", "999999"],
    ["decide", "domain-na", "999999", "employment"],
    ["decide", "domain-na", "990101", "astrology"],
    ["domains", "--format", "xml"],
    ["decide", "remove", "99999"],
    ["search-index", "rebuild", "--everything"],
    ["serve", "--port", "99999"],
    ["demo", "--counties", "-3"],
    ["check", "{folder}/no-such-file.csv"],
    ["check", "{folder}/notes.txt", "--domain", "astrology"],
    ["check", "{folder}/notes.txt", "--baseline", "{folder}/notes.txt"],
    ["check", "{folder}/notes.txt", "--format", "pdf"],
    ["check", "{folder}/notes.txt", "--review-form", "{folder}/form.pdf"],
    ["template", "astrology", "-o", "{folder}/t.xlsx"],
    ["template", "employment", "--county", "999999", "-o", "{folder}/t.xlsx"],
    ["template", "employment"],
    ["publish", "{folder}/notes.txt", "--ckan", "http://county.example"],
    ["publish", "{folder}/notes.txt", "--ckan", "http://county.example", "--county", "12", "--apikey", "k"],
    ["publish", "{folder}/notes.txt", "--ckan", "javascript:alert(1)", "--county", "990101", "--apikey", "k"],
    ["report", "-o", "{folder}/c.docx"],  # nothing assessed yet
    ["report", "--city", "亚特兰蒂斯市", "-o", "{folder}/c.docx"],
    ["report", "--format", "pdf", "-o", "{folder}/c.pdf"],
    ["report", "--template", "{folder}/notes.txt", "-o", "{folder}/c.docx"],
    ["notice", "add", "--email", "not-an-address"],
    ["notice", "add", "--webhook", "javascript:alert(1)"],
    ["notice", "add", "--email", "a@b.cn", "--webhook", "https://x.example/"],
    ["notice", "add", "--email", "a@b.cn", "--county", "999999"],
    ["notice", "list", "--format", "xml"],
    ["notice", "remove", "99999"],
    ["notice", "disable", "99999"],
    ["notice", "enable", "abc"],
]


@pytest.mark.parametrize("args", BAD, ids=" ".join)
def test_a_bad_argument_is_refused_without_a_traceback(world, args):
    args = [a.replace("{folder}", str(world["folder"])) for a in args]
    result = CliRunner().invoke(main, ["--db", world["db"], *args])
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 1:  # ours, not click's usage errors
        assert HAN.search(result.output), result.output


def test_every_command_is_tried_with_a_bad_argument():
    from test_cli import all_commands

    paths = list(all_commands(main))
    leaves = {p for p in paths if p and not any(q[:len(p)] == p and q != p for q in paths)}
    untried = {leaf for leaf in leaves if not any(tuple(args[:len(leaf)]) == leaf for args in BAD)}
    assert not untried


def test_a_database_that_cannot_be_opened_is_a_message(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "no" / "such" / "dir" / "x.db"), "init"])
    assert result.exit_code == 1 and "无法打开数据库" in result.output and "Traceback" not in result.output


def test_what_no_command_foresaw_is_one_line(world, monkeypatch):
    from ckanext_gkcatalog.store import Store

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Store, "sources", broken)
    result = CliRunner().invoke(main, ["--db", world["db"], "source", "list"])
    assert result.exit_code == 1 and "意外错误" in result.output and "disk on fire" in result.output
    assert "Traceback" not in result.output


def test_a_real_process_prints_no_traceback(world, tmp_path):
    done = subprocess.run([sys.executable, "-m", "ckanext_gkcatalog.cli", "--db", world["db"], "decide", "na", "999999",
                           "nope-01"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1 and "没有行政区划代码为 999999 的县" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_parse_exit_codes(data_dir, tmp_path):
    """0: read without errors; 1: read, with errors; 2: nothing could be read."""
    runner = CliRunner()
    county = ["--county-code", "511703", "--county-name", "达川区"]
    clean = runner.invoke(main, ["parse", str(data_dir / "si_catalog_two_row_header.csv"), "--domain", "社会保险", *county])
    assert clean.exit_code == 0, clean.output
    faulty = tmp_path / "faulty.csv"
    faulty.write_bytes(csv_bytes([["一级事项", "二级事项", "公开内容", "公开时限", "公开方式"],
                                  ["就业政策法规", "政策文件", "文件名称", "20个工作日", "天天公开"]]))
    assert runner.invoke(main, ["parse", str(faulty), "--domain", "就业", *county]).exit_code == 1
    unreadable = tmp_path / "empty.csv"
    unreadable.write_bytes(b"")
    assert runner.invoke(main, ["parse", str(unreadable)]).exit_code == 2
