"""What the search index holds of an item: its text as token streams (tokens.py), column by column so that
the title weighs more than the content and the content more than the place, and its facet values.

Made where the item is parsed (in the parser processes, beside its assessment) and written by the store
in the same transaction as the item, so the index is never behind the items nor half-written.
"""
from __future__ import annotations

from .tokens import streams

# the facets of the public search, in the order the page shows them
FACET_FIELDS = ("city", "county", "domain", "level1", "mode", "tiers", "channels", "audience")
TEXT_COLUMNS = ("title", "level1", "body", "place")  # the bigram streams, heaviest first
BODY_FIELDS = ("content", "basis", "subject", "department", "time_limit")


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _values(value) -> list:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)] if value not in (None, "") else []


def search_document(record: dict, county_name: str | None, city_code: str | None = None,
                    city_name: str | None = None) -> dict:
    """{"title", "level1", "body", "place", "chars": token streams; "facets": the facet values
    (encode_facets)} of an item record (the shape the parse stage makes: id, county_code, domain, level1-3, fields)."""
    fields = record.get("fields") or {}
    title = " ".join(t for t in (record.get("level2"), record.get("level3")) if t)
    texts = {"title": title, "level1": record.get("level1") or "",
             "body": " ".join(_text(fields.get(name)) for name in BODY_FIELDS),
             "place": " ".join(t for t in (county_name, city_name) if t)}
    bigrams, chars = streams([texts[column] for column in TEXT_COLUMNS])
    document = dict(zip(TEXT_COLUMNS, bigrams))
    document["chars"] = chars
    document["facets"] = encode_facets({
        "city": _values(city_name or city_code), "county": _values(record.get("county_code")),
        "domain": _values(record.get("domain")), "level1": _values(record.get("level1")),
        **{name: _values(fields.get(name)) for name in ("mode", "tiers", "channels", "audience")},
    })
    return document


# facet values as one line of text, FACET_FIELDS in order: a web process reads a province's in a split per
# item, where JSON took 8 µs an item (the counters are built again after every harvest)
FIELD_SEP, VALUE_SEP = "\x1f", "\x1e"
_SEPARATORS = str.maketrans({FIELD_SEP: " ", VALUE_SEP: " "})


def encode_facets(facets: dict) -> str:
    return FIELD_SEP.join(VALUE_SEP.join(v.translate(_SEPARATORS) for v in facets.get(name) or ())
                          for name in FACET_FIELDS)



def item_document(item, county) -> dict:
    """The document of a stored item (store.models.Item) of `county`: what `search-index rebuild` writes."""
    record = {"county_code": item.county_code, "domain": item.domain, "level1": item.level1, "level2": item.level2,
              "level3": item.level3, "fields": item.fields or {}}
    return search_document(record, getattr(county, "name", None), getattr(county, "city_code", None),
                           getattr(county, "city_name", None))
