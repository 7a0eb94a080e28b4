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


def _mark_class() -> str:
    """A regex character-class body listing every combining mark (categories Mn, Mc, Me)."""
    category = unicodedata.category
    planes = (range(0x20000), range(0xE0000, min(0xE1000, sys.maxunicode + 1)))
    parts: list[str] = []
    for plane in planes:
        start: int | None = None
        for cp in plane:
            is_mark = category(chr(cp))[0] == "M"
            if is_mark and start is None:
                start = cp
            elif not is_mark and start is not None:
                parts.append(f"\\U{start:08x}-\\U{cp - 1:08x}")
                start = None
        if start is not None:
            parts.append(f"\\U{start:08x}-\\U{plane[-1]:08x}")
    return "".join(parts)


@cache
def _token_re() -> re.Pattern[str]:
    # [^\W_] is "alphanumeric" in Python's Unicode-aware regex engine.
    return re.compile(rf"[^\W_](?:[^\W_]|[{_mark_class()}])*")


_FOLD_CACHE: dict[str, str | tuple[str, ...]] = {}
_FOLD_CACHE_MAX = 200_000


def _fold_uncached(raw: str) -> str | tuple[str, ...]:
    if raw.isascii():
        return raw.lower()
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", raw).casefold())
    s = unicodedata.normalize("NFC", "".join(c for c in s if unicodedata.category(c) != "Mn"))
    parts = _token_re().findall(s)
    if len(parts) == 1 and parts[0] == s:
        return s
    return tuple(parts)


def fold(raw: str) -> str | tuple[str, ...]:
    """Normalise one raw token; returns a string, or a tuple when it splits into 0 or 2+ parts."""
    folded = _FOLD_CACHE.get(raw)
    if folded is None:
        folded = _fold_uncached(raw)
        if len(_FOLD_CACHE) >= _FOLD_CACHE_MAX:
            _FOLD_CACHE.clear()
        _FOLD_CACHE[raw] = folded
    return folded


def raw_tokens(text: str) -> list[str]:
    """The original (unnormalised) tokens of ``text``, in order."""
    return _token_re().findall(text)


def raw_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the original tokens of ``text``, in order."""
    return [m.span() for m in _token_re().finditer(text)]


def normalise(text: str) -> list[str]:
    """The normalised token strings of ``text`` (same sequence as ``tokenize``, without spans)."""
    norms, _ = normalise_with_owner(text)
    return norms


def normalise_with_owner(text: str) -> tuple[list[str], list[int] | None]:
    """Normalised tokens plus, when they differ, the index of the raw token each came from.

    The owner list is ``None`` when every raw token gave exactly one normalised token (the
    usual case), so normalised index ``i`` is raw token ``i``.
    """
    raws = raw_tokens(text)
    norms: list[str] = []
    append = norms.append
    for i, raw in enumerate(raws):
        folded = fold(raw)
        if isinstance(folded, str):
            append(folded)
        else:
            return _normalise_slow(raws, norms, i)
    return norms, None


def _normalise_slow(
    raws: list[str], norms: list[str], first_split: int
) -> tuple[list[str], list[int]]:
    owner = list(range(first_split))
    for i in range(first_split, len(raws)):
        folded = fold(raws[i])
        parts = (folded,) if isinstance(folded, str) else folded
        for part in parts:
            norms.append(part)
            owner.append(i)
    return norms, owner


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into normalised tokens with offsets into the original string."""
    tokens: list[Token] = []
    for match in _token_re().finditer(text):
        folded = fold(match.group())
        parts = (folded,) if isinstance(folded, str) else folded
        start, end = match.span()
        tokens.extend(Token(part, start, end) for part in parts)
    return tokens
