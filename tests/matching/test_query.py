"""Query semantics: every operator with a case that matches and a near miss that does not."""

from __future__ import annotations

import pytest

from matching import parse_query


def matches(
    query: str,
    text: str = "",
    title: str = "",
    source: str | None = None,
    lang: str | None = None,
    default_operator: str = "AND",
) -> bool:
    return parse_query(query, default_operator).matches(title, text, source, lang)


def test_single_term_matches_title_or_text() -> None:
    assert matches("NATO", text="the NATO summit")
    assert matches("NATO", title="NATO summit")
    assert not matches("NATO", text="the NAT summit", title="OTAN")
    assert not matches("NATO", text="NATOS")  # whole tokens only


@pytest.mark.parametrize("text", ["NATO’s warning", "NATO's warning"])
def test_curly_and_straight_possessives_match(text: str) -> None:
    assert matches("NATO", text=text)


def test_accent_folding_otan() -> None:
    assert matches("OTAN", text="selon l’otán")
    assert not matches("OTAN", text="selon l’otage")


def test_hyphenated_text_matches_its_parts_and_the_compound() -> None:
    assert matches("China", text="NATO-China relations")
    assert matches("NATO-China", text="NATO-China relations")
    assert matches("NATO-China", text="NATO China relations")  # a phrase of its parts
    assert not matches("NATO-China", text="China and NATO relations")


def test_and() -> None:
    assert matches("NATO AND China", text="China warned NATO")
    assert not matches("NATO AND China", text="NATO warned Russia")


def test_or() -> None:
    assert matches("weapons OR arms", text="supplying arms")
    assert not matches("weapons OR arms", text="supplying armour")


def test_not() -> None:
    assert matches("NATO NOT sport", text="NATO summit")
    assert not matches("NATO NOT sport", text="NATO sport event")
    assert matches("NATO AND NOT sport", text="NATO summit")
    assert not matches("NATO AND NOT sport", text="NATO sport event")


def test_only_negative_query_matches_everything_without_the_term() -> None:
    assert matches("NOT sport", text="politics today")
    assert matches("NOT sport", text="")
    assert not matches("NOT sport", text="sport today")
    assert matches("-sport -football", text="politics")
    assert not matches("-sport -football", text="football")


def test_required_and_prohibited_prefixes() -> None:
    assert matches("+NATO -sport", text="NATO summit")
    assert not matches("+NATO -sport", text="NATO sport")
    assert not matches("+NATO -sport", text="summit")


def test_plus_makes_other_bare_terms_optional_with_default_or() -> None:
    assert matches("+NATO China", text="NATO only", default_operator="OR")
    assert not matches("+NATO China", text="China only", default_operator="OR")


def test_parentheses_group() -> None:
    query = "(NATO OR Stoltenberg) AND (China OR Beijing)"
    assert matches(query, text="Stoltenberg and Beijing")
    assert not matches(query, text="Stoltenberg and Moscow")
    assert matches("NATO AND (China OR Beijing) OR Kremlin", text="Kremlin")


def test_and_binds_tighter_than_or() -> None:
    assert matches("a OR b AND c", text="a")
    assert not matches("a OR b AND c", text="b")


def test_phrase_needs_consecutive_tokens() -> None:
    assert matches('"lethal aid"', text="no lethal aid yet")
    assert matches('"lethal aid"', text="no Lethal-Aid yet")
    assert not matches('"lethal aid"', text="lethal military aid")
    assert not matches('"lethal aid"', text="aid that is lethal")


def test_suffix_wildcard_is_a_prefix_match_on_tokens() -> None:
    assert matches("weapon*", text="weaponry")
    assert matches("weapon*", text="weapons")
    assert matches("weapon*", text="weapon")
    assert not matches("weapon*", text="weapo")
    assert not matches("weapon*", text="unweaponised")
    assert matches('"weapon* sales"', text="weapons sales")


def test_proximity_window_any_order() -> None:
    query = '"China weapons"~10'
    assert matches(query, text="China has sent no weapons")
    assert matches(query, text="weapons are not coming from China")
    eight_between = "China " + "x " * 8 + "weapons"
    nine_between = "China " + "x " * 9 + "weapons"
    assert matches(query, text=eight_between)  # 10 tokens wide
    assert not matches(query, text=nine_between)  # 11 tokens wide
    assert not matches(query, text="China " + "x " * 30 + "weapons")


def test_proximity_needs_every_word() -> None:
    assert matches('"NATO China weapons"~5', text="weapons, says NATO of China")
    assert not matches('"NATO China weapons"~5', text="NATO and China")
    assert not matches('"China China"~5', text="China and Russia")
    assert matches('"China China"~5', text="China and China")


def test_title_scope() -> None:
    assert matches("title:NATO", title="NATO summit", text="nothing")
    assert not matches("title:NATO", title="Summit", text="NATO was there")


def test_text_scope() -> None:
    assert matches("text:NATO", title="Summit", text="NATO was there")
    assert not matches("text:NATO", title="NATO summit", text="nothing")


def test_field_group_scope() -> None:
    assert matches('title:(NATO OR "lethal aid")', title="No lethal aid")
    assert not matches('title:(NATO OR "lethal aid")', text="No lethal aid")


def test_source_scope_matches_outlet_tokens() -> None:
    assert matches("source:lemonde", source="www.lemonde.fr")
    assert matches('source:"Le Monde"', source="Le Monde")
    assert not matches("source:lemonde", source="www.lefigaro.fr")
    assert not matches("source:lemonde", text="lemonde", source=None)


def test_lang_scope_equals_the_language_code() -> None:
    assert matches("lang:fr", lang="fr")
    assert matches("lang:fr", lang="FR")
    assert matches("lang:fr", lang="fr-CA")
    assert not matches("lang:fr", lang="en")
    assert not matches("lang:fr", lang="fry")
    assert not matches("lang:fr", lang=None)
    assert matches("NATO AND NOT lang:fr", text="NATO", lang="en")
    assert matches("lang:(fr OR de)", lang="de")


def test_default_operator_and_or() -> None:
    assert not matches("NATO China", text="NATO")
    assert matches("NATO China", text="NATO China")
    assert matches("NATO China", text="NATO", default_operator="OR")
    assert not matches("NATO China", text="Russia", default_operator="OR")


def test_lowercase_operators_are_words() -> None:
    assert not matches("NATO and China", text="NATO China")
    assert matches("NATO and China", text="NATO and China")
    assert matches("NATO or China", text="NATO or China")


def test_boost_is_accepted_and_ignored() -> None:
    assert matches("NATO^2 China", text="NATO China")


def test_query_keeps_its_source_string() -> None:
    q = parse_query("NATO OR OTAN", default_operator="or")
    assert q.string == "NATO OR OTAN"
    assert q.default_operator == "OR"
    assert str(q) == "NATO OR OTAN"
