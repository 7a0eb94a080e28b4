"""Short excerpts centred on the densest cluster of matched terms, with ``**marks**``."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from operator import add, itemgetter, lt

__all__ = ["ELLIPSIS", "SNIPPET_LIMIT", "excerpt", "make_snippet"]

SNIPPET_LIMIT = 300
ELLIPSIS = "…"
MARK = "**"

_MARKS_COST = 2 * len(MARK)
_WORD = re.compile(r"\S+")
_CHUNK = 50  # words longer than this (URLs, unspaced scripts) are cut into pieces
# The characters other than " " that are whitespace for str.isspace, str.split and the regex
# \s alike; none of them is printable.
_OTHER_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_START = itemgetter(0)
_END = itemgetter(1)


def make_snippet(
    text: str, spans: Iterable[tuple[int, int, str]], limit: int = SNIPPET_LIMIT
) -> str:
    """An excerpt of ``text`` of at most ``limit`` characters (markers included, ellipses not).

    ``spans`` are ``(start, end, term)`` occurrences in ``text``; every one inside the excerpt
    is wrapped in ``**``. The excerpt is cut at word boundaries (inside a word only when the
    word alone is longer than 50 characters), whitespace runs become one space, and ``…``
    marks the ends where text was left out. Without spans it is the start of the text.
    ``limit`` must leave room for one marked character (at least 5).
    """
    ordered = sorted([(s, e, t) for s, e, t in spans])
    if not ordered:
        return excerpt(text, (), (), (), limit)
    starts, ends, terms = zip(*ordered, strict=True)
    return excerpt(text, starts, ends, terms, limit)


def excerpt(
    text: str,
    starts: Sequence[int],
    ends: Sequence[int],
    terms: Sequence[str],
    limit: int = SNIPPET_LIMIT,
) -> str:
    """``make_snippet`` for spans given as three columns, already sorted by start, end and term
    (as a matcher reports them): span ``i`` is ``(starts[i], ends[i], terms[i])``."""
    if limit < 5:
        raise ValueError(f"snippet limit {limit} is too small; use at least 5 characters")
    if not text or text.isspace():
        return ""
    if starts and not _all_valid(len(text), starts, ends):
        spans = zip(starts, ends, terms, strict=True)
        kept = [(s, e, t) for s, e, t in spans if 0 <= s < e <= len(text)]
        starts, ends, terms = zip(*kept, strict=True) if kept else ((), (), ())
    if starts:
        marks = _merge(starts, ends)
        lo, hi = _densest(starts, ends, terms, limit)
    else:
        marks = []
        lead = _WORD.search(text)
        lo = hi = lead.start() if lead else 0
    hi = max(hi, lo + 1)
    # The words around the cluster: _grow walks over the nearby ones; _fit, which lists every
    # word within the margin, decides the cases _grow leaves to it.
    kept_range = _grow(text, marks, lo, hi, limit)
    body = _render(text, marks, *kept_range) if kept_range else ""
    if not kept_range or len(body) > limit:
        start, end, body = _fit(text, marks, lo, hi, limit)
    else:
        start, end = kept_range
    before = ELLIPSIS if _WORD.search(text, 0, start) else ""
    after = ELLIPSIS if _WORD.search(text, end) else ""
    return before + body + after


def _all_valid(size: int, starts: Sequence[int], ends: Sequence[int]) -> bool:
    """Whether every sorted span is non-empty and inside a text of ``size`` characters."""
    return starts[0] >= 0 and max(ends) <= size and all(map(lt, starts, ends))


def _merge(starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]]:
    """The character ranges covered by the sorted spans, overlapping or touching ones merged."""
    merged: list[tuple[int, int]] = []
    low, high = starts[0], ends[0]
    for start, end in zip(starts, ends, strict=True):
        if start > high:
            merged.append((low, high))
            low, high = start, end
        elif end > high:
            high = end
    merged.append((low, high))
    return merged


def _densest(
    starts: Sequence[int], ends: Sequence[int], terms: Sequence[str], limit: int
) -> tuple[int, int]:
    """Character range of the group of spans, fitting in ``limit``, with the most distinct
    terms, then the most occurrences, then the earliest.

    A sliding window over the sorted spans: each span starts a group that takes the spans
    after it while their marked width fits (the first one always)."""
    size = len(starts)
    # Span r fits in the group that starts with span l when
    # ends[r] - starts[l] + _MARKS_COST * (r - l + 1) <= limit, i.e. reach[r] <= bound(l).
    reach = list(map(add, ends, range(0, _MARKS_COST * size, _MARKS_COST)))
    counts = dict.fromkeys(terms, 0)
    best_distinct = best_left = best_right = 0
    distinct = right = 0
    for left, start in enumerate(starts):
        bound = start + limit + _MARKS_COST * (left - 1)
        while right < size and (right == left or reach[right] <= bound):
            term = terms[right]
            if not counts[term]:
                distinct += 1
            counts[term] += 1
            right += 1
        # Later groups start later: a tie on both counts keeps the earlier one.
        if distinct > best_distinct or (
            distinct == best_distinct and right - left > best_right - best_left
        ):
            best_distinct, best_left, best_right = distinct, left, right
        term = terms[left]
        counts[term] -= 1
        if not counts[term]:
            distinct -= 1
    return starts[best_left], max(ends[best_left:best_right])


def _spaces_only(text: str) -> str:
    """``text`` with every whitespace character replaced by a space (lengths unchanged)."""
    # Newlines are the usual other whitespace; every whitespace character but " " is
    # unprintable, so once they are replaced one scan tells whether any other is left.
    if "\n" in text:
        text = text.replace("\n", " ")
    if not text.isprintable():
        for char in _OTHER_SPACES:
            if char in text:
                text = text.replace(char, " ")
    return text


class _Wider(Exception):
    """The walk reached an end of a range narrower than the margin, before the margin."""


def _grow(
    text: str, marks: list[tuple[int, int]], lo: int, hi: int, limit: int
) -> tuple[int, int] | None:
    """The character range ``_fit`` keeps first (before any over-limit correction), found
    by walking outward from the cluster ``[lo, hi)`` one word at a time.

    Same words, costs and order of growth as ``_window``, which lists every word of the
    margin first: the walk only looks at the words it adds and at the next one on each side,
    first within half of what the cluster leaves of the limit plus one word of up to
    ``_CHUNK`` characters (enough when both sides grow), else within the margin.
    Returns None where ``_window`` must decide: a word of the range is longer than
    ``_CHUNK``, or the cluster does not start and end inside words.
    """
    margin = limit + _CHUNK
    half = max(0, limit - (hi - lo)) // 2 + _CHUNK
    try:
        return _walk(text, marks, lo, hi, limit, min(margin, half))
    except _Wider:
        return _walk(text, marks, lo, hi, limit, margin)


def _walk(
    text: str, marks: list[tuple[int, int]], lo: int, hi: int, limit: int, reach: int
) -> tuple[int, int] | None:
    """``_grow`` within ``reach`` characters of the cluster; raises _Wider when the walk
    needs a word beyond that, before the margin."""
    margin = limit + _CHUNK
    base = max(0, lo - reach)
    stop = min(len(text), hi + reach)
    left_open = base > max(0, lo - margin)  # words of the margin lie before the range
    right_open = stop < min(len(text), hi + margin)
    window = _spaces_only(text[base:stop])
    # Offsets below are relative to ``base``. The words are the non-empty pieces; two
    # consecutive pieces are one space apart.
    pieces = window.split(" ")
    lengths = list(map(len, pieces))
    if max(lengths) > _CHUNK:
        return None
    top = len(pieces) - 1
    x, y = lo - base, hi - base
    if window[x] == " " or window[y - 1] == " ":
        return None
    # The cluster: from the word holding lo to the word holding hi - 1.
    first = window.count(" ", 0, x)
    first_start = window.rfind(" ", 0, x) + 1
    last = first + window.count(" ", first_start, y)
    last_end = window.find(" ", y)
    if last_end < 0:
        last_end = len(window)
    # A word cut by an end of the range is never added (see _window), nor is one cut by an
    # end of a narrower range: the margin decides.
    left_floor = 1 if base > 0 and lengths[0] and not text[base - 1].isspace() else 0
    right_ceiling = top
    if stop < len(text) and lengths[top] and not text[stop].isspace():
        right_ceiling -= 1
    if (left_open and first < left_floor) or (right_open and last > right_ceiling):
        raise _Wider
    # The starts of the marks in the range; those of the cluster are counted now.
    in_range = marks[bisect_left(marks, base, key=_START) : bisect_left(marks, stop, key=_START)]
    mark_starts = [s - base for s, _ in in_range]
    left_mark = bisect_left(mark_starts, first_start) - 1
    right_mark = bisect_left(mark_starts, last_end)
    for m in mark_starts[left_mark + 1 : right_mark]:
        if window[m] == " ":  # not in a word: _window would not count it
            return None
    # The cost of the cluster: its words, one space between two, 4 per mark.
    words = lengths[first : last + 1]
    used = sum(words) + len(words) - words.count(0) - 1
    used += _MARKS_COST * (right_mark - left_mark - 1)

    # Grow as _window does: add the next word on the left (its cost + 1 for the space)
    # while the left side has added no more than the right or the right is full, else the
    # next word on the right (cost + 1), until neither fits.
    budget = limit - used
    left_added = right_added = 0
    left_start = right_end = left_step = right_step = 0
    stale_left = stale_right = True
    while True:
        if stale_left:  # the word before ``first``: its start, index and step (0: none)
            stale_left, left_step = False, 0
            index, end = first - 1, first_start - 1
            while index >= left_floor and not lengths[index]:
                index, end = index - 1, end - 1
            if index < left_floor and left_open:
                raise _Wider
            if index >= left_floor:
                left_index, left_start = index, end - lengths[index]
                left_step = lengths[index] + 1
                while left_mark >= 0 and mark_starts[left_mark] >= left_start:
                    if mark_starts[left_mark] < end:
                        left_step += _MARKS_COST
                    left_mark -= 1
        if stale_right:  # the word after ``last``
            stale_right, right_step = False, 0
            index, start = last + 1, last_end + 1
            while index <= right_ceiling and not lengths[index]:
                index, start = index + 1, start + 1
            if index > right_ceiling and right_open:
                raise _Wider
            if index <= right_ceiling:
                right_index, right_end = index, start + lengths[index]
                right_step = lengths[index] + 1
                while right_mark < len(mark_starts) and mark_starts[right_mark] < right_end:
                    if mark_starts[right_mark] >= start:
                        right_step += _MARKS_COST
                    right_mark += 1
        grow_left = 0 < left_step <= budget
        grow_right = 0 < right_step <= budget
        if grow_left and (left_added <= right_added or not grow_right):
            budget -= left_step
            left_added += left_step
            first, first_start = left_index, left_start
            stale_left = True
        elif grow_right:
            budget -= right_step
            right_added += right_step
            last, last_end = right_index, right_end
            stale_right = True
        else:
            return base + first_start, base + last_end


def _fit(
    text: str, marks: list[tuple[int, int]], lo: int, hi: int, limit: int
) -> tuple[int, int, str]:
    """Start, end and rendered text of the excerpt: the words ``_window`` keeps, less words
    dropped while the rendered text is over the limit (a mark cut by an edge), or the
    cluster's end cut when the cluster alone is over it."""
    units, first, last, core_first, core_last = _window(text, marks, lo, hi, limit)
    while True:
        start, end = units[first][0], units[last][1]
        body = _render(text, marks, start, end)
        if len(body) <= limit:
            return start, end, body
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
            return start, end, body


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


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    """``text[start:end]`` with the marks in it wrapped in ``**`` and every whitespace run
    made one space (the marks never touch: a run never spans a ``**``)."""
    pieces: list[str] = []
    position = start
    inside = marks[bisect_right(marks, start, key=_END) : bisect_left(marks, end, key=_START)]
    for mark_start, mark_end in inside:
        a, b = max(mark_start, start), min(mark_end, end)
        pieces += (text[position:a], MARK, text[a:b], MARK)
        position = b
    pieces.append(text[position:end])
    return " ".join("".join(pieces).split())
