"""Running a search: the words go to the store's text index (FTS5 or tsvector), which gives the matching
docs with their scores; the facet counters (facets.py) filter them, count the facets and order them; the
page's items are read from the store and given snippets. The same for the pages and the API.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

from ..indexing import FACET_FIELDS
from ..tokens import query_terms
from .facets import FacetIndex
from .query import SearchQuery
from .snippets import highlight, snippet

FACET_LIMIT = 50  # values per facet, as CKAN's search.facets.default
RANK_ALL = 4000  # matches scored one by one (about 10 ms); more are ranked by where the words are


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

    def index(self) -> FacetIndex:
        generation = self.store.search_generation()
        current = self._index
        if current is not None and current.generation == generation:
            return current
        with self._lock:  # one rebuild at a time; the others wait for it rather than build their own
            if self._index is None or self._index.generation != generation:
                self._index = FacetIndex(self.store.search_docs(), generation)
            return self._index

    def search(self, query: SearchQuery, facets=FACET_FIELDS, facet_limit: int = FACET_LIMIT) -> SearchResult:
        index = self.index()
        terms = query_terms(query.q, synonyms=True)
        scores, fully = None, True
        if query.nothing:
            mask = np.zeros(index.size, dtype=bool)
        elif terms:
            doc_ids, _ = self.store.match(terms)
            mask = index.mask(doc_ids)
            if query.sort == "relevance":
                scores, fully = self._scores(index, terms, len(doc_ids))
        else:
            mask = index.active.copy()
        for name, values in query.clauses:
            mask &= index.having(name, values)
        counted = {name: index.counts(name, mask, facet_limit) for name in facets}
        matching = np.flatnonzero(mask)
        ordered = index.order(matching, query.sort, scores[matching] if scores is not None else None)
        page = [index.item_ids[d] for d in ordered[query.start:query.start + query.rows]]
        items = self.store.items_by_id(page)
        words = tuple(dict.fromkeys(w for t in terms for w in t.words))
        hits = []
        for doc_id, item_id in zip(ordered[query.start:query.start + query.rows], page):
            item = items.get(item_id)
            if item is None:  # withdrawn since the counters were built: the next generation drops it
                continue
            fields = item.fields or {}
            title = " / ".join(t for t in (item.level2, item.level3) if t)
            hits.append(Hit(item, float(scores[doc_id]) if scores is not None else None, highlight(title, words),
                            snippet([fields.get("content"), fields.get("basis"), fields.get("subject"),
                                     fields.get("department")], words)))
        expansions = [(t.words[0], list(t.words[1:])) for t in terms if len(t.words) > 1]
        return SearchResult(query, int(mask.sum()), hits, counted, expansions, words, fully)

    def _scores(self, index: FacetIndex, terms: list, matches: int) -> tuple:
        """Each doc's relevance: BM25 (ts_rank) when the matches are few enough to score them all; beyond,
        1 where the words are in the title, else 0 (scoring costs microseconds per match, and a common
        word matches most of a province). Returns (scores, whether every match was scored)."""
        scores = np.zeros(index.size)
        fully = matches <= RANK_ALL
        doc_ids, found = self.store.match(terms, ranked=True) if fully else self.store.match(terms, in_title=True)
        kept = np.asarray(doc_ids, dtype=np.int64)
        inside = kept < index.size
        scores[kept[inside]] = np.asarray(found)[inside] if fully else 1.0
        return scores, fully


_searchers: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def searcher(store) -> Searcher:
    """The process's Searcher for `store`."""
    found = _searchers.get(store)
    if found is None:
        found = _searchers[store] = Searcher(store)
    return found
