"""Tokenizer and normalisation shared by queries and documents.

A token is a run of letters and digits (Unicode-aware); combining marks that follow a letter or
digit stay in the token, so decomposed accents do not split words. Everything else (spaces,
punctuation, straight and curly apostrophes, hyphens, underscores, symbols) separates tokens.

Each original token is normalised on its own: Unicode NFKC, casefold, then accent folding
(NFKD and removal of non-spacing marks), then NFC. Offsets therefore always refer to the
original string, whatever normalisation does to string lengths. A token whose normalised form
contains separators (``"½"`` becomes ``"1⁄2"``) yields one normalised token per part, all
sharing the original token's span.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache

__all__ = ["Token", "fold", "normalise", "tokenize"]


@dataclass(frozen=True, slots=True)
class Token:
    """One normalised token: ``norm`` and its ``[start, end)`` span in the original string."""

    norm: str
    start: int
    end: int


def _mark_ranges(first: int, stop: int) -> str:
    """A regex character-class body listing the combining marks (categories Mn, Mc, Me)
    among the code points ``first`` to ``stop - 1``."""
    category = unicodedata.category
    parts: list[str] = []
    start: int | None = None
    for cp in range(first, min(stop, sys.maxunicode + 1)):
        is_mark = category(chr(cp))[0] == "M"
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            parts.append(f"\\U{start:08x}-\\U{cp - 1:08x}")
            start = None
    if start is not None:
        parts.append(f"\\U{start:08x}-\\U{stop - 1:08x}")
    return "".join(parts)


class _Patterns:
    """Token regexes: ``[^\\W_]`` is "letter or digit" in Python's Unicode-aware engine; runs
    of marks may continue a token. Marks outside the BMP make the character class slow to
    test, so they are only looked for in strings that contain such code points."""

    def __init__(self) -> None:
        bmp = _mark_ranges(0, 0x10000)
        astral = _mark_ranges(0x10000, 0x20000) + _mark_ranges(0xE0000, 0xE1000)
        bmp_token = rf"[^\W_]+(?:[{bmp}]+[^\W_]*)*"
        full_token = rf"[^\W_]+(?:(?:[{bmp}]|[{astral}])+[^\W_]*)*"
        self.bmp = re.compile(bmp_token)
        self.full = re.compile(full_token)
        # With one capturing group, split() alternates separators and tokens.
        self.bmp_split = re.compile(f"({bmp_token})")
        self.full_split = re.compile(f"({full_token})")
        self.astral = re.compile("[\U00010000-\U0010ffff]")

    def for_text(self, text: str) -> re.Pattern[str]:
        if text.isascii() or not self.astral.search(text):
            return self.bmp
        return self.full

    def splitter(self, text: str) -> re.Pattern[str]:
        if text.isascii() or not self.astral.search(text):
            return self.bmp_split
        return self.full_split


@cache
def _patterns() -> _Patterns:
    return _Patterns()


# Raw token -> normalised token, for raw tokens that normalise to exactly one token; the
# others (rare: "½" -> "1", "2") are kept in _SPLIT_CACHE.
_FOLD_CACHE: dict[str, str] = {}
_SPLIT_CACHE: dict[str, tuple[str, ...]] = {}
_CACHE_MAX = 200_000


def _fold_uncached(raw: str) -> str | tuple[str, ...]:
    if raw.isascii():
        return raw.lower()
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", raw).casefold())
    s = unicodedata.normalize("NFC", "".join(c for c in s if unicodedata.category(c) != "Mn"))
    parts = _patterns().for_text(s).findall(s)
    if len(parts) == 1 and parts[0] == s:
        return s
    return tuple(parts)


def _learn(raw: str) -> str | tuple[str, ...]:
    folded = _fold_uncached(raw)
    if isinstance(folded, str):
        _FOLD_CACHE[raw] = folded
    else:
        _SPLIT_CACHE[raw] = folded
    return folded


def fold(raw: str) -> str | tuple[str, ...]:
    """Normalise one raw token; returns a string, or a tuple when it splits into 0 or 2+ parts."""
    folded = _FOLD_CACHE.get(raw)
    if folded is not None:
        return folded
    split = _SPLIT_CACHE.get(raw)
    if split is not None:
        return split
    if len(_FOLD_CACHE) + len(_SPLIT_CACHE) >= _CACHE_MAX:
        _FOLD_CACHE.clear()
        _SPLIT_CACHE.clear()
    return _learn(raw)


def raw_tokens(text: str) -> list[str]:
    """The original (unnormalised) tokens of ``text``, in order."""
    return _patterns().for_text(text).findall(text)


def raw_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the original tokens of ``text``, in order."""
    return [m.span() for m in _patterns().for_text(text).finditer(text)]


def split_parts(text: str) -> list[str]:
    """``text`` cut into ``[separator, token, separator, token, ..., separator]``: the raw
    tokens are ``parts[1::2]`` and the parts' lengths add up to the offsets."""
    return _patterns().splitter(text).split(text)


def normalise(text: str) -> list[str]:
    """The normalised token strings of ``text`` (same sequence as ``tokenize``, without spans)."""
    norms, _ = normalise_with_owner(text)
    return norms


def normalise_with_owner(text: str) -> tuple[list[str], list[int] | None]:
    """Normalised tokens plus, when they differ, the index of the raw token each came from.

    The owner list is ``None`` when every raw token gave exactly one normalised token (the
    usual case), so normalised index ``i`` is raw token ``i``.
    """
    return normalise_raw(raw_tokens(text))


def normalise_raw(raws: list[str]) -> tuple[list[str], list[int] | None]:
    """``normalise_with_owner`` for an already split list of raw tokens."""
    try:
        return list(map(_FOLD_CACHE.__getitem__, raws)), None
    except KeyError:
        pass
    if len(_FOLD_CACHE) + len(_SPLIT_CACHE) + len(raws) >= _CACHE_MAX:
        _FOLD_CACHE.clear()
        _SPLIT_CACHE.clear()
    for raw in set(raws):
        if raw not in _FOLD_CACHE and raw not in _SPLIT_CACHE:
            _learn(raw)
    if _SPLIT_CACHE.keys().isdisjoint(raws):
        try:
            return list(map(_FOLD_CACHE.__getitem__, raws)), None
        except KeyError:  # another thread cleared the cache meanwhile
            pass
    norms: list[str] = []
    owner: list[int] = []
    for i, raw in enumerate(raws):
        folded = fold(raw)
        parts = (folded,) if isinstance(folded, str) else folded
        for part in parts:
            norms.append(part)
            owner.append(i)
    return norms, owner


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into normalised tokens with offsets into the original string."""
    tokens: list[Token] = []
    for match in _patterns().for_text(text).finditer(text):
        folded = fold(match.group())
        parts = (folded,) if isinstance(folded, str) else folded
        start, end = match.span()
        tokens.extend(Token(part, start, end) for part in parts)
    return tokens
