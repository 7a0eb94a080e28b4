"""TopicMatcher results: matched terms with offsets, and the marked snippet."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError

import pytest

from matching import MatchedTerm, Topic, TopicMatch, TopicMatcher, parse_query, snippet_for

TOPIC_QUERY = (
    "(NATO OR OTAN OR Stoltenberg) AND (China OR Chine OR Beijing OR Pékin) "
    'AND (weapons OR arms OR armes OR "lethal aid")'
)
FILLER = (
    "The ministers met again on Tuesday to discuss the budget, the harvest, the schools and "
    "the new railway line that the region has been promised for a decade. "
)


def unmark(snippet: str) -> str:
    return snippet.replace("**", "").strip("…")


def test_match_reports_topic_terms_and_snippet() -> None:
    matcher = TopicMatcher([Topic("nato-china-arms", TOPIC_QUERY), Topic("other", "cricket")])
    title = "NATO’s Stoltenberg warns China"
    text = "Jens Stoltenberg said China may send weapons. NATO allies agree."
    found = matcher.match(title, text)
    assert [m.topic for m in found] == ["nato-china-arms"]
    match = found[0]
    assert isinstance(match, TopicMatch)
    assert [
        (t.field, t.term, (title if t.field == "title" else text)[t.start : t.end])
        for t in match.terms
    ] == [
        ("title", "nato", "NATO"),
        ("title", "stoltenberg", "Stoltenberg"),
        ("title", "china", "China"),
        ("text", "stoltenberg", "Stoltenberg"),
        ("text", "china", "China"),
        ("text", "weapons", "weapons"),
        ("text", "nato", "NATO"),
    ]
    assert match.snippet == (
        "Jens **Stoltenberg** said **China** may send **weapons**. **NATO** allies agree."
    )


def test_results_are_immutable() -> None:
    term = MatchedTerm("nato", "text", 0, 4)
    with pytest.raises(AttributeError):
        term.start = 1  # type: ignore[misc]
    assert term._asdict() == {"term": "nato", "field": "text", "start": 0, "end": 4}
    match = TopicMatch("t", (term,), "**NATO**")
    with pytest.raises(FrozenInstanceError):
        match.topic = "u"  # type: ignore[misc]


def test_terms_under_not_are_not_reported() -> None:
    matcher = TopicMatcher([Topic("t", "NATO -sport NOT football")])
    assert matcher.match("", "NATO summit")[0].terms == (MatchedTerm("nato", "text", 0, 4),)
    assert matcher.match("", "NATO football") == []


def test_only_satisfied_branches_are_reported() -> None:
    matcher = TopicMatcher([Topic("t", "(NATO AND Russia) OR China")])
    terms = matcher.match("", "NATO and China")[0].terms
    assert [t.term for t in terms] == ["china"]


def test_phrase_and_wildcard_terms_span_their_tokens() -> None:
    text = "No lethal\n aid, only weaponry."
    matcher = TopicMatcher([Topic("t", '"lethal aid" AND weapon*')])
    match = matcher.match("", text)[0]
    assert [(t.term, text[t.start : t.end]) for t in match.terms] == [
        ("lethal aid", "lethal\n aid"),
        ("weapon*", "weaponry"),
    ]
    assert match.snippet == "No **lethal aid**, only **weaponry**."


def test_proximity_reports_each_word() -> None:
    text = "weapons, according to China"
    match = TopicMatcher([Topic("t", '"China weapons"~5')]).match("", text)[0]
    assert [(t.term, text[t.start : t.end]) for t in match.terms] == [
        ("weapons", "weapons"),
        ("china", "China"),
    ]


def test_default_operator_or_topic() -> None:
    matcher = TopicMatcher([Topic("t", "NATO OTAN", default_operator="OR")])
    assert [m.topic for m in matcher.match("", "l’OTAN")] == ["t"]
    assert TopicMatcher([Topic("t", "NATO OTAN")]).match("", "l’OTAN") == []


def test_topics_keep_their_order_and_share_one_document() -> None:
    topics = [Topic("b", "China"), Topic("a", "NATO"), Topic("c", "Russia")]
    matcher = TopicMatcher(topics)
    assert len(matcher) == 3
    assert matcher.topics == tuple(topics)
    assert [m.topic for m in matcher.match("NATO", "China")] == ["b", "a"]


def test_none_title_or_text_is_empty() -> None:
    assert TopicMatcher([Topic("t", "NATO")]).match(None, "NATO")[0].topic == "t"
    assert parse_query("NATO").matches(title=None, text=None) is False


def test_snippet_marks_original_characters_and_collapses_whitespace() -> None:
    text = "L’OTAN\n\n   s’inquiète:   la\tChine   livrerait des armes."
    match = TopicMatcher([Topic("t", "OTAN AND Chine AND armes")]).match("", text)[0]
    assert match.snippet == "L’**OTAN** s’inquiète: la **Chine** livrerait des **armes**."


def test_snippet_uses_the_title_when_only_the_title_matched() -> None:
    match = TopicMatcher([Topic("t", "title:NATO")]).match("NATO summit", "Other words.")[0]
    assert match.snippet == "**NATO** summit"


def test_snippet_without_positive_terms_is_the_start_of_the_text() -> None:
    text = " ".join(["word"] * 200)
    match = TopicMatcher([Topic("t", "NOT sport")]).match("", text)[0]
    assert match.terms == ()
    assert match.snippet.endswith("…")
    assert "**" not in match.snippet
    assert len(match.snippet) <= 301


def test_snippet_is_centred_on_the_densest_cluster() -> None:
    lone = "NATO was founded long ago. "
    cluster = "Stoltenberg said China may send weapons and arms to Russia. "
    text = lone + FILLER * 5 + cluster + FILLER * 5
    match = TopicMatcher([Topic("t", TOPIC_QUERY)]).match("", text)[0]
    snippet = match.snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 300 + 2
    assert "**Stoltenberg** said **China** may send **weapons** and **arms**" in snippet
    assert "**NATO**" not in snippet
    # Centred: the cluster sits in the middle third of the snippet.
    where = snippet.index("**Stoltenberg**")
    assert len(snippet) * 0.2 < where < len(snippet) * 0.6


def test_snippet_is_cut_at_word_boundaries() -> None:
    text = FILLER * 4 + "NATO and China discuss weapons. " + FILLER * 4
    snippet = TopicMatcher([Topic("t", TOPIC_QUERY)]).match("", text)[0].snippet
    words = set(text.split())
    assert all(word in words for word in unmark(snippet).split())


def test_snippet_marks_every_occurrence_inside_it() -> None:
    text = "NATO, NATO and NATO again; China, weapons. " * 3
    match = TopicMatcher([Topic("t", TOPIC_QUERY)]).match("", text)[0]
    assert match.snippet.count("**NATO**") == 9
    assert len(match.terms) == 15


def test_snippet_limit_counts_the_markers() -> None:
    text = " ".join(["NATO China weapons"] * 100)
    snippet = TopicMatcher([Topic("t", TOPIC_QUERY)]).match("", text)[0].snippet
    body = snippet.strip("…")
    assert len(body) <= 300
    assert re.fullmatch(r"(\*\*\w+\*\* ?)+", body)


def test_snippet_of_a_text_without_spaces() -> None:
    text = "长" * 1000 + " NATO China weapons " + "长" * 1000
    snippet = TopicMatcher([Topic("t", TOPIC_QUERY)]).match("", text)[0].snippet
    assert "**NATO** **China** **weapons**" in snippet
    assert len(snippet.strip("…")) <= 300


def test_snippet_for_terms_with_offsets_outside_the_text() -> None:
    """A term reported in the text decides the field even when its offsets are unusable; the
    snippet then starts at the beginning of the text, without marks."""
    title, text = "NATO summit", "China and weapons were discussed."
    bad = MatchedTerm("china", "text", 40, 45)
    good = MatchedTerm("nato", "title", 0, 4)
    assert snippet_for(title, text, [good, bad]) == "China and weapons were discussed."
    assert snippet_for(title, text, [good]) == "**NATO** summit"
    assert snippet_for(title, text, []) == "China and weapons were discussed."
