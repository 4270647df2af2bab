"""How many fields the reader gets right, per format, on catalogs whose truth is known (issue 15).

The demo baselines' items (filled in as a county fills them) are printed in the shapes real catalogs take:
the standard two-row table, pinyin glosses in the header, checklist glyph variants glued to their labels,
channels one per numbered line, tiers written as words, L1 repeated on every row, two domains' catalogs
stacked in one sheet, and a township's subset with 镇级/村级 columns. Each is rendered as GBK CSV, XLSX,
legacy XLS, HTML and DOCX (the renderers of tests/harvesters/test_catalog_shapes.py) and read back.

A field is right when it equals the truth after the reader's own text cleaning (lists as sets); an item
the reader names differently, or misses, has every field wrong; a read item that is no true item is a
phantom. Prints a table per format and per shape, and the same as a bar chart (SVG) with --chart FILE.

    python bench/fidelity_bench.py [--chart fidelity.svg]
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "harvesters")]

from ckanext_gkcatalog.baseline import demo_baseline_files, load_baseline  # noqa: E402
from ckanext_gkcatalog.demo.province import baseline_items  # noqa: E402
from ckanext_gkcatalog.harvesters.parse import parse_document  # noqa: E402
from ckanext_gkcatalog.normalize import clean_text, strip_numbering  # noqa: E402
from ckanext_gkcatalog.reports.charts import bars  # noqa: E402
from ckanext_gkcatalog.schema import load_schema  # noqa: E402
from ckanext_gkcatalog.writers import table_rows  # noqa: E402
from test_catalog_shapes import FORMATS, render  # noqa: E402

TEXT_FIELDS = ("level1", "level2", "level3", "content", "basis", "time_limit", "subject")
LIST_FIELDS = ("channels", "audience", "mode", "tiers")
CHANNEL_COLUMN, TIER_COLUMNS = 7, (12, 13)


def demo_items() -> dict:
    items = {}
    for path in demo_baseline_files():
        baseline = load_baseline(path.read_bytes(), path.name)
        # the printed table has county and township tier columns: the truth is what it can show
        items[baseline.domain] = [dict(i, subject=i.get("subject") or "青山县人民政府",
                                       tiers=[t for t in i.get("tiers") or [] if t in ("county", "township")])
                                  for i in baseline_items(baseline)]
    return items


def titled(domain: str, rows: list, place: str = "青山县") -> list:
    label = load_schema().field("domain").value_label(domain)
    return [[f"{place}{label}领域基层政务公开标准目录"] + [""] * (len(rows[0]) - 1), *rows]


def glossed(rows: list) -> list:
    top = [c.replace("公开", "公開(kāi)").replace("事项", "事項(xiàng)").replace("时限", "时限(xiàn)") for c in rows[0]]
    return [top, *rows[1:]]


def glyphs(rows: list) -> list:
    return [*rows[:2], *[[*r[:CHANNEL_COLUMN], r[CHANNEL_COLUMN].replace("□", "口").replace("■", "▄"), *r[CHANNEL_COLUMN + 1:]]
                         for r in rows[2:]]]


def numbered_lines(rows: list, items: list) -> list:
    schema = load_schema().field("channels")
    out = [*rows[:2]]
    for row, item in zip(rows[2:], items):
        names = [schema.value_label(c) for c in item.get("channels") or []]
        out.append([*row[:CHANNEL_COLUMN], "\n".join(f"{n}.{name}" for n, name in enumerate(names, 1)),
                    *row[CHANNEL_COLUMN + 1:]])
    return out


def tier_words(rows: list) -> list:
    out = [*rows[:2]]
    for row in rows[2:]:
        row = list(row)
        for column, word in zip(TIER_COLUMNS, ("县级", "乡级")):
            row[column] = word if row[column] else ""
        out.append(row)
    return out


def township(items: list) -> tuple[list, list]:
    """A township's subset: the items its tier covers, tier columns 镇级/村级."""
    subset = [dict(i, tiers=["township"]) for i in items if "township" in (i.get("tiers") or [])]
    rows = table_rows(subset, merge_level1=True)
    rows[1] = [*rows[1][:12], "镇级", "村级"]
    for row in rows[2:]:
        row[12], row[13] = "√", ""
    return titled(subset[0]["domain"], rows, "和顺镇"), subset


def shapes(items_by_domain: dict):
    """(shape, rows, truth items) for every shape and domain."""
    domains = sorted(items_by_domain)
    for domain in domains:
        items = items_by_domain[domain]
        rows = table_rows(items)
        yield "standard", titled(domain, rows), items
        yield "pinyin glosses", titled(domain, glossed(rows)), items
        yield "glyph variants", titled(domain, glyphs(rows)), items
        yield "numbered lines", titled(domain, numbered_lines(table_rows(items), items)), items
        yield "tiers as words", titled(domain, tier_words(rows)), items
        yield "L1 repeated", titled(domain, table_rows(items, merge_level1=False)), items
        subset_rows, subset = township(items)
        if subset:
            yield "township subset", subset_rows, subset
    for first, second in zip(domains, domains[1:] + domains[:1]):
        a, b = items_by_domain[first], items_by_domain[second]
        yield "stacked catalogs", titled(first, table_rows(a)) + titled(second, table_rows(b)), a + b


def key(item: dict) -> tuple:
    return tuple(clean_text(strip_numbering(item.get(f) or "")[1]) for f in ("domain", "level1", "level2", "level3"))


def score(truth: list, read: list) -> tuple[int, int, int]:
    """(fields right, fields in all, phantom items)."""
    by_key = {key(i): i for i in read}
    right = 0
    for item in truth:
        got = by_key.pop(key(item), None)
        if got is None:
            continue
        right += sum(clean_text(item.get(f) or "") == clean_text(got.get(f) or "") for f in TEXT_FIELDS)
        right += sum(set(item.get(f) or []) == set(got.get(f) or []) for f in LIST_FIELDS)
    return right, len(truth) * (len(TEXT_FIELDS) + len(LIST_FIELDS)), len(by_key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chart", help="write the per-format figure as an SVG bar chart")
    args = parser.parse_args()
    totals, per_shape = defaultdict(lambda: [0, 0, 0, 0]), defaultdict(lambda: [0, 0, 0])
    for shape, rows, truth in shapes(demo_items()):
        for fmt in FORMATS:
            data, name = render(rows, fmt)
            read = parse_document(data, name, defaults={"county_code": "990101", "county_name": "青山县"}).items
            right, total, phantoms = score(truth, read)
            for figures in (totals[fmt], per_shape[(shape, fmt)]):
                figures[0] += right
                figures[1] += total
                figures[2] += phantoms
            totals[fmt][3] += 1
    print("| format | files | fields right | phantom items |\n|---|---|---|---|")
    for fmt in FORMATS:
        right, total, phantoms, files = totals[fmt]
        print(f"| {fmt} | {files} | {100 * right / total:.1f} % ({right:,}/{total:,}) | {phantoms} |")
    print("\n| shape | " + " | ".join(FORMATS) + " |\n|---|" + "---|" * len(FORMATS))
    for shape in dict.fromkeys(s for s, _ in per_shape):
        cells = []
        for fmt in FORMATS:
            right, total, phantoms = per_shape[(shape, fmt)]
            cells.append(f"{100 * right / total:.1f} %" + (f" ({phantoms} phantom)" if phantoms else ""))
        print(f"| {shape} | " + " | ".join(cells) + " |")
    if args.chart:
        values = [(fmt, round(100 * totals[fmt][0] / totals[fmt][1], 1)) for fmt in FORMATS]
        Path(args.chart).write_text(str(bars(values, "fields right per format (%)", unit="%")), encoding="utf-8")


if __name__ == "__main__":
    main()
