"""Compliance checks of a county's catalog for one domain against its baseline: one Problem per finding,
each with a rule id (the Problem code), a severity, a Chinese and English message and the item's location.

Per item (run when the item is imported): time limit longer than the baseline's; basis without a document
number; values outside the vocabularies; audience, mode or tiers unmarked; ID-card (checksum-validated) and
mobile numbers in published text; additions overlapping a baseline item. Per county (run when it is scored):
the same item listed twice; the same catalog differing between two platforms; a stale catalog.

Plain data in and out: no store, no web.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from rapidfuzz import fuzz
from stdnum.cn import ric

from .items import level_path
from .matching import match_key
from .negative_list import negative_hits
from .normalize import TimeLimit, content_elements
from .tokens import synonym_groups
from .problems import Location, Problem
from .schema import load_schema

STALE_AFTER_DAYS = 365  # catalogs are reviewed at least yearly (动态调整)
MARKED_GROUPS = ("audience", "mode", "tiers")
PUBLISHED_TEXT = ("level1", "level2", "level3", "content", "basis", "time_limit", "subject", "department", "person")
_ID_NUMBER = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# a basis gives the full title and 文号, "不需给出具体条款" (henan-notice-catalog-compilation-2020)
_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+[条款]")
_SUBJECT_SPLIT = re.compile(r"[、,，;；/和及]")
_VAGUE_SUBJECT = re.compile(r"(各|本|其他|所有)?(相关|有关|各|责任|主管|业务|职能)?(部门|科室|单位|股室|处室|机构|责任单位)"
                            r"(等)?|待定|无|暂无|略|-+|/")
_UNSPECIFIED_CHANNEL = re.compile(r"other|其他[\s:：()（）]*")
# the elements a service guide lists, by domain (the national guide's for employment and social insurance;
# the civil-affairs baselines' for social assistance and elderly care): (element, its spellings)
_GUIDE_COMMON = [("事项名称", ("事项名称", "办理事项", "服务事项", "事项简述")),
                 ("办理材料", ("办理材料", "申请材料", "申报材料", "所需材料", "提交材料")),
                 ("办理地点", ("地点", "办理机构", "受理机构", "办理窗口"))]
SERVICE_GUIDE = {
    None: _GUIDE_COMMON + [("办理流程", ("办理流程", "办理方式", "办理程序", "流程")),
                           ("联系方式", ("咨询", "联系方式", "联系电话"))],
    "employment": _GUIDE_COMMON + [("办理方式", ("办理方式", "办理流程", "办理程序")),
                                   ("办理时限", ("办理时限", "承诺时限", "办结时限")),
                                   ("收费标准", ("收费",)), ("咨询途径", ("咨询", "联系电话", "联系方式"))],
    "social_assistance": _GUIDE_COMMON + [("办理条件", ("办理条件", "申请条件", "受理条件")),
                                          ("办理流程", ("办理流程", "办理程序", "流程")),
                                          ("联系方式", ("联系方式", "联系电话", "咨询"))],
}
SERVICE_GUIDE["social_insurance"] = SERVICE_GUIDE["employment"]
SERVICE_GUIDE["elderly_care"] = SERVICE_GUIDE["social_assistance"]


@dataclass
class Published:
    """When and where a county published its catalog of a domain: one per source."""
    source_id: int
    url: str
    published_at: datetime | None  # Last-Modified, else when its content was first harvested
    offered: list  # item ids


def item_location(item: dict, field: str | None = None) -> Location:
    where = (item.get("location") or {})
    sheet, _, row = (where.get("at") or "").rpartition("#")
    return Location(where.get("url"), sheet or None, int(row) if row.isdigit() else None, None, field)


def check_item(item: dict, baseline_item: dict | None) -> list[Problem]:
    fields, parsed = item["fields"], item.get("parsed") or {}
    problems = []

    def add(code, field_name=None, **params):
        problems.append(Problem(code, item_location(item, field_name), params))

    if baseline_item and parsed.get("time_limit") and baseline_item.get("time_limit_days") is not None:
        days = TimeLimit(**parsed["time_limit"]).working_days
        if days is not None and days > baseline_item["time_limit_days"]:
            add("time_limit_longer", "time_limit", value=fields.get("time_limit"), baseline=baseline_item.get("time_limit"))
    documents = parsed.get("basis") or []
    if documents and not any(d.get("number") for d in documents):
        add("basis_without_number", "basis", value=fields.get("basis"))
    for name, allowed in load_schema().closed_vocabularies.items():  # the schema's choices, checked directly: a
        values = fields.get(name)                           # marshmallow pass per item was half the time
        for value in (values if isinstance(values, list) else [values] if values else []):
            if value not in allowed:
                add("vocabulary", name, value=value)
        if name in MARKED_GROUPS and not values:
            add("unmarked", name)
    for name in PUBLISHED_TEXT:
        text = fields.get(name) or ""
        for number in _ID_NUMBER.findall(text):
            if ric.is_valid(number):
                add("personal_id_number", name, value=number)
        for number in _MOBILE.findall(text):
            add("personal_mobile", name, value=number)
    element_problems(item, baseline_item, add)
    return problems


def element_problems(item: dict, baseline_item: dict | None, add) -> None:
    """The element rules of the policy texts (henan-notice-catalog-compilation-2020, the national guide) and
    the negative list; `add(code, field, **params)` records each finding."""
    fields = item["fields"]
    basis = fields.get("basis") or ""
    article = _ARTICLE.search(basis)
    if article:
        add("basis_cites_article", "basis", value=article.group())
    subject = fields.get("subject") or ""
    parts = [p for p in _SUBJECT_SPLIT.split(subject) if p.strip()]
    if parts and all(_VAGUE_SUBJECT.fullmatch(p.strip()) for p in parts):
        add("vague_subject", "subject", value=subject)
    if any(_UNSPECIFIED_CHANNEL.fullmatch(str(c)) for c in fields.get("channels") or []):
        add("channels_unspecified", "channels")
    missing = service_guide_gaps(item, baseline_item)
    if missing:
        add("service_guide_incomplete", "content", missing="、".join(missing))
    flagged = set()
    for name in ("level1", "level2", "level3", "content"):
        for category, words in negative_hits(fields.get(name) or ""):
            if category.id not in flagged:  # once per category: the name and its content often say it twice
                flagged.add(category.id)
                add("negative_list", name, category=category.name_zh, category_en=category.name_en,
                    basis=category.basis, value="、".join(dict.fromkeys(words)))


def service_guide_gaps(item: dict, baseline_item: dict | None = None) -> list[str]:
    """The service-guide elements an item's content lacks. Against its baseline item's listed elements when
    the item is a service guide (named 办事指南 or 服务指南, or listing three of the elements); an item
    named so without a baseline item's list, against its domain's list (SERVICE_GUIDE)."""
    fields = item["fields"]
    named = any("办事指南" in (fields.get(k) or "") or "服务指南" in (fields.get(k) or "") for k in ("level2", "level3"))
    return list(_guide_gaps(fields.get("content") or "", (baseline_item or {}).get("content") or "",
                            fields.get("domain") or item.get("domain"), named))


@lru_cache(maxsize=16384)  # the same content against the same baseline item, county after county
def _guide_gaps(content: str, baseline_content: str, domain: str | None, named: bool) -> tuple:
    if not content:
        return ()
    groups, spellings = _guide_groups(domain)
    present = {spellings[s] for s in spellings.pattern.findall(content)} if spellings.pattern.pattern else set()
    expected = _listed_elements(baseline_content)
    if len(expected) >= 3 and (named or len(present) >= 3):
        have = match_key(content)
        return tuple(e for e in expected if not any(match_key(v) in have or fuzz.partial_ratio(match_key(v), have) >= 80
                                                    for v in _element_variants(e)))
    return tuple(name for name, _ in groups if name not in present) if named else ()


class _Spellings(dict):
    """spelling -> its element, with one pattern that finds them all."""
    pattern: re.Pattern


@lru_cache(maxsize=None)
def _guide_groups(domain: str | None) -> tuple:
    groups = SERVICE_GUIDE.get(domain, SERVICE_GUIDE[None])
    spellings = _Spellings((s, name) for name, group in reversed(groups) for s in group)
    spellings.pattern = re.compile("|".join(map(re.escape, sorted(spellings, key=len, reverse=True))))
    return groups, spellings


@lru_cache(maxsize=4096)
def _listed_elements(content: str) -> tuple:
    return tuple(content_elements(content)) if content else ()


@lru_cache(maxsize=4096)
def _element_variants(element: str) -> tuple:
    """An element and its rewordings by a synonym (低保标准 for 最低生活保障标准)."""
    return (element, *{element.replace(a, b) for group in synonym_groups() for a in group if a in element
                       for b in group if b != a})


def item_problems(item: dict, match, baseline: dict) -> list[Problem]:
    """An item's findings once matched: its own rules, and an addition overlapping a baseline item.
    `baseline` maps codes to baseline items (dicts with level2, level3, time_limit and time_limit_days)."""
    problems = check_item(item, baseline.get(match.code) if match and match.code else None)
    if match and match.code is None and match.overlaps:
        overlapped = baseline.get(match.overlaps, {})
        problems.append(Problem("overlapping_addition", item_location(item),
                                {"baseline": overlapped.get("level3") or overlapped.get("level2")}))
    return problems


def name_key(item: dict) -> str:
    """Two items of a county and domain with the same key are the same item listed twice."""
    return match_key(item.get("level1")) + "|" + match_key(item.get("level3") or item.get("level2"))


def duplicate_problems(items: list[dict]) -> dict:
    """{item id: Problem} for every item that repeats an earlier one (items in catalog order, with name_key)."""
    first_by_key, problems = {}, {}
    for item in items:
        key = item["name_key"]
        if key in first_by_key:
            problems[item["id"]] = Problem("duplicate_name", item_location(item), {"other": first_by_key[key]})
        else:
            first_by_key[key] = level_path(item)
    return problems


def county_problems(published: list[Published], now: datetime, items: int = 0) -> list[Problem]:
    """The county rules of one domain's catalog: platforms that differ, a stale catalog, no catalog at all."""
    if not published and not items:
        return [Problem("domain_not_published", Location())]
    problems = []
    for i, here in enumerate(published):
        for there in published[i + 1:]:
            only_here, only_there = set(here.offered) - set(there.offered), set(there.offered) - set(here.offered)
            if only_here or only_there:
                problems.append(Problem("platform_mismatch", Location(file=here.url), {
                    "here": here.url, "there": there.url, "only_here": len(only_here), "only_there": len(only_there)}))
    dates = [p.published_at for p in published if p.published_at]
    if dates:
        newest = max(dates)
        age = (now - newest).days
        if age > STALE_AFTER_DAYS:
            problems.append(Problem("stale_catalog", Location(file=published[0].url),
                                    {"days": age, "date": newest.date().isoformat()}))
    return problems
