"""A small in-memory stand-in for the Solr connection (pysolr.Solr), the one part of CKAN that cannot run
here. It replaces `make_connection` only, so CKAN's own indexing (before_dataset_index hooks included) and
query building run unchanged. It understands what CKAN sends: `*:*` or words for q, `+field:value`,
`field:"value"`, `field:(a OR b)`, `+(f:a OR g:b)` and `-field:value` clauses in q and fq, rows, start, sort on one field,
and facet.field counts.

Words in q are found as the extension's Solr schema (ckanext_gkcatalog/ckan/solr/schema.xml) finds them: in
the catch-all "text" field, made of the fields the schema copies into it, analysed as its "text" type does
(full-width folded, lower-cased, Chinese as overlapping character pairs with single characters kept in the
index; a query word must match all its pairs). It is not Solr: no stemming, no relevance ranking.
"""
from __future__ import annotations

import fnmatch
import re
import sys
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

_CLAUSE = re.compile(r'([+-]?)([\w.]+):(\([^)]*\)|"(?:[^"\\]|\\.)*"|\S+)')
_GROUP = re.compile(r'(?<![\w:])([+-]?)\(([^()]*:[^()]*)\)')  # +(id:"x" OR name:"x"), as delete_package sends


class Results:
    def __init__(self, docs, hits, facets):
        self.docs, self.hits, self.facets = docs, hits, facets


class MemoryIndex:
    def __init__(self):
        self.docs: dict = {}
        self.lock = threading.Lock()
        self.url = "memory://solr"
        self.added: list = []  # ids, one per document sent (the tests count indexings)
        self.commits = 0  # hard commits asked for, with add() or on their own

    # --- pysolr.Solr's methods that CKAN calls ---------------------------------------------------
    def add(self, docs, commit=True, **_):
        with self.lock:
            self.added.extend(doc["id"] for doc in docs)
            self.commits += bool(commit)
            for doc in docs:
                self.docs[doc["index_id"] if "index_id" in doc else doc["id"]] = dict(doc)

    def delete(self, q=None, id=None, commit=True, **_):
        with self.lock:
            if q in ("*:*", None) and id is None:
                self.docs.clear()
                return
            for key, doc in list(self.docs.items()):
                if (id is not None and doc.get("id") == id) or (q and _matches(doc, q)):
                    del self.docs[key]

    def commit(self, **_):
        self.commits += 1

    def search(self, q="*:*", **params):
        with self.lock:
            docs = list(self.docs.values())
        filters = params.get("fq") or []
        filters = [filters] if isinstance(filters, str) else list(filters)
        found = [d for d in docs if _matches(d, q or "*:*") and all(_matches(d, f) for f in filters)]
        sort = (params.get("sort") or "").split(",")[0].split()
        if sort and sort[0] not in ("score",):
            found.sort(key=lambda d: str(d.get(sort[0]) or ""), reverse=len(sort) > 1 and sort[1] == "desc")
        start, rows = int(params.get("start") or 0), int(params.get("rows") or 10)
        fields = params.get("facet.field") or []
        fields = [fields] if isinstance(fields, str) else fields
        limit = int(params.get("facet.limit") or 50)
        facets = {"facet_fields": {f: _count(found, f, limit) for f in fields}} if params.get("facet") in (
            "true", True) else {}
        return Results(found[start:start + rows], len(found), facets)


def _values(doc, field):
    value = doc.get(field)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _clause_matches(doc, field, raw) -> bool:
    if raw.startswith("("):
        options = [o.strip().strip('"') for o in re.split(r"\s+OR\s+", raw[1:-1])]
    else:
        options = [raw.strip('"').replace('\\"', '"')]
    values = _values(doc, field)
    return any(o == "*" and values or o in values for o in options)


def _matches(doc, query: str) -> bool:
    query = query.strip()
    if query in ("*:*", ""):
        return True
    for group in _GROUP.finditer(query):
        hit = any(_matches(doc, part) for part in re.split(r"\s+OR\s+", group.group(2)))
        if hit == (group.group(1) == "-"):
            return False
    query = _GROUP.sub(" ", query)
    clauses = list(_CLAUSE.finditer(query))
    rest = _CLAUSE.sub(" ", query).replace(" AND ", " ").split()
    for clause in clauses:
        sign, field, raw = clause.groups()
        hit = _clause_matches(doc, field, raw)
        if (sign == "-" and hit) or (sign != "-" and not hit):
            return False
    words = [w.strip('"') for w in rest if w not in ("AND", "OR")]
    if not words:
        return True
    terms = set()
    for pattern in _text_sources():
        for name in fnmatch.filter(doc, pattern) if "*" in pattern else [pattern]:
            for value in _values(doc, name):
                terms |= analyse(value, index=True)
    return all(analyse(word, index=False) <= terms for word in words)


SCHEMA = Path(__file__).resolve().parents[2] / "ckanext_gkcatalog" / "ckan" / "solr" / "schema.xml"
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+")


@lru_cache(maxsize=1)
def _text_sources() -> tuple:
    """The fields the schema copies into "text", and "text" itself."""
    root = ElementTree.parse(SCHEMA).getroot()
    return ("text", *(c.get("source") for c in root.iter("copyField") if c.get("dest") == "text"))


def analyse(text: str, index: bool) -> set:
    """The terms of the schema's "text" type: CJKWidth, LowerCase, CJKBigram (unigrams in the index only,
    and for a lone character)."""
    terms = set()
    for run in _RUNS.findall(unicodedata.normalize("NFKC", text).lower()):
        if not ("\u3400" <= run[0] <= "\ufaff"):
            terms.add(run)
            continue
        terms.update(run[i:i + 2] for i in range(len(run) - 1))
        if index or len(run) == 1:
            terms.update(run)
    return terms


def _count(docs, field, limit):
    counts: dict = {}
    for doc in docs:
        for value in _values(doc, field):
            counts[value] = counts.get(value, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [x for pair in ranked for x in pair]


def install(patch=setattr) -> MemoryIndex:
    """Point every module that imported make_connection at one in-memory index. `patch` is setattr, or
    pytest's monkeypatch.setattr to undo it after a test."""
    import ckan.lib.search as search
    import ckan.lib.search.common as common
    import ckan.lib.search.index as index
    import ckan.lib.search.query as query

    memory = MemoryIndex()

    def connect(*args, **kwargs):
        return memory

    # every module holding make_connection, extensions' too (ckanext-harvest's source clear imports it by
    # name, maybe while an earlier test's index was installed)
    holders = {m for m in list(sys.modules.values()) if getattr(m, "make_connection", None) is not None and (
        m in (common, index, query, search) or getattr(m, "__name__", "").startswith("ckan"))}
    for module in holders:
        patch(module, "make_connection", connect)
    if hasattr(search, "check_solr_schema_version"):
        patch(search, "check_solr_schema_version", lambda *a, **k: True)
    return memory
