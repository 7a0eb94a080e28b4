"""Story grouping quality and speed.

Run: .venv/bin/python bench/stories.py

Prints JSON lines on stdout (nothing else is written):

1. On the labelled set (tests/fixtures/stories/stories.json): the exact Jaccard similarity of
   the least similar pair of copies of one story and of the most similar pair of different
   stories, for shingle sizes 1-5; pairwise precision and recall of "same story" for a sweep
   of thresholds, for the chosen shingle size with 64, 128 and 256 permutations; and the
   chosen parameters, also over 20 shuffled arrival orders, against the goals (both >= 0.9).
2. Grouping 10,000 generated articles (a few hundred generated base stories, each copied with
   the kinds of edits syndication makes): wall time (goal <= 30 s), peak memory of the process
   (ru_maxrss), and precision and recall against the base each copy came from.

Articles are grouped in arrival order: each joins the group of the article that
``StoryIndex.find`` returns, or starts a new group.
"""

from __future__ import annotations

import itertools
import json
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.stories import (
    NUM_PERM,
    SHINGLE_SIZE,
    THRESHOLD,
    StoryIndex,
    shingles,
    story_signature,
)

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "stories" / "stories.json"
GOAL_PRECISION = 0.9
GOAL_RECALL = 0.9
GOAL_SECONDS = 30.0
SEED = 7
SWEEP = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)
GENERATED = 10_000
BASES = 300


def emit(line: dict[str, object]) -> None:
    print(json.dumps(line), flush=True)


def group(signatures: Sequence[Sequence[int]], threshold: float, num_perm: int) -> list[int]:
    """Group number of each article, in arrival order."""
    index = StoryIndex(threshold=threshold, num_perm=num_perm)
    groups: list[int] = []
    for number, signature in enumerate(signatures):
        found = index.find(signature)
        groups.append(number if found is None else groups[int(found)])
        index.add(number, signature)
    return groups


def pairwise(groups: Sequence[int], labels: Sequence[str]) -> tuple[float, float]:
    """Precision and recall, over all pairs of articles, of "these two are the same story"."""

    def pairs(counts: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    true_positive = pairs(Counter(zip(groups, labels, strict=True)))
    predicted = pairs(Counter(groups))
    actual = pairs(Counter(labels))
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    return precision, recall


def labelled_set() -> None:
    items = json.loads(LABELLED.read_text(encoding="utf-8"))
    texts = [item["text"] for item in items]
    labels = [item["story"] for item in items]
    for size in range(1, 6):
        sets = [shingles(text, size) for text in texts]
        same: list[float] = []
        different: list[float] = []
        for a, b in itertools.combinations(range(len(items)), 2):
            jaccard = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
            (same if labels[a] == labels[b] else different).append(jaccard)
        emit(
            {
                "bench": "stories-labelled",
                "shingle_size": size,
                "lowest_same_story_jaccard": round(min(same), 3),
                "highest_different_story_jaccard": round(max(different), 3),
            }
        )
    for num_perm in (64, 128, 256):
        signatures = [story_signature(t, num_perm=num_perm) for t in texts]
        for threshold in SWEEP:
            precision, recall = pairwise(group(signatures, threshold, num_perm), labels)
            emit(
                {
                    "bench": "stories-labelled",
                    "shingle_size": SHINGLE_SIZE,
                    "num_perm": num_perm,
                    "threshold": threshold,
                    "precision": round(precision, 3),
                    "recall": round(recall, 3),
                }
            )
    signatures = [story_signature(t) for t in texts]
    precision, recall = pairwise(group(signatures, THRESHOLD, NUM_PERM), labels)
    orders = random.Random(SEED)
    worst_precision, worst_recall = precision, recall
    for _ in range(20):
        order = list(range(len(items)))
        orders.shuffle(order)
        p, r = pairwise(
            group([signatures[i] for i in order], THRESHOLD, NUM_PERM), [labels[i] for i in order]
        )
        worst_precision, worst_recall = min(worst_precision, p), min(worst_recall, r)
    emit(
        {
            "bench": "stories-labelled",
            "chosen": True,
            "articles": len(items),
            "stories": len(set(labels)),
            "shingle_size": SHINGLE_SIZE,
            "num_perm": NUM_PERM,
            "threshold": THRESHOLD,
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "worst_precision_20_orders": round(worst_precision, 3),
            "worst_recall_20_orders": round(worst_recall, 3),
            "goal_met": min(precision, worst_precision) >= GOAL_PRECISION
            and min(recall, worst_recall) >= GOAL_RECALL,
        }
    )


# Generated articles: base stories of 5-7 paragraphs over a Zipf-distributed vocabulary, then
# copies with the edits seen in syndication.
FUNCTION_WORDS = [
    "the", "of", "and", "to", "a", "in", "that", "is", "was", "for", "on", "with", "as", "by",
    "at", "from", "he", "she", "it", "they", "said", "has", "have", "had", "not", "but",
    "which", "were", "be", "this", "are", "an", "its", "their", "will", "would", "after",
    "more", "been", "also", "who",
]  # fmt: skip


def vocabulary(rng: random.Random, count: int) -> tuple[list[str], list[float]]:
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words = list(FUNCTION_WORDS)
    seen = set(words)
    while len(words) < count:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(words))]
    return words, weights


def sentence(rng: random.Random, words: list[str], weights: list[float]) -> str:
    chosen = rng.choices(words, weights, k=rng.randint(12, 24))
    return " ".join(chosen).capitalize() + "."


def paragraph(rng: random.Random, words: list[str], weights: list[float]) -> str:
    return " ".join(sentence(rng, words, weights) for _ in range(rng.randint(1, 3)))


def copy_of(base: list[str], rng: random.Random, words: list[str], weights: list[float]) -> str:
    paragraphs = list(base)
    if rng.random() < 0.4:  # lightly edited lede: a fifth of its words replaced
        lede = paragraphs[0].split()
        for i in rng.sample(range(len(lede)), len(lede) // 5):
            lede[i] = rng.choices(words, weights)[0]
        paragraphs[0] = " ".join(lede)
    if rng.random() < 0.3 and len(paragraphs) > 3:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    if rng.random() < 0.2:
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), paragraph(rng, words, weights))
    if rng.random() < 0.5:
        paragraphs.insert(0, sentence(rng, words, weights))  # the outlet's own intro
    if rng.random() < 0.5:
        paragraphs.append(sentence(rng, words, weights))  # outro
    if rng.random() < 0.3:
        paragraphs.insert(0, f"By {rng.choice(words).title()} {rng.choice(words).title()}")
    return "\n\n".join(paragraphs)


def generated_set() -> None:
    rng = random.Random(SEED)
    words, weights = vocabulary(rng, 6_000)
    bases = [
        [paragraph(rng, words, weights) for _ in range(rng.randint(5, 7))] for _ in range(BASES)
    ]
    labels = [i % BASES for i in range(GENERATED)]
    rng.shuffle(labels)
    texts = [copy_of(bases[label], rng, words, weights) for label in labels]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    signatures = [story_signature(text) for text in texts]
    signed = time.perf_counter()
    groups = group(signatures, THRESHOLD, NUM_PERM)
    end = time.perf_counter()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    precision, recall = pairwise(groups, [str(label) for label in labels])
    emit(
        {
            "bench": "stories-generated",
            "articles": GENERATED,
            "base_stories": BASES,
            "mean_words": round(sum(len(t.split()) for t in texts) / len(texts)),
            "groups_found": len(set(groups)),
            "signature_seconds": round(signed - start, 2),
            "index_seconds": round(end - signed, 2),
            "wall_seconds": round(end - start, 2),
            "peak_rss_mib": round(rss_after / 1024, 1),
            "peak_rss_mib_before_grouping": round(rss_before / 1024, 1),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "goal_seconds": GOAL_SECONDS,
            "goal_met": end - start <= GOAL_SECONDS,
        }
    )


if __name__ == "__main__":
    labelled_set()
    generated_set()
