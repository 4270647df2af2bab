"""Files as counties really serve them: legacy .xls, names and content types that lie, declared encodings
that are wrong, and a catalog split over several pages."""
import csv as csv_module
import io

import openpyxl
import pytest
import xlwt

from ckanext_gkcatalog.harvesters.fetch import fetch
from ckanext_gkcatalog.harvesters.parse import parse_document, public_item
from ckanext_gkcatalog.harvesters.pipeline import harvest

from servers import LocalServer
from test_pipeline import SETTINGS
from support import make_xlsx_with_merges

DOMAIN = {"domain": "social_assistance", "county_code": "530581", "county_name": "腾冲市"}


def xlsx_to_xls(data: bytes) -> bytes:
    """The same sheets, values and merged ranges, written as a legacy BIFF8 .xls."""
    source = openpyxl.load_workbook(io.BytesIO(data))
    book = xlwt.Workbook(encoding="utf-8")
    for ws in source.worksheets:
        out = book.add_sheet(ws.title)
        merged = {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}
        covered = {(row, col) for r in ws.merged_cells.ranges for row in range(r.min_row, r.max_row + 1)
                   for col in range(r.min_col, r.max_col + 1)}
        for row in ws.iter_rows():
            for cell in row:
                at = (cell.row, cell.column)
                if at in merged:
                    r = merged[at]
                    out.write_merge(r.min_row - 1, r.max_row - 1, r.min_col - 1, r.max_col - 1, cell.value)
                elif at not in covered and cell.value is not None:
                    out.write(cell.row - 1, cell.column - 1, cell.value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_csv(path, rows):
    buffer = io.StringIO()
    csv_module.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def rows_of(path):
    return list(csv_module.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def items_of(data, name, content_type=None):
    result = parse_document(data, name, defaults=DOMAIN, content_type=content_type)
    return [public_item(i) for i in result.items], result


def test_legacy_xls_reads_like_the_same_xlsx():
    xlsx = make_xlsx_with_merges()
    xls = xlsx_to_xls(xlsx)
    assert xls[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    from_xls, result = items_of(xls, "sa.xls")
    from_xlsx, _ = items_of(xlsx, "sa.xlsx")
    strip = [{k: v for k, v in i.items() if k != "source_location"} for i in from_xls]
    assert strip == [{k: v for k, v in i.items() if k != "source_location"} for i in from_xlsx]
    assert len(from_xls) == 4 and from_xls[3]["subject"] == "县级政府民政部门、乡镇政府(街道办事处)"  # merged
    assert from_xls[0]["source_location"] == "社会救助#4" and not result.errors


@pytest.fixture
def site(tmp_path, data_dir):
    root = tmp_path / "site"
    root.mkdir()
    xlsx = make_xlsx_with_merges()
    (root / "sa.xlsx").write_bytes(xlsx)
    (root / "catalog").write_bytes(xlsx)  # no extension at all
    (root / "sa-old.xls").write_bytes(xlsx_to_xls(xlsx))
    html = (data_dir / "elder_dachuan_two_domains.html").read_bytes()  # GBK, declares charset=gbk
    (root / "exported.xls").write_bytes(html)  # an "Excel export" that is an HTML table
    utf8 = html.decode("gb18030").encode("utf-8")
    (root / "utf8-says-gbk.html").write_bytes(utf8)
    (root / "gbk-says-utf8.html").write_bytes(html.replace(b"charset=gbk", b"charset=utf-8").replace(b"charset=GBK", b"charset=utf-8"))
    csv = (data_dir / "si_catalog_two_row_header.csv").read_bytes()
    (root / "si-gbk.csv").write_bytes(csv.decode("utf-8").encode("gbk"))
    rows = list(csv_module.reader(io.StringIO(csv.decode("utf-8"))))
    write_csv(root / "si-page1.csv", rows[:8])  # title, header and the items of the first L1
    write_csv(root / "si-page2.csv", rows[:3] + rows[8:])  # the header repeated, the rest
    with LocalServer(str(root)) as server:
        server.root = root
        yield server


@pytest.mark.parametrize("path, expected", [
    ("sa.xlsx?type=text/html", 4),  # a spreadsheet announced as a web page
    ("catalog?type=application/octet-stream", 4),  # no name, no type: the zip's contents decide
    ("sa-old.xls?type=text/plain", 4),
    ("exported.xls", 3),  # the name says Excel, the bytes are an HTML table
    ("utf8-says-gbk.html", 3),  # a UTF-8 page with a GBK declaration copied from a template
    ("gbk-says-utf8.html", 3),
    ("si-gbk.csv?type=text/csv;%20charset=utf-8", 7),  # GBK bytes, UTF-8 declared
])
def test_wrong_types_and_encodings_still_read(site, path, expected):
    got = fetch(f"{site.url}/{path}", SETTINGS.limits)
    items, result = items_of(got.data, got.url, got.content_type)
    assert len(items) == expected and not result.errors
    assert all("\ufffd" not in (i["level2"] or "") for i in items)
    names = {i["level2"] for i in items}
    assert names & {"政策法规文件", "养老机构备案", "机关事业单位社会保险登记"}  # real words, not mojibake


def test_a_catalog_split_over_several_pages(store, site):
    store.upsert_county("530581", "腾冲市")
    source = store.add_source("530581", f"{site.url}/si-page1.csv", "csv", "social_insurance",
                              {"pages": [f"{site.url}/si-page2.csv"]})
    (report,) = harvest(store, [source], SETTINGS)
    assert report.status == "finished" and report.counts["added"] == 7
    items = {i.level2: i for i in store.items("530581")}
    assert items["个人基本信息变更"].location["url"].endswith("si-page2.csv")
    assert items["机关事业单位社会保险登记"].location["url"].endswith("si-page1.csv")
    (again,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert again.status == "unchanged"
    write_csv(site.root / "si-page2.csv", rows_of(site.root / "si-page2.csv")[:3])  # page 2 broken: header only
    (third,) = harvest(store, [store.source(source.id)], SETTINGS)
    assert third.status == "failed" and "si-page2.csv" in third.message
    assert len(store.items("530581")) == 7  # still active: nothing withdrawn
