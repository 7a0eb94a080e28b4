"""Snippets: the walk over the words next to the cluster (``snippet._grow``) gives the same
excerpts as the general algorithm (``snippet._fit``, which lists every word of the margin),
and the whitespace the walk rewrites is exactly what ``str.split`` and ``\\s`` treat as such."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import snippet, tokenize

settings.register_profile(
    "matching-snippets", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = settings.get_profile("matching-snippets")

WORDS = st.sampled_from(
    [
        "NATO", "China", "weapons", "the", "a", "of", "L’OTAN", "Pékin", "½", "ﬁre", "NATO-China",
        "(arms)", "aid,", "said", "x" * 49, "y" * 50, "z" * 51, "w" * 120, "长" * 30,
        "https://example.org/" + "a" * 40,
    ]
)  # fmt: skip
SEPARATORS = st.sampled_from(
    [" "] * 8 + ["  ", "\n", "\n\n", "\t", "\u00a0", " \u3000 ", "\r\n", "", "-", "’"]
)
LIMITS = st.sampled_from([300, 300, 120, 60, 30, 12, 5])


def draw_text(
    draw: st.DrawFn, words: st.SearchStrategy[list[str]], separators: st.SearchStrategy[str]
) -> str:
    """Drawn words with a drawn separator before, between and after them."""
    drawn = draw(words)
    between = draw(st.lists(separators, min_size=len(drawn) + 1, max_size=len(drawn) + 1))
    return "".join(s + w for s, w in zip(between, drawn, strict=False)) + between[-1]


@st.composite
def snippet_cases(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]], int]:
    text = draw_text(draw, st.lists(WORDS, max_size=200), SEPARATORS)
    tokens = tokenize(text)
    spans: list[tuple[int, int, str]] = []
    if tokens:
        picked = draw(st.lists(st.sampled_from(tokens), max_size=20))
        spans = [(t.start, t.end, t.norm) for t in picked]
        if len(tokens) > 2 and draw(st.booleans()):  # a phrase over three tokens
            i = draw(st.integers(0, len(tokens) - 3))
            spans.append((tokens[i].start, tokens[i + 2].end, "phrase"))
    # Spans a matcher never makes: out of range, empty, starting on a space, very long.
    odd = st.tuples(st.integers(-5, len(text) + 5), st.integers(-3, 400), st.just("odd"))
    spans += [(s, s + n, t) for s, n, t in draw(st.lists(odd, max_size=3))]
    return text, spans, draw(LIMITS)


@contextmanager
def general_algorithm_only() -> Iterator[None]:
    grow = snippet._grow
    snippet._grow = lambda *args: None  # type: ignore[assignment]
    try:
        yield
    finally:
        snippet._grow = grow  # type: ignore[assignment]


def assert_walk_agrees(text: str, spans: list[tuple[int, int, str]], limit: int) -> None:
    """The snippet is the same with the walk as with the general algorithm alone."""
    found = snippet.make_snippet(text, spans, limit)
    with general_algorithm_only():
        assert found == snippet.make_snippet(text, spans, limit)


@settings(PROFILE, max_examples=400)
@given(snippet_cases())
def test_the_walk_and_the_general_algorithm_agree(
    case: tuple[str, list[tuple[int, int, str]], int],
) -> None:
    assert_walk_agrees(*case)


def test_the_walk_decides_ordinary_snippets() -> None:
    """On plain text the walk answers by itself: within half the margin when both sides
    grow, within the margin near the ends of the text."""
    text = " ".join(f"word{n % 97} NATO" if n % 40 == 0 else f"word{n % 97}" for n in range(600))
    tokens = tokenize(text)
    marks = [(t.start, t.end) for t in tokens if t.norm == "nato"]
    for lo, hi in [*marks, (tokens[1].start, tokens[1].end), (tokens[-1].start, tokens[-1].end)]:
        kept = snippet._grow(text, marks, lo, hi, 300)
        start, end, _ = snippet._fit(text, marks, lo, hi, 300)
        assert kept == (start, end)


def test_other_spaces_are_the_whitespace_characters_but_the_space() -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    whitespace = {c for c in every if c.isspace()}
    assert set(re.findall(r"\s", every)) == whitespace
    assert set(snippet._OTHER_SPACES) == whitespace - {" "}
    assert not any(c.isprintable() for c in snippet._OTHER_SPACES)
    assert snippet._spaces_only("a\tb\n\nc\u3000d e") == "a b  c d e"


SHORT_WORDS = st.sampled_from(
    [
        "NATO", "China", "weapons", "the", "a", "of", "L’OTAN", "Pékin", "aid,", "said", "(arms)",
        "x" * 49, "z" * 51, "https://example.org/" + "a" * 40,
    ]
)  # fmt: skip
MOSTLY_SPACES = st.sampled_from([" "] * 30 + ["  ", "\n\n", "\t", "\u00a0", "-"])


@st.composite
def small_clusters_in_long_texts(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]], int]:
    """Hundreds of mostly short words around a few neighbouring terms: the budget is large
    and both sides have many words, so the walk jumps ahead; some limits are above the
    default one."""
    text = draw_text(draw, st.lists(SHORT_WORDS, min_size=100, max_size=400), MOSTLY_SPACES)
    tokens = tokenize(text)
    first = draw(st.integers(0, len(tokens) - 1))
    picked = tokens[first : first + draw(st.integers(1, 4))]
    picked += draw(st.lists(st.sampled_from(tokens), max_size=3))
    spans = [(t.start, t.end, t.norm) for t in picked]
    return text, spans, draw(st.sampled_from([300, 300, 200, 120, 500, 1000]))


@settings(PROFILE, max_examples=150)
@given(small_clusters_in_long_texts())
def test_the_walk_and_the_general_algorithm_agree_on_long_texts(
    case: tuple[str, list[tuple[int, int, str]], int],
) -> None:
    assert_walk_agrees(*case)


def test_ascii_text_has_its_other_spaces_replaced_too() -> None:
    for char in snippet._OTHER_SPACES:
        if char.isascii():
            assert snippet._spaces_only(f"a{char}b  c") == "a b  c"
    assert snippet._spaces_only("a b\nc") == "a b c"
