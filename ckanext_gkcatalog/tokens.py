"""The search's text analysis, one for the index and the query, for SQLite FTS5 and PostgreSQL alike.

Chinese has no spaces between words, so Han text is cut into overlapping pairs of characters (CJK bigrams,
as Lucene's CJKBigramFilter does): 最低生活保障 -> 最低 低生 生活 活保 保障, and a two-character word such
as 低保 is one token, found wherever it occurs. Single characters are kept in a stream of their own, for
one-character queries. Latin words and numbers are tokens whole (文号 such as 国发〔2015〕23号 give
国发 2015 23 号). Text is folded first, at index and query time alike: NFKC (full-width to half-width),
traditional to simplified characters, lower case. Domain synonyms (schemas/synonyms.yaml) expand a query.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .schema import load_yaml
from .text import to_simplified

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_HAN}]+|[a-z0-9]+")
MAX_QUERY_CHARS = 200  # a longer query is cut: nobody types more, and every term costs a join


def fold(text: str) -> str:
    """The comparison form of text: half-width, simplified, lower case."""
    return to_simplified(unicodedata.normalize("NFKC", text or "")).lower()


def _runs(text: str) -> list[str]:
    return _RUNS.findall(fold(text))


_PAIRS = re.compile(r"(?=(..))")  # every overlapping pair of characters, found in C
_HAN_CHARS = re.compile(rf"[{_HAN}]")


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else _PAIRS.findall(run)


def _is_han(run: str) -> bool:
    return not run.isascii()


def _bigram_tokens(runs: list) -> list:
    return [token for run in runs for token in (_bigrams(run) if _is_han(run) else (run,))]


def bigram_stream(text: str) -> str:
    """The indexed stream: each Han run as its bigrams (a lone character as itself), each Latin word or
    number whole, space-separated in reading order, so that a phrase of bigrams matches adjacent text."""
    return streams([text])[0][0]


def unigram_stream(text: str) -> str:
    """Every Han character once: what a one-character query looks in."""
    return streams([text])[1]


def streams(texts: list) -> tuple[list, str]:
    """The bigram stream of each text and the unigram stream of them all, folding the texts in one call
    (folding is most of the cost of indexing an item)."""
    folded = fold("\n".join(" ".join(t.split()) for t in texts))
    runs = [_RUNS.findall(part) for part in folded.split("\n")]
    return [" ".join(_bigram_tokens(part)) for part in runs], " ".join(dict.fromkeys(_HAN_CHARS.findall(folded)))


@dataclass(frozen=True)
class Term:
    """One query word: a phrase of tokens in one of the two streams, or (with synonyms) any of its
    alternatives; `words` are the folded words it stands for, which the snippets highlight."""
    tokens: tuple
    stream: str  # "bigrams" or "unigrams"
    alternatives: tuple = ()  # more phrases, each as good as `tokens`
    words: tuple = ()

    @property
    def phrases(self) -> tuple:
        return (self.tokens, *self.alternatives)


MAX_TERMS = 32  # every term is one more index look-up


def query_terms(query: str, synonyms: bool = False) -> list[Term]:
    """The words of a query, each as a phrase: a Han word of two or more characters as its bigrams, a single
    Han character in the unigram stream, a Latin word or number as itself. Every term must match; with
    `synonyms`, a word that holds a synonym also matches the word with each other term of its group."""
    terms = []
    for run in _runs((query or "")[:MAX_QUERY_CHARS]):
        if _is_han(run) and len(run) == 1:
            terms.append(Term((run,), "unigrams", words=(run,)))
        elif not _is_han(run):
            terms.append(Term((run,), "bigrams", words=(run,)))
        else:
            variants = _variants(run) if synonyms else [run]
            terms.append(Term(tuple(_bigrams(run)), "bigrams",
                              tuple(tuple(_bigrams(v)) for v in variants if v != run), tuple(variants)))
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def _variants(run: str) -> list[str]:
    """The run, and the run with its synonym (the longest found) replaced by each other term of its group."""
    found = [(len(term), term, group) for group in synonym_groups() for term in group if term in run]
    if not found:
        return [run]
    _, term, group = max(found)
    return list(dict.fromkeys([run, *(run.replace(term, other) for other in group)]))


@lru_cache(maxsize=4)
def _synonym_groups(path: str | None) -> tuple:
    if path:
        with open(path, encoding="utf-8") as fh:
            document = load_yaml(fh)
    else:
        document = load_yaml(resources.files("ckanext_gkcatalog.schemas").joinpath("synonyms.yaml")
                                  .read_text(encoding="utf-8"))
    groups = (document or {}).get("groups") or []
    return tuple(tuple(dict.fromkeys(fold(str(term)) for term in group if str(term).strip())) for group in groups)


def synonym_groups() -> tuple:
    """The groups of schemas/synonyms.yaml, or of the file GKCATALOG_SYNONYMS names, folded."""
    return _synonym_groups(os.environ.get("GKCATALOG_SYNONYMS") or None)


def expansions(query: str) -> list[tuple[str, list[str]]]:
    """[(a synonym found in the query, the other terms of its group)]: the page says what was added."""
    folded = fold(query or "")
    found = []
    for group in synonym_groups():
        for term in group:
            if term in folded:
                found.append((term, [other for other in group if other != term]))
                break
    return found
