"""The search index on SQLite (FTS5) and PostgreSQL (tsvector): recall of two-character words, synonyms,
facets, the index kept in the import transaction, withdrawals, and rebuilding."""
import pytest

from ckanext_gkcatalog.indexing import FACET_FIELDS, item_document
from ckanext_gkcatalog.search.engine import Searcher
from ckanext_gkcatalog.search.query import QueryError, SearchQuery, from_api
from ckanext_gkcatalog.tokens import fold

WORDS = ["低保", "养老", "就业", "特困", "救助", "补贴", "登记", "信息"]


def text_of(item) -> str:
    """What the index holds of an item, as plain text."""
    fields = item.fields or {}
    parts = [item.level1, item.level2, item.level3, *(fields.get(n) for n in ("content", "basis", "subject",
                                                                          "department", "time_limit"))]
    return fold(" ".join(str(p) for p in parts if p))


def everything(searcher, **kwargs) -> list:
    found = searcher.search(SearchQuery(rows=100_000, **kwargs), facets=())
    return [h.item.id for h in found.hits]


@pytest.mark.parametrize("word", WORDS)
def test_two_character_words_find_every_item_that_holds_them(province, word):
    searcher = Searcher(province)
    expected = {i.id for i in province.items() if word in text_of(i)}
    assert expected  # the province has them
    found = set(everything(searcher, q=word))
    # synonyms add items (最低生活保障 for 低保); none that holds the word is missed
    assert expected <= found
    if word in ("就业", "登记", "信息"):  # no synonyms: exactly the items that hold the word
        assert found == expected


def test_synonyms_expand_the_query_and_say_so(province):
    searcher = Searcher(province)
    result = searcher.search(SearchQuery(q="低保"))
    assert result.expansions == [("低保", ["最低生活保障"])]
    holders = {i.id for i in province.items() if "低保" in text_of(i) or "最低生活保障" in text_of(i)}
    assert set(everything(searcher, q="低保")) == holders == set(everything(searcher, q="最低生活保障"))
    assert any("<mark>" in str(h.snippet) or "<mark>" in str(h.title) for h in result.hits)


def test_facet_counts_and_filters_agree_with_the_items(province):
    searcher = Searcher(province)
    result = searcher.search(SearchQuery(q="信息"), facet_limit=1000)
    items = {i.id: i for i in province.items()}
    matching = [items[i] for i in everything(searcher, q="信息")]
    assert result.total == len(matching)
    by_county = {}
    for item in matching:
        by_county[item.county_code] = by_county.get(item.county_code, 0) + 1
    assert dict(result.facets["county"]) == by_county
    county, count = result.facets["county"][0]
    tier = result.facets["tiers"][0][0]
    narrowed = searcher.search(SearchQuery(q="信息", clauses=(("county", (county,)), ("tiers", (tier,)))))
    expected = [i for i in matching if i.county_code == county and tier in (i.fields.get("tiers") or [])]
    assert narrowed.total == len(expected) <= count
    assert {h.item.county_code for h in narrowed.hits} == {county}
    assert set(FACET_FIELDS) == set(result.facets)


def test_sorts_and_pages_cover_every_result_once(province):
    searcher = Searcher(province)
    total = searcher.search(SearchQuery()).total
    assert total == len(province.items())
    for sort in ("relevance", "county", "changed", "name"):
        seen = []
        for start in range(0, total + 40, 40):
            seen += [h.item.id for h in searcher.search(SearchQuery(sort=sort, start=start, rows=40), facets=()).hits]
        assert len(seen) == len(set(seen)) == total, sort
    codes = [h.item.county_code for h in searcher.search(SearchQuery(sort="county", rows=total)).hits]
    assert codes == sorted(codes)
    assert searcher.search(SearchQuery(start=total + 100)).hits == []


def test_a_title_match_ranks_above_a_content_match(province):
    searcher = Searcher(province)
    hits = searcher.search(SearchQuery(q="登记", rows=1000), facets=()).hits
    in_title = ["登记" in fold(f"{h.item.level2} {h.item.level3 or ''}") for h in hits]
    assert any(in_title) and not all(in_title)
    first_content_only = in_title.index(False)
    assert sum(in_title[first_content_only:]) < sum(in_title[:first_content_only])  # title matches come first
    assert in_title[0] and not in_title[-1]


def test_the_index_follows_each_import_and_withdrawn_items_leave_it(province):
    searcher = Searcher(province)
    item = next(i for i in province.items() if "低保" in text_of(i))
    before = searcher.index().generation
    source = province.source(item.source_id)
    data = {"id": item.id, "county_code": item.county_code, "domain": item.domain, "level1": item.level1,
            "level2": item.level2, "level3": item.level3, "fields": {**item.fields, "content": "紫藤萝花期公告"},
            "content_hash": "changed", "location": item.location,
            "search": item_document(type("I", (), {**item.__dict__, "fields": {**item.fields, "content": "紫藤萝花期公告"}})(),
                                    province.county(item.county_code))}
    others = [i for i in province.items() if i.source_id == source.id and i.id != item.id]
    kept = [{"id": i.id, "county_code": i.county_code, "domain": i.domain, "level1": i.level1, "level2": i.level2,
             "level3": i.level3, "fields": i.fields, "content_hash": i.content_hash, "location": i.location}
            for i in others[1:]]
    job = province.start_job(source.id)
    province.import_items(source.id, job.id, [data, *kept], {})
    assert searcher.index().generation > before
    assert everything(searcher, q="紫藤萝") == [item.id]
    assert others[0].id not in everything(searcher)  # withdrawn: no longer in the index
    events = province.item_events(item.id)
    assert events[-1].kind == "changed" and events[-1].changes["content"][1] == "紫藤萝花期公告"
    assert province.item_events(others[0].id)[-1].kind == "withdrawn"


def test_a_failed_import_leaves_items_and_index_as_they_were(province, monkeypatch):
    searcher = Searcher(province)
    before = everything(searcher, q="低保")
    source = province.sources()[0]

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(province, "_insert_docs", broken)
    job = province.start_job(source.id)
    with pytest.raises(RuntimeError):
        province.import_items(source.id, job.id, [], {})  # would withdraw every item of the source
    monkeypatch.undo()
    assert everything(searcher, q="低保") == before
    assert all(i.status == "active" for i in province.items() if i.source_id == source.id)


def test_rebuild_gives_the_same_answers(province):
    searcher = Searcher(province)
    answers = {w: sorted(everything(searcher, q=w)) for w in WORDS}
    assert province.rebuild_search_index(item_document) == len(province.items())
    assert {w: sorted(everything(searcher, q=w)) for w in WORDS} == answers


@pytest.mark.parametrize("params", [{"fq": "astrology:1"}, {"fq": "tiers:(county"}, {"fq": "tiers:[1 TO 2]"},
                                    {"start": "-1"}, {"rows": "many"}, {"sort": "random()"}, {"facet.field": "[1]"},
                                    {"fq": "x" * 5000}, {"fq": "county:1\x00"}])
def test_bad_api_parameters_are_refused_with_a_message(params):
    from ckanext_gkcatalog.search.query import facet_fields
    with pytest.raises(QueryError) as caught:
        from_api(params)
        facet_fields(params.get("facet.field"))
    assert caught.value.problem.message("zh") and caught.value.problem.message("en")


@pytest.mark.parametrize("q", ['"低保', "低保 AND (养老* OR -就业) NEAR/2", "\x00低保", "'; DROP TABLE gk_item; --",
                               "保" * 10_000, "*:*", "{title}: 低保", "低保^2", "\\"])
def test_syntax_characters_in_a_query_are_only_text(province, q):
    result = Searcher(province).search(from_api({"q": q}))
    assert result.total >= 0


def test_beyond_the_scoring_limit_title_matches_come_first(province, monkeypatch):
    """A common word can match most of a province: past RANK_ALL matches the docs are not scored one by
    one, and those with the words in their title come first; the page says so."""
    from ckanext_gkcatalog.search import engine

    monkeypatch.setattr(engine, "RANK_ALL", 0)
    result = Searcher(province).search(SearchQuery(q="登记", rows=1000), facets=())
    in_title = ["登记" in fold(f"{h.item.level2} {h.item.level3 or ''}") for h in result.hits]
    assert not result.fully_ranked and any(in_title) and not all(in_title)
    assert in_title == sorted(in_title, reverse=True)  # every title match before every other
    codes = [h.item.county_code for h, t in zip(result.hits, in_title) if t]
    assert codes == sorted(codes)  # then by county


def test_the_rebuild_command_and_a_store_upgraded_without_an_index(province):
    """`gkcatalog search-index rebuild` says what it did; a store whose items were harvested before the
    search existed is indexed by the next command that opens it."""
    from click.testing import CliRunner
    from sqlalchemy import text

    from ckanext_gkcatalog.cli import main

    result = CliRunner().invoke(main, ["--db", province.url, "search-index", "rebuild"])
    assert result.exit_code == 0 and f"已重建检索索引:{len(province.items())} 个事项" in result.output
    with province.session() as s:  # as a store upgraded to revision 0005 finds itself
        if province.engine.dialect.name == "sqlite":
            s.execute(text("DELETE FROM gk_search_fts"))
        s.execute(text("DELETE FROM gk_search_doc"))
    assert province.search_index_missing()
    assert CliRunner().invoke(main, ["--db", province.url, "jobs"]).exit_code == 0
    assert not province.search_index_missing()
    assert len(everything(Searcher(province), q="低保")) > 0
