"""Running a search: the words go to the store's text index (FTS5 or tsvector), which gives the matching
docs with their scores; the facet counters (facets.py) filter them, count the facets and order them; the
page's items are read from the store and given snippets. The same for the pages and the API.
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ..indexing import FACET_FIELDS
from ..tokens import query_terms
from .facets import FacetIndex
from .query import SearchQuery
from .snippets import highlight, snippet

FACET_LIMIT = 50  # values per facet, as CKAN's search.facets.default
RANK_ALL = 2000  # matches scored one by one (about 7 ms at 3.5 µs each); more are ranked by where the words are
CACHED_MATCHES = 64  # word sets whose matches a process keeps until the next harvest


@dataclass
class Hit:
    item: object  # store.models.Item
    score: float | None
    title: object  # Markup, matched words marked
    snippet: object


@dataclass
class SearchResult:
    query: SearchQuery
    total: int
    hits: list
    facets: dict  # field -> [(value, count)]
    expansions: list = field(default_factory=list)  # (word in the query, [the synonyms it also matched])
    words: tuple = ()
    fully_ranked: bool = True  # False: too many matches to score each; those with the words in the title first


class Searcher:
    """One per store and process: holds the facet counters of the index's current generation."""

    def __init__(self, store):
        self.store = store
        self._index: FacetIndex | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict = OrderedDict()

    def index(self) -> FacetIndex:
        generation = self.store.search_generation()
        current = self._index
        if current is not None and current.generation == generation:
            return current
        with self._lock:  # one rebuild at a time; the others wait for it rather than build their own
            if self._index is None or self._index.generation != generation:
                self._index = FacetIndex(self.store.search_docs(), generation)
            return self._index

    def forget(self) -> None:
        """Drop the kept matches (a benchmark measures the searches without them)."""
        with self._lock:
            self._cache.clear()

    def search(self, query: SearchQuery, facets=FACET_FIELDS, facet_limit: int = FACET_LIMIT) -> SearchResult:
        index = self.index()
        terms = query_terms(query.q, synonyms=True)
        scores, fully = None, True
        if query.nothing:
            mask = np.zeros(index.size, dtype=bool)
        elif terms:
            doc_ids, ranked, fully = self._matches(index, terms, query.sort == "relevance")
            mask = index.mask(doc_ids)
            if ranked is not None:
                scores = np.zeros(index.size)
                inside = ranked[0] < index.size
                scores[ranked[0][inside]] = ranked[1][inside]
        else:
            mask = index.active.copy()
        for name, values in query.clauses:
            mask &= index.having(name, values)
        counted = {name: index.counts(name, mask, facet_limit) for name in facets}
        matching = np.flatnonzero(mask)
        ordered = index.order(matching, query.sort, scores[matching] if scores is not None else None,
                              first=query.start + query.rows)
        on_page = ordered[query.start:query.start + query.rows]
        page = [index.item_ids[d] for d in on_page]
        items = self.store.items_by_id(page)
        words = tuple(dict.fromkeys(w for t in terms for w in t.words))
        hits = []
        for doc_id, item_id in zip(on_page, page):
            item = items.get(item_id)
            if item is None or item.status != "active":  # gone since the counters were built: the next generation drops it
                continue
            fields = item.fields or {}
            title = " / ".join(t for t in (item.level2, item.level3) if t)
            hits.append(Hit(item, float(scores[doc_id]) if scores is not None else None, highlight(title, words),
                            snippet([fields.get("content"), fields.get("basis"), fields.get("subject"),
                                     fields.get("department")], words)))
        expansions = [(t.words[0], list(t.words[1:])) for t in terms if len(t.words) > 1]
        return SearchResult(query, int(mask.sum()), hits, counted, expansions, words, fully)

    def _matches(self, index: FacetIndex, terms: list, relevance: bool) -> tuple:
        """(doc ids, (doc ids, scores) or None, whether every match was scored), kept for the generation:
        people ask the same words again and again (Solr's query result cache does the same).

        The scores are BM25 (ts_rank) when the matches are few enough to score each; beyond, 1 where the
        words are in the title, else 0: scoring costs microseconds per match, and a common word matches
        most of a province."""
        key = (index.generation, tuple(terms), relevance)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        doc_ids, _ = self.store.match(terms)
        ranked, fully = None, True
        if relevance:
            fully = len(doc_ids) <= RANK_ALL
            if fully:
                ranked = self.store.match(terms, ranked=True)
            else:
                title_ids, _ = self.store.match(terms, in_title=True)
                ranked = (title_ids, np.ones(len(title_ids)))
        found = (doc_ids, ranked, fully)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > CACHED_MATCHES or (self._cache and next(iter(self._cache))[0] != index.generation):
                self._cache.popitem(last=False)
        return found


_searchers: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def searcher(store) -> Searcher:
    """The process's Searcher for `store`."""
    found = _searchers.get(store)
    if found is None:
        found = _searchers[store] = Searcher(store)
    return found
