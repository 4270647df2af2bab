"""The public search: a query as a value (query.py), the facet counters (facets.py), highlighting
(snippets.py) and the searcher that runs a query against the store's text index (engine.py)."""
