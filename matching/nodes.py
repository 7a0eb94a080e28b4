"""The compiled, evaluable form of a query.

Leaves (terms, phrases, proximity groups, language tests) cache their result and the
occurrences they report on the Document, so a term shared by several topics is looked up and
located once per article. A leaf's occurrences are cached as a tuple of (OrderKey,
MatchedTerm) pairs sorted by key, which a query merges without hashing any key again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from itertools import islice
from operator import eq, itemgetter
from typing import Literal

from matching.document import Document, FieldName, FieldTokens, Pattern

__all__ = [
    "FIELD_ORDER",
    "And",
    "Bool",
    "LangLeaf",
    "MatchedTerm",
    "Node",
    "Not",
    "Occurrence",
    "Occurrences",
    "Or",
    "OrderKey",
    "ProximityLeaf",
    "TermLeaf",
    "merge_occurrences",
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


# Setters of MatchedTerm's slots, in field order, for _report.
_set_term, _set_field, _set_start, _set_end = (
    getattr(MatchedTerm, item.name).__set__ for item in fields(MatchedTerm)
)
_new = object.__new__
_KEY = itemgetter(0)


# Where an occurrence sorts among a query's matched terms: title first, then by start, end and
# term. Equal keys mean equal MatchedTerms.
OrderKey = tuple[int, int, int, str]
# One occurrence: its sort key and its MatchedTerm.
Occurrence = tuple[OrderKey, MatchedTerm]
# The occurrences one leaf reports on a document, sorted by key, each key once.
Occurrences = tuple[Occurrence, ...]
FIELD_ORDER = {"title": 0, "text": 1}  # the first item of an OrderKey, by field
ReportedField = tuple[Literal["title", "text"], int]  # a field name and its FIELD_ORDER


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
        if found:
            out.append(found)

    @abstractmethod
    def _evaluate(self, doc: Document) -> bool: ...

    @abstractmethod
    def _occurrences(self, doc: Document) -> Occurrences:
        """Every occurrence of the leaf's terms in the title and the text, sorted by key,
        each key once."""


def _report(
    out: list[Occurrence],
    labels: list[str],
    name: Literal["title", "text"],
    order: int,
    starts: list[int],
    ends: list[int],
) -> None:
    """Add to ``out`` the occurrences of ``labels[i]`` from ``starts[i]`` to ``ends[i]`` in
    field ``name`` (whose FIELD_ORDER is ``order``).

    The MatchedTerms are made by setting their slots directly: the frozen dataclass's
    ``__init__`` goes through ``object.__setattr__`` for every field and takes about twice as
    long, which adds up when an article reports hundreds of occurrences."""
    for label, start, end in zip(labels, starts, ends, strict=True):
        made: MatchedTerm = _new(MatchedTerm)
        _set_term(made, label)
        _set_field(made, name)
        _set_start(made, start)
        _set_end(made, end)
        out.append(((order, start, end, label), made))


def _sorted_once(found: list[Occurrence], tokens_share_spans: bool) -> Occurrences:
    """``found`` as an Occurrences tuple. Occurrences come field by field in token order, so
    they are already sorted and distinct unless some tokens share a span
    (``FieldTokens.shares_spans``)."""
    return merge_occurrences(found) if tokens_share_spans else tuple(found)


def merge_occurrences(found: Iterable[Occurrence]) -> Occurrences:
    """``found``, sorted by key, each key once (equal keys have equal MatchedTerms)."""
    ordered = sorted(found, key=_KEY)
    keys = list(map(_KEY, ordered))
    if any(map(eq, keys, islice(keys, 1, None))):  # rare: an occurrence reported twice
        ordered = sorted(dict(ordered).items(), key=_KEY)
    return tuple(ordered)


def _reported(fields: tuple[FieldName, ...]) -> tuple[ReportedField, ...]:
    """The fields among ``fields`` whose occurrences are reported (not ``source``)."""
    reported: list[ReportedField] = []
    for name in fields:
        if name == "title" or name == "text":
            reported.append((name, FIELD_ORDER[name]))
    return tuple(reported)


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
    # Worked out once from the fields above, for _occurrences.
    label: str = field(init=False, repr=False, compare=False)
    reported: tuple[ReportedField, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _Leaf.__post_init__(self)
        object.__setattr__(self, "label", pattern_label(self.patterns))
        object.__setattr__(self, "reported", _reported(self.fields))

    def _evaluate(self, doc: Document) -> bool:
        for name in self.fields:
            tokens = doc.field(name)
            if len(self.patterns) == 1:
                if tokens.has(self.patterns[0]):
                    return True
            elif _phrase_starts(tokens, self.patterns):
                return True
        return False

    def _occurrences(self, doc: Document) -> Occurrences:
        out: list[Occurrence] = []
        shared = False
        label = self.label
        width = len(self.patterns) - 1
        for name, order in self.reported:
            tokens = doc.field(name)
            firsts = _phrase_starts(tokens, self.patterns)
            if firsts:
                starts, ends = tokens.char_spans(firsts, width)
                _report(out, [label] * len(starts), name, order, starts, ends)
                shared = shared or tokens.shares_spans
        return _sorted_once(out, shared)


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
    # Worked out once from the fields above, for _occurrences.
    labels: tuple[str, ...] = field(init=False, repr=False, compare=False)
    reported: tuple[ReportedField, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _Leaf.__post_init__(self)
        labels = tuple(pattern_label((p,)) for p in self.patterns)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "reported", _reported(self.fields))

    def _evaluate(self, doc: Document) -> bool:
        return any(
            _proximity_hits(doc.field(name), self.patterns, self.window, first_only=True)
            for name in self.fields
        )

    def _occurrences(self, doc: Document) -> Occurrences:
        out: list[Occurrence] = []
        shared = False
        labels = self.labels
        for name, order in self.reported:
            tokens = doc.field(name)
            used: dict[int, int] = {}
            for hit in _proximity_hits(tokens, self.patterns, self.window, first_only=False):
                used.update(hit)
            positions = sorted(used)
            starts, ends = tokens.char_spans(positions, 0)
            _report(out, [labels[used[p]] for p in positions], name, order, starts, ends)
            shared = shared or tokens.shares_spans
        return _sorted_once(out, shared)


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

    def _occurrences(self, doc: Document) -> Occurrences:
        return ()


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
