"""QuerySyntaxError: positions, one-line messages, the caret display, and topic names."""

from __future__ import annotations

import pickle

import pytest

from matching import QuerySyntaxError, Topic, TopicMatcher, parse_query


def error_for(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    return info.value


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("(NATO AND", 9, "never closed"),
        ("NATO AND", 8, "'AND' needs a term"),
        ('"unterminated', 0, "unterminated phrase"),
        ("title:(", 7, "never closed"),
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("NATO)", 4, "no matching '('"),
        ("NATO AND OR China", 9, "operator OR"),
        ("NATO OR", 7, "'OR' needs a term"),
        ('NATO AND "lethal aid', 9, "unterminated phrase"),
    ],
)
def test_syntax_errors_carry_the_position(query: str, position: int, words: str) -> None:
    error = error_for(query)
    assert error.query == query
    assert error.position == position
    assert words in error.message
    assert "\n" not in str(error)
    assert f"position {position}" in str(error)


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("NATO AND [a TO b]", 9, "ranges are not supported"),
        ("NATO AND weapons~2", 9, "fuzzy"),
        ("NATO /weap.ns/", 5, "regular expressions"),
        ("NATO AND author:smith", 9, "unknown field 'author'"),
        ("w*pons", 1, "only a trailing *"),
        ("weap?ns", 4, "wildcard ?"),
        ("*", 0, "lone *"),
        ("NATO &&", 5, "no letters or digits"),
        ('"a b"~1.5', 5, "whole number"),
        ("title:text:NATO", 6, "nested"),
        ("lang:f.r", 5, "language code"),
        ('"" NATO', 0, "no letters or digits"),
    ],
)
def test_unsupported_constructs_say_what_is_supported(
    query: str, position: int, words: str
) -> None:
    error = error_for(query)
    assert error.position == position
    assert words in error.message
    assert "\n" not in str(error)


def test_unsupported_syntax_lists_the_supported_syntax() -> None:
    assert "supported: words" in error_for("[a TO b]").message


@pytest.mark.parametrize(
    ("query", "caret"),
    [
        ("(NATO AND", "(NATO AND\n         ^"),
        ("NATO AND", "NATO AND\n        ^"),
        ('"unterminated', '"unterminated\n^'),
        ("title:(", "title:(\n       ^"),
        ("", "\n^"),
        ("NATO AND OR China", "NATO AND OR China\n         ^"),
    ],
)
def test_caret_points_at_the_position(query: str, caret: str) -> None:
    assert error_for(query).caret() == caret


def test_caret_keeps_columns_when_the_query_has_line_breaks() -> None:
    error = error_for("NATO\nAND")
    lines = error.caret().split("\n")
    assert lines == ["NATO AND", "        ^"]


def test_topic_errors_name_the_topic() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        TopicMatcher([Topic("fine", "NATO"), Topic("broken-topic", "(NATO AND")])
    error = info.value
    assert error.topic == "broken-topic"
    assert "broken-topic" in str(error)
    assert error.position == 9
    assert error.caret() == "(NATO AND\n         ^"


def test_bad_default_operator_is_a_query_error() -> None:
    with pytest.raises(QuerySyntaxError, match="default_operator"):
        TopicMatcher([Topic("t", "NATO", default_operator="XOR")])


def test_duplicate_topic_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        TopicMatcher([Topic("t", "NATO"), Topic("t", "China")])


def test_error_pickles_with_its_attributes() -> None:
    error = error_for("(NATO AND").with_topic("t")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.query, copy.position, copy.message, copy.topic) == (
        error.query,
        error.position,
        error.message,
        error.topic,
    )
    assert str(copy) == str(error)
