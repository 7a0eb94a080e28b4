"""Property tests: parse_query only ever raises QuerySyntaxError; conjunctions of words always
match a text made of those words; snippets stay short and marked; token offsets are exact."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import QuerySyntaxError, Topic, TopicMatcher, parse_query, tokenize
from matching.text import normalise

# No example database: the tests leave nothing behind in the work tree.
settings.register_profile(
    "matching", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = settings.get_profile("matching")

QUERY_PIECES = st.sampled_from(
    [
        "NATO", "china", "AND", "OR", "NOT", "TO", "and", "(", ")", '"', "'", "*", "?", "~",
        "~2", "~1.5", "^", "^2", ":", "title:", "text:", "source:", "lang:", "foo:", "+", "-",
        "\\", "/", "[", "]", "{", "}", "<", ">=", "&&", "||", "!", " ", "  ", "\n", "\t",
        "é", "’", "ﬁ", "½", "北京", "a\u0301", "\x00",
    ]
)  # fmt: skip
QUERY_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(QUERY_PIECES, max_size=20).map("".join),
    st.lists(st.one_of(QUERY_PIECES, st.text(max_size=3)), max_size=15).map("".join),
)


@settings(PROFILE, max_examples=600)
@given(QUERY_TEXT, st.sampled_from(["AND", "OR"]))
def test_parse_query_raises_only_query_syntax_error(query: str, operator: str) -> None:
    try:
        compiled = parse_query(query, operator)
    except QuerySyntaxError as error:
        assert error.query == query
        assert error.position is None or 0 <= error.position <= len(query)
        assert "\n" not in str(error)
        assert len(error.caret().split("\n")) == 2
    else:
        compiled.matches(title="NATO china", text="北京 é", source="x", lang="fr")


WORD_CHARS = st.characters(
    categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "No"), max_codepoint=0x2FFFF
)
WORDS = st.text(WORD_CHARS, min_size=1, max_size=12).filter(
    lambda w: w not in {"AND", "OR", "NOT", "TO"} and bool(normalise(w))
)
FILLER = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "it",
    "is",
    "was",
    "for",
    "on",
    "are",
    "as",
    "with",
    "his",
    "they",
    "at",
    "be",
    "this",
    "from",
]


@settings(PROFILE, max_examples=300)
@given(
    st.lists(WORDS, min_size=1, max_size=6),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=400),
    st.randoms(use_true_random=False),
)
def test_conjunction_of_words_matches_text_of_those_words(
    words: list[str], before: int, after: int, rng: random.Random
) -> None:
    shuffled = words[:]
    rng.shuffle(shuffled)
    filler = [rng.choice(FILLER) for _ in range(before + after)]
    text = " ".join(filler[:before] + shuffled + filler[before:])
    query = " AND ".join(words)
    found = TopicMatcher([Topic("t", query)]).match("", text)
    assert [m.topic for m in found] == ["t"]
    snippet = found[0].snippet
    assert "**" in snippet
    assert len(snippet.removeprefix("…").removesuffix("…")) <= 300
    assert found[0].terms
    assert all(text[t.start : t.end] for t in found[0].terms)


@settings(PROFILE, max_examples=300)
@given(st.text(max_size=200))
def test_token_offsets_point_at_the_original_characters(text: str) -> None:
    for token in tokenize(text):
        assert 0 <= token.start < token.end <= len(text)
        assert token.norm in normalise(text[token.start : token.end])
    assert normalise(text) == [t.norm for t in tokenize(text)]


@settings(PROFILE, max_examples=200)
@given(st.text(max_size=400), st.lists(WORDS, min_size=1, max_size=3))
def test_any_match_has_a_bounded_snippet(text: str, words: list[str]) -> None:
    text = text + " " + " ".join(words)
    found = TopicMatcher([Topic("t", " OR ".join(words))]).match("title", text)
    assert found
    snippet = found[0].snippet
    assert "**" in snippet
    assert len(snippet.removeprefix("…").removesuffix("…")) <= 300
