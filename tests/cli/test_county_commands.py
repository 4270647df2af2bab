"""County staff's commands: `gkcatalog template` (the baseline to fill in) and `gkcatalog check` (what the
province will find, offline against a baseline file or the portal's baseline API)."""
import json
import subprocess
import sys
import threading

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from lxml import html as lxml_html
from werkzeug.serving import make_server

from ckanext_gkcatalog.cli import main
from ckanext_gkcatalog.demo.province import ID_NUMBER, MOBILE, baseline_items
from ckanext_gkcatalog.web.app import create_app
from ckanext_gkcatalog.writers import write_catalog

from support import demo_baseline

TITLE = "青山县社会救助领域基层政务公开标准目录"


def run(*args, lang="zh"):
    return CliRunner().invoke(main, ["--lang", lang, *map(str, args)])


@pytest.fixture
def complete_baseline(tmp_path):
    """The demo social-assistance baseline with every element a county must publish set."""
    items = [{"subject": "县级人民政府民政部门", **{k: v for k, v in i.items() if k != "domain"}}
             for i in baseline_items(demo_baseline("social_assistance"))]
    path = tmp_path / "baseline.yaml"
    path.write_text(yaml.safe_dump({"domain": "social_assistance", "title": "社会救助基准目录", "items": items},
                                   allow_unicode=True), encoding="utf-8")
    return path


def test_a_template_filled_in_without_changes_passes_the_check(complete_baseline, tmp_path):
    for fmt in ("xlsx", "docx", "html"):
        out = tmp_path / f"template.{fmt}"
        made = run("template", "社会救助", "--baseline", complete_baseline, "--format", fmt, "-o", out)
        assert made.exit_code == 0, made.output
        checked = run("check", out, "--baseline", complete_baseline, "--format", "json")
        report = json.loads(checked.stdout)
        assert checked.exit_code == 0, [p["message_zh"] for p in report["problems"] if p["severity"] == "error"]
        (section,) = report["domains"]
        assert len(section["present"]) == report["items"] == 11 and not section["missing"] and not section["additions"]


def test_the_xlsx_template_has_dropdowns_a_frozen_header_instructions_and_an_optional_lock(complete_baseline, tmp_path):
    out = tmp_path / "t.xlsx"
    assert run("template", "social_assistance", "--baseline", complete_baseline, "--lock", "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    sheet = book["目录"]
    assert sheet.freeze_panes == "A4"
    assert [sheet.cell(2, c).value for c in (1, 2, 9)] == ["序号", "公开事项", "公开对象"]
    assert sheet["B4"].value == "综合业务" and sheet["C4"].value == "政策法规文件"  # every row names its L1
    assert "10个工作日" in sheet["F4"].value and sheet["E4"].value  # the baseline's time limit and basis
    assert sheet["D4"].alignment.wrap_text and sheet.column_dimensions["D"].width == 40
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert rules["I4:N214"].formula1 == '"√"'
    assert rules["H4:H214"].formula1.startswith("'取值'!") and book["取值"].sheet_state == "hidden"
    assert book["取值"]["A1"].value == "政府网站"
    assert sheet.protection.sheet and sheet["B4"].protection.locked and not sheet["G4"].protection.locked
    assert not sheet["B30"].protection.locked  # the rows below are open for the county's own items
    assert "公开时限不得长于基准目录" in " ".join(c.value for c in book["填写说明"]["A"] if c.value)
    english = tmp_path / "en.xlsx"
    assert run("template", "social_assistance", "--baseline", complete_baseline, "--lang", "en", "-o", english).exit_code == 0
    assert "document number" in " ".join(c.value for c in openpyxl.load_workbook(english)["Instructions"]["A"] if c.value)


def test_check_finds_what_parse_let_through_with_sheet_row_and_column(complete_baseline, tmp_path):
    items = [dict(i, subject="青山县民政局") for i in baseline_items(demo_baseline("social_assistance"))]
    items[1]["time_limit"] = "信息形成之日起60个工作日内"  # the baseline says 10
    items[2]["content"] += f";申请人身份证号{ID_NUMBER}"
    items[3]["content"] += f";联系人手机{MOBILE}"
    items[4]["basis"] = "《最低生活保障审核确认办法》"  # no document number
    items = items[:-1] + [dict(items[0], level2="政策文件"), dict(items[0], level2="防汛物资储备")]
    path = tmp_path / "sa.xlsx"
    path.write_bytes(write_catalog(items, "xlsx", TITLE))
    result = run("check", path, "--baseline", complete_baseline)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()

    def line(rule_text):
        return next(text for text in lines if rule_text in text)
    assert "第5行,F列(公开时限)" in line("长于基准目录")
    assert "第6行,D列(公开内容(要素))" in line(ID_NUMBER) and line(ID_NUMBER).startswith("✗")
    assert "第7行,D列" in line(MOBILE)
    assert "第8行,E列(公开依据)" in line("未注明文号:《最低生活保障审核确认办法》")
    assert "缺少 1 项" in result.stdout and "新增 2 项(其中 1 项与基准事项重叠)" in result.stdout
    assert "第14行 综合业务 / 政策文件(与基准事项“政策法规文件”重叠)" in result.stdout
    assert "省级评分" in result.stdout and "合规度" in result.stdout
    untitled = tmp_path / "untitled.csv"  # no caption naming the domain: the baseline file's is taken
    untitled.write_bytes(write_catalog(items, "csv"))
    assert json.loads(run("check", untitled, "--baseline", complete_baseline, "--format", "json").stdout)["domains"]
    english = run("check", path, "--baseline", complete_baseline, lang="en")
    assert "row 5, column F (Time limit)" in english.stdout and "1 missing" in english.stdout
    page = tmp_path / "report.html"
    assert run("check", path, "--baseline", complete_baseline, "--format", "html", "-o", page).exit_code == 1
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    assert not tree.xpath("//script|//link|//img|//*[@src]")  # self-contained: nothing to fetch
    assert ID_NUMBER in tree.text_content() and "发现错误,请修改后再发布" in tree.text_content()


def test_check_reads_the_baseline_and_declarations_from_the_portal(store, county_site, tmp_path):
    """A county without database access checks against the provincial portal's baseline action; a baseline
    item it declared not applicable is not a gap."""
    missing_code = county_site.baseline.items[0].code
    store.add_decision("990101", "social_assistance", missing_code, "not_applicable", reason="本县未开展")
    app = create_app(store.url, {"TESTING": True})
    app.extensions["gkcatalog_store"] = store
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    portal = f"http://127.0.0.1:{server.server_port}"
    try:
        path = county_site.root / "sa.html"
        refused = run("check", path, "--baseline", portal)
        assert refused.exit_code == 1 and "拒绝访问内网地址" in refused.output  # the address guard applies
        for where in (portal, portal + "/api/3/action/gkcatalog_baseline_show"):
            result = run("check", path, "--baseline", where, "--county", "990101", "--allow-network", "127.0.0.1/32",
                         "--format", "json")
            (section,) = json.loads(result.stdout)["domains"]
            assert [e["code"] for e in section["not_applicable"]] == [missing_code] and not section["missing"]
        without = json.loads(run("check", path, "--baseline", portal, "--allow-network", "127.0.0.1/32",
                                 "--format", "json").stdout)
        assert [e["code"] for e in without["domains"][0]["missing"]] == [missing_code]
    finally:
        server.shutdown()


def test_bad_input_gets_a_message_and_an_exit_code_never_a_traceback(complete_baseline, tmp_path):
    catalog = tmp_path / "sa.csv"
    catalog.write_bytes(write_catalog(baseline_items(demo_baseline("social_assistance")), "csv", TITLE))
    not_a_baseline = tmp_path / "notes.yaml"
    not_a_baseline.write_text("- just\n- a list\n", encoding="utf-8")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04broken")
    cases = [
        (run("check", catalog, "--domain", "无此领域", "--baseline", complete_baseline), 1, "无法识别领域“无此领域”"),
        (run("check", catalog, "--baseline", not_a_baseline), 1, "不是可用的基准目录"),
        (run("check", broken, "--baseline", complete_baseline), 2, "无法读取文件"),
        (run("check", tmp_path / "absent.xlsx"), 2, "找不到文件"),
        (run("template", "无此领域", "--baseline", complete_baseline, "-o", tmp_path / "t.xlsx"), 1, "无法识别领域"),
        (run("template", "employment", "--baseline", complete_baseline, "-o", tmp_path / "t.xlsx"), 1, "不符"),
    ]
    for result, code, text in cases:
        assert result.exit_code == code and text in result.output, result.output
        assert "Traceback" not in result.output


def test_check_without_a_store_imports_neither_sqlalchemy_nor_flask(complete_baseline, tmp_path):
    path = tmp_path / "t.xlsx"
    assert run("template", "social_assistance", "--baseline", complete_baseline, "-o", path).exit_code == 0
    probe = ("import sys; from ckanext_gkcatalog.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code\n"
             "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'flask'}), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, "check", str(path), "--baseline", str(complete_baseline)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "0 []", done.stderr
    assert not (tmp_path / "gkcatalog.db").exists()


def test_check_writes_the_review_form_of_the_items(complete_baseline, tmp_path):
    """The review form (政府信息公开及合规性审核表, Rizhao 2019, 附件2): a row per item, the attribute from the mode,
    the platform from the channels, the legal check pre-filled from the checker, the signatures blank."""
    import docx

    items = [dict(i, subject="青山县民政局") for i in baseline_items(demo_baseline("social_assistance"))]
    items[1] = dict(items[1], mode=["on_request"], channels=["two_micro_one_app", "service_center"])
    items[2] = dict(items[2], content=items[2]["content"] + f";联系人手机{MOBILE}")
    path = tmp_path / "sa.xlsx"
    path.write_bytes(write_catalog(items, "xlsx", TITLE))
    form = tmp_path / "form.xlsx"
    assert run("check", path, "--baseline", complete_baseline, "--review-form", form, "-o", tmp_path / "r.txt").exit_code == 1
    sheet = openpyxl.load_workbook(form).active
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] and str(r[0]).isdigit()]
    assert len(rows) == len(items)
    header = [c.value for c in sheet[4]]
    column = {name: header.index(name) for name in ("主动公开", "依申请公开", "网站", "新媒体", "其他", "同意", "不同意")}
    first, second, third = rows[:3]
    assert first[1] == "综合业务 / 政策法规文件" and first[column["主动公开"]] == "√" and first[column["同意"]] == "√"
    assert first[column["网站"]] == "√" and not first[column["新媒体"]]
    assert second[column["依申请公开"]] == "√" and not second[column["主动公开"]]
    assert second[column["新媒体"]] == "√" and second[column["其他"]] == "√" and not second[column["网站"]]
    assert not third[column["同意"]] and MOBILE in third[column["不同意"]]
    tail = [r[0] for r in sheet.iter_rows(min_row=5 + len(items), values_only=True) if r[0]]
    assert "承办人:" in tail and "法律法规审核人:" in tail and "上传日期:" in tail
    word = tmp_path / "form.docx"
    run("check", path, "--baseline", complete_baseline, "--review-form", word, "-o", tmp_path / "r.txt")
    table = docx.Document(word).tables[0]
    assert len(table.rows) == 2 + len(items) and table.rows[0].cells[0].text == "序号"
    assert run("check", path, "--baseline", complete_baseline, "--review-form", tmp_path / "form.pdf").exit_code == 1
