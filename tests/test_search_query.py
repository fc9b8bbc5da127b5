"""The query language (shared by both backends): a forgiving parser, and the few things it refuses."""
from __future__ import annotations

import pytest

from search.errors import BadQuery
from search.query import And, DateRange, Not, Or, Text, parse, replace_text, words
from search.request import SearchRequest, request_from_params


@pytest.mark.parametrize("q, expected", [
    ("lễ hội katê", "lễ hội katê"),
    ("katê OR ramưwan lễ", "katê OR (ramưwan lễ)"),
    ("a OR b AND NOT c", "a OR (b NOT c)"),
    ("(a OR b) c", "(a OR b) c"),
    ("-ma -\"tết nguyên\"", 'NOT ma NOT "tết nguyên"'),
    ('title:ma place:"Tuệ Thành" x', 'title:ma place:"Tuệ Thành" x'),
    ("title:(a OR b*) c", "(title:a OR title:b*) c"),
    ("nguy*", "nguy*"),
    ("date:1970..1979 foo:bar", "date:1970..1979 foo:bar"),
    ("http://example.org", "http://example.org"),
])
def test_operators_fields_phrases_and_prefixes(q, expected):
    assert str(parse(q)) == expected


@pytest.mark.parametrize("q, expected", [
    ('"unbalanced quote', '"unbalanced quote"'),  # the phrase runs to the end
    ("NOT", "NOT"),                                # a lone operator is a word
    ("AND OR", "AND OR"),
    ("ma NOT", "ma"),                              # a dangling operator is dropped
    ("OR ma AND", "ma"),
    ("((ma", "ma"),
    ("ma))) b", "ma b"),
    ("title:", "title"),
    ("m\x00a\x07\u200bb", "ma b"),                 # control characters go, ZWSP separates
    ("*", None),
    ('""', None),
    ("   ", None),
])
def test_malformed_queries_become_sensible_searches(q, expected):
    node = parse(q)
    assert (str(node) if node is not None else None) == expected


def test_date_field_is_an_edtf_range():
    assert parse("date:196X") == DateRange("1960-01-01", "1969-12-31", "196X")
    assert parse("date:1975..1979") == DateRange("1975-01-01", "1979-12-31", "1975..1979")
    assert parse("date:2001/2005") == DateRange("2001-01-01", "2005-12-31", "2001/2005")


@pytest.mark.parametrize("q, reason", [
    ("date:someday", "'someday' is not an EDTF date"),
    ("date:1990..1980", "ends before it starts"),
    ("x" * 1001, "the limit is 1000"),
    (" ".join(f"w{i}" for i in range(65)), "more than 64 terms"),
])
def test_what_cannot_be_searched_is_refused_with_the_reason(q, reason):
    with pytest.raises(BadQuery) as error:
        parse(q)
    assert error.value.parameter == "q" and reason in error.value.reason


def test_words_lists_positive_terms_and_replace_keeps_the_rest():
    tree = parse("lanturn festival -ghost date:1975")
    assert [str(w) for w in words(tree)] == ["lanturn", "festival"]
    fixed = replace_text(tree, words(tree)[0], Text("lantern"))
    assert str(fixed) == "lantern festival NOT ghost date:1975"
    assert isinstance(fixed, And) and isinstance(fixed.children[2], Not)
    assert isinstance(parse("a OR b"), Or)


def test_request_parameters_are_checked():
    request = request_from_params({"q": ["ma"], "community": ["hoa,khmer", "cham"], "date_from": ["1975"],
                                   "date_to": ["1979-06"], "page": ["2"], "lang": ["en"]})
    assert request.filters == {"community": ("hoa", "khmer", "cham")}
    assert (request.date_from, request.date_to) == ("1975-01-01", "1979-06-30")
    assert (request.page, request.offset, request.lang) == (2, 20, "en")
    for params, parameter in [({"date_to": ["1970"], "date_from": ["1980"]}, "date_to"),
                              ({"per_page": ["0"]}, "per_page"), ({"page": ["501"]}, "page")]:
        with pytest.raises(BadQuery) as error:
            request_from_params(params)
        assert error.value.parameter == parameter
    with pytest.raises(BadQuery, match="unknown filter"):
        SearchRequest(filters={"colour": ("red",)})
