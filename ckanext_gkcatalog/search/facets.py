"""The facet counters: every indexed item's facet values held in NumPy arrays, so that filtering a match set
and counting its facets costs a few vectorised passes instead of a GROUP BY per facet over the database.

Like a search engine's field caches, they are built once per index generation (the store raises it on every
index write) and shared by the requests of a process; a new generation builds new arrays beside the old.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..indexing import FACET_FIELDS, FIELD_SEP, VALUE_SEP


@dataclass
class FacetField:
    values: list  # value number -> value
    numbers: dict  # value -> value number
    docs: np.ndarray  # (doc, value) pairs, one per value of each doc: a multi-valued field has several
    pair_values: np.ndarray
    value_order: np.ndarray = None  # value number -> its place in the values' sorted order (ties of counts)

    def __post_init__(self):
        self.value_order = _ranks(np.array(self.values, dtype=object)) if self.values else np.zeros(0, dtype=np.int64)


class FacetIndex:
    def __init__(self, docs: list, generation: int):
        """`docs`: [(doc_id, item_id, facets as indexing.encode_facets wrote them, changed_at in seconds)]."""
        self.generation = generation
        ids = np.fromiter((d[0] for d in docs), dtype=np.int64, count=len(docs))
        size = int(ids.max()) + 1 if len(ids) else 1
        self.active = np.zeros(size, dtype=bool)
        self.active[ids] = True
        self.item_ids: list = [None] * size
        for doc_id, item_id, *_rest in docs:
            self.item_ids[doc_id] = item_id
        self.doc_of = {d[1]: d[0] for d in docs}
        self.changed = np.zeros(size, dtype=np.float64)
        self.changed[ids] = np.fromiter((d[3] or 0 for d in docs), dtype=np.float64, count=len(docs))
        # column by column, so the loops run in C: a province's items are read again after every harvest
        columns = list(zip(*(_parts(d[2]) for d in docs))) if docs else [()] * len(FACET_FIELDS)
        self.fields = {name: _field(ids, column) for name, column in zip(FACET_FIELDS, columns)}
        counties = np.full(size, "", dtype=object)
        counties[ids] = np.array(columns[FACET_FIELDS.index("county")], dtype=object) if docs else []
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
        ranked = present[np.lexsort((facet.value_order[present], -counted[present]))][:limit]
        return [(facet.values[n], int(counted[n])) for n in ranked.tolist()]

    def order(self, doc_ids: np.ndarray, sort: str, scores: np.ndarray | None = None,
              first: int | None = None) -> np.ndarray:
        """`doc_ids` in the order of `sort`: relevance (score, then county), county, changed (newest) or name;
        only the `first` of them when given (a page): those are picked in linear time, then sorted."""
        if sort == "relevance" and scores is not None:
            keys = (doc_ids, self.county_rank[doc_ids], -scores)
        elif sort == "changed":
            keys = (doc_ids, -self.changed[doc_ids])
        elif sort == "name":
            keys = (self.name_rank[doc_ids],)
        else:
            keys = (doc_ids, self.county_rank[doc_ids])
        if first is not None and first < len(doc_ids):
            primary = keys[-1]
            kept = primary <= np.partition(primary, first - 1)[first - 1]  # ties at the edge stay in
            keys = tuple(k[kept] for k in keys)
            doc_ids = doc_ids[kept]
        ordered = doc_ids[np.lexsort(keys)]
        return ordered if first is None else ordered[:first]


def _parts(text: str | None) -> list:
    parts = (text or "").split(FIELD_SEP)
    return parts + [""] * (len(FACET_FIELDS) - len(parts)) if len(parts) < len(FACET_FIELDS) else parts


def _field(ids: np.ndarray, column) -> FacetField:
    """(doc, value) pairs of one facet from its column of joined values."""
    numbers: dict = {}
    if all(VALUE_SEP not in text for text in column):  # one value (or none) per doc: the usual case
        present = [n for n, text in enumerate(column) if text]
        docs = ids[present] if present else np.zeros(0, dtype=np.int64)
        values = [numbers.setdefault(column[n], len(numbers)) for n in present]
    else:
        split = [[v for v in text.split(VALUE_SEP) if v] for text in column]
        docs = np.repeat(ids, [len(v) for v in split])
        values = [numbers.setdefault(v, len(numbers)) for part in split for v in part]
    return FacetField(list(numbers), numbers, np.asarray(docs, dtype=np.int64), np.array(values, dtype=np.int64))


def _ranks(values: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(values.astype(str), return_inverse=True)
    return inverse
