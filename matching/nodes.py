"""The compiled, evaluable form of a query.

Leaves (terms, phrases, proximity groups, language tests) cache their result on the Document,
so a term shared by several topics is looked up once per article.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal

from matching.document import Document, FieldName, FieldTokens, Pattern

__all__ = [
    "And",
    "Bool",
    "LangLeaf",
    "MatchedTerm",
    "Node",
    "Not",
    "Or",
    "ProximityLeaf",
    "TermLeaf",
    "pattern_label",
]


@dataclass(frozen=True, slots=True)
class MatchedTerm:
    """One occurrence of a positive query term in the title or the text.

    ``term`` is the normalised query term or phrase (``"lethal aid"``, ``"weapon*"``); ``start``
    and ``end`` are character offsets into the original title or text string.
    """

    term: str
    field: Literal["title", "text"]
    start: int
    end: int


def pattern_label(patterns: tuple[Pattern, ...]) -> str:
    return " ".join(value + ("*" if is_prefix else "") for value, is_prefix in patterns)


class Node(ABC):
    """A compiled query node."""

    __slots__ = ()

    @abstractmethod
    def evaluate(self, doc: Document) -> bool:
        """Whether the document satisfies this node."""

    @abstractmethod
    def collect(self, doc: Document, out: list[MatchedTerm]) -> None:
        """Append the occurrences of positive terms; only called when ``evaluate`` is true."""


class _Leaf(Node):
    __slots__ = ()

    def evaluate(self, doc: Document) -> bool:
        cached = doc.cache.get(self)
        if cached is None:
            cached = self._evaluate(doc)
            doc.cache[self] = cached
        return cached is True

    @abstractmethod
    def _evaluate(self, doc: Document) -> bool: ...


def _reported(fields: tuple[FieldName, ...]) -> list[Literal["title", "text"]]:
    reported: list[Literal["title", "text"]] = []
    for name in fields:
        if name == "title" or name == "text":
            reported.append(name)
    return reported


def _phrase_starts(tokens: FieldTokens, patterns: tuple[Pattern, ...]) -> list[int]:
    if not all(tokens.has(p) for p in patterns):
        return []
    first = tokens.positions(patterns[0])
    if len(patterns) == 1:
        return first
    limit = len(tokens.norms) - len(patterns)
    rest = tuple(enumerate(patterns))[1:]
    return [i for i in first if i <= limit and all(tokens.accepts(i + k, p) for k, p in rest)]


@dataclass(frozen=True, slots=True)
class TermLeaf(_Leaf):
    """A word (one pattern) or a phrase (consecutive patterns) in any of ``fields``."""

    patterns: tuple[Pattern, ...]
    fields: tuple[FieldName, ...]

    def _evaluate(self, doc: Document) -> bool:
        for name in self.fields:
            tokens = doc.field(name)
            if len(self.patterns) == 1:
                if tokens.has(self.patterns[0]):
                    return True
            elif _phrase_starts(tokens, self.patterns):
                return True
        return False

    def collect(self, doc: Document, out: list[MatchedTerm]) -> None:
        label = pattern_label(self.patterns)
        width = len(self.patterns) - 1
        for name in _reported(self.fields):
            tokens = doc.field(name)
            for i in _phrase_starts(tokens, self.patterns):
                start, end = tokens.char_span(i, i + width)
                out.append(MatchedTerm(label, name, start, end))


def _assign(count: int, slots: list[tuple[int, list[int]]]) -> dict[int, int] | None:
    """Give each of ``count`` patterns its own position (bipartite matching), or None."""
    options: list[list[int]] = [[] for _ in range(count)]
    for position, wanted in slots:
        for k in wanted:
            options[k].append(position)
    owner: dict[int, int] = {}

    def place(k: int, seen: set[int]) -> bool:
        for position in options[k]:
            if position in seen:
                continue
            seen.add(position)
            if position not in owner or place(owner[position], seen):
                owner[position] = k
                return True
        return False

    for k in range(count):
        if not place(k, set()):
            return None
    return owner


def _proximity_hits(
    tokens: FieldTokens, patterns: tuple[Pattern, ...], window: int, first_only: bool
) -> list[dict[int, int]]:
    """Assignments position -> pattern index, one per window of ``window`` tokens that holds
    every pattern at a distinct position."""
    if not all(tokens.has(p) for p in patterns):
        return []
    candidates: dict[int, list[int]] = {}
    for k, pattern in enumerate(patterns):
        for position in tokens.positions(pattern):
            candidates.setdefault(position, []).append(k)
    order = sorted(candidates)
    hits: list[dict[int, int]] = []
    end = 0
    for a, start in enumerate(order):
        end = max(end, a)
        while end < len(order) and order[end] < start + window:
            end += 1
        if end - a < len(patterns):
            continue
        found = _assign(len(patterns), [(p, candidates[p]) for p in order[a:end]])
        if found is not None:
            hits.append(found)
            if first_only:
                break
    return hits


@dataclass(frozen=True, slots=True)
class ProximityLeaf(_Leaf):
    """Every pattern at distinct positions inside one window of ``window`` tokens, any order."""

    patterns: tuple[Pattern, ...]
    window: int
    fields: tuple[FieldName, ...]

    def _evaluate(self, doc: Document) -> bool:
        return any(
            _proximity_hits(doc.field(name), self.patterns, self.window, first_only=True)
            for name in self.fields
        )

    def collect(self, doc: Document, out: list[MatchedTerm]) -> None:
        labels = [pattern_label((p,)) for p in self.patterns]
        for name in _reported(self.fields):
            tokens = doc.field(name)
            used: dict[int, int] = {}
            for hit in _proximity_hits(tokens, self.patterns, self.window, first_only=False):
                used.update(hit)
            for position in sorted(used):
                start, end = tokens.char_span(position, position)
                out.append(MatchedTerm(labels[used[position]], name, start, end))


@dataclass(frozen=True, slots=True)
class LangLeaf(_Leaf):
    """``lang:fr`` matches ``fr``, ``FR``, ``fr-CA`` and ``fr_FR``; ``lang:f*`` any code
    starting with ``f``."""

    code: str
    is_prefix: bool

    def _evaluate(self, doc: Document) -> bool:
        lang = doc.lang
        if lang is None:
            return False
        if self.is_prefix:
            return lang.startswith(self.code)
        return lang == self.code or lang.startswith(self.code + "-")

    def collect(self, doc: Document, out: list[MatchedTerm]) -> None:
        return None


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]

    def evaluate(self, doc: Document) -> bool:
        return all(child.evaluate(doc) for child in self.children)

    def collect(self, doc: Document, out: list[MatchedTerm]) -> None:
        for child in self.children:
            child.collect(doc, out)


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]

    def evaluate(self, doc: Document) -> bool:
        return any(child.evaluate(doc) for child in self.children)

    def collect(self, doc: Document, out: list[MatchedTerm]) -> None:
        for child in self.children:
            if child.evaluate(doc):
                child.collect(doc, out)


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node

    def evaluate(self, doc: Document) -> bool:
        return not self.child.evaluate(doc)

    def collect(self, doc: Document, out: list[MatchedTerm]) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Bool(Node):
    """Lucene's boolean clause list for implicit operators: every ``must``, no ``must_not``,
    and at least one ``should`` when there is no ``must`` (an only-negative list matches any
    document without the excluded terms)."""

    must: tuple[Node, ...]
    should: tuple[Node, ...]
    must_not: tuple[Node, ...]

    def evaluate(self, doc: Document) -> bool:
        if not all(child.evaluate(doc) for child in self.must):
            return False
        if any(child.evaluate(doc) for child in self.must_not):
            return False
        if self.should and not self.must:
            return any(child.evaluate(doc) for child in self.should)
        return True

    def collect(self, doc: Document, out: list[MatchedTerm]) -> None:
        for child in self.must:
            child.collect(doc, out)
        for child in self.should:
            if child.evaluate(doc):
                child.collect(doc, out)
