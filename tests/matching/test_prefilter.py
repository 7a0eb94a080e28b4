"""The Aho-Corasick prefilter: the necessary conditions it derives, the topics it selects, and
that a prefiltered TopicMatcher returns exactly what evaluating every topic returns."""

from __future__ import annotations

import pytest

from matching import Topic, TopicMatcher, parse_query
from matching.document import Document
from matching.prefilter import Prefilter, anchor_key, necessary_condition


def condition(query: str, operator: str = "AND") -> set[frozenset[str]]:
    """The necessary condition of ``query`` as a set of clauses of readable anchors."""
    clauses = necessary_condition(parse_query(query, operator).root)
    return {frozenset(v + ("*" if p else "") for v, p in clause) for clause in clauses}


def selected(queries: list[str], title: str, text: str, **doc: str) -> list[int]:
    prefilter = Prefilter([parse_query(q).root for q in queries])
    return prefilter.candidates(Document(title, text, doc.get("source"), doc.get("lang")))


def both(topics: list[Topic], title: str, text: str, **doc: str) -> list[str]:
    """Names matched by the prefiltered matcher, checked against the naive one."""
    fast = TopicMatcher(topics).match(title, text, doc.get("source"), doc.get("lang"))
    naive = TopicMatcher(topics, prefilter=False).match(
        title, text, doc.get("source"), doc.get("lang")
    )
    assert fast == naive
    return [m.topic for m in fast]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NATO", {frozenset({"nato"})}),
        ("NATO AND China", {frozenset({"nato"}), frozenset({"china"})}),
        ("NATO OR OTAN", {frozenset({"nato", "otan"})}),
        ('"lethal aid"', {frozenset({"lethal"}), frozenset({"aid"})}),
        ('"China weapons"~10', {frozenset({"china"}), frozenset({"weapons"})}),
        ("weapon*", {frozenset({"weapon*"})}),
        ("Pékin", {frozenset({"pekin"})}),
        ("title:China AND text:arms", {frozenset({"china"}), frozenset({"arms"})}),
        # OR of ANDs: one clause, the union of each branch's most selective clause.
        ("(NATO AND Russia) OR (China AND weapons)", {frozenset({"russia", "weapons"})}),
        (
            "(NATO OR OTAN) AND (China OR Beijing)",
            {frozenset({"nato", "otan"}), frozenset({"china", "beijing"})},
        ),
        # Clause lists: +required terms are needed; optional ones only without a required one.
        ("+NATO China", {frozenset({"nato"}), frozenset({"china"})}),
        ("NATO -sport", {frozenset({"nato"})}),
        ("NATO AND NOT sport", {frozenset({"nato"})}),
        ("lang:fr AND NATO", {frozenset({"nato"})}),
        ("source:reuters AND NATO", {frozenset({"nato"})}),
    ],
)
def test_necessary_conditions(query: str, expected: set[frozenset[str]]) -> None:
    assert condition(query) == expected


def test_conditions_with_default_operator_or() -> None:
    assert condition("NATO China", "OR") == {frozenset({"nato", "china"})}
    assert condition("+NATO China", "OR") == {frozenset({"nato"})}
    assert condition("+NATO +China -sport", "OR") == {frozenset({"nato"}), frozenset({"china"})}


@pytest.mark.parametrize(
    "query",
    [
        "NOT sport",
        "-sport",
        "-sport -football",
        "lang:fr",
        "source:reuters",
        "source:reuters OR NATO",
        "NATO OR NOT sport",
        "lang:fr OR China",
        "NOT (NATO AND China)",
    ],
)
def test_queries_without_a_condition_are_always_evaluated(query: str) -> None:
    assert condition(query) == set()
    assert selected([query], "", "nothing relevant here") == [0]


def test_anchor_keys_are_whole_tokens_or_token_starts() -> None:
    assert anchor_key(("nato", False)) == " nato "
    assert anchor_key(("weapon", True)) == " weapon"


def test_only_topics_with_every_clause_present_are_selected() -> None:
    queries = [
        "NATO AND China",  # 0: both present
        "NATO AND cricket",  # 1: cricket absent
        "(cricket OR rugby) AND NATO",  # 2: neither cricket nor rugby
        "(cricket OR China) AND NATO",  # 3: China present
        "NOT cricket",  # 4: always
        "title:NATO",  # 5: NATO is in the text only, still selected (fields are not told apart)
    ]
    assert selected(queries, "", "NATO warns China") == [0, 3, 4, 5]


def test_wildcards_match_token_starts_only() -> None:
    queries = ["weapon*", "eapon*", "weapons"]
    assert selected(queries, "", "weaponry and superweapons") == [0]
    assert both([Topic("a", "weapon*"), Topic("b", "eapon*")], "", "superweapons") == []
    assert both([Topic("a", "weapon*"), Topic("b", "eapon*")], "", "Weaponry") == ["a"]


def test_whole_tokens_only() -> None:
    assert selected(["arm", "arms"], "", "arms and armies") == [1]
    assert both([Topic("a", "arm")], "", "arms, armies, disarm") == []


def test_phrases_need_all_words_and_are_then_checked_exactly() -> None:
    topics = [Topic("phrase", '"lethal aid"'), Topic("near", '"lethal aid"~3')]
    assert selected(['"lethal aid"'], "", "aid only") == []
    assert selected(['"lethal aid"'], "", "aid is lethal") == [0]
    assert both(topics, "", "aid is lethal") == ["near"]
    assert both(topics, "", "no lethal aid") == ["phrase", "near"]


def test_not_queries() -> None:
    topics = [
        Topic("not-sport", "NOT sport"),
        Topic("nato-not-sport", "NATO -sport"),
        Topic("or-not", "China OR NOT NATO"),
    ]
    assert both(topics, "", "NATO summit") == ["not-sport", "nato-not-sport"]
    assert both(topics, "", "NATO sport") == []
    assert both(topics, "", "NATO China sport") == ["or-not"]
    assert both(topics, "", "the weather") == ["not-sport", "or-not"]


def test_or_of_and() -> None:
    topics = [Topic("t", "(NATO AND Russia) OR (China AND weapons)")]
    assert both(topics, "", "NATO and China") == []
    assert both(topics, "", "NATO and Russia") == ["t"]
    assert both(topics, "Chinese weapons", "China") == ["t"]
    assert both(topics, "", "Russia sends weapons") == []


def test_lang_and_source_scoped_terms() -> None:
    topics = [
        Topic("lang", "lang:fr"),
        Topic("lang-and-word", "lang:fr AND OTAN"),
        Topic("source", "source:reuters"),
        Topic("source-or-word", "source:reuters OR Pékin"),
        Topic("source-and-word", "source:reuters AND Chine"),
    ]
    assert both(topics, "", "L’OTAN et la Chine", lang="fr-CA", source="Reuters") == [
        "lang",
        "lang-and-word",
        "source",
        "source-or-word",
        "source-and-word",
    ]
    assert both(topics, "", "PEKIN", lang="en") == ["source-or-word"]
    assert both(topics, "", "OTAN", source="www.reuters.com") == ["source", "source-or-word"]
    # A word that is only in the source does not select a text-scoped topic.
    assert both([Topic("w", "reuters")], "", "nothing", source="Reuters") == []


def test_title_and_text_are_both_scanned() -> None:
    topics = [Topic("t", "title:NATO AND text:China")]
    assert both(topics, "NATO", "China") == ["t"]
    assert both(topics, "China", "NATO") == []


def test_accents_case_and_split_tokens() -> None:
    topics = [
        Topic("pekin", "Pékin AND OTAN"),
        Topic("half", "½"),
        Topic("ligature", "ﬁre"),
        Topic("astral", "𠀀𠀁 AND 北京"),
    ]
    text = "L’otan à PEKIN, 1/2 of the fire; 北京 𠀀𠀁"
    assert both(topics, "", text) == ["pekin", "half", "ligature", "astral"]
    assert both(topics, "", "𠀀 北京") == []


def test_no_topics_and_only_unconditioned_topics() -> None:
    assert TopicMatcher([]).match("NATO", "China") == []
    assert both([Topic("t", "NOT sport")], "", "") == ["t"]


def test_prefilter_can_be_switched_off() -> None:
    assert TopicMatcher([Topic("t", "NATO")]).prefiltered
    assert not TopicMatcher([Topic("t", "NATO")], prefilter=False).prefiltered
