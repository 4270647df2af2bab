"""Catalogs published one item per page (issue 15 item 11): the labelled values of an item page in the
layouts county platforms use, and a source that follows a list page's item links over a real local HTTP
server, incrementally, on the same site only, within a bound."""
import html
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ckanext_gkcatalog.cli import main
from ckanext_gkcatalog.harvesters.fetch import FetchLimits
from ckanext_gkcatalog.harvesters.parse import parse_document
from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest

from servers import LocalServer

SAMPLES = Path(__file__).parents[1] / "data" / "samples"  # copied from shared/domain/samples
SETTINGS = HarvestSettings(FetchLimits(timeout=5, connect_timeout=2, allowed_networks=["127.0.0.1/32"]), workers=2)
DEFAULTS = {"county_code": "430581", "county_name": "武冈市"}
ITEM = {"所属领域": "社会保险", "一级事项": "社会保障卡服务", "二级事项": "社会保障卡申领",
        "公开时限": "公开事项信息形成或变更之日起20个工作日内公开", "公开方式": "主动",
        "公开依据": "《社会保险法》", "公开主体": "武冈市人社局", "公开对象": "全社会"}


def table_page(fields: dict, tiers=(("县级", "政府网站,政务服务中心"), ("乡、村级", "政府网站<br>便民服务站"))) -> str:
    """The Hunan county platforms' layout: content above, a 基本信息 table of label and value cells."""
    cells = "".join(f"<tr><td>{k}</td><td colspan='3'>{html.escape(v)}</td></tr>" for k, v in fields.items())
    cells += "".join(f"<tr><th>公开层级{n}</th><td>{tier}</td><th>公开渠道和载体</th><td>{channels}</td></tr>"
                     for n, (tier, channels) in enumerate(tiers, start=1))
    return (f"<html><head><title>{fields['二级事项']}</title></head><body>"
            "<div class='nav'><a href='/'>首页</a> &gt; 基层政务公开</div><ul><li>详细信息</li></ul>"
            "<h3>公开具体内容</h3><p>社会保障卡申领流程。</p><p>申领材料:身份证。</p>"
            f"<h3>基本信息</h3><table>{cells}</table><div>版权所有 武冈市人民政府</div></body></html>")


def dl_page(fields: dict) -> str:
    rows = "".join(f"<dt>{k}:</dt><dd>{html.escape(v)}</dd>" for k, v in fields.items())
    return f"<html><body><h1>{fields['二级事项']}</h1><dl>{rows}</dl><p>公开层级:<b>县级、乡级</b></p></body></html>"


def line_page(fields: dict) -> str:
    """Everything as lines of text, labels and values separated by spaces: as a text-only mirror prints it."""
    pairs = list(fields.items())
    lines = [" ".join(f"{k} {v}" for k, v in pairs[i:i + 2]) for i in range(0, len(pairs), 2)]
    lines.append("公开层级1 县级 公开渠道和载体 政府网站")
    return "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</body></html>"


def read(page: str, name="content_1.html") -> tuple:
    parsed = parse_document(page.encode("utf-8"), name, defaults=DEFAULTS)
    return parsed, [(i["domain"], i["level1"], i["level2"], i["time_limit"], sorted(i["channels"]),
                     sorted(i["tiers"]), i["mode"], i["subject"]) for i in parsed.items]


def test_the_same_item_in_three_page_layouts_reads_the_same():
    _, in_table = read(table_page(ITEM))
    assert in_table == [("social_insurance", "社会保障卡服务", "社会保障卡申领", ITEM["公开时限"],
                         ["government_website", "service_center", "service_station"],
                         ["county", "township", "village"], ["proactive"], "武冈市人社局")]
    _, in_dl = read(dl_page(ITEM))
    _, in_lines = read(line_page(ITEM))
    common = [row[:4] + row[6:] for row in in_table]
    assert [row[:4] + row[6:] for row in in_dl] == common == [row[:4] + row[6:] for row in in_lines]
    assert in_dl[0][5] == ["county", "township"] and in_lines[0][4] == ["government_website"]


def test_the_content_is_the_text_under_its_heading_and_stops_at_the_next_part():
    parsed, _ = read(table_page(ITEM))
    assert parsed.items[0]["content"] == "社会保障卡申领流程。\n申领材料:身份证。"
    assert "版权所有" not in json.dumps(parsed.items[0], ensure_ascii=False)


def test_the_hunan_sample_page_and_a_one_row_catalog_page():
    text = (SAMPLES / "item_pages" / "wugang_si_card_item_page.txt").read_text(encoding="utf-8").split("---", 1)[1]
    _, items = read("<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()) + "</body></html>")
    assert items == [("social_insurance", "社会保障卡服务", "社会保障卡申领", "公开事项信息形成或变更之日起20个工作日内公开",
                      ["government_website", "service_center", "基层公共服务平台"], ["county", "township", "village"],
                      ["proactive"], "武冈市晏田乡政府")]
    # Shanghai's per-item page is a catalog table of one row: read as a table
    one_row = ("<table><tr><th>公开事项</th><th>公开内容(要素)</th><th>公开时限</th><th>公开方式</th><th>公开渠道和载体</th></tr>"
               "<tr><td>政策法规文件</td><td>各地配套政策法规文件</td><td>10个工作日内</td><td>主动公开</td>"
               "<td>政府网站,公开查阅点</td></tr></table>")
    _, items = read(f"<html><body><h2>社会救助领域</h2>{one_row}</body></html>")
    assert [(i[2], i[4], i[6]) for i in items] == [("政策法规文件", ["government_website", "reading_point"], ["proactive"])]


def test_a_service_guide_page_is_not_an_item_and_says_where():
    text = (SAMPLES / "item_pages" / "dangshan_si_item_page.txt").read_text(encoding="utf-8").split("---", 1)[1]
    parsed, items = read("<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()) + "</body></html>",
                         "http://example.gov.cn/154339601.html")
    assert items == [] and [(p.code, p.location.file) for p in parsed.problems] == [
        ("no_catalog_table", "http://example.gov.cn/154339601.html")]


def write_site(root, pages: dict) -> None:
    for name, text in pages.items():
        (root / name).write_text(text, encoding="utf-8")


def list_page(links: list, next_page: str | None = None) -> str:
    items = "".join(f"<li><a href='{href}'>{title}</a><span>2024-05-01</span></li>" for href, title in links)
    more = f"<a href='{next_page}'>下一页</a>" if next_page else ""
    return ("<html><body><div class='menu'><a href='/index.html'>首页</a><a href='/jc/index.html'>基层政务公开</a>"
            f"<a href='/jc/about.html'>关于本站的说明</a></div><ul class='list'>{items}</ul>"
            f"<div class='pages'><a href='list.html'>1</a>{more}</div></body></html>")


@pytest.fixture
def platform(tmp_path):
    """A county platform: a list of five item pages over two list pages, plus links the crawler must not
    follow (another site, an attachment, the site's menu)."""
    root = tmp_path / "site"
    (root / "jc").mkdir(parents=True)
    names = ["社会保障卡申领", "社会保障卡挂失", "参保登记", "待遇领取", "关系转移"]
    pages = {f"jc/content_{100 + n}.html": table_page({**ITEM, "一级事项": "社会保险服务" if n > 1 else ITEM["一级事项"],
                                                         "二级事项": name}) for n, name in enumerate(names)}
    links = [(f"content_{100 + n}.html", name) for n, name in enumerate(names)]
    pages["jc/list.html"] = list_page(links[:3] + [("http://localhost:9/jc/content_999.html", "别的网站的事项页面"),
                                                   ("/files/目录附件.pdf", "社会保险领域目录附件")], "list_2.html")
    pages["jc/list_2.html"] = list_page(links[3:], None)
    write_site(root, pages)
    with LocalServer(str(root)) as server:
        server.root = root
        yield server


def add_source(store, platform, **options):
    store.upsert_county("430581", "武冈市")
    return store.add_source("430581", f"{platform.url}/jc/list.html", "item_pages", "social_insurance", options)


def test_a_list_of_item_pages_is_harvested_on_its_own_site_and_names_each_page(store, platform):
    source = add_source(store, platform)
    (report,) = harvest(store, [source], SETTINGS)
    assert report.status == "finished" and report.counts["added"] == 5
    items = {i.level2: i for i in store.items("430581")}
    assert set(items) == {"社会保障卡申领", "社会保障卡挂失", "参保登记", "待遇领取", "关系转移"}
    assert items["参保登记"].location["url"] == f"{platform.url}/jc/content_102.html"
    asked = [path for path, _ in platform.handler.requests_seen]
    assert "/jc/list_2.html" in asked and not any("999" in p or ".pdf" in p or "about" in p for p in asked)
    local = [f for f in store.findings(report.job_id) if f.rule == "local_channel"]
    assert not local  # every channel of these pages is in the vocabulary


def test_unchanged_pages_are_not_read_again_and_a_changed_one_is(store, platform):
    source = add_source(store, platform)
    harvest(store, [source], SETTINGS)
    platform.handler.requests_seen.clear()
    (again,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert again.status == "unchanged" and again.counts["unchanged"] == 5
    item_requests = [h for p, h in platform.handler.requests_seen if "content_" in p]
    assert len(item_requests) == 5 and all(h.get("If-None-Match") for h in item_requests)
    # one page changes, one is taken off the list: only those two are new work
    page = platform.root / "jc" / "content_101.html"
    page.write_text(page.read_text(encoding="utf-8").replace("20个工作日", "10个工作日"), encoding="utf-8")
    listing = platform.root / "jc" / "list_2.html"
    listing.write_text(list_page([("content_103.html", "待遇领取")]), encoding="utf-8")
    (third,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert third.status == "finished"
    assert (third.counts["updated"], third.counts["withdrawn"], third.counts["unchanged"]) == (1, 1, 3)
    withdrawn = [i.level2 for i in store.items("430581", status="withdrawn")]
    assert withdrawn == ["关系转移"]


def test_a_broken_item_page_keeps_its_items_and_is_named(store, platform):
    source = add_source(store, platform)
    harvest(store, [source], SETTINGS)
    platform.handler.faults["/jc/content_102.html"] = (500, b"oops", "text/plain")
    (page_file := platform.root / "jc" / "content_103.html").write_text("<html><body>维护中</body></html>", encoding="utf-8")
    (report,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert report.status == "finished" and report.counts["withdrawn"] == 0
    assert len(store.items("430581")) == 5
    where = {(f.rule, f.location["file"]) for f in store.findings(report.job_id)}
    assert ("fetch_http_error", f"{platform.url}/jc/content_102.html") in where
    assert ("no_catalog_table", f"{platform.url}/jc/content_103.html") in where
    (again,) = harvest(store, [store.source(source.id)], SETTINGS)  # the same broken page is read again
    assert again.status == "finished" and ("no_catalog_table", f"{platform.url}/jc/content_103.html") in {
        (f.rule, f.location["file"]) for f in store.findings(again.job_id)}
    page_file.write_text(table_page({**ITEM, "一级事项": "社会保险服务", "二级事项": "待遇领取"}), encoding="utf-8")
    platform.handler.faults.clear()
    (mended,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert mended.status == "finished" and len(store.items("430581")) == 5


def test_the_number_of_item_pages_is_bounded(store, platform):
    source = add_source(store, platform, max_items=2, concurrency=1)
    (report,) = harvest(store, [source], SETTINGS)
    assert report.counts["added"] == 2
    (truncated,) = [f for f in store.findings(report.job_id) if f.rule == "item_pages_truncated"]
    assert "5" in truncated.message_zh and "2" in truncated.message_zh


def test_a_list_without_item_links_fails_and_keeps_the_last_harvest(store, platform):
    source = add_source(store, platform)
    harvest(store, [source], SETTINGS)
    for name in ("list.html", "list_2.html"):
        (platform.root / "jc" / name).write_text(list_page([]), encoding="utf-8")
    (report,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert report.status == "failed" and len(store.items("430581")) == 5
    assert [f.rule for f in store.findings(report.job_id)] == ["no_item_links"]


def test_parse_reads_one_item_page_given_as_a_file(tmp_path):
    page = tmp_path / "content_2970.html"
    page.write_text(table_page(ITEM), encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", f"sqlite:///{tmp_path}/gk.db", "--lang", "en", "parse", str(page), "--format", "json",
                                  "--county-code", "430581", "--county-name", "武冈市"])
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.output)["items"]
    assert (item["level1"], item["level2"], item["domain"]) == ("社会保障卡服务", "社会保障卡申领", "social_insurance")


def test_broken_item_pages_give_findings_never_an_exception():
    """Item pages cut short, with tags dropped or bytes flipped, labels without values or values without
    labels: each is read or reported, by its file name."""
    import random

    rng = random.Random(15)
    page = table_page(ITEM).encode("utf-8")
    variants = [page[:n] for n in range(0, len(page), 97)]
    variants += [bytes(b ^ 0xFF if rng.random() < 0.02 else b for b in page) for _ in range(30)]
    variants += [page.replace(b"<td>", b"", rng.randint(1, 20)) for _ in range(10)]
    variants += [b"<html><body>" + b"<p>\xe4\xb8\x80\xe7\xba\xa7\xe4\xba\x8b\xe9\xa1\xb9</p>" * 500 + b"</body></html>",
                 b"<table>" * 300 + "一级事项 二级事项 公开时限".encode() + b"</table>" * 300]
    for n, data in enumerate(variants):
        parsed = parse_document(data, f"page{n}.html", defaults=DEFAULTS)
        assert parsed.items or [p for p in parsed.problems if p.location.file == f"page{n}.html"], n
