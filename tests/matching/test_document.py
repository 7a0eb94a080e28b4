"""FieldTokens look-ups: positions of words and of prefixes, from the one-pass index."""

from __future__ import annotations

from matching.document import FieldTokens


def test_positions_of_words_and_prefixes() -> None:
    tokens = FieldTokens("Arms, arms and ARMIES; disarm the armed arms-dealers.")
    assert tokens.norms == [
        "arms",
        "arms",
        "and",
        "armies",
        "disarm",
        "the",
        "armed",
        "arms",
        "dealers",
    ]
    assert tokens.positions(("arms", False)) == [0, 1, 7]
    assert tokens.positions(("arm", True)) == [0, 1, 3, 6, 7]
    assert tokens.positions(("armies", True)) == [3]
    assert tokens.positions(("arm", False)) == []
    assert tokens.positions(("zebra", True)) == []
    # Cached results are stable across calls.
    assert tokens.positions(("arm", True)) == [0, 1, 3, 6, 7]


def test_positions_in_an_empty_field() -> None:
    assert FieldTokens("").positions(("nato", False)) == []


def test_char_spans_of_words_phrases_and_split_tokens() -> None:
    tokens = FieldTokens("NATO’s ½ share, Chinese arms")
    assert tokens.norms == ["nato", "s", "1", "2", "share", "chinese", "arms"]
    # Both halves of "½" keep the span of the original character.
    assert tokens.char_spans([0, 2, 3, 5], 0) == ([0, 7, 7, 16], [4, 8, 8, 23])
    assert tokens.char_spans([5], 1) == ([16], [28])
    assert tokens.char_span(0, 1) == (0, 6)
    assert FieldTokens("").char_spans([], 0) == ([], [])
