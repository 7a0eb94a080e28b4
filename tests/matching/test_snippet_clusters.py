"""Snippets: the marks (the spans, merged where they overlap or touch) and the densest
cluster of spans, against plain restatements of their definitions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matching import snippet

# No example database: the tests leave nothing behind in the work tree.
PROFILE = settings(database=None, deadline=None)

Spans = tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]

SPANS = st.lists(
    st.tuples(
        st.integers(0, 600), st.sampled_from([1, 2, 3, 5, 8, 40, 400]), st.sampled_from("abcde")
    ),
    min_size=1,
    max_size=30,
).map(lambda spans: sorted((start, start + length, term) for start, length, term in spans))


def columns(spans: list[tuple[int, int, str]]) -> Spans:
    starts, ends, terms = zip(*spans, strict=True)
    return starts, ends, terms


def densest_by_definition(spans: Spans, limit: int) -> tuple[int, int]:
    """Each span starts a group that takes the spans after it while their marked width fits
    (the first one always); the best group has the most distinct terms, then the most
    spans, then comes first."""
    starts, ends, terms = spans
    markers = 2 * len(snippet.MARK)  # the width of the two around a span
    best: tuple[tuple[int, int], int, int] | None = None
    for left in range(len(starts)):
        right = left + 1
        while (
            right < len(starts)
            and ends[right] - starts[left] + markers * (right - left + 1) <= limit
        ):
            right += 1
        key = (len(set(terms[left:right])), right - left)
        if best is None or key > best[0]:
            best = (key, left, right)
    assert best is not None
    _, left, right = best
    return starts[left], max(ends[left:right])


def merged_by_definition(spans: Spans) -> list[tuple[int, int]]:
    """The runs of characters covered by a span, runs that touch joined."""
    starts, ends, _ = spans
    covered = sorted(
        {i for start, end in zip(starts, ends, strict=True) for i in range(start, end)}
    )
    runs: list[tuple[int, int]] = []
    for i in covered:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


@settings(PROFILE, max_examples=500)
@given(SPANS, st.sampled_from([5, 12, 30, 60, 300]))
def test_the_densest_cluster_is_the_best_group(
    spans: list[tuple[int, int, str]], limit: int
) -> None:
    assert snippet._densest(*columns(spans), limit) == densest_by_definition(columns(spans), limit)


@settings(PROFILE, max_examples=500)
@given(SPANS)
def test_marks_are_the_spans_merged(spans: list[tuple[int, int, str]]) -> None:
    starts, ends, _ = columns(spans)
    assert snippet._merge(1000, starts, ends) == merged_by_definition(columns(spans))


def test_no_marks_for_a_span_empty_or_outside_the_text() -> None:
    assert snippet._merge(10, (0, 5), (2, 5)) is None
    assert snippet._merge(10, (-1, 5), (2, 6)) is None
    assert snippet._merge(10, (0, 5), (2, 11)) is None
    assert snippet._merge(10, (0, 2, 5), (2, 4, 6)) == [(0, 4), (5, 6)]
    assert snippet._merge(10, (), ()) == []
