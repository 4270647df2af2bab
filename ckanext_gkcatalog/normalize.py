"""Normalisers for the element values of published catalogs.

Each takes the text a county printed and returns what it means: working days of a time limit, the
documents of a legal basis, the channels ticked in a ■/□ checklist. The raw text is always kept by
the caller; these functions never invent a value they did not read.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache

from .schema import load_schema
from .text import to_simplified

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = f"[{HAN}]"


# Whitespace between two Han characters (or a Han character and a number in running text) is a line
# wrap of the source ("公开事项 信息形成 或变更之 日起20个"), not a separator. A space before a list
# number ("名称 2.事项简述") or after closing punctuation ("》 各地") is kept: it separates entries.
_WRAP_RE = re.compile(
    rf"(?<={_HAN_RE})\s+(?={_HAN_RE})"
    rf"|(?<={_HAN_RE})\s+(?=\d+(?![\d.、．]))"
    rf"|(?<=\d)\s+(?={_HAN_RE})"
)


def join_wrapped(text: str) -> str:
    return _WRAP_RE.sub("", text)


def clean_text(value) -> str:
    """Width-folded, simplified, wrap-joined and trimmed text; '' for empty cells."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _clean_text(str(value))


@lru_cache(maxsize=8192)  # catalogs repeat their cells (the same basis, content and subject on every row)
def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "")
    text = to_simplified(strip_pinyin_glosses(text))
    return fold_whitespace(join_wrapped(text))


# Hijacked mirror sites republish catalogs with pinyin glosses after characters ("县(xiǎn)级") so that
# search engines take the copy for new text; a gloss has at least one tone-marked vowel.
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,8}\)")


def strip_pinyin_glosses(text: str) -> str:
    return _PINYIN_GLOSS.sub("", text)


# Gambling and similar advertising that hijacked mirrors inject into cells (often replacing the
# disclosing unit's name). Lottery words alone are not here: 福利彩票公益金 is a real subject of these catalogs.
_SPAM = re.compile(r"博彩|娱乐城|娱乐平台|百家乐|棋牌|真人视讯|体育投注|葡京|威尼斯人|太阳城|新濠|澳门(?:赌|娱乐|彩)|"
                   r"注册送|开户送|彩金|老虎机|六合彩|时时彩|北京赛车|pk10|电子游艺|皇冠体育|亚博|bet365|\bbet\d|"
                   r"成人视频|色情|约炮|代孕|办证|刷单", re.I)


def spam_terms(text: str) -> list[str]:
    """The advertising phrases found in a text (empty for honest text)."""
    return list(dict.fromkeys(m.group(0) for m in _SPAM.finditer(text or "")))


def fold_whitespace(text: str) -> str:
    """Runs of spaces -> one space, runs of line breaks (with the spaces around them) -> one line break."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return re.sub(r" *\n[ \n]*", "\n", text).strip()


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


# --- item names -------------------------------------------------------------------------------------

_NUMBERING_RE = re.compile(
    r"^\s*(?:"
    r"(?P<dotted>\d+(?:\s*[.．]\s*\d+)+)[.．、]?"          # 1.1 / 2.2.2
    r"|(?P<simple>\d{1,2})\s*[.．、)]"                    # 1. / 1、 / 1)
    r"|\((?P<paren>\d{1,2}|[一二三四五六七八九十]{1,3})\)"   # (1) / (一)
    r"|(?P<cn>[一二三四五六七八九十]{1,3})[、.．]"          # 一、
    r"|(?P<circled>[\u2460-\u2473])"                      # ①
    r"|(?P<code>\d{3,4})(?=\s|" + _HAN_RE + r"|$)"       # 0505 (code style)
    r")\s*"
)


def strip_numbering(name: str) -> tuple[str, str]:
    """('1.1', '就业政策法规咨询') for '1.1就业政策法规咨询'; ('', name) when there is no numbering."""
    text = clean_text(name)
    match = _NUMBERING_RE.match(text)
    if not match:
        return "", text
    number = next(v for v in match.groupdict().values() if v)
    return re.sub(r"\s+", "", number), text[match.end():].strip()


def clean_name(name) -> str:
    """An item name as the catalog means it: numbering and line wraps removed, one line."""
    return one_line(strip_numbering(name)[1])


# --- time limits ------------------------------------------------------------------------------------

@dataclass
class TimeLimit:
    kind: str  # deadline | immediate | ongoing | periodic | publicity | same_as_above | unknown
    days: int | None = None
    unit: str | None = None  # working_days | days | months
    trigger: str | None = None  # formed_or_changed | made_or_obtained | decision | other
    publicity_days: int | None = None
    text: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def working_days(self) -> float | None:
        """Comparable length in working days (0 for immediate), None when not a fixed deadline."""
        if self.kind == "immediate":
            return 0
        if self.kind != "deadline" or self.days is None:
            return None
        return {"working_days": self.days, "days": self.days * 5 / 7, "months": self.days * 21}.get(self.unit)


_UNITS = {"工作日": "working_days", "个工作日": "working_days", "日": "days", "天": "days", "个月": "months", "月": "months"}
_TRIGGERS = (
    (re.compile(r"形成或(?:者)?变更|形成、变更|变更|形成"), "formed_or_changed"),
    (re.compile(r"制定或(?:者)?获取|获取|制定"), "made_or_obtained"),
    (re.compile(r"作出.{0,8}决定|决定"), "decision"),
)


def parse_time_limit(text) -> TimeLimit:
    raw = clean_text(text)
    flat = re.sub(r"\s+", "", raw)
    if not flat:
        return TimeLimit("unknown", text=raw)
    if flat in ("同上", "同前", "同左"):
        return TimeLimit("same_as_above", text=raw)
    periodic = re.search(r"每(\d+)(个工作日|工作日|日|天|个月|月)", flat)
    if periodic:
        return TimeLimit("periodic", int(periodic.group(1)), _UNITS[periodic.group(2)], text=raw)
    deadline = re.search(r"(\d+)(个工作日|工作日|日内|日|天|个月|月)", flat)
    publicity = re.search(r"公示(?:期)?(?:不少于)?(\d+)个?(?:工作)?日", flat)
    if deadline and not (publicity and deadline.start() == publicity.start(1)):
        unit = _UNITS[deadline.group(2).replace("日内", "日")]
        trigger_text = flat[:deadline.start()]
        trigger = next((name for rx, name in _TRIGGERS if rx.search(trigger_text)), "other")
        return TimeLimit("deadline", int(deadline.group(1)), unit, trigger,
                         int(publicity.group(1)) if publicity else None, raw)
    if publicity:
        return TimeLimit("publicity", publicity_days=int(publicity.group(1)), text=raw)
    if re.search(r"及时|实时|即时|随时|立即", flat):
        return TimeLimit("immediate", text=raw)
    if re.search(r"长期|常年|长年|持续", flat):
        return TimeLimit("ongoing", text=raw)
    return TimeLimit("unknown", text=raw)


# --- legal basis ------------------------------------------------------------------------------------

# The issuer prefix of a bracketed number is one unbroken run of characters (a space before it is a
# separator: "…的通知 辽财债〔2018〕206号"); an order number may be wrapped ("国务院 令第711号").
_DOC_NUMBER = (
    rf"(?:{_HAN_RE}{{1,10}}[〔\[(【]\s*\d{{4}}\s*[〕\])】]\s*第?\s*\d+\s*号)"
    rf"|(?:令\s*(?:第\s*)?\d+\s*号)"
)
_DOC_NUMBER_RE = re.compile(_DOC_NUMBER)
_HAN_CHAR_RE = re.compile(_HAN_RE)


def _document_numbers(text: str) -> list[str]:
    """Document numbers in a text. An order's issuer ("国务院 令第711号") is taken by walking back over at
    most four runs of characters: a regex that backtracks over them is quadratic on long titles."""
    numbers = []
    for match in _DOC_NUMBER_RE.finditer(text):
        start = match.start()
        if match.group(0).startswith("令"):
            for _ in range(4):
                i = start - 1 if start > 1 and text[start - 1] == " " else start  # a wrap inside the issuer
                j = i
                while j > 0 and _HAN_CHAR_RE.match(text[j - 1]):
                    j -= 1
                if j == i:
                    break
                start = j
        numbers.append(text[start:match.end()])
    return numbers
_REVISION_NOTE_RE = re.compile(r"\(([^()]*\d{4}年[^()]*(?:通过|修正|修订|公布|施行)[^()]*)\)\s*$")
# An entry ends at a list number, a bullet, a semicolon or a line break, and where a title or a number
# is followed by a comma, an enumeration mark or a space and then the next title.
_BASIS_SPLIT_RE = re.compile(
    r"[;\n●◆▪·]+"
    r"|(?:^|(?<=[\s,、。]))\d{1,2}\s*[.、](?!\d)"
    r"|(?<=[》)号])\s*[、,]\s*"
    rf"|(?<=[》)号])\s+(?=[《{HAN}])"
)


def _simplified_raw(text) -> str:
    """Width-folded simplified text with its spaces kept: they still separate entries."""
    return to_simplified(unicodedata.normalize("NFKC", str(text or "")))


def parse_basis(text) -> list[dict]:
    """[{'title': ..., 'number': ..., 'note': ...}] for each document cited in a 公开依据 cell."""
    entries: list[dict] = []
    for part in _BASIS_SPLIT_RE.split(_simplified_raw(text)):
        part = part.strip(" ,、。;")
        if not part:
            continue
        numbers = _document_numbers(part)
        title = part
        for number in numbers:
            title = re.sub(r"\(\s*" + re.escape(number) + r"\s*\)?|" + re.escape(number), "", title, count=1)
        title = clean_text(title)
        note = None
        revision = _REVISION_NOTE_RE.search(title)
        if revision:
            note, title = revision.group(1).strip(), title[:revision.start()]
        title = re.sub(r"\s+", "", title).strip(" ,、。;()")
        if re.fullmatch(r"《[^《》]*》", title):
            title = title[1:-1]
        number = "、".join(re.sub(r"\s+", "", n) for n in numbers) or None
        if not title and number and entries:  # a bare number continues the previous document
            prev = entries[-1]
            prev["number"] = "、".join(filter(None, (prev["number"], number)))
            continue
        entries.append({"title": title, "number": number, "note": note})
    return entries


# --- channels, ticks and choice lists ---------------------------------------------------------------

CHECKED = "■▄☑✓✔√●◆"
UNCHECKED = "□▢☐○"
# '口' is an unchecked box only where a box can stand: at the start or after a space or another box
# (glued to the label before it, `■政府网站口政府公报`, it is found by _split_glued_boxes)
_BOX_RE = re.compile(rf"[{CHECKED}{UNCHECKED}]|(?:(?<=^)|(?<=[\s;,、{CHECKED}{UNCHECKED}]))口(?=\S)")
# a list's separators, and the numbers of a numbered list ("1.政府网站 2.两微一端", "1、政府网站2、…")
_LIST_SPLIT_RE = re.compile(r"[、,;\n]+|\s+|(?:^|(?<=\D))\(?\d{1,2}\s*[.、．)](?!\d)")


@dataclass
class ChannelChoice:
    selected: list  # choice values, or the local channel's text when it is not in the vocabulary
    unselected: list
    checklist: bool  # printed as a ■/□ checklist rather than a plain list


def _merge_tokens(tokens: list[str], fld) -> list[str]:
    """Glue tokens that a line wrap split inside one channel name ('村公示', '栏(电子屏)')."""
    out, i = [], 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + 4), i + 1, -1):
            joined = "".join(tokens[i:j])
            if fld.lookup(joined):
                out.append(joined)
                i = j
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _channel_value(label: str, fld) -> str:
    label = clean_text(label).strip(" ,、;")
    return fld.lookup(label) or re.sub(r"\s+", "", label)


def parse_channels(text) -> ChannelChoice:
    fld = load_schema().field("channels")
    raw = _simplified_raw(text)
    boxes = list(_BOX_RE.finditer(raw))
    selected, unselected = [], []
    if boxes:
        for n, box in enumerate(boxes):
            end = boxes[n + 1].start() if n + 1 < len(boxes) else len(raw)
            label = raw[box.end():end]
            if not label.strip():
                continue
            target = selected if box.group(0) in CHECKED else unselected
            first, *glued = _split_glued_boxes(re.sub(r"\s+", "", label), fld)
            target.append(_channel_value(first, fld))
            unselected.extend(_channel_value(part, fld) for part in glued)
        return ChannelChoice(_unique(selected), _unique(unselected), True)
    raw = _lines_or_wrap(raw, fld)
    # split before joining wraps: in a plain list a space separates two channels ("政府网站 党群服务中心")
    tokens = [clean_text(t) for t in _LIST_SPLIT_RE.split(_simplified_raw(raw)) if t.strip()]
    for token in _merge_tokens(tokens, fld):
        selected.append(_channel_value(token, fld))
    return ChannelChoice(_unique(selected), [], False)


def _lines_or_wrap(raw: str, fld) -> str:
    """A cell on several lines is a list, one channel per line, when a line is a channel of the vocabulary
    on its own ('政府网站⏎交通部门网站'); otherwise its lines are one text wrapped ('交通部门⏎网站')."""
    lines = [clean_text(re.sub(r"^\(?\d{1,2}\s*[.、．)]", "", line)) for line in raw.split("\n") if line.strip()]
    if len(lines) < 2 or any(fld.lookup(line) for line in lines) or all(
            line[-1:] in _name_endings() for line in lines[:-1]):
        return raw
    return "".join(raw.split("\n"))


@lru_cache(maxsize=1)
def _name_endings() -> frozenset:
    """The last characters of the vocabulary's channel names (站 报 栏 屏 端 …): a line ending in one reads as
    a whole channel's name, one ending elsewhere ('交通部门') as the first part of a wrapped one."""
    choices = load_schema().field("channels").choices
    names = [c.label("zh_Hans_CN") for c in choices] + [a for c in choices for a in c.aliases]
    return frozenset(name[-1] for name in names if name)


def _split_glued_boxes(label: str, fld) -> list[str]:
    """'政府网站口政府公报' -> ['政府网站', '政府公报']: a 口 glued to the label before it is an unchecked box
    when the text before it is a channel of the vocabulary (口 alone is a word's part: 窗口, 出入口)."""
    parts = []
    while "口" in label:
        for at in (m.start() for m in re.finditer("口", label)):
            head = label[:at].strip(" ,、;")
            if at and fld.lookup(clean_text(head)) and label[at + 1:].strip():
                parts.append(head)
                label = label[at + 1:]
                break
        else:
            break
    return parts + [label]


def _unique(values: list) -> list:
    return list(dict.fromkeys(v for v in values if v))


TICK_TRUE = {"√", "✓", "✔", "☑", "■", "▄", "●", "◆", "v", "y", "yes", "是", "有", "1", "true", "对"}
TICK_FALSE = {"", "×", "x", "✗", "✘", "□", "▢", "☐", "○", "口", "否", "无", "0", "no", "n", "false", "-", "/", "—"}


def tick(cell) -> bool | None:
    """True for a ticked cell, False for a blank or crossed one, None when the cell says something else."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(cell or ""))).lower()
    if text in TICK_TRUE:
        return True
    if text in TICK_FALSE:
        return False
    return None


def expand_tiers(text: str) -> list[str]:
    """'乡、村级' -> ['乡级', '村级']; '县级/乡级' -> ['县级', '乡级']: the tier spellings in a header or cell."""
    text = re.sub(r"\s+", "", clean_text(text))
    # "镇(街)级", "乡(镇、街道)级": the bracket names the same tier's other spellings
    text = re.sub(r"([\u4e00-\u9fff]+)\([^()]*\)级", r"\1级", text)
    # "州级县级": tiers run together, each ending in 级
    text = re.sub(r"(?<=级)(?=[\u4e00-\u9fff]{1,4}级)", "、", text)
    # in "乡、村级" / "县级、乡、村级" the suffix 级 belongs to every head before it
    text = re.sub(r"(?<![级\w])([\u4e00-\u9fff])、(?=(?:[\u4e00-\u9fff]、)*[\u4e00-\u9fff]级)", r"\1级、", text)
    # "镇村级", "县乡村级": one-character tier heads sharing their 级
    text = re.sub(r"(?<![\u4e00-\u9fff])([省市州县区旗乡镇村]{2,4})级(?![\u4e00-\u9fff])",
                  lambda m: "、".join(head + "级" for head in m.group(1)), text)
    return [part for part in re.split(r"[/;,、]", text) if part]


def parse_choice_list(field_name: str, text) -> tuple[list, list]:
    """(values, unknown spellings) for a text cell naming choices, e.g. '全社会' or '县级、乡、村级'."""
    fld = load_schema().field(field_name)
    if field_name == "tiers":  # "区 级" is one wrapped spelling; tiers are split on 、 and / instead
        parts = expand_tiers(text)
    else:  # a space separates two choices ("全社会 特定群众"): split before joining wraps
        parts = [clean_text(p) for p in _LIST_SPLIT_RE.split(_simplified_raw(text)) if p.strip()]
    values, unknown = [], []
    for part in parts:
        value = fld.lookup(part)
        (values if value else unknown).append(value or part)
    return _unique(values), _unique(unknown)


# --- content elements -------------------------------------------------------------------------------

_ELEMENT_SPLIT_RE = re.compile(r"(?:^|(?<=[^\d.]))\d{1,2}\s*[.、)](?!\d)|[●◆▪·;\n]+|(?<=[^\d])[、,](?=\S)")


def content_elements(text) -> list[str]:
    """The listed elements of a 公开内容 cell: '1.事项名称 2.事项简述' -> ['事项名称', '事项简述']."""
    parts = (p.strip(" ,、。;") for p in _ELEMENT_SPLIT_RE.split(clean_text(text)))
    return [one_line(p) for p in parts if p]
