"""A search as a value: the words, the filters, the order and the page, read from a page's URL or from the
parameters CKAN clients send to package_search (q, fq in Solr syntax, facet.field, rows, start, sort).
Everything a person or a client can get wrong becomes a Problem (problems.py), never an exception page.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from luqum.exceptions import ParseError
from luqum.parser import parser as lucene
from luqum.tree import (AndOperation, FieldGroup, Group, OrOperation, Phrase, Plus, SearchField, UnknownOperation,
                        Word)

from ..indexing import FACET_FIELDS
from ..problems import Problem
from ..schema import DATASET_TYPE
from ..tokens import MAX_QUERY_CHARS

SORTS = ("relevance", "county", "changed", "name")
# package_search's sort values and what they mean here
API_SORTS = {"score desc": "relevance", "rank desc": "relevance", "relevance asc": "relevance",
             "metadata_modified desc": "changed", "name asc": "name", "title_string asc": "county",
             "organization asc": "county", "county asc": "county"}
# the names CKAN clients use for our facet fields
ALIASES = {"organization": "county", "county_code": "county", "owner_org": "county", "city_code": "city"}
PAGE_ROWS, MAX_ROWS, MAX_START = 20, 1000, 1_000_000  # CKAN's ckan.search.rows_max is 1000
MAX_FQ_CHARS = 2000


class QueryError(ValueError):
    def __init__(self, problem: Problem):
        super().__init__(problem.message("en"))
        self.problem = problem


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    clauses: tuple = ()  # ((field, (values...)), ...): a value of each clause must match (OR within, AND across)
    sort: str = "relevance"
    start: int = 0
    rows: int = PAGE_ROWS
    notices: tuple = field(default=(), compare=False)  # Problems worth telling, not refusing (a query cut short)
    nothing: bool = False  # a filter no catalog item can meet (another dataset type)

    def has(self, field_name: str, value: str) -> bool:
        return any(f == field_name and value in values for f, values in self.clauses)


def canonical_field(name: str) -> str:
    name = ALIASES.get(name, name)
    if name not in FACET_FIELDS:
        raise QueryError(Problem("search_unknown_field", params={"value": name[:50], "allowed": ", ".join(FACET_FIELDS)}))
    return name


def whole_number(raw, name: str, default: int, minimum: int, maximum: int) -> int:
    """A parameter as a whole number of at least `minimum` (a larger one is capped), or a refusal naming it."""
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise QueryError(Problem("search_bad_number", params={"value": name, "minimum": minimum}))
    return min(value, maximum)


def _words(raw) -> tuple[str, list]:
    text = str(raw or "").replace("\x00", " ")
    if len(text) > MAX_QUERY_CHARS:
        return text[:MAX_QUERY_CHARS], [Problem("search_query_long", params={"limit": MAX_QUERY_CHARS})]
    return text, []


def from_page(args) -> SearchQuery:
    """The search a page's URL holds: q, one parameter per filter (county=…, repeated for several), sort, page."""
    q, notices = _words(args.get("q"))
    clauses = []
    for name in args:
        if name in ("q", "sort", "page", "lang"):
            continue
        field_name = canonical_field(name)
        clauses.extend((field_name, (value,)) for value in dict.fromkeys(args.getlist(name)) if value)
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise QueryError(Problem("search_bad_sort", params={"value": sort[:50], "allowed": ", ".join(SORTS)}))
    page = whole_number(args.get("page"), "page", 1, 1, MAX_START // PAGE_ROWS)
    return SearchQuery(q, tuple(clauses), sort, (page - 1) * PAGE_ROWS, PAGE_ROWS, tuple(notices))


def from_api(params: dict) -> SearchQuery:
    """package_search's parameters."""
    q, notices = _words(params.get("q"))
    if q.strip() in ("*:*", "*"):
        q = ""
    rows = whole_number(params.get("rows"), "rows", 10, 0, 2 ** 63)
    if rows > MAX_ROWS:  # as CKAN does: capped, and said
        rows = MAX_ROWS
        notices.append(Problem("search_rows_capped", params={"limit": MAX_ROWS}))
    start = whole_number(params.get("start"), "start", 0, 0, MAX_START)
    sort = " ".join(str(params.get("sort") or "score desc").lower().split())
    sort = sort.split(",")[0].strip()  # "score desc, metadata_modified desc": the first key decides
    if sort not in API_SORTS:
        raise QueryError(Problem("search_bad_sort", params={"value": sort[:50], "allowed": ", ".join(API_SORTS)}))
    clauses, nothing = parse_fq(params.get("fq") or "")
    for extra in params.get("fq_list") or []:
        more, none = parse_fq(extra)
        clauses, nothing = clauses + more, nothing or none
    return SearchQuery(q, tuple(clauses), API_SORTS[sort], start, rows, tuple(notices), nothing)


def parse_fq(fq: str) -> tuple[list, bool]:
    """Solr filter syntax as CKAN clients send it: field:value, field:"a value", field:(a OR b), joined by
    AND, + or spaces. Returns (clauses, whether a clause excludes every catalog item)."""
    fq = str(fq)
    if not fq.strip():
        return [], False
    if len(fq) > MAX_FQ_CHARS or "\x00" in fq:
        raise _syntax("too long or holds a NUL character")
    try:
        tree = lucene.parse(fq)
    except (ParseError, ValueError, TypeError) as exc:
        raise _syntax(str(exc).split("\n")[0][:200])
    clauses, nothing = [], False
    for node in _conjuncts(tree):
        name = node.name
        values = _values(node.expr)
        if name in ("dataset_type", "type"):
            nothing = nothing or DATASET_TYPE not in values
            continue
        if name in ("*", "capacity", "state"):  # *:*, capacity:public, state:active hold for every item here
            continue
        clauses.append((canonical_field(name), tuple(values)))
    return clauses, nothing


def _conjuncts(node) -> list:
    if isinstance(node, (AndOperation, UnknownOperation)):
        return [leaf for child in node.children for leaf in _conjuncts(child)]
    if isinstance(node, (Plus, Group)):
        return _conjuncts(node.children[0])
    if isinstance(node, SearchField):
        return [node]
    raise _syntax(f"'{str(node)[:100]}' is not a field:value filter")


def _values(expr) -> list:
    if isinstance(expr, Word):
        return [expr.value.replace("\\", "")]
    if isinstance(expr, Phrase):
        return [expr.value[1:-1].replace('\\"', '"')]
    if isinstance(expr, (FieldGroup, Group)):
        return _values(expr.children[0])
    if isinstance(expr, OrOperation):
        return [v for child in expr.children for v in _values(child)]
    raise _syntax(f"'{str(expr)[:100]}' is not a value or (a OR b)")


def _syntax(reason: str) -> QueryError:
    return QueryError(Problem("search_bad_syntax", params={"reason": reason}))


def facet_fields(raw) -> list:
    """facet.field: a JSON list of field names (CKAN's form), or one name."""
    if raw in (None, ""):
        return []
    try:
        names = json.loads(raw) if isinstance(raw, str) and raw.strip().startswith("[") else raw
    except ValueError:
        raise _syntax("facet.field is not a JSON list of field names")
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _syntax("facet.field is not a JSON list of field names")
    for name in names:
        canonical_field(name)
    return names
