"""Tokenizer and normalisation: identical for queries and documents, offsets into the original."""

from __future__ import annotations

import pytest

from matching import Token, parse_query, tokenize
from matching.text import normalise


def norms(text: str) -> list[str]:
    return [t.norm for t in tokenize(text)]


def test_tokens_carry_offsets_into_the_original_string() -> None:
    text = "NATO’s chief, Jens Stoltenberg."
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["nato", "s", "chief", "jens", "stoltenberg"]
    assert [text[t.start : t.end] for t in tokens] == ["NATO", "s", "chief", "Jens", "Stoltenberg"]
    assert tokens[0] == Token("nato", 0, 4)


@pytest.mark.parametrize("text", ["NATO's", "NATO’s", "NATO‘s", "NATO`s"])
def test_straight_and_curly_apostrophes_split_tokens(text: str) -> None:
    assert norms(text) == ["nato", "s"]


def test_hyphenated_compounds_yield_their_parts() -> None:
    assert norms("NATO-China talks") == ["nato", "china", "talks"]
    assert norms("NATO–China") == ["nato", "china"]  # en dash too


def test_case_and_accents_are_folded() -> None:
    assert norms("OTAN otán Otán") == ["otan", "otan", "otan"]
    assert norms("Pékin PEKIN pékin") == ["pekin", "pekin", "pekin"]
    assert norms("Straße STRASSE") == ["strasse", "strasse"]


def test_decomposed_accents_stay_in_the_token() -> None:
    text = "ota\u0301n e\u0301te\u0301"  # combining acute accents (NFD)
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["otan", "ete"]
    assert [text[t.start : t.end] for t in tokens] == ["ota\u0301n", "e\u0301te\u0301"]


def test_offsets_survive_normalisation_that_changes_length() -> None:
    # "ﬁ" (1 char) becomes "fi", "ß" becomes "ss", "İ" casefolds to two code points.
    text = "ﬁnancial İstanbul Straße ½ x"
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["financial", "istanbul", "strasse", "1", "2", "x"]
    spans = [text[t.start : t.end] for t in tokens]
    assert spans == ["ﬁnancial", "İstanbul", "Straße", "½", "½", "x"]


def test_tokens_are_runs_of_letters_and_digits_in_any_script() -> None:
    assert norms("Москва, 北京 and F-35s; snake_case 3.5%") == [
        "москва",
        "北京",
        "and",
        "f",
        "35s",
        "snake",
        "case",
        "3",
        "5",
    ]
    assert norms("  ...  —  ") == []


def test_normalise_matches_tokenize() -> None:
    text = "L’OTAN s’inquiète: ½ des armes ﬁnancées par Pékin‽"
    assert normalise(text) == norms(text)


def test_query_and_text_share_normalisation() -> None:
    assert parse_query("OTAN").matches(text="l’otán")
    assert parse_query("otán").matches(text="OTAN")
    assert parse_query("Pékin").matches(text="pekin")
    assert not parse_query("Pékin").matches(text="pekinese")
