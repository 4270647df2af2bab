"""The negative list (负面清单): categories of information a catalog must not disclose, each with its basis and
the words that reveal it, read from schemas/negative_list.yaml, or from the file GKCATALOG_NEGATIVE_LIST
names (which replaces it), extended by GKCATALOG_NEGATIVE_LIST_EXTRA; YAML, or an XLSX with the same keys as
column headers. A word counts only where no `allowed` context covers it: 档案 in 社会保险档案查询 is a service.
Words and contexts are folded to simplified characters, as the parser folds the texts they are sought in.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .schema import load_yaml
from .text import to_simplified

KEYS = ("id", "name_zh", "name_en", "basis", "words", "allowed")


@dataclass(frozen=True)
class Category:
    id: str
    name_zh: str
    name_en: str
    basis: str
    words: re.Pattern
    allowed: re.Pattern | None

    def hits(self, text: str) -> list[str]:
        """The words of this category in `text` that no allowed context covers."""
        found = list(self.words.finditer(text))
        if not found:
            return []
        covered = [m.span() for m in self.allowed.finditer(text)] if self.allowed else []
        return [m.group() for m in found if not any(start <= m.start() and m.end() <= end for start, end in covered)]


class NegativeListError(ValueError):
    """A negative-list file that cannot be used, with the reason."""


def categories_from(entries: list, source: str) -> list[Category]:
    found = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("words"):
            raise NegativeListError(f"{source}: category {n} needs an id and words")
        name = entry.get("name") if isinstance(entry.get("name"), dict) else {}
        words, allowed = _listed(entry.get("words")), _listed(entry.get("allowed"))
        try:
            found.append(Category(str(entry["id"]), str(entry.get("name_zh") or name.get("zh") or entry["id"]),
                                  str(entry.get("name_en") or name.get("en") or entry["id"]),
                                  str(entry.get("basis") or ""),
                                  re.compile("|".join(re.escape(to_simplified(w))
                                                      for w in sorted(words, key=len, reverse=True))),
                                  re.compile("|".join(f"(?:{to_simplified(a)})" for a in allowed)) if allowed else None))
        except re.error as exc:
            raise NegativeListError(f"{source}: category {entry['id']}: {exc}")
    return found


def _listed(value) -> list[str]:
    if isinstance(value, str):
        return [w.strip() for w in re.split(r"[、,，;；\n]", value) if w.strip()]
    return [str(w) for w in value or [] if str(w).strip()]


def read_file(path: str) -> list[Category]:
    """Categories from a YAML file or an XLSX whose header row names the keys."""
    if path.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
        header = [str(c or "").strip() for c in rows[0]] if rows else []
        if "id" not in header or "words" not in header:
            raise NegativeListError(f"{path}: the first row must name the columns {', '.join(KEYS)}")
        entries = [{k: v for k, v in zip(header, row) if k in KEYS and v is not None} for row in rows[1:] if any(row)]
        return categories_from(entries, path)
    with open(path, encoding="utf-8") as fh:
        document = load_yaml(fh)
    if not isinstance(document, dict) or not isinstance(document.get("categories"), list):
        raise NegativeListError(f"{path}: expected a mapping with a 'categories' list")
    return categories_from(document["categories"], path)


class NegativeList(tuple):
    """The categories, and all their words in one pattern: most texts have none, and one search says so.
    Hashed by identity: one list per configuration, cached."""

    __hash__ = object.__hash__
    __eq__ = object.__eq__

    def __new__(cls, categories):
        found = super().__new__(cls, categories)
        found.any_word = re.compile("|".join(c.words.pattern for c in found)) if found else None
        return found


@lru_cache(maxsize=1)
def negative_list() -> NegativeList:
    replaced, extra = os.environ.get("GKCATALOG_NEGATIVE_LIST"), os.environ.get("GKCATALOG_NEGATIVE_LIST_EXTRA")
    if replaced:
        found = read_file(replaced)
    else:
        shipped = resources.files("ckanext_gkcatalog.schemas").joinpath("negative_list.yaml").read_text(encoding="utf-8")
        found = categories_from(load_yaml(shipped)["categories"], "negative_list.yaml")
    if extra:
        found += read_file(extra)
    return NegativeList(found)


def negative_hits(text: str) -> list[tuple[Category, list[str]]]:
    """(category, words) for each category `text` falls in; `text` as the parser cleans it (simplified)."""
    return list(_hits(text or "", negative_list()))


@lru_cache(maxsize=16384)  # a province repeats its names and contents in every county
def _hits(text: str, categories: NegativeList) -> tuple:
    if not text or categories.any_word is None or not categories.any_word.search(text):
        return ()
    return tuple((category, words) for category in categories if (words := category.hits(text)))
