"""Format invariance (issue 15): every real catalog sample (tests/data/samples, copied from shared/domain)
rendered as GBK CSV, XLSX, legacy XLS, HTML and DOCX gives the same items in every format.

The samples are text extracts of published pages, a table row per line with ' | ' or ' / ' between cells.
Where an extract lost its rows (cells one per line or run together), only its invariance is asserted; the
others must also give named items."""
import re
from pathlib import Path

import pytest

from ckanext_gkcatalog.harvesters.parse import parse_document
from test_catalog_shapes import FORMATS, render

SAMPLES = Path(__file__).parents[1] / "data" / "samples"
ONE_PER_LINE, RUN_TOGETHER = "cells one per line: where a row ends is lost", "cells run together without separators"
# samples whose items cannot be told from the extract: only their invariance is asserted
INVARIANCE_ONLY = {
    "sa_mdx_compact.txt": ONE_PER_LINE, "emp_hechuan_shuanghuai.txt": ONE_PER_LINE,
    "si_zbjkq_jingkaiqu.txt": ONE_PER_LINE, "sa_tengchong_2024_county.txt": RUN_TOGETHER,
    "si_daguan_tianxing_xlsx.txt": RUN_TOGETHER, "si_guangshui.txt": RUN_TOGETHER,
    "header_variants_misc.txt [C]": RUN_TOGETHER, "si_scey_enyang.txt": "the excerpt starts below the header",
    "header_variants_misc.txt [G]": "another standard (具体职责/业务事项), not a catalog of items",
}
# extracts whose rows lost the cells a rowspan covered, so that the cells after them moved left
SHIFTED = {"si_yunnan_variant_3level_mirror.txt", "header_variants_misc.txt [B]"}


def sample_tables(path: Path) -> list:
    """[(label, rows)]: the tables of a sample as rows of cells. A file of fragments ('[A] url — note'
    before each) is one table per fragment, labelled 'file [A]'; in a markdown table the lines above its
    rule are one header row."""
    text = path.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1] if "\n---\n" in text else text
    parts = re.split(r"^\[([A-Z])\] .*$", body, flags=re.M)
    if len(parts) == 1:
        return [(path.name, _rows(body))]
    return [(f"{path.name} [{letter}]", rows) for letter, fragment in zip(parts[1::2], parts[2::2])
            if (rows := _rows(fragment))]  # a fragment may be its note alone


_ROW_START = re.compile(r"^(\d+\s*\||序\s*[号號]|一[级級]|[^|]*目[录錄]\s*(\||$))")


def _rows(text: str) -> list:
    """Rows of cells from extract lines, ' | ' or ' / ' between cells. A pipe-separated row starts with
    its number, or is a header or title row; the lines between are the rest of it, where the page broke
    a cell over lines: a line after an open cell (no closing bar) goes on that cell."""
    rows, open_cell, in_table, fresh = [], False, False, False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("[excerpt"):
            continue
        if "-" in line and set(line) <= set("-|: "):  # a markdown rule: what stands above it is the header
            rows, fresh = [[cell for row in rows for cell in row]], True
            continue
        if "|" not in line and not in_table:
            rows.append([c.strip() for c in line.split(" / ")] if " / " in line else [line])
            continue
        bare = line[1:].strip() if line.startswith("|") else line  # a leading bar only delimits
        cells = [c.strip() for c in bare.split("|")]
        if not rows or fresh or not in_table or _ROW_START.match(bare):
            rows.append(cells)
        else:
            if open_cell:
                rows[-1][-1] = rows[-1][-1] + "\n" + cells.pop(0)
            rows[-1].extend(cells)
        in_table, fresh = in_table or "|" in line, False
        open_cell = not line.endswith("|")
        if bare.endswith("|"):
            rows[-1].pop()  # the nothing after the closing bar
    return rows


def items_in(rows: list, fmt: str, domain: str) -> list:
    data, name = render(rows, fmt)
    parsed = parse_document(data, name, defaults={"domain": domain, "county_code": "530581", "county_name": "腾冲市"})
    return [(i["domain"], i["level1"], i["level2"], i["level3"], i["content"], i["basis"], i["time_limit"],
             i["subject"], sorted(i["channels"]), sorted(i["audience"]), sorted(i["mode"]), sorted(i["tiers"]))
            for i in parsed.items]


DOMAINS = {"sa": "social_assistance", "si": "social_insurance", "elder": "elderly_care", "emp": "employment"}
TABLES = [table for path in sorted(SAMPLES.glob("*.txt")) for table in sample_tables(path)]


@pytest.mark.parametrize("label, rows", TABLES, ids=[label for label, _ in TABLES])
def test_every_sample_gives_the_same_items_in_every_format(label, rows):
    domain = DOMAINS.get(label.split("_")[0], "social_assistance")
    read = {fmt: items_in(rows, fmt, domain) for fmt in FORMATS}
    for fmt in FORMATS[1:]:
        assert read[fmt] == read[FORMATS[0]], fmt
    if label not in INVARIANCE_ONLY:
        assert read["html"]  # a sample with its rows gives items: the comparison is not of nothing
        assert label in SHIFTED or all(item[2] for item in read["html"])
