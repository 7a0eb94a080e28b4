"""Story grouping: the quality gate on the labelled set, and StoryIndex's contract."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from matching import Signature, StoryIndex, similarity, story_signature
from matching.stories import MIN_TOKENS, NUM_PERM

LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "stories.json"
ITEMS: list[dict[str, str]] = json.loads(LABELLED.read_text(encoding="utf-8"))
REPO = Path(__file__).resolve().parents[2]


def group(signatures: Sequence[Signature]) -> list[int]:
    """Each article joins the group of the article ``find`` returns, or starts its own."""
    index = StoryIndex()
    groups: list[int] = []
    for number, signature in enumerate(signatures):
        found = index.find(signature)
        groups.append(number if found is None else groups[int(found)])
        index.add(number, signature)
    return groups


def pairwise(groups: Sequence[int], labels: Sequence[str]) -> tuple[float, float]:
    def pairs(counts: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    true_positive = pairs(Counter(zip(groups, labels, strict=True)))
    return true_positive / pairs(Counter(groups)), true_positive / pairs(Counter(labels))


def test_labelled_set_is_what_it_claims() -> None:
    stories = Counter(item["story"] for item in ITEMS)
    assert len(ITEMS) >= 24
    assert len({item["id"] for item in ITEMS}) == len(ITEMS)
    assert sum(1 for n in stories.values() if 2 <= n <= 4) >= 6
    for item in ITEMS:
        assert 120 <= len(item["text"].split()) <= 300, item["id"]
    syndicated = {item["story"] for item in ITEMS if stories[item["story"]] > 1}
    for story in syndicated:
        outlets = [item["outlet"] for item in ITEMS if item["story"] == story]
        assert len(set(outlets)) == len(outlets), story
    on_subject = {
        item["story"] for item in ITEMS if "NATO" in item["text"] and "China" in item["text"]
    }
    assert len(on_subject) >= 6


@pytest.mark.parametrize("shuffle_seed", [None, 1, 2, 3])
def test_labelled_set_precision_and_recall(shuffle_seed: int | None) -> None:
    items = list(ITEMS)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(items)
    groups = group([story_signature(item["text"]) for item in items])
    precision, recall = pairwise(groups, [item["story"] for item in items])
    assert precision >= 0.9
    assert recall >= 0.9


def test_signature_is_plain_json_and_pinned() -> None:
    """Signatures are stored by other stages: they must not change between processes or
    releases unnoticed. A failure here means stored signatures no longer compare with new
    ones (datasketch changed its hashing, or a parameter changed)."""
    signature = story_signature(ITEMS[0]["text"])
    assert len(signature) == NUM_PERM
    assert all(type(value) is int for value in signature)
    assert signature[:6] == (9394066, 10739710, 12628333, 14891334, 7021117, 7525343)
    assert tuple(json.loads(json.dumps(signature))) == signature


def test_signature_is_the_same_in_another_process() -> None:
    code = (
        "import json, sys; from matching import story_signature; "
        "print(json.dumps(story_signature(sys.stdin.read())))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=ITEMS[3]["text"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env=env,
        timeout=120,
    ).stdout
    assert tuple(json.loads(out)) == story_signature(ITEMS[3]["text"])


def test_importing_matching_does_not_load_datasketch() -> None:
    code = "import sys, matching; print('datasketch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "False"


def test_signature_ignores_case_accents_and_punctuation() -> None:
    text = ITEMS[0]["text"]
    shouted = text.upper().replace(",", " ").replace("’", "'")
    assert story_signature(shouted) == story_signature(text)


def test_short_texts_are_never_grouped() -> None:
    short = " ".join(["NATO warns China about weapons"] * 7)  # 35 tokens
    assert story_signature(short) == ()
    index = StoryIndex()
    index.add("short", story_signature(short))
    assert "short" not in index
    assert len(index) == 0
    index.add("long", story_signature(ITEMS[0]["text"]))
    assert index.find(story_signature(short)) is None
    assert index.find(()) is None
    just_enough = " ".join(f"word{i}" for i in range(MIN_TOKENS))
    assert len(story_signature(just_enough)) == NUM_PERM


def test_find_returns_the_most_similar_earlier_article() -> None:
    signature = {item["id"]: story_signature(item["text"]) for item in ITEMS}
    ledger = signature["a-signs-china-may-arm-russia--northern-ledger"]
    meridian = signature["a-signs-china-may-arm-russia--meridian-post"]
    query = signature["a-signs-china-may-arm-russia--harbourton-courier"]
    assert similarity(query, meridian) > similarity(query, ledger) >= StoryIndex().threshold
    index = StoryIndex()
    index.add(1, ledger)
    index.add("bridge", signature["f-harbour-bridge-repairs--harbourton-courier"])
    index.add(3, meridian)
    assert index.find(query) == 3
    assert index.find(signature["m-library-reopens--harbourton-courier"]) is None


def test_ties_go_to_the_earliest_article() -> None:
    signature = story_signature(ITEMS[0]["text"])
    index = StoryIndex()
    index.add("first", signature)
    index.add("second", list(signature))  # as read back from JSON
    assert index.find(signature) == "first"


def test_adding_a_key_twice() -> None:
    index = StoryIndex()
    signature = story_signature(ITEMS[0]["text"])
    index.add(7, signature)
    index.add(7, signature)
    assert len(index) == 1
    with pytest.raises(ValueError, match="already in the index"):
        index.add(7, story_signature(ITEMS[5]["text"]))


def test_similarity() -> None:
    a = story_signature(ITEMS[0]["text"])
    assert similarity(a, a) == 1.0
    assert similarity(a, ()) == 0.0
    assert 0.0 <= similarity(a, story_signature(ITEMS[-1]["text"])) < 0.2
    with pytest.raises(ValueError, match="different lengths"):
        similarity(a, a[:64])


def test_signatures_of_other_parameters_are_refused() -> None:
    index = StoryIndex()
    other = story_signature(ITEMS[0]["text"], num_perm=64)
    with pytest.raises(ValueError, match="expects 128"):
        index.add(1, other)
    with pytest.raises(ValueError, match="expects 128"):
        index.find(other)
    small = StoryIndex(num_perm=64)
    small.add(1, other)
    assert small.find(other) == 1


@pytest.mark.parametrize("threshold", [0.0, -0.1, 1.5])
def test_threshold_must_be_a_fraction(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        StoryIndex(threshold=threshold)


def test_bad_signature_parameters() -> None:
    with pytest.raises(ValueError, match="shingle_size"):
        story_signature("text", shingle_size=0)
