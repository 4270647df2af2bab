"""Every word a person reads is in their language: every page the portal links to, crawled as an admin in
zh, shows no English words and no raw codes (rule ids, domain or channel keys); every msgid of the .pot has a
zh translation; the command line's help and usage errors are Chinese."""
import re
from urllib.parse import urlsplit

from babel.messages.pofile import read_po
from click.testing import CliRunner
from lxml import html as lxml_html

from ckanext_gkcatalog.cli import main
from ckanext_gkcatalog.cli.main import COMMANDS
from ckanext_gkcatalog.i18n import po_path

from test_public import english_left
from test_security import login

RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # basis_without_number, social_assistance, government_website
PER_ROUTE = 3  # pages of one kind (e.g. /item/<id>) visited: the template is the same


def visible_text(page: str) -> str:
    tree = lxml_html.fromstring(page)
    for node in tree.xpath("//style|//script|//code|//small"):
        node.drop_tree()
    return " ".join(tree.xpath("//body//text()"))


def route_of(path: str) -> str:
    """/item/abc123 and /item/def456 are one route: digits and ids become '*'."""
    return re.sub(r"/[^/]*\d[^/]*", "/*", path)


def test_every_page_in_zh_has_no_english_and_no_raw_codes(app):
    client = app.test_client()
    login(client)
    queue, seen, visited, problems = ["/", "/admin/sources", "/search?q=低保", "/check"], set(), {}, {}
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if url in seen or parts.netloc or not parts.path.startswith("/") or "lang=" in url \
                or parts.path.endswith((".csv", ".xlsx", ".json", ".docx", ".html")) or parts.path.startswith("/api/") \
                or parts.path == "/logout":
            continue
        seen.add(url)
        route = route_of(parts.path)
        if visited.get(route, 0) >= PER_ROUTE:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        visited[route] = visited.get(route, 0) + 1
        page = response.get_data(as_text=True)
        left = english_left(page) - {"Partial", "demo", "baseline", "Social", "assistance", "Demo",
                                      "admin"}  # the demo's bilingual title; the account name
        codes = set(RAW_CODE.findall(visible_text(page)))
        if left or codes:
            problems[url] = (left, codes)
        queue.extend(a for a in lxml_html.fromstring(page).xpath("//a/@href"))
    assert {"/", "/county/*", "/baseline/social_assistance", "/jobs", "/job/*", "/item/*", "/search"} <= set(visited), visited
    assert not problems, problems


def test_every_msgid_has_a_chinese_translation():
    with open(po_path("zh_Hans_CN"), "rb") as po:
        catalog = read_po(po, locale="zh_Hans_CN")
    missing = [m.id for m in catalog if m.id and (m.fuzzy or not m.string
                                                 or (isinstance(m.string, tuple) and not all(m.string)))]
    assert len(catalog) > 300 and not missing, missing
    with open(po_path("zh_Hans_CN").parents[2] / "ckanext-gkcatalog.pot", "rb") as pot:
        template = read_po(pot)
    assert {m.id for m in template if m.id} <= {m.id for m in catalog if m.id}  # the .po is up to date with the .pot


def help_english(text: str) -> set:
    """English words in a --help text, outside option names, metavars (upper case) and code spans."""
    text = re.sub(r"(?m)^ {2}[a-z][\w-]*(?= {2,}| *$)|gkcatalog(?: [a-z-]+)*", " ", text)  # commands' names
    text = re.sub(r"--?[a-z][\w-]*|`[^`]*`|\{[a-z]+\}|\[[a-z|0-9]+\]|https?://\S+|\S+\.(?:db|gov\.cn)\S*|ckanext-gkcatalog", " ", text)
    words = set(re.findall(r"\b[a-z]{3,}\b", text))
    return words - {"gkcatalog", "ckanext", "ckan", "auto", "postgresql", "employment", "yaml", "xlsx", "csv", "json", "html",
                    "docx", "text", "table", "sqlite", "zh", "en"}


def test_the_command_line_speaks_chinese_and_english_on_request(monkeypatch):
    monkeypatch.delenv("GKCATALOG_LANG", raising=False)
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0 and "用法:" in top.output and "选项" in top.output and "命令" in top.output
    assert not help_english(top.output), help_english(top.output)
    for name in COMMANDS:
        command = runner.invoke(main, [name, "--help"])
        assert command.exit_code == 0, (name, command.output)
        assert not help_english(command.output), (name, help_english(command.output))
    wrong = runner.invoke(main, ["jobs", "--format", "x"])
    assert wrong.exit_code == 2 and "错误:" in wrong.output and "不是可选值" in wrong.output
    assert "Usage" not in wrong.output and "Error" not in wrong.output
    english = runner.invoke(main, ["--lang", "en", "harvest", "--help"])
    assert "Usage:" in english.output and "Harvest county sources" in english.output
    again = runner.invoke(main, ["harvest", "--help"])  # the English help of before does not stay
    assert "将县级来源采集入库" in again.output
