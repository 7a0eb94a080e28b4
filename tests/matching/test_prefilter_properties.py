"""Property test: for random topic sets and random articles, the prefiltered TopicMatcher
returns exactly what evaluating every topic returns (same topics, terms and snippets)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import QuerySyntaxError, Topic, TopicMatcher, parse_query

settings.register_profile(
    "matching-prefilter", database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = settings.get_profile("matching-prefilter")

# A small vocabulary, so that random topics and random texts often share words; with case,
# accent, apostrophe, hyphen and compatibility-character variants on both sides.
QUERY_WORDS = [
    "NATO", "nato", "OTAN", "China", "Pékin", "pekin", "Beijing", "weapons", "weapon", "arms",
    "arm", "lethal", "aid", "Russia", "sport", "war", "the", "NATO’s", "NATO-China", "½",
    "ﬁre", "fire", "s",
]  # fmt: skip
PREFIXES = ["weap", "we", "ar", "nat", "pe", "chi", "l", "fir"]
TEXT_WORDS = [
    "NATO", "Nato", "OTAN", "l’OTAN", "China", "Chinese", "PEKIN", "Pékin", "Beijing", "weapons",
    "weaponry", "superweapons", "arms", "armies", "disarm", "lethal", "aid", "Russia", "sport",
    "sports", "war", "the", "NATO’s", "NATO-China", "1/2", "½", "fire", "ﬁre", "s", "and",
    "of", "aid,", "(lethal)",
]  # fmt: skip

WORD = st.sampled_from(QUERY_WORDS)
SCOPED = st.one_of(
    st.tuples(st.sampled_from(["title", "text", "source"]), WORD).map(lambda t: f"{t[0]}:{t[1]}"),
    # Words that the drawn sources contain, so that source: terms often decide a match.
    st.sampled_from(["NATO", "reuters", "lemonde", "pékin", "daily", "arms", "war"]).map(
        lambda word: f"source:{word}"
    ),
)
LEAF = st.one_of(
    WORD,
    WORD,
    st.sampled_from(PREFIXES).map(lambda p: p + "*"),
    st.lists(WORD, min_size=1, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.tuples(st.lists(WORD, min_size=2, max_size=3), st.integers(0, 6)).map(
        lambda t: '"' + " ".join(t[0]) + f'"~{t[1]}'
    ),
    SCOPED,
    SCOPED,
    st.sampled_from(["lang:fr", "lang:en*", "lang:fr-ca", "title:(NATO OR China)"]),
)


def _branches(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]} AND {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} OR {t[1]})"),
        inner.map(lambda q: f"NOT {q}"),
        inner.map(lambda q: f"(NOT {q})"),
        inner.map(lambda q: f"-{q}"),
        inner.map(lambda q: f"+{q}"),
        st.lists(inner, min_size=2, max_size=3).map(lambda qs: "(" + " ".join(qs) + ")"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} {t[1]} -{t[2]})"),
    )


# Single leaves and one-operator queries are frequent, deeper nesting less so.
QUERY = st.one_of(LEAF, _branches(LEAF), st.recursive(LEAF, _branches, max_leaves=6))
TOPICS = st.lists(st.tuples(QUERY, st.sampled_from(["AND", "OR"])), min_size=1, max_size=12)
TEXT = st.lists(st.sampled_from(TEXT_WORDS), max_size=12).map(" ".join)
ARTICLE = st.tuples(
    TEXT,
    TEXT,
    st.sampled_from(
        [None, "Reuters", "www.lemonde.fr", "NATO news", "Pékin Daily", "the arms", "China war"]
    ),
    st.sampled_from([None, "fr", "fr-CA", "en", "EN_gb", "de"]),
)


def valid_topics(drawn: list[tuple[str, str]]) -> list[Topic]:
    topics = []
    for number, (query, operator) in enumerate(drawn):
        try:
            parse_query(query, operator)
        except QuerySyntaxError:
            continue
        topics.append(Topic(f"t{number}", query, operator))
    return topics


@settings(PROFILE, max_examples=400)
@given(TOPICS, st.lists(ARTICLE, min_size=1, max_size=4))
def test_prefiltered_matches_equal_naive_matches(
    drawn: list[tuple[str, str]],
    articles: list[tuple[str, str, str | None, str | None]],
) -> None:
    topics = valid_topics(drawn)
    fast = TopicMatcher(topics)
    naive = TopicMatcher(topics, prefilter=False)
    for title, text, source, lang in articles:
        assert fast.match(title, text, source, lang) == naive.match(title, text, source, lang)
