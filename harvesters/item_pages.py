"""A catalog item published as a page of its own: a block of labelled values (基本信息: 所属领域 / 一级事项 /
二级事项 / 公开时限 / 公开方式 / 公开依据 / 公开主体 / 公开层级N + 公开渠道和载体) read into one catalog row.

The labels are the catalog header's own words, found wherever the page puts them: in table cells beside
their values, in <dt>/<dd>, as '公开时限:' before the text, or run together on one line. A label's value
is the text after it, up to the next label, within the label's own row or paragraph. A page whose labels
stand in a row of their own with the values underneath is a one-row catalog table, and tables.py reads it.
"""
from __future__ import annotations

import re

from ckanext_gkcatalog.normalize import to_simplified

from .headers import TICK_GROUPS, top_role
from .html_tables import decode_html, hidden
from .tables import RawRow

# how a label is spelled on item pages: the catalog header's element names (traditional ones are simplified
# first); top_role() then says which field each one is
_LABEL = re.compile(
    r"(所属领域|试点领域|一级(?:事项|目录)|二级事项|三级事项|事项名称|公开事项(?:名称)?|公开(?:具体)?内容(?:\s*[(（]要素[)）])?"
    r"|公开依据|公开时限|公开主体|公开对象|公开方式|公开层级\s*\d*|公开渠道(?:和载体)?|公开载体|(?:公开)?责任(?:部门|单位|科室))"
    r"(?=\s*[:：]|\s|$)")
# page furniture that ends a value: the headings of the page's parts
_SECTION = re.compile(r"^(基本信息|详细信息|相关(附件|链接|文件|信息)|附件(下载)?|打印本页|关闭窗口|分享到)[:：]?$")
_INLINE = {"a", "font", "em", "i", "u", "sup", "sub", "span", "b", "strong", "label"}
_CELLS = ("td", "th", "dt", "dd")  # a label in a cell: its value is in the cells beside it
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6")
MAX_VALUE = 4000  # characters kept of one value: a page's whole text is not one element
MIN_LABELS = 3  # labelled values a page needs before it is read as an item page


def read_item_page(data: bytes, name: str) -> RawRow | None:
    """The catalog row an item page's labelled values give, or None when the page is not one (no name of
    the item among at least MIN_LABELS labelled values): its tables are then read as usual."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(decode_html(data, name))
    except Exception:  # an empty or broken page is reported by the table reader
        return None
    pairs, bare = labelled_values(root)
    roles = {role for role, _ in pairs}
    # a catalog's header row is labels side by side; an item page's labels each have their value
    if len(pairs) < MIN_LABELS or bare * 2 > len(pairs) or not roles & {"level1", "level2", "items"}:
        return None
    raw = RawRow(row=0)  # a page has no rows: its findings name the page alone
    for role, value in pairs:
        if role in TICK_GROUPS:  # 公开层级1 县级 … 公开层级2 乡、村级: every tier the page names
            raw.group_texts[role] = "、".join(filter(None, (raw.group_texts.get(role), value)))
        elif role == "channels" and raw.texts.get(role):  # one channel list per tier: all of them
            known = raw.texts[role].split("\n")
            raw.texts[role] += "".join("\n" + line for line in value.split("\n") if line not in known)
        elif role in ("items", "level2") and not raw.texts.get("level2"):
            raw.texts["level2"] = value
        elif role not in raw.texts:
            raw.texts[role] = value
    raw.texts.pop("items", None)
    if not raw.texts.get("level2"):
        raw.texts["level2"] = _title(root)
    return raw


def labelled_values(root) -> tuple[list[tuple[str, str]], int]:
    """[(role, value)] in page order for every label followed by a value, and how many labels had none."""
    pairs, current, scope, values, bare = [], None, None, [], 0

    def close():
        nonlocal bare
        if current and values:
            pairs.append((current, "\n".join(values)[:MAX_VALUE]))
        elif current:
            bare += 1

    for element, text in _chunks(root):
        pieces = list(_split_labels(to_simplified(text)))
        for is_label, piece in pieces:
            if is_label or _SECTION.match(piece):
                close()
                if bare >= 2 * MIN_LABELS and bare * 2 > len(pairs):
                    return pairs, bare  # a catalog's header row: no need to read the rest of the page
                current, values = (top_role(piece) if is_label else None), []
                scope = _scope(element, alone=len(pieces) == 1)
            elif current and (scope is None or element is scope or scope in element.iterancestors()):
                values.append(piece)
    close()
    return pairs, bare


def _chunks(root):
    """(element, text) for each run of text between block boundaries, in page order; inline markup
    (<a>, <span>, <b> …) stays inside its run, hidden text is dropped."""
    body = root.find("body")
    body = root if body is None else body
    parts, owner = [], body

    def flush():
        text = "".join(parts).replace("\xa0", " ").strip()
        parts.clear()
        if text:
            yield owner, text

    def walk(el):
        nonlocal owner
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript") or hidden(el):
            return
        block = el.tag not in _INLINE
        if block:
            yield from flush()
            owner = el
        if el.tag == "br":
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            yield from walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            yield from flush()
            owner = el.getparent() if el.getparent() is not None else el

    yield from walk(body)
    yield from flush()


def _split_labels(text: str):
    """(is_label, text) pieces of one run: '一级事项 社会保障卡服务 二级事项 社会保障卡申领' is two labels
    and two values; '公开时限:20个工作日' is a label and its value."""
    at = 0
    for match in _LABEL.finditer(text):
        if match.start() and not text[match.start() - 1].isspace():
            continue  # inside a longer phrase ('依据公开依据' is not ours to cut)
        before = text[at:match.start()].strip(" \t:：")
        if before:
            yield False, before
        yield True, re.sub(r"\s+", "", match.group(1))
        at = match.end()
        while at < len(text) and text[at] in " \t:：":
            at += 1
    rest = text[at:].strip()
    if rest:
        yield False, rest


def _scope(element, alone: bool):
    """Where a label's value is: the rest of its table row or <dl>; else the rest of its paragraph, or,
    when the label stands alone there (a heading '公开具体内容'), the paragraphs that follow it."""
    while element is not None:
        if element.tag in _CELLS:
            return element.getparent()
        if element.tag in _BLOCKS:
            return element.getparent() if alone else element
        element = element.getparent()
    return None


def _title(root) -> str:
    for path in ("//h1", "//h2", "//title"):
        found = root.xpath(path)
        if found and found[0].text_content().strip():
            return found[0].text_content().strip()
    return ""
