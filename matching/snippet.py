"""Short excerpts centred on the densest cluster of matched terms, with ``**marks**``."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

__all__ = ["ELLIPSIS", "SNIPPET_LIMIT", "make_snippet"]

SNIPPET_LIMIT = 300
ELLIPSIS = "…"
MARK = "**"

_WORD = re.compile(r"\S+")
_SPACES = re.compile(r"\s+")
_CHUNK = 50  # words longer than this (URLs, unspaced scripts) are cut into pieces


def make_snippet(
    text: str, spans: Sequence[tuple[int, int, str]], limit: int = SNIPPET_LIMIT
) -> str:
    """An excerpt of ``text`` of at most ``limit`` characters (markers included, ellipses not).

    ``spans`` are ``(start, end, term)`` occurrences in ``text``; every one inside the excerpt
    is wrapped in ``**``. The excerpt is cut at word boundaries (inside a word only when the
    word alone is longer than 50 characters), whitespace runs become one space, and ``…``
    marks the ends where text was left out. Without spans it is the start of the text.
    """
    if not text.strip():
        return ""
    marks = _merge([(s, e) for s, e, _ in spans if 0 <= s < e <= len(text)])
    if marks:
        valid = [(s, e, t) for s, e, t in spans if 0 <= s < e <= len(text)]
        lo, hi = _densest(sorted(valid), limit)
    else:
        lead = _WORD.search(text)
        lo = hi = lead.start() if lead else 0
    hi = max(hi, lo + 1)
    units, first, last, core_first, core_last = _window(text, marks, lo, hi, limit)
    while True:
        start, end = units[first][0], units[last][1]
        body = _render(text, marks, start, end)
        if len(body) <= limit:
            break
        # Over the limit (a mark cut by the window edge): drop a word on the longer side.
        left_extra = units[core_first][0] - start
        right_extra = end - units[core_last][1]
        if left_extra and left_extra >= right_extra:
            first += 1
        elif right_extra:
            last -= 1
        else:  # the cluster alone is too long: cut its end
            while len(body) > limit:
                end = _shrink(text, start, end, hi)
                body = _render(text, marks, start, end)
            break
    before = ELLIPSIS if text[:start].strip() else ""
    after = ELLIPSIS if text[end:].strip() else ""
    return before + body + after


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _densest(spans: list[tuple[int, int, str]], limit: int) -> tuple[int, int]:
    """Character range of the group of spans, fitting in ``limit``, with the most distinct
    terms, then the most occurrences, then the earliest."""
    best: tuple[int, int, int] | None = None
    best_range = (spans[0][0], spans[0][1])
    right = 0
    counts: dict[str, int] = {}
    for left, (start, _, _) in enumerate(spans):
        right = max(right, left)
        while right < len(spans):
            cost = spans[right][1] - start + len(MARK) * 2 * (right - left + 1)
            if right > left and cost > limit:
                break
            term = spans[right][2]
            counts[term] = counts.get(term, 0) + 1
            right += 1
        score = (len(counts), right - left, -start)
        if best is None or score > best:
            best = score
            best_range = (start, max(e for _, e, _ in spans[left:right]))
        term = spans[left][2]
        counts[term] -= 1
        if not counts[term]:
            del counts[term]
    return best_range


def _units(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Words of ``text[start:end]`` as ``(start, end, spaced)``; ``spaced`` is False for the
    second and later pieces of a word cut into chunks."""
    units: list[tuple[int, int, bool]] = []
    for found in _WORD.finditer(text, start, end):
        s, e = found.span()
        spaced = True
        while e - s > _CHUNK:
            units.append((s, s + _CHUNK, spaced))
            s += _CHUNK
            spaced = False
        units.append((s, e, spaced))
    return units


def _window(
    text: str, marks: list[tuple[int, int]], lo: int, hi: int, limit: int
) -> tuple[list[tuple[int, int, bool]], int, int, int, int]:
    """Whole units around ``[lo, hi)``, added alternately on both sides while they fit.

    Returns the units and the indexes of the first and last units kept, then of the first
    and last units of the cluster itself.
    """
    margin = limit + _CHUNK
    units = _units(text, max(0, lo - margin), min(len(text), hi + margin))
    # A unit cut by the margin is not a whole word: never add it.
    if units and units[0][0] > 0 and not text[units[0][0] - 1].isspace() and units[0][1] <= lo:
        units = units[1:]
    if (
        units
        and units[-1][1] < len(text)
        and not text[units[-1][1]].isspace()
        and units[-1][0] >= hi
    ):
        units = units[:-1]
    if not units:  # pragma: no cover - lo always starts a word
        return [(lo, hi, True)], 0, 0, 0, 0
    mark_starts = [s for s, _ in marks]

    def cost(index: int, first: bool) -> int:
        s, e, spaced = units[index]
        marked = bisect_left(mark_starts, e) - bisect_left(mark_starts, s)
        return e - s + len(MARK) * 2 * marked + (0 if first or not spaced else 1)

    first = next((i for i, u in enumerate(units) if u[1] > lo), len(units) - 1)
    last = first
    while last + 1 < len(units) and units[last + 1][0] < hi:
        last += 1
    core = (first, last)
    used = sum(cost(i, i == first) for i in range(first, last + 1))
    left_added = right_added = 0
    while True:
        grow_left = first > 0 and used + cost(first - 1, True) + 1 <= limit
        grow_right = last + 1 < len(units) and used + cost(last + 1, False) <= limit
        if grow_left and (left_added <= right_added or not grow_right):
            step = cost(first - 1, True) + (1 if units[first][2] else 0)
            first -= 1
            used += step
            left_added += step
        elif grow_right:
            step = cost(last + 1, False)
            last += 1
            used += step
            right_added += step
        else:
            break
    return units, first, last, core[0], core[1]


def _shrink(text: str, start: int, end: int, hi: int) -> int:
    """A smaller end for ``[start, end)``: drop the last word after the cluster, else cut."""
    cut = max(text.rfind(" ", start, end - 1), text.rfind("\n", start, end - 1))
    if cut > max(hi, start):
        return cut
    return max(start, end - max(1, (end - start) // 10))


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", text)


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    pieces: list[str] = []
    position = start
    for mark_start, mark_end in marks:
        if mark_end <= start or mark_start >= end:
            continue
        a, b = max(mark_start, start), min(mark_end, end)
        pieces.append(_collapse(text[position:a]))
        pieces.append(MARK + _collapse(text[a:b]) + MARK)
        position = b
    pieces.append(_collapse(text[position:end]))
    return "".join(pieces).strip()
