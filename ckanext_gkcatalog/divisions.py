"""Administrative divisions that publish catalogs: counties (6-digit 行政区划代码) and townships (乡镇/街道,
9 digits: the county's 6 and 3 of its own). The 12-digit codes of the statistical division list
(统计用区划代码) are accepted too: a county's ends in 000000 and a township's in 000.

Province → city → county → township: a township's county is the first 6 digits of its code, a county's
city its first 4 (then 00). A township publishes the township subset of each baseline: the items whose
tiers include 乡级 or 村级.
"""
from __future__ import annotations

import re

COUNTY, TOWNSHIP = "county", "township"
TOWNSHIP_TIERS = frozenset({"township", "village"})
_DIGITS = re.compile(r"\d{6}|\d{9}|\d{12}")


def normalize_code(text) -> str | None:
    """The 6-digit county or 9-digit township code `text` stands for, or None when it is neither (a
    12-digit code is shortened; a village's, 12 digits not ending in 000, is refused)."""
    code = re.sub(r"\s+", "", str(text or ""))
    if code.endswith(".0"):  # a number a spreadsheet stored
        code = code[:-2]
    if not _DIGITS.fullmatch(code):
        return None
    if len(code) == 12:
        if code.endswith("000000"):
            return code[:6]
        if not code.endswith("000"):
            return None
        code = code[:9]
    if code.endswith("000") and len(code) == 9:  # the county itself, written as a township
        return None
    return code


def level(code: str) -> str:
    return TOWNSHIP if len(code or "") == 9 else COUNTY


def is_township(code: str) -> bool:
    return len(code or "") == 9


def county_of(code: str) -> str:
    """The county a division belongs to (a county: itself)."""
    return (code or "")[:6]


def township_subset(items: list) -> list:
    """A baseline's items a township publishes: those whose tiers include township or village. A baseline
    that gives no item a tier cannot be narrowed: all of it."""
    tiered = [i for i in items if _tiers(i)]
    if not tiered:
        return list(items)
    return [i for i in tiered if _tiers(i) & TOWNSHIP_TIERS]


def _tiers(item) -> set:
    elements = item.get("elements") if isinstance(item, dict) else getattr(item, "elements", None)
    return set((elements or {}).get("tiers") or ())
