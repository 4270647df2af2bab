"""HTML pages: every innermost <table> as a grid, spans copied into every position they cover (bounded),
text a browser hides dropped, and the heading above each table kept as its caption."""
from __future__ import annotations

import re

from ckanext_gkcatalog.normalize import fold_whitespace

from .grids import Grid, decode_text, max_cells, too_large, unreadable

_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6")


def _html_text(element) -> str:
    """Cell text with line breaks where the page breaks lines (<br>, <p>), scripts and styles dropped."""
    parts = []

    def walk(el):
        if not isinstance(el.tag, str) or el.tag in ("script", "style") or hidden(el):
            if el.tail:
                parts.append(el.tail)
            return
        if el.tag in _BLOCKS:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
        if el.tag in _BLOCKS:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    return fold_whitespace("".join(parts).replace("\xa0", " "))


def hidden(el) -> bool:
    """Text a browser does not show: where mirror sites hide injected advertising."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.get("hidden") is not None or any(
        rule in style for rule in ("display:none", "visibility:hidden", "font-size:0;", "font-size:0px"))


def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1")), 500))
    except ValueError:
        return 1


def _table_rows(table, name: str, sheet: str) -> list:
    """A <table> as a grid: cells spanning rows or columns are copied into every position they cover.
    The cells a table claims (its spans included) are counted before they are made."""
    grid: dict = {}
    claimed, limit = 0, max_cells()
    for r, tr in enumerate(table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
        c = 0
        for cell in tr.xpath("./td|./th"):
            while (r, c) in grid:
                c += 1
            rows, cols = _span(cell, "rowspan"), _span(cell, "colspan")
            claimed += rows * cols
            if claimed > limit:
                raise too_large(name, sheet, r + 1)
            text = _html_text(cell)
            for dr in range(rows):
                for dc in range(cols):
                    grid[(r + dr, c + dc)] = text
            c += cols
    if not grid:
        return []
    height = max(r for r, _ in grid) + 1
    width = max(c for _, c in grid) + 1
    if height * width > limit:  # sparse spans can still make a large rectangle
        raise too_large(name, sheet)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]


# a page's publication line between its heading and the table: '发布时间:… 来源:… 浏览次数:…'
_PUBLICATION_LINE = re.compile(r"^(?:发布(?:时间|日期|机构)|来源|信息来源|浏览|访问|点击|作者|字号|【|打印|关闭|分享)|\d{4}[-/年]\d")
CAPTION_LINES = 6  # the lines before a table searched for its title


def _caption(table) -> str:
    """The table's <caption>, or its title among the lines just before it (a heading such as
    '(二十)养老服务领域…目录'): the nearest naming a 目录, else the nearest that is not the page's
    publication line (发布时间, 来源 …)."""
    caption = table.find("caption")
    if caption is not None:
        return _html_text(caption)
    lines = _lines_before(table)
    titled = next((line for line in lines if "目录" in line), None)
    return (titled or next((line for line in lines if not _PUBLICATION_LINE.search(line)), ""))[:200]


def _lines_before(element) -> list[str]:
    """Up to CAPTION_LINES text lines before the element, nearest first, climbing out of its parents."""
    lines = []
    while element is not None and element.tag not in ("body", "html") and len(lines) < CAPTION_LINES:
        for previous in element.itersiblings(preceding=True):
            if previous.tag == "table" or previous.find(".//table") is not None:
                return lines[:CAPTION_LINES]  # another table's text is not this one's title
            lines.extend(reversed([line.strip() for line in _html_text(previous).splitlines() if line.strip()]))
            if len(lines) >= CAPTION_LINES:
                break
        element = element.getparent()
    return lines[:CAPTION_LINES]


def read_html(data: bytes, name: str) -> list[Grid]:
    import lxml.html

    text = decode_html(data, name)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises ParserError/ValueError for empty or broken documents
        raise unreadable(name, str(exc) or "empty page")
    grids = []
    # innermost tables only: layout tables that wrap the catalog would repeat it
    for n, table in enumerate((t for t in root.iter("table") if not t.xpath(".//table")), start=1):
        rows = _table_rows(table, name, f"table {n}")
        if rows:
            grids.append(Grid(name, f"table {n}", rows, caption=_caption(table)))
    return grids


def decode_html(data: bytes, name: str) -> str:
    """Valid UTF-8 is UTF-8 whatever the page declares (templates copied from GBK sites keep their
    charset=gbk); else the declared charset (GBK pages say so); else GB18030 / detection."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    head = data[:4096].decode("ascii", "ignore")
    declared = re.search(r"charset=[\"']?([\w-]+)", head, re.I)
    if declared:
        try:
            return data.decode({"gb2312": "gb18030", "gbk": "gb18030"}.get(declared.group(1).lower(),
                                                                           declared.group(1)))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, name)
