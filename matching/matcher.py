"""Topics, the TopicMatcher that runs them all against an article, and its results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from matching.document import Document
from matching.errors import QuerySyntaxError
from matching.nodes import FieldOccurrences, MatchedTerm, in_order
from matching.prefilter import Prefilter
from matching.query import Query, parse_query
from matching.snippet import excerpt, make_snippet

__all__ = ["Topic", "TopicMatch", "TopicMatcher", "snippet_for"]


@dataclass(frozen=True, slots=True)
class Topic:
    """A named query. ``default_operator`` ("AND" or "OR") joins bare terms side by side."""

    name: str
    query: str
    default_operator: str = "AND"


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """A topic that matched: its name, the matched term occurrences and a marked snippet."""

    topic: str
    terms: tuple[MatchedTerm, ...]
    snippet: str


def snippet_for(title: str, text: str, terms: Iterable[MatchedTerm]) -> str:
    """The snippet for a match: from the text when a term matched there, else from the title
    when one matched there, else the start of the text (or of the title if the text is empty).
    """
    terms = tuple(terms)
    return _snippet(
        title,
        text,
        in_order(t for t in terms if t.field == "title"),
        in_order(t for t in terms if t.field == "text"),
    )


def _snippet(title: str, text: str, in_title: FieldOccurrences, in_text: FieldOccurrences) -> str:
    """``snippet_for`` given the terms of each field in reading order."""
    source, found = (text, in_text) if in_text else (title, in_title)
    if found:
        labels, _, starts, ends = zip(*found, strict=True)
        return excerpt(source, starts, ends, labels)
    return make_snippet(text, ()) if text.strip() else make_snippet(title, ())


class TopicMatcher:
    """Compiles every topic once; ``match`` tokenises an article once and runs the topics.

    With ``prefilter=True`` (the default) one Aho-Corasick automaton over the topics' words
    picks the topics that could match an article, and only those are evaluated (see
    ``matching.prefilter``); the results are the same as with ``prefilter=False``, which
    evaluates every topic on every article.
    """

    __slots__ = ("_compiled", "_prefilter")

    def __init__(self, topics: Iterable[Topic], *, prefilter: bool = True) -> None:
        """Raises QuerySyntaxError naming the topic whose query does not compile, and
        ValueError when two topics share a name."""
        compiled: list[tuple[Topic, Query]] = []
        seen: set[str] = set()
        for topic in topics:
            if topic.name in seen:
                raise ValueError(f"duplicate topic name {topic.name!r}")
            seen.add(topic.name)
            try:
                query = parse_query(topic.query, topic.default_operator)
            except QuerySyntaxError as exc:
                raise exc.with_topic(topic.name) from None
            compiled.append((topic, query))
        self._compiled: tuple[tuple[Topic, Query], ...] = tuple(compiled)
        self._prefilter = Prefilter([q.root for _, q in compiled]) if prefilter else None

    @property
    def topics(self) -> tuple[Topic, ...]:
        return tuple(topic for topic, _ in self._compiled)

    @property
    def prefiltered(self) -> bool:
        """Whether ``match`` evaluates only the topics the prefilter selects."""
        return self._prefilter is not None

    def __len__(self) -> int:
        return len(self._compiled)

    def match(
        self,
        title: str | None,
        text: str | None,
        source: str | None = None,
        lang: str | None = None,
    ) -> list[TopicMatch]:
        """The topics this article matches, in the order the topics were given."""
        title = title or ""
        text = text or ""
        document = Document(title, text, source, lang)
        compiled = self._compiled
        if self._prefilter is None:
            selected: Iterable[tuple[Topic, Query]] = compiled
        else:
            selected = [compiled[i] for i in self._prefilter.candidates(document)]
        matches: list[TopicMatch] = []
        for topic, query in selected:
            found = query.terms_by_field_if_matched(document)
            if found is not None:
                in_title, in_text = found
                snippet = _snippet(title, text, in_title, in_text)
                matches.append(TopicMatch(topic.name, in_title + in_text, snippet))
        return matches
