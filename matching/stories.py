"""Story grouping: find republished and syndicated copies of one story across outlets.

A story signature is a MinHash (datasketch) of the article text's word shingles: every run of
``SHINGLE_SIZE`` consecutive normalised tokens (``matching.text.normalise``: case, accents and
punctuation do not matter). Two signatures agree in about the same share of positions as the
two shingle sets share shingles (their Jaccard similarity). ``StoryIndex`` finds, among the
articles added so far, the most similar one at or above a threshold, with datasketch's
MinHashLSH picking the candidates and the signature estimate deciding.

Signatures are plain tuples of ``NUM_PERM`` integers, so storage can keep them as JSON. They
are the same in every process: the MinHash permutations come from the fixed ``SEED`` and the
shingle hash is SHA-1 (datasketch's default). They stay comparable only while ``SHINGLE_SIZE``,
``NUM_PERM``, ``SEED`` and datasketch's "affine32" permutation scheme stay the same;
``tests/matching/test_stories.py`` pins a signature to catch a change.

A text of fewer than ``MIN_TOKENS`` tokens (a teaser, a caption, a paywall stub) gets the empty
signature ``()``: it is never added to an index and never matches anything, since a few
shared words say little about two texts being the same story.

The parameters were chosen by measurement on the labelled set in ``tests/fixtures/stories``
(27 articles: 7 stories syndicated 2-4 times with new intros and outros, edited ledes,
dropped or added paragraphs and changed bylines, and 11 distinct stories on NATO and China
that share names, quotes and vocabulary); ``bench/stories.py`` reproduces the figures:

- Word 3-shingles: the least similar two copies of one story have a Jaccard similarity of
  0.42, the most similar two different stories 0.042, a ratio of 10. Single words (0.54
  against 0.26) and pairs (0.46 against 0.072) separate less well: different stories on one
  subject share names and stock phrases. Longer shingles separate a little better (4: 0.39
  against 0.034; 5: 0.36 against 0.025) but every edited word breaks as many shingles as the
  shingle is long, so copy-edited syndication loses similarity faster.
- 128 permutations: the estimate's standard deviation is about 0.04 at a similarity of 0.25,
  small against that gap; 64 halve the size but double the variance, 256 double size and time
  for no gain on the labelled set.
- Threshold 0.25: with 128 permutations, every threshold from 0.10 to 0.45 gives pairwise
  precision and recall of 1.0 on the labelled set (0.05 merges different stories, 0.5 and
  above split copies); 0.25 is near the middle of that range, on the side of recall, because
  real copies can be edited more heavily than the labelled ones. MinHashLSH uses bands of 2
  rows (64 bands), so that a pair exactly at the threshold is a candidate with probability
  0.98; candidates are then kept only if their estimated similarity reaches the threshold.
"""

from __future__ import annotations

import importlib
import operator
from array import array
from collections.abc import Sequence
from functools import cache
from typing import Any

from matching.text import normalise

__all__ = [
    "MIN_TOKENS",
    "NUM_PERM",
    "SEED",
    "SHINGLE_SIZE",
    "THRESHOLD",
    "Signature",
    "StoryIndex",
    "StoryKey",
    "shingles",
    "similarity",
    "story_signature",
]

SHINGLE_SIZE = 3
NUM_PERM = 128
THRESHOLD = 0.25
MIN_TOKENS = 40
SEED = 20230215
_SCHEME = "affine32"
_CANDIDATE_PROBABILITY = 0.98  # LSH: chance that a pair exactly at the threshold is looked at

Signature = tuple[int, ...]
StoryKey = int | str


def _datasketch() -> Any:
    """datasketch, imported on first use: it loads numpy and scipy, which ``import matching``
    should not pay for."""
    return importlib.import_module("datasketch")


@cache
def _permutations(num_perm: int) -> Any:
    return _datasketch().MinHash(num_perm=num_perm, seed=SEED, scheme=_SCHEME).permutations


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[bytes]:
    """The distinct runs of ``size`` consecutive normalised tokens, UTF-8 encoded."""
    tokens = normalise(text)
    return {" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)}


def story_signature(
    text: str, *, shingle_size: int = SHINGLE_SIZE, num_perm: int = NUM_PERM
) -> Signature:
    """The MinHash signature of ``text``: ``num_perm`` integers, or ``()`` for a text of
    fewer than MIN_TOKENS tokens. Only signatures made with the same parameters compare."""
    if shingle_size < 1 or num_perm < 2:
        raise ValueError(
            f"need shingle_size >= 1 and num_perm >= 2, not {shingle_size}, {num_perm}"
        )
    if len(normalise(text)) < MIN_TOKENS:
        return ()
    minhash = _datasketch().MinHash(
        num_perm=num_perm, seed=SEED, permutations=_permutations(num_perm), scheme=_SCHEME
    )
    minhash.update_batch(shingles(text, shingle_size))
    return tuple(minhash.hashvalues.tolist())


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures (the share of equal
    positions); 0.0 when either is empty. Raises ValueError for signatures of different
    lengths, which were made with different parameters."""
    if not a or not b:
        return 0.0
    if len(a) != len(b):
        raise ValueError(f"signatures of different lengths ({len(a)} and {len(b)}) do not compare")
    equal: int = sum(map(operator.eq, a, b))
    return equal / len(a)


def _rows_per_band(threshold: float, num_perm: int) -> int:
    """The most rows per LSH band that still make a pair at ``threshold`` a candidate with
    probability _CANDIDATE_PROBABILITY: more rows mean fewer dissimilar candidates."""
    best = 1
    for rows in range(1, num_perm // 2 + 1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= _CANDIDATE_PROBABILITY:
            best = rows
    return best


class StoryIndex:
    """Signatures of earlier articles, for finding the story a new article belongs to.

    ``add(key, signature)`` stores one (an empty signature is ignored); ``find(signature)``
    returns the key of the most similar stored article whose estimated similarity is at least
    ``threshold`` (the earliest added among equals), or None. Not thread-safe.
    """

    __slots__ = ("_lsh", "_num_perm", "_order", "_signatures", "threshold")

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
        if num_perm < 2:
            raise ValueError(f"num_perm must be at least 2, not {num_perm!r}")
        self.threshold = threshold
        self._num_perm = num_perm
        rows = _rows_per_band(threshold, num_perm)
        self._lsh = _datasketch().MinHashLSH(num_perm=num_perm, params=(num_perm // rows, rows))
        # Compact copies (4 bytes a value instead of a 32-byte int object each).
        self._signatures: dict[StoryKey, array[int]] = {}
        self._order: dict[StoryKey, int] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, key: object) -> bool:
        return key in self._signatures

    def _checked(self, signature: Sequence[int]) -> Signature:
        signature = tuple(signature)
        if signature and len(signature) != self._num_perm:
            raise ValueError(
                f"signature has {len(signature)} values, this index expects {self._num_perm}"
                " (made with other parameters?)"
            )
        return signature

    def _minhash(self, signature: Signature) -> Any:
        return _datasketch().LeanMinHash(seed=SEED, hashvalues=signature, scheme=_SCHEME)

    def add(self, key: StoryKey, signature: Sequence[int]) -> None:
        """Store ``signature`` under ``key``. Adding a key again with the same signature does
        nothing; with another signature it raises ValueError."""
        signature = self._checked(signature)
        known = self._signatures.get(key)
        if known is not None:
            if tuple(known) != signature:
                raise ValueError(
                    f"story key {key!r} is already in the index with another signature"
                )
            return
        if not signature:
            return
        self._lsh.insert(key, self._minhash(signature), check_duplication=False)
        self._signatures[key] = array("I", signature)
        self._order[key] = len(self._order)

    def find(self, signature: Sequence[int]) -> StoryKey | None:
        """Key of the most similar stored article at or above the threshold, else None."""
        signature = self._checked(signature)
        if not signature or not self._signatures:
            return None
        best: tuple[float, int] | None = None
        found: StoryKey | None = None
        for key in self._lsh.query(self._minhash(signature)):
            score = similarity(signature, self._signatures[key])
            if score < self.threshold:
                continue
            rank = (score, -self._order[key])
            if best is None or rank > best:
                best, found = rank, key
        return found
