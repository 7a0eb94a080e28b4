"""A tokenised article, built once per match call and shared by every topic's query."""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Sequence
from itertools import accumulate, chain, repeat
from operator import add
from typing import TYPE_CHECKING, Literal

from matching.text import normalise_raw, split_parts

if TYPE_CHECKING:
    from matching.nodes import Occurrences

__all__ = ["Document", "FieldName", "FieldTokens", "Pattern"]

FieldName = Literal["title", "text", "source"]

# One query token: its normalised text and whether it is a prefix (``weapon*``).
Pattern = tuple[str, bool]


class FieldTokens:
    """The normalised tokens of one field, with lazily built look-up structures."""

    __slots__ = (
        "_ends",
        "_owner",
        "_parts",
        "_positions",
        "_prefixes",
        "_sorted_vocab",
        "_starts",
        "_vocab",
        "_where",
        "norms",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self._parts = split_parts(text)
        self.norms, self._owner = normalise_raw(self._parts[1::2])
        self._vocab: frozenset[str] | None = None
        self._sorted_vocab: list[str] | None = None
        self._where: dict[str, list[int]] | None = None
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._positions: dict[Pattern, list[int]] = {}
        self._prefixes: dict[str, frozenset[str]] = {}

    @property
    def shares_spans(self) -> bool:
        """Whether some raw token gave several tokens, which then share its character span."""
        return self._owner is not None

    @property
    def vocab(self) -> frozenset[str]:
        if self._vocab is None:
            self._vocab = frozenset(self.norms)
        return self._vocab

    def expand_prefix(self, prefix: str) -> frozenset[str]:
        """Every distinct token of this field that starts with ``prefix``."""
        found = self._prefixes.get(prefix)
        if found is None:
            words = self._sorted_vocab
            if words is None:
                words = self._sorted_vocab = sorted(self.vocab)
            # The words starting with ``prefix`` follow each other in sorted order.
            first = last = bisect_left(words, prefix)
            while last < len(words) and words[last].startswith(prefix):
                last += 1
            found = frozenset(words[first:last])
            self._prefixes[prefix] = found
        return found

    def has(self, pattern: Pattern) -> bool:
        """Whether any token matches ``pattern``."""
        value, is_prefix = pattern
        if is_prefix:
            return bool(self.expand_prefix(value))
        return value in self.vocab

    def accepts(self, index: int, pattern: Pattern) -> bool:
        """Whether the token at ``index`` matches ``pattern``."""
        value, is_prefix = pattern
        norm = self.norms[index]
        return norm.startswith(value) if is_prefix else norm == value

    def positions(self, pattern: Pattern) -> list[int]:
        """Sorted token indexes that match ``pattern`` (cached)."""
        found = self._positions.get(pattern)
        if found is not None:
            return found
        value, is_prefix = pattern
        if not self.has(pattern):
            found = []
        else:
            where = self._where
            if where is None:
                where = self._where = self._index()
            if is_prefix:
                words = self.expand_prefix(value)
                if len(words) == 1:
                    found = where[next(iter(words))]
                else:
                    found = sorted(chain.from_iterable(where[w] for w in words))
            else:
                found = where[value]
        self._positions[pattern] = found
        return found

    def _index(self) -> dict[str, list[int]]:
        """Every distinct token with its positions, built in one pass when first needed."""
        where: dict[str, list[int]] = {word: [] for word in self.vocab}
        # Append each index to its token's list; map and deque keep the loop in C.
        deque(map(list.append, map(where.__getitem__, self.norms), range(len(self.norms))), 0)
        return where

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        """Character span in the original text covering tokens ``first`` to ``last`` inclusive."""
        (start,), (end,) = self.char_spans((first,), last - first)
        return start, end

    def char_spans(self, firsts: Sequence[int], width: int) -> tuple[list[int], list[int]]:
        """The start offsets and the end offsets, in the original text, of the runs of tokens
        ``first`` to ``first + width``, one of each for every one of ``firsts``."""
        if not self._starts and self.norms:
            self._offsets()
        lasts = map(add, firsts, repeat(width)) if width else firsts
        return list(map(self._starts.__getitem__, firsts)), list(map(self._ends.__getitem__, lasts))

    def _offsets(self) -> None:
        """Work out the start and end offset of every token from the tokeniser's parts."""
        # Offsets of every part boundary: raw token k is part 2k + 1, so it spans
        # bounds[2k + 1] to bounds[2k + 2].
        bounds = list(accumulate(map(len, self._parts), initial=0))
        starts, ends = bounds[1:-1:2], bounds[2::2]
        owner = self._owner
        if owner is not None:  # some raw tokens gave several tokens, which share their span
            starts, ends = list(map(starts.__getitem__, owner)), list(map(ends.__getitem__, owner))
        self._starts, self._ends = starts, ends


class Document:
    """The fields a query can look at, tokenised once.

    ``source`` is tokenised like text (so ``source:lemonde`` matches ``www.lemonde.fr``);
    ``lang`` is kept as a casefolded code with ``_`` read as ``-``.
    """

    __slots__ = ("cache", "lang", "occurrences", "source", "text", "title")

    def __init__(
        self,
        title: str | None = "",
        text: str | None = "",
        source: str | None = None,
        lang: str | None = None,
    ) -> None:
        self.title = FieldTokens(title or "")
        self.text = FieldTokens(text or "")
        self.source = FieldTokens(source or "")
        self.lang = lang.strip().casefold().replace("_", "-") if lang else None
        # Results of leaf evaluations, by leaf key, shared across every query run on this
        # document; likewise the term occurrences each leaf reports (``Node.collect``).
        self.cache: dict[str, bool] = {}
        self.occurrences: dict[str, Occurrences] = {}

    def field(self, name: FieldName) -> FieldTokens:
        if name == "title":
            return self.title
        if name == "text":
            return self.text
        return self.source
