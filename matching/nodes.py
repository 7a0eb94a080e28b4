"""The compiled, evaluable form of a query.

Leaves (terms, phrases, proximity groups, language tests) cache their result and the
occurrences they report on the Document, so a term shared by several topics is looked up and
located once per article. A leaf's occurrences are cached per field (title, text), each in
reading order, so a query merges them field by field with tuple sorts in C.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Literal, NamedTuple

from matching.document import Document, FieldName, FieldTokens, Pattern

__all__ = [
    "NO_OCCURRENCES",
    "And",
    "Bool",
    "FieldOccurrences",
    "LangLeaf",
    "MatchedTerm",
    "Node",
    "Not",
    "Occurrences",
    "Or",
    "ProximityLeaf",
    "TermLeaf",
    "in_order",
    "pattern_label",
]


class MatchedTerm(NamedTuple):
    """One occurrence of a positive query term in the title or the text (immutable).

    ``term`` is the normalised query term or phrase (``"lethal aid"``, ``"weapon*"``); ``start``
    and ``end`` are character offsets into the original title or text string.

    A named tuple rather than a dataclass: an article can report hundreds of occurrences, and
    tuples are made (``_made`` below), sorted and compared without running Python code.
    """

    term: str
    field: Literal["title", "text"]
    start: int
    end: int


# One field's occurrences in reading order: sorted by start, end and term, each once.
FieldOccurrences = tuple[MatchedTerm, ...]
# The occurrences a leaf reports on a document: the title's, then the text's.
Occurrences = tuple[FieldOccurrences, FieldOccurrences]
NO_OCCURRENCES: Occurrences = ((), ())  # what a leaf without any occurrence reports
_POSITION = itemgetter(2, 3, 0)  # a MatchedTerm's place in its field: start, end, term


def _made(
    label: str | Iterable[str], name: str, starts: list[int], ends: list[int]
) -> list[MatchedTerm]:
    """The MatchedTerms of ``label`` (one label, or one per span) from ``starts[i]`` to
    ``ends[i]`` in field ``name``; built by tuple.__new__ over zip, with no Python loop."""
    labels = repeat(label) if isinstance(label, str) else label
    return list(map(tuple.__new__, repeat(MatchedTerm), zip(labels, repeat(name), starts, ends)))


def in_order(found: Iterable[MatchedTerm]) -> FieldOccurrences:
    """One field's occurrences sorted by start, end and term, each once."""
    return tuple(dict.fromkeys(sorted(found, key=_POSITION)))


def pattern_label(patterns: tuple[Pattern, ...]) -> str:
    return " ".join(value + ("*" if is_prefix else "") for value, is_prefix in patterns)


class Node(ABC):
    """A compiled query node."""

    __slots__ = ()

    @abstractmethod
    def evaluate(self, doc: Document) -> bool:
        """Whether the document satisfies this node."""

    @abstractmethod
    def collect(self, doc: Document, out: list[Occurrences]) -> None:
        """Append to ``out`` the occurrences of the positive terms of every leaf that
        satisfied this node; only called when ``evaluate`` is true."""


class _Leaf(Node):
    """A leaf's result and its occurrences are computed once per document, whatever the
    number of queries that contain an equal leaf. They are cached on the document under
    ``key``, a string that only equal leaves share: its hash is computed once, the
    dataclass's on every look-up."""

    __slots__ = ()
    key: str

    def __post_init__(self) -> None:
        # The dataclass repr shows every compared field (``key`` itself is left out).
        object.__setattr__(self, "key", repr(self))

    def evaluate(self, doc: Document) -> bool:
        cached = doc.cache.get(self.key)
        if cached is None:
            cached = doc.cache[self.key] = self._evaluate(doc)
        return cached

    def collect(self, doc: Document, out: list[Occurrences]) -> None:
        found = doc.occurrences.get(self.key)
        if found is None:
            found = doc.occurrences[self.key] = self._occurrences(doc)
        if found is not NO_OCCURRENCES:
            out.append(found)

    @abstractmethod
    def _evaluate(self, doc: Document) -> bool: ...

    def _occurrences(self, doc: Document) -> Occurrences:
        """Every occurrence of the leaf's terms in the title and in the text, each field's in
        reading order (``in_order``); ``NO_OCCURRENCES`` when there is none."""
        fields = self.fields
        title = self._in_field(doc.title, "title") if "title" in fields else ()
        text = self._in_field(doc.text, "text") if "text" in fields else ()
        return (title, text) if title or text else NO_OCCURRENCES

    # The fields the leaf searches; those among title and text report their occurrences.
    fields: tuple[FieldName, ...] = ()

    def _in_field(self, tokens: FieldTokens, name: Literal["title", "text"]) -> FieldOccurrences:
        """The leaf's occurrences in one field, in reading order."""
        return ()


def _field_occurrences(found: list[MatchedTerm], tokens: FieldTokens) -> FieldOccurrences:
    """``found``, made in token order, as FieldOccurrences. Token order is reading order, with
    no repeats, unless some tokens share a character span (``FieldTokens.shares_spans``)."""
    return in_order(found) if tokens.shares_spans else tuple(found)


def _phrase_starts(tokens: FieldTokens, patterns: tuple[Pattern, ...]) -> list[int]:
    if len(patterns) == 1:
        return tokens.positions(patterns[0])
    if not all(tokens.has(p) for p in patterns):
        return []
    first = tokens.positions(patterns[0])
    limit = len(tokens.norms) - len(patterns)
    rest = tuple(enumerate(patterns))[1:]
    return [i for i in first if i <= limit and all(tokens.accepts(i + k, p) for k, p in rest)]


@dataclass(frozen=True, slots=True)
class TermLeaf(_Leaf):
    """A word (one pattern) or a phrase (consecutive patterns) in any of ``fields``."""

    patterns: tuple[Pattern, ...]
    fields: tuple[FieldName, ...]
    key: str = field(init=False, repr=False, compare=False)
    label: str = field(init=False, repr=False, compare=False)  # the reported term

    def __post_init__(self) -> None:
        _Leaf.__post_init__(self)
        object.__setattr__(self, "label", pattern_label(self.patterns))

    def _evaluate(self, doc: Document) -> bool:
        for name in self.fields:
            tokens = doc.field(name)
            if len(self.patterns) == 1:
                if tokens.has(self.patterns[0]):
                    return True
            elif _phrase_starts(tokens, self.patterns):
                return True
        return False

    def _in_field(self, tokens: FieldTokens, name: Literal["title", "text"]) -> FieldOccurrences:
        firsts = _phrase_starts(tokens, self.patterns)
        if not firsts:
            return ()
        starts, ends = tokens.char_spans(firsts, len(self.patterns) - 1)
        return _field_occurrences(_made(self.label, name, starts, ends), tokens)


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
    key: str = field(init=False, repr=False, compare=False)
    # The reported term of each pattern.
    labels: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _Leaf.__post_init__(self)
        labels = tuple(pattern_label((p,)) for p in self.patterns)
        object.__setattr__(self, "labels", labels)

    def _evaluate(self, doc: Document) -> bool:
        return any(
            _proximity_hits(doc.field(name), self.patterns, self.window, first_only=True)
            for name in self.fields
        )

    def _in_field(self, tokens: FieldTokens, name: Literal["title", "text"]) -> FieldOccurrences:
        used: dict[int, int] = {}
        for hit in _proximity_hits(tokens, self.patterns, self.window, first_only=False):
            used.update(hit)
        if not used:
            return ()
        positions = sorted(used)
        starts, ends = tokens.char_spans(positions, 0)
        labels = map(self.labels.__getitem__, map(used.__getitem__, positions))
        return _field_occurrences(_made(labels, name, starts, ends), tokens)


@dataclass(frozen=True, slots=True)
class LangLeaf(_Leaf):
    """``lang:fr`` matches ``fr``, ``FR``, ``fr-CA`` and ``fr_FR``; ``lang:f*`` any code
    starting with ``f``."""

    code: str
    is_prefix: bool
    key: str = field(init=False, repr=False, compare=False)

    def _evaluate(self, doc: Document) -> bool:
        lang = doc.lang
        if lang is None:
            return False
        if self.is_prefix:
            return lang.startswith(self.code)
        return lang == self.code or lang.startswith(self.code + "-")


# all() and any() over a generator, written as loops: this runs for every node of every
# evaluated topic, and creating the generator costs more than the loop itself.
def _all_true(nodes: tuple[Node, ...], doc: Document) -> bool:
    for node in nodes:  # noqa: SIM110
        if not node.evaluate(doc):
            return False
    return True


def _any_true(nodes: tuple[Node, ...], doc: Document) -> bool:
    for node in nodes:  # noqa: SIM110
        if node.evaluate(doc):
            return True
    return False


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]

    def evaluate(self, doc: Document) -> bool:
        return _all_true(self.children, doc)

    def collect(self, doc: Document, out: list[Occurrences]) -> None:
        for child in self.children:
            child.collect(doc, out)


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]

    def evaluate(self, doc: Document) -> bool:
        return _any_true(self.children, doc)

    def collect(self, doc: Document, out: list[Occurrences]) -> None:
        for child in self.children:
            if child.evaluate(doc):
                child.collect(doc, out)


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node

    def evaluate(self, doc: Document) -> bool:
        return not self.child.evaluate(doc)

    def collect(self, doc: Document, out: list[Occurrences]) -> None:
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
        if not _all_true(self.must, doc) or _any_true(self.must_not, doc):
            return False
        if self.should and not self.must:
            return _any_true(self.should, doc)
        return True

    def collect(self, doc: Document, out: list[Occurrences]) -> None:
        for child in self.must:
            child.collect(doc, out)
        for child in self.should:
            if child.evaluate(doc):
                child.collect(doc, out)
