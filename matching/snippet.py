"""Short excerpts centred on the densest cluster of matched terms, with ``**marks**``."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence

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
_ASCII_OTHER_SPACES = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"  # those of them that are ASCII
_ASCII_OTHER_BYTES = _ASCII_OTHER_SPACES.encode()
_MARKS_TEXT = "#" * _MARKS_COST  # a mark's cost, put in the costs of a side (see _walk)
_PAD = " " + "#" * SNIPPET_LIMIT + " "  # a word no budget under the default limit can take
_SLACK = 24  # how far below the end of growth _balance first jumps
_PROBE = _CHUNK // 2 + 1  # see _has_long_word


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
    marks = _merge(len(text), starts, ends)
    if marks is None:  # drop the spans that are empty or not inside the text
        spans = zip(starts, ends, terms, strict=True)
        kept = [(s, e, t) for s, e, t in spans if 0 <= s < e <= len(text)]
        starts, ends, terms = zip(*kept, strict=True) if kept else ((), (), ())
        marks = _merge(len(text), starts, ends) or []
    if starts:
        lo, hi = _densest(starts, ends, terms, limit)
    else:
        lead = _WORD.search(text)
        lo = hi = lead.start() if lead else 0
    if hi <= lo:
        hi = lo + 1
    # The words around the cluster: _grow walks over the nearby ones; _fit, which lists every
    # word within the margin, decides the cases _grow leaves to it.
    kept_range = _grow(text, marks, lo, hi, limit)
    if kept_range:
        start, end = kept_range
        body = _render(text, marks, start, end)
        if len(body) > limit:
            kept_range = None
    if not kept_range:
        start, end, body = _fit(text, marks, lo, hi, limit)
    # Text left out before or after: a word there (the first or last character, if it is no
    # space, tells without a search).
    if start and (not text[0].isspace() or _WORD.search(text, 0, start)):
        body = ELLIPSIS + body
    if end < len(text) and (not text[-1].isspace() or _WORD.search(text, end)):
        body += ELLIPSIS
    return body


def _merge(size: int, starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]] | None:
    """The character ranges covered by the sorted spans, overlapping or touching ones merged;
    None when a span is empty or not inside a text of ``size`` characters."""
    if not starts:
        return []
    merged: list[tuple[int, int]] = []
    low, high = starts[0], ends[0]
    if low < 0:
        return None
    # No strict=True: it slows this loop down, and the columns have one length.
    for start, end in zip(starts, ends):  # noqa: B905
        if start >= end:
            return None
        if start > high:
            merged.append((low, high))
            low, high = start, end
        elif end > high:
            high = end
    if high > size:  # the largest end
        return None
    merged.append((low, high))
    return merged


def _densest(
    starts: Sequence[int], ends: Sequence[int], terms: Sequence[str], limit: int
) -> tuple[int, int]:
    """Character range of the group of spans, fitting in ``limit``, with the most distinct
    terms, then the most occurrences, then the earliest.

    Each span starts a group that takes the spans after it while their marked width fits
    (the first one always); a group's terms are counted only when it could beat the best
    group so far."""
    size = len(starts)
    # The group of span ``left`` holds the spans left to right - 1; span r joins it when
    # ends[r] <= starts[left] + limit - _MARKS_COST * (r - left + 1), ``room`` for r = right.
    # The last of ``stops`` is past every room: no group goes beyond the last span.
    stops = [*ends, starts[-1] + limit]
    pair_room = limit - 2 * _MARKS_COST
    best_left = best_right = best_distinct = best_count = right = room = 0
    for left in range(size):
        if right == left:
            right += 1
            room = starts[left] + pair_room
        else:
            room += starts[left] - starts[left - 1] + _MARKS_COST
        while stops[right] <= room:
            right += 1
            room -= _MARKS_COST
        count = right - left
        # A better group has more distinct terms, or as many and more spans: either way more
        # spans than the best group has distinct terms.
        if count > best_distinct:
            if count > 2:
                distinct = len(set(terms[left:right]))
            else:
                distinct = 2 if count == 2 and terms[left] != terms[left + 1] else 1
            if distinct > best_distinct or (distinct == best_distinct and count > best_count):
                best_left, best_right, best_distinct, best_count = left, right, distinct, count
    return starts[best_left], max(ends[best_left:best_right])


def _spaces_only(text: str) -> str:
    """``text`` with every whitespace character replaced by a space (lengths unchanged)."""
    # Newlines are the usual other whitespace. Every other one is unprintable; only a few
    # are ASCII, and in ASCII text deleting their bytes is quicker than scanning for
    # unprintable characters.
    if "\n" in text:
        text = text.replace("\n", " ")
    if text.isascii():
        raw = text.encode()
        if len(raw.translate(None, _ASCII_OTHER_BYTES)) == len(raw):
            return text
        others = _ASCII_OTHER_SPACES
    elif text.isprintable():
        return text
    else:
        others = _OTHER_SPACES
    for char in others:
        if char in text:
            text = text.replace(char, " ")
    return text


class _Wider(Exception):
    """The walk reached an end of a range narrower than the margin, before the margin."""


def _grow(
    text: str, marks: list[tuple[int, int]], lo: int, hi: int, limit: int
) -> tuple[int, int] | None:
    """The character range ``_fit`` keeps first (before any over-limit correction), found
    from the words next to the cluster ``[lo, hi)`` without listing the others.

    Same words, costs and order of growth as ``_window``: the walk looks only at the words it
    adds and at the next one on each side, first within half of what the cluster leaves of
    the limit plus one word of up to ``_CHUNK`` characters (enough when both sides grow),
    else within the margin. Returns None where ``_window`` must decide: lo is not in the
    first ``_CHUNK`` characters of its word or hi - 1 not in the last chunk of its word, a
    mark of the cluster starts between words, or the walk comes to a word longer than
    ``_CHUNK`` (one cut by the margin included).
    """
    margin = limit + _CHUNK
    half = (limit - hi + lo) // 2 + _CHUNK if hi - lo < limit else _CHUNK
    try:
        return _walk(text, marks, lo, hi, limit, half if half < margin else margin)
    except _Wider:
        return _walk(text, marks, lo, hi, limit, margin)


def _walk(
    text: str, marks: list[tuple[int, int]], lo: int, hi: int, limit: int, reach: int
) -> tuple[int, int] | None:
    """``_grow`` within ``reach`` characters of the cluster; raises _Wider when the walk
    needs a word beyond that, before the margin."""
    size = len(text)
    base = lo - reach if lo > reach else 0
    stop = hi + reach if hi + reach < size else size
    window = _spaces_only(text[base:stop])
    # Offsets below are relative to ``base``. The cluster runs from the start of the word
    # holding lo to the end of the word holding hi - 1. _window cuts words longer than
    # _CHUNK into chunks: lo must be in the first chunk of its word and hi - 1 in the last
    # (a word cut by the window is longer than ``reach`` >= _CHUNK: it fails these tests).
    x, y = lo - base, hi - base
    if window[x] == " " or window[y - 1] == " ":
        return None
    first_start = window.rfind(" ", 0, x) + 1
    last_end = window.find(" ", y)
    if last_end < 0:
        last_end = len(window)
    if x - first_start >= _CHUNK:
        return None
    if last_end > y:
        word_start = window.rfind(" ", 0, y) + 1
        if (y - 1 - word_start) // _CHUNK != (last_end - 1 - word_start) // _CHUNK:
            return None
    # The cost of the cluster: its words, one space between two, 4 per mark starting in it.
    core = window[first_start:last_end]
    inner = bisect_left(marks, (base + first_start,))
    outer = bisect_left(marks, (base + last_end,))
    for mark_start, _ in marks[inner:outer]:
        if window[mark_start - base] == " ":  # not in a word: _window would not count it
            return None
    while "  " in core:  # a run of spaces costs one
        core = core.replace("  ", " ")
    budget = limit - len(core) - _MARKS_COST * (outer - inner)
    # Each side from the space next to the cluster outward (the left one reversed), less
    # the word cut by the end of the window (``*_cut``: its length, 0 if none).
    left = window[first_start - 1 :: -1] if first_start else ""
    left_cut = 0
    if base > 0 and not text[base - 1].isspace():
        edge = left.rfind(" ")
        left, left_cut = left[:edge], len(left) - edge - 1
    left = left.rstrip(" ")
    right = window[last_end:]
    right_cut = 0
    if stop < size and not text[stop].isspace():
        edge = right.rfind(" ")
        right, right_cut = right[:edge], len(right) - edge - 1
    right = right.rstrip(" ")
    # Their costs: texts where taking the words up to a position costs that position (one
    # space before each word, runs of spaces made one, four characters more per mark
    # starting in the word).
    left_costs, right_costs = left, right
    if inner and marks[inner - 1][0] >= base:  # marks start on the left side
        side_marks = marks[bisect_left(marks, (base,)) : inner]
        offsets = [base + first_start - 1 - start for start, _ in side_marks]
        left_costs = _with_marks(left, offsets)
    if outer < len(marks) and marks[outer][0] < stop:  # and on the right side
        side_marks = marks[outer : bisect_left(marks, (stop,))]
        offsets = [start - base - last_end for start, _ in side_marks]
        right_costs = _with_marks(right, offsets)
    while "  " in left_costs:
        left_costs = left_costs.replace("  ", " ")
    while "  " in right_costs:
        right_costs = right_costs.replace("  ", " ")
    left_end, left_next, right_end, right_next = _balance(left_costs, right_costs, budget)
    # A side whose words all were taken: a wider range may hold the next word, and at the
    # margin _window cuts a word cut there into chunks when it is longer than _CHUNK.
    margin = limit + _CHUNK
    if left_end == len(left_costs):
        if base > 0 and base > lo - margin:
            raise _Wider
        if left_cut > _CHUNK:
            return None
        left_next = left_end
    if right_end == len(right_costs):
        if stop < size and stop < hi + margin:
            raise _Wider
        if right_cut > _CHUNK:
            return None
        right_next = right_end
    # _window would also cut a word longer than _CHUNK among those the walk looked at.
    if (left_next > _CHUNK + 1 and _has_long_word(left, left_costs, left_next)) or (
        right_next > _CHUNK + 1 and _has_long_word(right, right_costs, right_next)
    ):
        return None
    if left_costs is not left:
        left_end = _offset(left, left_costs, left_end)
    if right_costs is not right:
        right_end = _offset(right, right_costs, right_end)
    return base + first_start - left_end, base + last_end + right_end


def _with_marks(words: str, offsets: list[int]) -> str:
    """``words`` (a side, see ``_walk``) with four characters more in a word for each mark
    starting in it, at one of ``offsets`` (marks starting elsewhere cost nothing)."""
    costs = words
    for offset in sorted(offsets, reverse=True):
        if offset < len(words) and words[offset] != " ":
            costs = costs[:offset] + _MARKS_TEXT + costs[offset:]
    return costs


def _balance(left: str, right: str, budget: int) -> tuple[int, int, int, int]:
    """Where growth stops in the costs of both sides (see ``_walk``): the end of the last
    word taken on the left, of the next word there, and the same on the right (a next end
    past the costs: no word). A word is taken on the left while the left side has taken
    no more than the right or the right cannot grow, else on the right, while one fits."""
    # A word too long for the budget ends both costs, so that a search for the next word
    # always finds a space (only the jump may search past that word, and the -1 it gets
    # then comes with a sum already over the budget on the other side).
    pad = _PAD if budget < len(_PAD) - 2 else " " + "#" * (budget + 1) + " "
    left += pad
    right += pad
    # Growth passes the state where each side has taken every word whose cost starts
    # within ``level``: jump there when both next words still fit then. The two costs and a
    # next step exceed 2 * level by about three words, hence _SLACK.
    left_end = right_end = 0
    level = (budget - _SLACK) // 2
    if level > 0:
        jump_left, jump_right = left.find(" ", level + 1), right.find(" ", level + 1)
        after_left, after_right = left.find(" ", jump_left + 1), right.find(" ", jump_right + 1)
        if after_left + jump_right <= budget and jump_left + after_right <= budget:
            left_end, left_next = jump_left, after_left
            right_end, right_next = jump_right, after_right
    if not left_end:
        left_next, right_next = left.find(" ", 1), right.find(" ", 1)
    while left_next + right_end <= budget and left_end + right_next <= budget:
        if left_end <= right_end:
            left_end = left_next
            left_next = left.find(" ", left_end + 1)
        else:
            right_end = right_next
            right_next = right.find(" ", right_end + 1)
    # One side cannot grow: it never will (the budget only shrinks), and the other takes
    # every word that fits.
    if left_next + right_end <= budget:
        left_end = left.rfind(" ", 0, budget - right_end + 1)
        left_next = left.find(" ", left_end + 1)
    elif left_end + right_next <= budget:
        right_end = right.rfind(" ", 0, budget - left_end + 1)
        right_next = right.find(" ", right_end + 1)
    return left_end, left_next, right_end, right_next


def _has_long_word(words: str, costs: str, upto: int) -> bool:
    """Whether a word longer than _CHUNK is among those of a side whose costs end by
    ``upto``."""
    # Such a word covers the _PROBE characters from one of the offsets tried (every
    # _PROBE - 1 from 1): none is a space.
    for probe in range(1, upto - _PROBE, _PROBE - 1):
        if " " not in costs[probe : probe + _PROBE]:  # maybe: measure the words
            end = upto if costs is words else _offset(words, costs, upto)
            return max(map(len, words[:end].split()), default=0) > _CHUNK
    return False


def _offset(words: str, costs: str, end: int) -> int:
    """Where, in a side's words, the word whose cost ends at ``end`` ends (0: none)."""
    if not end:
        return 0
    return len(words.rsplit(None, costs.count(" ", end))[0])


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
    first = bisect_left(marks, (start,))
    if first and marks[first - 1][1] > start:  # a mark across ``start``
        first -= 1
    pieces: list[str] = []
    position = start
    for mark_start, mark_end in marks[first : bisect_left(marks, (end,))]:
        if mark_start < start:
            mark_start = start
        if mark_end > end:
            mark_end = end
        pieces.append(text[position:mark_start])
        pieces.append(text[mark_start:mark_end])
        position = mark_end
    pieces.append(text[position:end])
    body = _spaces_only(MARK.join(pieces))
    while "  " in body:
        body = body.replace("  ", " ")
    return body.strip(" ")
