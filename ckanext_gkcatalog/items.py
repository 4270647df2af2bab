"""The item model: a catalog row as read -> a disclosure item with the schema's field names, validated.

An item is a plain dict: the schema fields (domain, level1 ... source_url; channels, audience, mode and
tiers as lists of choice values) plus "parsed" (what the normalisers read: numbering, time limit, basis
documents, content elements, unticked channels) and "raw" (the texts as printed).
"""
from __future__ import annotations

import hashlib
import json

from . import normalize as norm
from .problems import Location, Problem
from .schema import load_schema, validate_item

LIST_FIELDS = ("channels", "audience", "mode", "tiers")


def build_item(raw, location: Location, *, kind: str = "county", defaults: dict | None = None) -> tuple[dict, list]:
    """(item, problems) for a harvesters.tables.RawRow. `defaults` fills fields the table lacks
    (the domain being loaded, the county of the source). `kind` is 'county' or 'baseline'."""
    schema = load_schema()
    problems = [_located(p, location) for p in raw.problems]
    texts = _without_spam(raw, location, problems)
    item: dict = {"parsed": {}, "raw": {k: v for k, v in texts.items() if v}}
    numbers = {}
    for level in ("level1", "level2", "level3"):
        number, name = norm.strip_numbering(texts.get(level, ""))
        item[level] = norm.one_line(name) or None
        if number:
            numbers[level] = number
    if numbers:
        item["parsed"]["numbers"] = numbers
    for name in ("content", "basis", "time_limit", "subject", "department", "person", "county_code",
                 "county_name", "source_url", "source_location"):
        value = norm.clean_text(texts.get(name, ""))
        item[name] = value or None
    for name in ("time_limit", "subject", "county_name"):
        if item.get(name):
            item[name] = norm.one_line(item[name])

    item["domain"] = None
    domain_text = texts.get("domain")
    if domain_text:
        item["domain"] = schema.domain(norm.clean_text(domain_text)) or _domain_in(domain_text)
        if item["domain"] is None:
            problems.append(Problem("unknown_domain", _at(location, raw, "domain"), {"value": domain_text}))

    channels = norm.parse_channels(texts.get("channels", ""))
    item["channels"] = channels.selected
    if channels.unselected:
        item["parsed"]["channels_unselected"] = channels.unselected
    for value in channels.selected:
        if not schema.field("channels").choice(value):
            problems.append(Problem("local_channel", _at(location, raw, "channels"), {"value": value}))

    for group in ("audience", "mode", "tiers"):
        item[group] = _group_values(group, raw, location, problems)

    read_elements(item, texts.get("basis", ""))
    if raw.extras:
        item["parsed"]["extra_columns"] = dict(raw.extras)
    if raw.inherited:
        item["parsed"]["inherited_elements"] = True

    for key, value in (defaults or {}).items():
        if not item.get(key):
            item[key] = value
    unknown = {p.location.field for p in problems if p.code == "vocabulary"}  # the value is the problem, not emptiness
    problems.extend(p for p in validation_problems(item, location, raw, kind)
                    if not (p.code == "required" and p.location.field in unknown))
    return item, problems


def read_elements(item: dict, basis_text: str | None = None) -> None:
    """Record in item["parsed"] what the normalisers read of the time limit, the basis and the content.
    The basis is read from its printed text when given: its spaces still separate documents."""
    parsed = item.setdefault("parsed", {})
    if item.get("time_limit"):
        parsed["time_limit"] = norm.parse_time_limit(item["time_limit"]).as_dict()
    if item.get("basis"):
        parsed["basis"] = norm.parse_basis(basis_text or item["basis"])
    if item.get("content"):
        parsed["content_elements"] = norm.content_elements(item["content"])


def _domain_in(text: str) -> str | None:
    """A domain named inside a longer text, e.g. a caption '(二十)养老服务领域政务公开标准目录'."""
    for choice in load_schema().field("domain").choices:
        if choice.label("zh_Hans_CN") in norm.clean_text(text):
            return choice.value
    return None


def _group_values(group: str, raw, location: Location, problems: list) -> list:
    values = []
    for value, cell in raw.ticks.get(group, {}).items():
        ticked = norm.tick(cell)
        if ticked is None:  # a tick column may hold the choice's name as text ("县级" under 县级)
            named, unknown = norm.parse_choice_list(group, cell)
            if named and not unknown:
                values.extend(named)
                continue
            problems.append(Problem("unknown_tick", _at(location, raw, group), {"value": cell}))
        elif ticked:
            values.append(value)
    text = raw.group_texts.get(group)
    if text:
        found, unknown = norm.parse_choice_list(group, text)
        values.extend(found)
        fld = load_schema().field(group)
        for spelling in unknown:
            problems.append(Problem("vocabulary", _at(location, raw, group),
                                    {"value": spelling, "label_zh": fld.label("zh_Hans_CN"), "label_en": fld.label("en")}))
    return list(dict.fromkeys(values))


def _without_spam(raw, location: Location, problems: list) -> dict:
    """The row's texts with advertising-bearing cells emptied: such a cell's real value is lost (mirrors replace
    it), so the item shows the gap and the finding says why."""
    texts = dict(raw.texts)
    for name, text in raw.texts.items():
        found = norm.spam_terms(norm.clean_text(text))
        if found:
            texts[name] = ""
            problems.append(Problem("spam_text", _at(location, raw, name), {"value": "、".join(found)}))
    return texts


def _at(location: Location, raw, field_name: str) -> Location:
    return Location(location.file, location.sheet, raw.row, raw.columns.get(field_name), field_name)


def _located(problem: Problem, location: Location) -> Problem:
    loc = problem.location
    problem.location = Location(location.file, location.sheet, loc.row or location.row, loc.column, loc.field)
    return problem


def validation_problems(item: dict, location: Location, raw=None, kind: str = "county") -> list:
    problems = []
    for name, codes in validate_item(item, kind).items():
        loc = _at(location, raw, name) if raw is not None else Location(location.file, location.sheet, location.row, None, name)
        for code in codes:
            code, _, value = str(code).partition(":")
            if code not in ("required", "vocabulary", "pattern"):
                code = "invalid"
            params = {"field": name}
            if value or code == "pattern":
                params["value"] = value or item.get(name)
            problems.append(Problem(code, loc, params))
    return problems


def level_path(item, sep: str = " / ") -> str:
    """An item's names from L1 down, without the levels it lacks ('低保 / 政策文件'); `item` is a dict or
    anything with level1..level3 attributes (a stored item, a baseline entry)."""
    get = item.get if isinstance(item, dict) else (lambda key: getattr(item, key, None))
    return sep.join(filter(None, (get("level1"), get("level2"), get("level3"))))


def item_name(item: dict) -> str:
    """The most specific name of an item: L3, else L2, else L1."""
    return item.get("level3") or item.get("level2") or item.get("level1") or ""


def content_hash(item: dict) -> str:
    """A hash of what an item says (schema fields only), to tell a changed item from an unchanged one."""
    fields = {k: item.get(k) for k in load_schema().field_names if k not in ("source_location",)}
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
