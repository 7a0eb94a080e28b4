"""Prefilter for many topics: one Aho-Corasick automaton says which topics could match.

Every compiled query gets a *necessary condition* in conjunctive form: a tuple of clauses,
each a set of anchor patterns, such that the query can only be true for an article whose
title and text together hold at least one pattern of every clause. An empty tuple means no
condition is known: the topic is evaluated on every article. The rules, per node:

- a word, phrase or proximity group searched in the title and/or the text needs every one of
  its patterns: one single-pattern clause each;
- ``a AND b`` (and a clause list with ``+required`` terms) is true only when every child is:
  the clauses of all children together;
- ``a OR b`` (and a clause list of optional terms) needs one child: a single clause, the union
  of the most selective clause of each child; no condition as soon as one child has none;
- ``NOT x``, an only-negative clause list, ``lang:`` and ``source:`` terms can be true without
  any word of the title or the text: no condition.

The automaton holds every anchor of every topic, each as a whole token (`` word ``) or as a
token start for wildcards (`` weapon``); it scans the article's distinct normalised title and
text tokens joined by single spaces, which no token contains. The topics evaluated are those whose
every clause has an anchor in the article, plus those without a condition, in their original
order: the results are exactly those of evaluating every topic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

import ahocorasick  # type: ignore[import-not-found, unused-ignore]

from matching import nodes
from matching.document import Document, Pattern

__all__ = ["Clause", "Condition", "Prefilter", "anchor_key", "necessary_condition"]

_SEPARATOR = " "
_NUMBER = itemgetter(1)  # of the (end, number) pairs the automaton yields
_SCANNED_FIELDS = frozenset({"title", "text"})

# Words so common that an anchor on them would select nearly every article.
_COMMON = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "had", "has", "have",
        "he", "her", "his", "i", "in", "is", "it", "its", "not", "of", "on", "or", "our",
        "she", "that", "the", "their", "they", "this", "to", "was", "we", "were", "will",
        "with", "you",
    }
)  # fmt: skip


def _pattern_cost(pattern: Pattern) -> float:
    """A guess at how often a pattern occurs: short words and prefixes are more frequent."""
    value, is_prefix = pattern
    cost = 2.0 ** max(0, 8 - len(value))
    if value in _COMMON:
        cost *= 1000.0
    if is_prefix:
        cost *= 4.0
    return cost


Clause = frozenset[Pattern]
Condition = tuple[Clause, ...]


def _cost(clause: Clause) -> float:
    return sum(_pattern_cost(p) for p in clause)


def _all_of(conditions: Iterable[Condition]) -> Condition:
    """Every clause of every condition, each once, cheapest first."""
    clauses = {clause for condition in conditions for clause in condition}
    return tuple(sorted(clauses, key=lambda c: (_cost(c), sorted(c))))


def _any_of(conditions: Iterable[Condition]) -> Condition:
    """One clause implied by any of the conditions: the union of each one's cheapest clause
    (their first); no condition when one of them has none."""
    union: set[Pattern] = set()
    for condition in conditions:
        if not condition:
            return ()
        union |= condition[0]
    return (frozenset(union),)


def necessary_condition(node: nodes.Node) -> Condition:
    """Clauses of anchor patterns such that any article satisfying ``node`` holds, in its title
    or text, a pattern of every clause; ``()`` when there is no such condition."""
    if isinstance(node, nodes.TermLeaf | nodes.ProximityLeaf):
        if not _SCANNED_FIELDS.issuperset(node.fields):
            return ()  # source: terms are not scanned
        return _all_of((frozenset({p}),) for p in node.patterns)
    if isinstance(node, nodes.And):
        return _all_of(necessary_condition(child) for child in node.children)
    if isinstance(node, nodes.Or):
        return _any_of(necessary_condition(child) for child in node.children)
    if isinstance(node, nodes.Bool):
        if node.must:
            return _all_of(necessary_condition(child) for child in node.must)
        if node.should:
            return _any_of(necessary_condition(child) for child in node.should)
        return ()
    # Not, LangLeaf, and any node kind this module does not know: always evaluate.
    return ()


def anchor_key(pattern: Pattern) -> str:
    """The automaton key of a pattern: a whole token, or the start of a token for a prefix."""
    value, is_prefix = pattern
    return _SEPARATOR + value + ("" if is_prefix else _SEPARATOR)


class Prefilter:
    """Built once from the root nodes of all topics; ``candidates`` lists, in order, the
    indexes of the topics worth evaluating on a document.

    Each topic is triggered by one clause of its condition, the one that looks rarest: its
    anchors are used by the fewest topics (words that many topics share, such as
    "government", tend to be common in articles too) and are not short or common words. A
    triggered topic becomes a candidate when its other clauses have an anchor in the article.
    """

    __slots__ = ("_always", "_automaton", "_others", "_size", "_triggers")

    def __init__(self, roots: Sequence[nodes.Node]) -> None:
        conditions = [necessary_condition(root) for root in roots]
        numbers: dict[str, int] = {}
        uses: Counter[int] = Counter()
        keyed: list[list[frozenset[int]]] = []
        weights: dict[int, float] = {}
        for condition in conditions:
            clauses: list[frozenset[int]] = []
            for clause in condition:
                found: set[int] = set()
                for pattern in clause:
                    number = numbers.setdefault(anchor_key(pattern), len(numbers))
                    weights[number] = _pattern_cost(pattern)
                    found.add(number)
                clauses.append(frozenset(found))
            uses.update({n for clause in clauses for n in clause})
            keyed.append(clauses)

        def rarity(clause: frozenset[int]) -> tuple[float, tuple[int, ...]]:
            return sum(uses[n] * weights[n] for n in clause), tuple(sorted(clause))

        triggers: list[list[int]] = [[] for _ in numbers]
        others: list[tuple[frozenset[int], ...]] = []
        always: list[int] = []
        for index, clauses in enumerate(keyed):
            if not clauses:
                always.append(index)
                others.append(())
                continue
            trigger = min(clauses, key=rarity)
            for number in trigger:
                triggers[number].append(index)
            others.append(tuple(c for c in clauses if c is not trigger))
        self._size = len(roots)
        self._always = tuple(always)
        self._triggers = tuple(tuple(t) for t in triggers)
        self._others = tuple(others)
        self._automaton: Any = None  # an ahocorasick.Automaton once there are keys
        if numbers:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for key, number in numbers.items():
                automaton.add_word(key, number)
            automaton.make_automaton()
            self._automaton = automaton

    def __len__(self) -> int:
        return self._size

    @property
    def always(self) -> tuple[int, ...]:
        """Indexes of the topics evaluated on every document (no necessary condition)."""
        return self._always

    def candidates(self, document: Document) -> list[int]:
        """Sorted indexes of the topics that could match ``document``."""
        if self._automaton is None:
            return list(self._always)
        # Each distinct token once: an anchor is in the article when it is (or starts) one of
        # them, and the automaton walks a few hundred words instead of every token.
        haystack = "".join(
            (
                _SEPARATOR,
                _SEPARATOR.join(document.title.vocab),
                _SEPARATOR,
                _SEPARATOR.join(document.text.vocab),
                _SEPARATOR,
            )
        )
        hits = set(map(_NUMBER, self._automaton.iter(haystack)))
        triggers = self._triggers
        triggered: set[int] = set()
        for number in hits:
            triggered.update(triggers[number])
        others = self._others
        found = [
            topic
            for topic in triggered
            if all(not hits.isdisjoint(clause) for clause in others[topic])
        ]
        found.extend(self._always)
        found.sort()
        return found
