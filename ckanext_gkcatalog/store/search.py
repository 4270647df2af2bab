"""The search aggregate: the index of active items and its queries, one design on both databases.

Each active item has a gk_search_doc row (an integer doc_id, its facet values, when it changed). Its text,
already cut into tokens by the caller (ckanext_gkcatalog.indexing), is indexed beside it: on SQLite in the
FTS5 table gk_search_fts (rowid = doc_id, ranked by bm25()), on PostgreSQL in two tsvector columns of the
row (GIN indexes; the tokens are written as tsvector literals, so no server text parser or extension is
involved). Writes happen inside the caller's transaction and raise the generation number, which tells the
web processes to reload their facet counters.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy import delete, func, insert, select, text, update

from .database import Database
from .models import County, Item, ItemEvent, SearchDoc, SearchState

# the token columns of a document, heaviest first, and their weights in the ranking
COLUMNS = ("title", "level1", "body", "place")
BM25_WEIGHTS = (8.0, 4.0, 2.0, 1.0, 1.0)  # title, level1, body, place, chars (SQLite FTS5)
PG_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D (place), C (body), B (level1), A (title): ts_rank's order
MAX_POSITION = 16383  # PostgreSQL keeps positions up to this
CHUNK = 500


def _quoted(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(document: dict) -> str:
    """The weighted tsvector of the text columns, as text: A title, B level1, C body, D place; a gap
    between columns keeps a phrase from joining two of them."""
    positions: dict = {}
    position = 0
    for column, weight in zip(COLUMNS, "ABCD"):
        for token in document[column].split():
            position = min(position + 1, MAX_POSITION)
            positions.setdefault(token, []).append(f"{position}{weight}")
        position += 1
    return " ".join(f"{_quoted(t)}:{','.join(p[:256])}" for t, p in positions.items())


def chars_literal(document: dict) -> str:
    return " ".join(_quoted(c) for c in document["chars"].split())


class SearchStore(Database):
    @property
    def _on_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    # --- writing, inside the caller's transaction ---------------------------------------------------

    def _index(self, s, documents: dict, removed: list, changed_at) -> None:
        """Index `documents` ({item id: document}) and drop the `removed` item ids, in session `s`;
        `changed_at`: {item id: when it changed}."""
        if not documents and not removed:
            return
        # first: on PostgreSQL the row lock queues concurrent index writers, so the doc ids below are free
        s.execute(update(SearchState).where(SearchState.id == 1).values(generation=SearchState.generation + 1))
        wanted = list(documents) + list(removed)
        known = {}
        for chunk in range(0, len(wanted), CHUNK):
            known.update(s.execute(select(SearchDoc.item_id, SearchDoc.doc_id)
                                   .where(SearchDoc.item_id.in_(wanted[chunk:chunk + CHUNK]))).all())
        next_id = (s.scalar(select(func.max(SearchDoc.doc_id))) or 0) + 1  # before the drop: kept ids stay free
        self._drop_docs(s, list(known.values()))
        rows = []
        for item_id, document in documents.items():
            doc_id = known.get(item_id)
            if doc_id is None:
                doc_id, next_id = next_id, next_id + 1
            rows.append((doc_id, item_id, document, changed_at[item_id]))
        self._insert_docs(s, rows)

    def _drop_docs(self, s, doc_ids: list) -> None:
        for chunk in range(0, len(doc_ids), CHUNK):
            part = doc_ids[chunk:chunk + CHUNK]
            if not self._on_postgres:
                s.execute(text("DELETE FROM gk_search_fts WHERE rowid IN (%s)" % ",".join(map(str, map(int, part)))))
            s.execute(delete(SearchDoc).where(SearchDoc.doc_id.in_(part)))

    def _insert_docs(self, s, rows: list) -> None:
        if not rows:
            return
        if self._on_postgres:
            s.execute(text("INSERT INTO gk_search_doc (doc_id, item_id, facets, changed_at, tsv, chars) VALUES "
                           "(:doc_id, :item_id, :facets, :changed_at, CAST(:tsv AS tsvector), CAST(:chars AS tsvector))"),
                      [{"doc_id": d, "item_id": i, "facets": doc["facets"], "changed_at": at, "tsv": tsvector_literal(doc), "chars": chars_literal(doc)}
                       for d, i, doc, at in rows])
            return
        s.execute(insert(SearchDoc), [{"doc_id": d, "item_id": i, "facets": doc["facets"], "changed_at": at}
                                      for d, i, doc, at in rows])
        s.execute(text("INSERT INTO gk_search_fts (rowid, title, level1, body, place, chars) VALUES "
                       "(:doc_id, :title, :level1, :body, :place, :chars)"),
                  [{"doc_id": d, **{c: doc[c] for c in (*COLUMNS, "chars")}} for d, _, doc, _at in rows])

    def rebuild_search_index(self, make_document, batch: int = 2000) -> int:
        """Index every active item again, in one transaction: `make_document(item, county)` gives each
        item's document. Returns how many items are indexed."""
        with self.session() as s:
            counties = {c.code: c for c in s.scalars(select(County))}
            if not self._on_postgres:
                s.execute(text("DELETE FROM gk_search_fts"))
            s.execute(delete(SearchDoc))
            total, last = 0, ""
            while True:  # by id, a batch at a time: a province's items need not fit in memory at once
                items = list(s.scalars(select(Item).where(Item.status == "active", Item.id > last)
                                       .order_by(Item.id).limit(batch)))
                if not items:
                    break
                changed = dict(s.execute(select(ItemEvent.item_id, func.max(ItemEvent.at))
                                         .where(ItemEvent.item_id.in_([i.id for i in items])).group_by(ItemEvent.item_id)).all())
                self._index(s, {i.id: make_document(i, counties.get(i.county_code)) for i in items}, [],
                            {i.id: changed.get(i.id) or i.first_seen for i in items})
                last, total = items[-1].id, total + len(items)
                for item in items:  # memory stays one batch's
                    s.expunge(item)
        return total

    # --- reading ------------------------------------------------------------------------------------

    def search_generation(self) -> int:
        with self.reading() as s:
            return s.scalar(select(SearchState.generation).where(SearchState.id == 1)) or 0

    def search_index_missing(self) -> bool:
        """Active items but no index (a store upgraded to revision 0005 keeps its items unindexed)."""
        with self.reading() as s:
            return (s.scalar(select(SearchDoc.doc_id).limit(1)) is None
                    and s.scalar(select(Item.id).where(Item.status == "active").limit(1)) is not None)

    def search_docs(self) -> list[tuple]:
        """[(doc_id, item_id, facets, changed_at as seconds since 1970)] of every indexed item, for the facet
        counters: straight from the driver's cursor, as a province's items are read after every harvest."""
        epoch = ("EXTRACT(EPOCH FROM changed_at)" if self._on_postgres
                 else "(julianday(changed_at) - 2440587.5) * 86400.0")
        return self._driver_rows(f"SELECT doc_id, item_id, facets, {epoch} FROM gk_search_doc ORDER BY doc_id")

    def match(self, terms: list, ranked: bool = False, in_title: bool = False) -> tuple:
        """(doc ids, their scores or None), as NumPy arrays, of the items where every term matches. A term (tokens.Term) has
        `phrases`, alternatives each a tuple of tokens, and a `stream`: 'bigrams' (the text) or 'unigrams'
        (single characters). `ranked`: scored, higher is better (BM25 on SQLite, ts_rank on PostgreSQL),
        which costs a few microseconds per match; `in_title`: only where the words are in the title.
        Rows come straight from the driver's cursor: a match can be most of the province's items."""
        found, params, score = (self._postgres_query if self._on_postgres else self._sqlite_query)(terms, in_title)
        if found is None:
            return np.zeros(0, dtype=np.int64), (np.zeros(0) if ranked else None)
        key = "doc_id" if self._on_postgres else "rowid"
        if ranked:
            sql = f"SELECT {key}, {score} {found}"
        else:  # the ids as one string: a row per match costs the driver ten times the match itself
            joined = "string_agg(CAST(doc_id AS text), ',')" if self._on_postgres else "group_concat(rowid)"
            sql = f"SELECT {joined} {found}"
        rows = self._driver_rows(sql, params)
        if not ranked:
            return np.fromstring(rows[0][0] or "", dtype=np.int64, sep=","), None
        return (np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
                np.fromiter((float(r[1]) for r in rows), dtype=np.float64, count=len(rows)))

    def _driver_rows(self, sql: str, params=()) -> list:
        """The rows of `sql` as the driver's tuples, without SQLAlchemy's rows: a match or the index can be
        most of a province's items (parameters in the driver's style: ? on SQLite, %(name)s on PostgreSQL)."""
        with self.reading() as s:
            cursor = s.connection().connection.cursor()
            try:
                cursor.execute(sql, params)
                return cursor.fetchall()
            finally:
                cursor.close()

    @staticmethod
    def _sqlite_query(terms: list, in_title: bool) -> tuple:
        """(FROM … WHERE …, its parameters, the score's expression)."""
        def phrase(tokens):
            return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'

        # the streams hold only genuine text: a bigram or a word is found in no other column, and a single
        # character is found in the characters' column (or standing alone in the text), so no column filter
        clauses = [("{title} : " if in_title else "") + "(" + " OR ".join(phrase(p) for p in term.phrases) + ")"
                   for term in terms if not (in_title and term.stream == "unigrams")]
        if not clauses:
            return None, None, None
        return ("FROM gk_search_fts WHERE gk_search_fts MATCH ?", (" AND ".join(clauses),),
                f"-bm25(gk_search_fts, {', '.join(map(str, BM25_WEIGHTS))})")

    @staticmethod
    def _postgres_query(terms: list, in_title: bool) -> tuple:
        label = ":A" if in_title else ""  # weight A: the title

        def query(stream):
            return " & ".join("(" + " | ".join(" <-> ".join(_quoted(t) + label for t in p) for p in term.phrases) + ")"
                              for term in terms if term.stream == stream)

        words, chars = query("bigrams"), "" if in_title else query("unigrams")
        where, rank = [], []
        if words:
            where.append("tsv @@ CAST(%(words)s AS tsquery)")
            rank.append(f"ts_rank('{PG_WEIGHTS}', tsv, CAST(%(words)s AS tsquery))")
        if chars:
            where.append("chars @@ CAST(%(chars)s AS tsquery)")
            rank.append("0.1 * ts_rank(chars, CAST(%(chars)s AS tsquery))")
        if not where:
            return None, None, None
        return f"FROM gk_search_doc WHERE {' AND '.join(where)}", {"words": words, "chars": chars}, " + ".join(rank)

    def items_by_id(self, item_ids: list) -> dict:
        """{item id: Item} of the given ids (a result page)."""
        with self.reading() as s:
            found = {}
            for chunk in range(0, len(item_ids), CHUNK):
                found.update((i.id, i) for i in s.scalars(select(Item).where(Item.id.in_(item_ids[chunk:chunk + CHUNK]))))
            return found

