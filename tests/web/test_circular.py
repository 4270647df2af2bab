"""The circular (通报), read back: from the command line and the portal, as DOCX in the default and in a
restyled template, and as XLSX; the counties below 合格 with the items they lack, the failed source with
its reason, the ranking in rank order, and the charts as images."""
import io
import zipfile

from click.testing import CliRunner
from docx import Document
from docx.shared import RGBColor
from openpyxl import load_workbook

from ckanext_gkcatalog.cli import main
from ckanext_gkcatalog.harvesters.pipeline import harvest
from ckanext_gkcatalog.writers import write_catalog

from support import SETTINGS


def province(store, county_site):
    """青山县 (nearly complete), 石门县 publishing two items only (below 合格), 白水县 whose file is broken."""
    store.upsert_county("990102", "白水县", city_name="青川市")
    store.upsert_county("990103", "石门县", city_name="云泽市")
    (county_site.root / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    few = [dict(i, county_code="990103", county_name="石门县", subject="石门县民政局") for i in county_site.items[:2]]
    (county_site.root / "few.html").write_bytes(write_catalog(few, "html", "石门县社会救助领域基层政务公开标准目录"))
    sources = [store.add_source("990102", f"{county_site.url}/broken.xlsx", "xlsx", "social_assistance"),
               store.add_source("990103", f"{county_site.url}/few.html", "html", "social_assistance")]
    reports = harvest(store, sources, SETTINGS)
    assert [r.status for r in reports] == ["failed", "finished"]
    return reports[0].job_id


def body_text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def test_the_circular_as_docx_and_xlsx_from_the_command_line(app, store, county_site, tmp_path):
    failed_job = province(store, county_site)
    runner = CliRunner()
    out = tmp_path / "circular.docx"
    result = runner.invoke(main, ["--db", store.url, "report", "--period", "2026年第四季度", "--issuer", "青川省政务公开办",
                                  "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    text = body_text(doc)
    assert doc.paragraphs[0].text == "青川省政务公开办" and "(2026年第四季度)" in text
    assert "关于基层政务公开标准目录编制发布情况的通报" in text and "{" not in text  # every placeholder filled
    assert "本期共评估2个县(市、区)" in text and "不合格1个" in text and "采集失败的来源1个" in text
    ranking, failures = doc.tables
    names = [row.cells[1].text for row in ranking.rows[1:]]
    ranks = [int(row.cells[0].text) for row in ranking.rows[1:]]
    assert names == ["青山县<script>alert(1)</script>", "石门县"] and ranks == [1, 2]  # harvested names stay text
    laggard = text[text.index("石门县(得分"):text.index("四、采集失败的来源")]
    missing = [i for i in county_site.baseline.items[2:]][:3]
    assert "社会救助缺少:" in laggard and all(item.level2 in laggard for item in missing)
    assert "青山县(得分" not in text  # above 合格: not listed
    (row,) = failures.rows[1:]
    assert row.cells[0].text == "白水县" and "无法读取文件" in row.cells[2].text and row.cells[3].text == f"#{failed_job}"
    media = [n for n in zipfile.ZipFile(out).namelist() if n.startswith("word/media/")]
    assert len(media) == 2 and all(zipfile.ZipFile(out).read(n)[:4] == b"\x89PNG" for n in media)

    xlsx = tmp_path / "circular.xlsx"
    assert runner.invoke(main, ["--db", store.url, "report", "--format", "xlsx", "-o", str(xlsx)]).exit_code == 0
    book = load_workbook(xlsx)
    assert book.sheetnames == ["概况", "排名", "未达合格县缺少的事项", "采集失败", "得分下降"]
    ranked = list(book["排名"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in ranked] == ["青山县<script>alert(1)</script>", "石门县"]
    assert ranked[0][2] == "'=HYPERLINK(\"http://x\")"  # the fixture's city: text, never a formula
    lacking = list(book["未达合格县缺少的事项"].iter_rows(min_row=2, values_only=True))
    assert len(lacking) == len(county_site.baseline.items) - 2 and {r[0] for r in lacking} == {"石门县"}
    assert len(book["概况"]._images) == 2


def test_a_restyled_template_keeps_its_style_and_words(app, store, county_site, tmp_path):
    province(store, county_site)
    runner = CliRunner()
    template = tmp_path / "template.docx"
    assert runner.invoke(main, ["--db", store.url, "report", "--write-template", "-o", str(template)]).exit_code == 0
    doc = Document(str(template))
    doc.paragraphs[0].runs[0].font.color.rgb = RGBColor(0x00, 0x33, 0x99)  # the province's own colour
    doc.add_paragraph("抄送:省政府办公厅。{date}")
    doc.save(str(template))
    out = tmp_path / "styled.docx"
    result = runner.invoke(main, ["--db", store.url, "report", "--template", str(template), "-o", str(out)])
    assert result.exit_code == 0, result.output
    styled = Document(str(out))
    assert styled.paragraphs[0].runs[0].font.color.rgb == RGBColor(0x00, 0x33, 0x99)
    assert styled.paragraphs[-1].text.startswith("抄送:省政府办公厅。20") and "二、得分排名" in body_text(styled)
    (tmp_path / "bad.docx").write_bytes(b"not a docx")
    refused = runner.invoke(main, ["--db", store.url, "report", "--template", str(tmp_path / "bad.docx"), "-o",
                                   str(tmp_path / "x.docx")])
    assert refused.exit_code == 1 and "模板无法使用" in refused.output and "Traceback" not in refused.output


def test_the_circular_downloads_from_the_overview(app, store, county_site):
    province(store, county_site)
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'id="circular-docx"' in page
    response = client.get("/export/circular.docx?period=2026年11月")
    assert response.status_code == 200 and "filename*=UTF-8''" in response.headers["Content-Disposition"]
    doc = Document(io.BytesIO(response.data))
    assert "(2026年11月)" in body_text(doc) and len(doc.tables) == 2
    only_city = Document(io.BytesIO(client.get("/export/circular.docx?city=云泽市").data))
    assert [row.cells[1].text for row in only_city.tables[0].rows[1:]] == ["石门县"]
    assert client.get("/export/circular.pdf").status_code == 404
