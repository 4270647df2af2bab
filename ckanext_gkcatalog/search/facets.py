"""The facet counters: every indexed item's facet values held in NumPy arrays, so that filtering a match set
and counting its facets costs a few vectorised passes instead of a GROUP BY per facet over the database.

Like a search engine's field caches, they are built once per index generation (the store raises it on every
index write) and shared by the requests of a process; a new generation builds new arrays beside the old.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..indexing import FACET_FIELDS


@dataclass
class FacetField:
    values: list  # value number -> value
    numbers: dict  # value -> value number
    docs: np.ndarray  # (doc, value) pairs, one per value of each doc: a multi-valued field has several
    pair_values: np.ndarray


class FacetIndex:
    def __init__(self, docs: list, generation: int):
        """`docs`: [(doc_id, item_id, facets, changed_at)] of every indexed item."""
        self.generation = generation
        size = (max((d[0] for d in docs), default=0)) + 1
        self.active = np.zeros(size, dtype=bool)
        self.item_ids: list = [None] * size
        changed = np.zeros(size, dtype=np.float64)
        counties = np.full(size, "", dtype=object)
        pairs: dict = {name: ([], []) for name in FACET_FIELDS}
        numbers: dict = {name: {} for name in FACET_FIELDS}
        for doc_id, item_id, facets, changed_at in docs:
            self.active[doc_id] = True
            self.item_ids[doc_id] = item_id
            changed[doc_id] = changed_at.timestamp() if changed_at else 0
            counties[doc_id] = ((facets or {}).get("county") or [""])[0]
            for name in FACET_FIELDS:
                known, (doc_list, value_list) = numbers[name], pairs[name]
                for value in (facets or {}).get(name) or ():
                    doc_list.append(doc_id)
                    value_list.append(known.setdefault(value, len(known)))
        self.fields = {name: FacetField(list(numbers[name]), numbers[name], np.array(pairs[name][0], dtype=np.int64),
                                        np.array(pairs[name][1], dtype=np.int64)) for name in FACET_FIELDS}
        self.changed = changed
        self.doc_of = {item_id: doc_id for doc_id, item_id, _f, _c in docs}
        # orders: by county code, and by item id (package_search's "name asc", stable for paging)
        self.county_rank = _ranks(counties)
        self.name_rank = _ranks(np.array([i or "" for i in self.item_ids], dtype=object))

    @property
    def size(self) -> int:
        return len(self.active)

    def mask(self, doc_ids) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        ids = np.asarray(doc_ids, dtype=np.int64)
        mask[ids[ids < self.size]] = True  # a doc newer than these arrays waits for the next generation
        return mask & self.active

    def having(self, name: str, values) -> np.ndarray:
        """The docs with any of `values` in facet `name`."""
        facet = self.fields[name]
        wanted = [facet.numbers[v] for v in values if v in facet.numbers]
        mask = np.zeros(self.size, dtype=bool)
        if wanted:
            mask[facet.docs[np.isin(facet.pair_values, wanted)]] = True
        return mask

    def counts(self, name: str, mask: np.ndarray, limit: int) -> list:
        """[(value, count)] of the docs in `mask`, the most frequent first, then by value."""
        facet = self.fields[name]
        if not len(facet.docs):
            return []
        counted = np.bincount(facet.pair_values[mask[facet.docs]], minlength=len(facet.values))
        present = np.flatnonzero(counted)
        ranked = sorted(present.tolist(), key=lambda n: (-counted[n], facet.values[n]))
        return [(facet.values[n], int(counted[n])) for n in ranked[:limit]]

    def order(self, doc_ids: np.ndarray, sort: str, scores: np.ndarray | None = None) -> np.ndarray:
        """`doc_ids` in the order of `sort`: relevance (score, then county), county, changed (newest) or name."""
        if sort == "relevance" and scores is not None:
            keys = (doc_ids, self.county_rank[doc_ids], -scores)
        elif sort == "changed":
            keys = (doc_ids, -self.changed[doc_ids])
        elif sort == "name":
            keys = (self.name_rank[doc_ids],)
        else:
            keys = (doc_ids, self.county_rank[doc_ids])
        return doc_ids[np.lexsort(keys)]


def _ranks(values: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(values.astype(str), return_inverse=True)
    return inverse
