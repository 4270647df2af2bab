"""The circular (通报) a province sends its counties on disclosure work: the period's overall figures,
the ranking, the counties below 合格 with the items they lack, the sources whose harvest failed, the scores
that dropped, and the charts as images.

It is written into an editable DOCX template: the province restyles the template (its red header, fonts,
the styles Title, Heading 1, Table Grid) and keeps the placeholders {issuer}, {title}, {period}, {date}
and {body}; the generated sections replace the {body} paragraph. `default_template()` is the starting point
(`gkcatalog report --write-template`). The XLSX form has the same tables, one sheet each.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from .attention import attention
from .charts import FONT, bars, heatmap
from ..divisions import COUNTY, TOWNSHIP
from .dashboard import gap_list, overview
from ..items import level_path
from ..schema import domain_label
from ..scoring import RATING_LABELS

PLACEHOLDERS = ("{issuer}", "{title}", "{period}", "{date}")
MISSING_SHOWN = 15  # a county's missing items listed in the circular; the rest are counted
CHART_WIDTH_PX = 1400
RASTER_FONT = 'font-family="Noto Sans CJK SC"'  # Debian's fonts-noto-cjk


@dataclass
class Circular:
    title: str
    period: str
    issuer: str
    issued: date
    view: object  # dashboard.Overview, worst first
    rows: list = field(default_factory=list)  # its counties with a score: a county whose every harvest failed has none
    failed: list = field(default_factory=list)  # attention.Failure
    drops: list = field(default_factory=list)  # (row, domain, before, after)
    below: list = field(default_factory=list)  # (row, {domain: [gap rows]})
    townships: list = field(default_factory=list)  # the townships' overview rows, worst first (when asked for)

    @property
    def mean(self) -> float:
        return round(sum(r.score for r in self.rows) / len(self.rows), 1) if self.rows else 0.0

    def count(self, rating: str) -> int:
        return sum(1 for r in self.rows if r.rating == rating)


def build(store, period: str | None = None, city: str | None = None, issuer: str = "",
          today: date | None = None, townships: bool = False) -> Circular:
    """The circular's content from the stored assessment (never recomputed here); with `townships`, a
    section on the townships' own catalogs too."""
    today = today or date.today()
    period = period or f"{today.year}年{today.month}月"
    view = overview(store, city=city, descending=False)
    noted = attention(store, view)
    gaps: dict = {}
    for gap in gap_list(store, city=city, level=COUNTY):
        gaps.setdefault(gap["county_code"], {}).setdefault(gap["domain"], []).append(gap)
    rows = [r for r in view.rows if any(r.states.get(d) != "failed" for d in r.scores)]
    below = [(row, gaps.get(row.code, {})) for row in rows if row.rating == "insufficient"]
    title = f"关于{city or ''}基层政务公开标准目录编制发布情况的通报"
    found = Circular(title, period, issuer or "省政务公开办公室", today, view, rows, noted.failed, noted.drops, below)
    if townships:
        found.townships = [r for r in overview(store, city=city, descending=False, level=TOWNSHIP).rows
                           if any(r.states.get(d) != "failed" for d in r.scores)]
    return found


def chart_images(circular: Circular) -> list[tuple[str, bytes]]:
    """(caption, PNG) of the ranking and the heatmap: the dashboards' own SVG charts, rasterised."""
    import cairosvg

    view = circular.view
    ranking = bars([(r.name, r.score) for r in sorted(circular.rows, key=lambda r: r.rank)], "各县(市、区)得分排名")
    cells = [(r.name, "", [r.scores[d].score if d in r.scores and r.states.get(d) != "failed" else None
                           for d in view.domains]) for r in circular.rows]
    grid = heatmap(cells, [domain_label(d) for d in view.domains], "各县(市、区)分领域得分")
    # cairo takes the font list as one family name: a CJK font by name, or Chinese labels come out as boxes
    return [(caption, cairosvg.svg2png(bytestring=str(svg).replace(FONT, RASTER_FONT).encode("utf-8"),
                                       output_width=CHART_WIDTH_PX))
            for caption, svg in (("图1 各县(市、区)得分排名", ranking), ("图2 各县(市、区)分领域得分", grid))]


def ranking_table(circular: Circular) -> tuple[list, list]:
    header = ["排名", "县(市、区)", "市(州)", "得分", "等级", "覆盖率", "错误", "警告"]
    rows = [[r.rank, r.name, r.city, round(r.score, 1), RATING_LABELS[r.rating][0], f"{r.coverage:.0%}",
             r.errors, r.warnings] for r in sorted(circular.rows, key=lambda r: r.rank)]
    return header, rows


def failure_table(circular: Circular) -> tuple[list, list]:
    header = ["县(市、区)", "领域", "原因", "作业", "数据"]
    rows = [[f.row.name, domain_label(f.domain), f.reason[0] or "采集失败", f"#{f.job_id}",
             "沿用上次成功采集的数据" if f.last_good else "无可用数据"] for f in circular.failed]
    return header, rows


def township_table(circular: Circular) -> tuple[list, list]:
    header = ["乡镇(街道)", "所属县(市、区)", "得分", "等级", "覆盖率", "错误", "警告"]
    return header, [[r.name, r.county, round(r.score, 1), RATING_LABELS[r.rating][0], f"{r.coverage:.0%}", r.errors,
                     r.warnings] for r in circular.townships]


def drop_table(circular: Circular) -> tuple[list, list]:
    header = ["县(市、区)", "领域", "上次得分", "本次得分"]
    return header, [[row.name, domain_label(domain), round(before, 1), round(after, 1)]
                    for row, domain, before, after in circular.drops]


def summary(circular: Circular) -> str:
    view = circular.view
    bands = "、".join(f"{RATING_LABELS[name][0]}{circular.count(name)}个" for name in RATING_LABELS)
    return (f"本期共评估{len(circular.rows)}个县(市、区)的{len(view.domains)}个领域标准目录,平均得分{circular.mean}分。"
            f"其中{bands};采集失败的来源{len(circular.failed)}个,得分明显下降的{len(circular.drops)}项。")


def default_template() -> bytes:
    """A plain circular with the placeholders, for a province to restyle and keep (python-docx)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    doc = Document()
    header = doc.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = header.add_run("{issuer}")
    run.font.size, run.font.bold, run.font.color.rgb = Pt(26), True, RGBColor(0xC0, 0x00, 0x00)
    doc.add_paragraph("━" * 24).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{title}", style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("({period})").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{body}")
    doc.add_heading("工作要求", level=1)
    doc.add_paragraph("请未达到合格的县(市、区)对照缺少的事项和发现的问题,在下期采集前完成目录的补充、修改和发布;"
                      "采集失败的县(市、区)请核实目录发布地址能否正常访问。")
    for text in ("{issuer}", "{date}"):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_docx(circular: Circular, template: bytes | None = None) -> bytes:
    from docx import Document

    doc = Document(io.BytesIO(template or default_template()))
    values = {"{issuer}": circular.issuer, "{title}": circular.title, "{period}": circular.period,
              "{date}": f"{circular.issued.year}年{circular.issued.month}月{circular.issued.day}日"}
    body = None
    for paragraph in doc.paragraphs:
        if paragraph.text.strip() == "{body}":
            body = paragraph
        elif any(p in paragraph.text for p in PLACEHOLDERS):
            _replace(paragraph, values)
    if body is None:  # a template without {body}: the sections go at the end
        body = doc.add_paragraph()
    _Sections(doc, body).write(circular)
    body._p.getparent().remove(body._p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render(circular: Circular, fmt: str, template: bytes | None = None) -> bytes:
    """The circular as 'docx' (in `template`, or the default one) or as 'xlsx'."""
    return write_docx(circular, template) if fmt == "docx" else write_xlsx(circular)


def _replace(paragraph, values: dict) -> None:
    """Placeholders replaced in place; the paragraph keeps its first run's formatting."""
    text = paragraph.text
    for key, value in values.items():
        text = text.replace(key, value)
    runs = paragraph.runs
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


class _Sections:
    """Writes the generated sections before the {body} paragraph, in the template's styles."""

    def __init__(self, doc, anchor):
        self.doc, self.anchor = doc, anchor

    def style(self, name):
        return name if name in [s.name for s in self.doc.styles] else None

    def paragraph(self, text="", style=None):
        return self.anchor.insert_paragraph_before(text, style=self.style(style) if style else None)

    def table(self, header, rows):
        table = self.doc.add_table(rows=1, cols=len(header))
        if self.style("Table Grid"):
            table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header):
            cell.text = str(text)
        for row in rows:
            for cell, value in zip(table.add_row().cells, row):
                cell.text = "" if value is None else str(value)
        self.anchor._p.addprevious(table._tbl)

    def write(self, circular: Circular) -> None:
        from docx.shared import Inches

        self.paragraph("一、总体情况", "Heading 1")
        self.paragraph(summary(circular))
        for caption, png in chart_images(circular):
            self.paragraph().add_run().add_picture(io.BytesIO(png), width=Inches(6))
            self.paragraph(caption, "Caption")
        self.paragraph("二、得分排名", "Heading 1")
        self.table(*ranking_table(circular))
        self.paragraph("三、未达到合格的县(市、区)", "Heading 1")
        if not circular.below:
            self.paragraph("本期没有未达到合格的县(市、区)。")
        for row, domains in circular.below:
            self.paragraph(f"{row.name}(得分{row.score:.1f})", "Heading 2")
            for domain, missing in sorted(domains.items()):
                names = "、".join(level_path(g, " › ") for g in missing[:MISSING_SHOWN])
                more = f"等{len(missing)}项" if len(missing) > MISSING_SHOWN else f"共{len(missing)}项"
                self.paragraph(f"{domain_label(domain)}缺少:{names}({more})。", "List Bullet")
        self.paragraph("四、采集失败的来源", "Heading 1")
        if circular.failed:
            self.table(*failure_table(circular))
        else:
            self.paragraph("本期所有来源均采集成功。")
        sections = iter(("五", "六"))
        if circular.drops:
            self.paragraph(f"{next(sections)}、得分明显下降的领域", "Heading 1")
            self.table(*drop_table(circular))
        if circular.townships:
            below = sum(1 for r in circular.townships if r.rating == "insufficient")
            self.paragraph(f"{next(sections)}、乡镇(街道)目录情况", "Heading 1")
            self.paragraph(f"本期评估{len(circular.townships)}个乡镇(街道)的标准目录(按基准目录中公开层级含乡级、村级的事项),"
                           f"其中未达到合格的{below}个。按得分从低到高:")
            self.table(*township_table(circular))


def write_xlsx(circular: Circular) -> bytes:
    """The circular's tables, one sheet each, with the charts on the first; text cells never formulas."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image

    from ..writers import safe_cell

    book = Workbook()
    first = book.active
    first.title = "概况"
    for line in (circular.issuer, circular.title, circular.period, summary(circular)):
        first.append([safe_cell(line)])
    row = 6
    for caption, png in chart_images(circular):
        first.cell(row=row, column=1, value=caption)
        image = Image(io.BytesIO(png))
        image.width, image.height = image.width // 2, image.height // 2
        first.add_image(image, f"A{row + 1}")
        row += image.height // 20 + 3
    gaps = [[row.name, domain_label(domain), g["level1"], g["level2"], g["level3"]]
            for row, domains in circular.below for domain, missing in sorted(domains.items()) for g in missing]
    for title, (header, rows) in (("排名", ranking_table(circular)), ("未达合格县缺少的事项",
                                  (["县(市、区)", "领域", "一级事项", "二级事项", "三级事项"], gaps)),
                                  ("采集失败", failure_table(circular)), ("得分下降", drop_table(circular)),
                                  *((("乡镇", township_table(circular)),) if circular.townships else ())):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for values in rows:
            sheet.append([safe_cell(v) for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
