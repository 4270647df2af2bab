"""The search's text analysis: CJK bigrams and single characters, Latin words and numbers whole, folding of
traditional and full-width forms, and the domain synonyms. Real catalog lines from shared samples shapes."""
import pytest

from ckanext_gkcatalog.tokens import (MAX_QUERY_CHARS, Term, bigram_stream, expansions, fold, query_terms,
                                      synonym_groups, unigram_stream)

LINES = [  # lines as printed in published county catalogs
    "城乡低保对象认定条件、审核审批程序",
    "最低生活保障审核审批办法(试行)",
    "特困人员救助供养制度",
    "城乡居民基本养老保险参保登记",
    "就业困难人员认定及援助",
    "《国务院关于进一步加强就业再就业工作的通知》(国发〔2005〕36号)",
    "社會救助暫行辦法(國務院令第649號)",
    "ＰＤＦ格式下载,电话０８７５－１２３４５６",
]


def found(text: str, query: str) -> bool:
    """Whether every term of the query occurs in the text's streams, bigram phrases as adjacent tokens."""
    stream, single = bigram_stream(text).split(), set(unigram_stream(text).split())
    for term in query_terms(query):
        if term.stream == "unigrams":
            if term.tokens[0] not in single:
                return False
        elif not any(tuple(stream[i:i + len(term.tokens)]) == term.tokens for i in range(len(stream))):
            return False
    return True


def test_han_text_is_cut_into_bigrams_and_words_kept_whole():
    assert bigram_stream("最低生活保障") == "最低 低生 生活 活保 保障"
    assert bigram_stream("国发〔2015〕23号") == "国发 2015 23 号"
    assert unigram_stream("低保低保") == "低 保"
    assert shapes("低保") == [(("低保",), "bigrams")]
    assert shapes("证") == [(("证",), "unigrams")]
    assert shapes("最低生活保障 711号") == [(("最低", "低生", "生活", "活保", "保障"), "bigrams"), (("711",), "bigrams"),
                                        (("号",), "unigrams")]


def shapes(query: str) -> list:
    return [(t.tokens, t.stream) for t in query_terms(query)]


def test_a_query_word_with_a_synonym_matches_either_phrase():
    (term,) = query_terms("城乡低保", synonyms=True)
    assert term.phrases == (("城乡", "乡低", "低保"), ("城乡", "乡最", "最低", "低生", "生活", "活保", "保障"))
    assert term.words == ("城乡低保", "城乡最低生活保障")
    (longest,) = query_terms("特困人员救助供养", synonyms=True)  # the longest synonym found is replaced
    assert ("特困",) in longest.phrases and ("特困", "困供", "供养") in longest.phrases
    assert query_terms("就业", synonyms=True) == query_terms("就业")
    assert Term(("低保",), "bigrams").phrases == (("低保",),)


@pytest.mark.parametrize("word", ["低保", "养老", "就业", "特困", "救助", "审批", "认定"])
def test_two_character_words_find_every_line_that_has_them_and_no_other(word):
    for line in LINES:
        assert found(line, word) == (word in fold(line)), (word, line)


def test_traditional_and_full_width_text_folds_at_index_and_query_time():
    assert found("社會救助暫行辦法(國務院令第649號)", "社会救助暂行办法")
    assert found("社会救助暂行办法", "社會救助")
    assert found("国务院令第649号", "國務院令 ６４９")
    assert found("ＰＤＦ格式下载", "pdf")
    assert fold("ＡＢＣ") == "abc"


def test_phrases_must_be_adjacent_and_every_word_must_match():
    assert found("最低生活保障审核", "生活保障")
    assert not found("最低生活标准与保障", "生活保障")
    assert not found("最低生活保障", "生活保障 特困")


def test_query_syntax_characters_are_only_text():
    terms = query_terms('"低保 AND (养老* OR -就业) NEAR/2 ^特困 \x00')
    assert all(t.stream in ("bigrams", "unigrams") for t in terms)
    assert {t.tokens for t in terms} == {("低保",), ("and",), ("养老",), ("or",), ("就业",), ("near",), ("2",),
                                         ("特困",)}
    assert len(query_terms("保" * 10_000)[0].tokens) == MAX_QUERY_CHARS - 1


def test_synonyms_say_what_they_add(tmp_path, monkeypatch):
    assert ("低保", "最低生活保障") in {(g[0], g[1]) for g in synonym_groups()}
    assert expansions("城乡低保对象") == [("低保", ["最低生活保障"])]
    assert expansions("最低生活保障") == [("最低生活保障", ["低保"])]
    assert expansions("社會保險") == [("社会保险", ["社保"])]  # folded like the text
    assert expansions("就业") == []
    own = tmp_path / "synonyms.yaml"
    own.write_text("groups:\n  - [一卡通, 惠民惠农财政补贴资金“一卡通”]\n", encoding="utf-8")
    monkeypatch.setenv("GKCATALOG_SYNONYMS", str(own))
    assert expansions("一卡通发放") == [("一卡通", ["惠民惠农财政补贴资金“一卡通”"])]
