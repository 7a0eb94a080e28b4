"""Topic matching speed: one ~1,500-word article against 100, 1,000 and 10,000 topics.

Run: .venv/bin/python bench/matching.py

Prints JSON lines on stdout (nothing else is written): a line describing the run, one line per
topic count, then a summary with the 10k/1k ratio and whether the issue's goals are met
(1,000 topics: median <= 5 ms per article; 10,000 topics: <= 3x the 1,000-topic median).

Three things are timed per topic count: ``TopicMatcher.match`` with the prefilter, the same
with ``prefilter=False`` (every topic evaluated), and the selection phase alone (tokenising the
article, the prefilter, exact evaluation of the selected topics; no matched terms or snippets).
Round after round, each of them is timed once for every topic count in turn, so that all share
the machine's load and clock speed (the ratios are what counts, and this host's speed drifts
during a run). Before timing, the prefiltered and naive results are checked to be identical.

Everything is generated from a fixed seed. The article is about the NATO-China arms story
(words like those of the seed articles) padded with everyday filler and general news words.
Topics are spread evenly over 200 subjects: the article's subject (whose vocabulary is wider
than the article's), and 199 others made of invented words, standing in for the unrelated
subjects a large deployment watches. Each query has 3-8 terms: an OR group on its subject,
AND up to three more groups that may also use general news words ("minister", "tuesday"),
sometimes a NOT clause; terms are words, phrases, a few wildcards and proximity groups, and
some single-term groups are scoped to the title. The topic lists are prefixes of one list.
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching import Topic, TopicMatcher, parse_query
from matching.document import Document
from matching.prefilter import Prefilter


def word_list(block: str) -> list[str]:
    return block.split()


SEED = 4_2024
SIZES = (100, 1_000, 10_000)
SUBJECTS = 200
ARTICLE_WORDS = 1_500
WARMUP = 3
REPEATS = 21
GOAL_1K_MS = 5.0
GOAL_RATIO = 3.0

# The subject of the article: words of the NATO-China arms story. The article uses the first
# ARTICLE_SHARE of them; topics on this subject use all of them, like real queries that name
# places and things the article happens not to mention.
SUBJECT_WORDS = word_list(
    """
    nato otan alliance allies allied stoltenberg secretary general jens china chinese beijing
    pekin xi jinping russia russian moscow kremlin putin ukraine ukrainian kyiv weapons weapon
    arms lethal aid ammunition artillery shells drones missiles munitions military support
    supply supplies supplying deliveries warning warns warned sanctions consequences brussels
    summit ministers defence defense headquarters intelligence signs evidence components
    microelectronics machine tools dual use exports invasion war battlefield frontline
    partnership strategic coercive ambitions security threat deterrence nuclear arsenal
    declaration communique enabler diplomacy embassy spokesman spokeswoman ministry foreign
    blinken washington vilnius munich conference escalation neutrality ceasefire taiwan strait
    pacific hypersonic submarine submarines arctic baltic nordic finland sweden membership
    enlargement pentagon satellite satellites cyber espionage hackers cables pipeline sabotage
    disinformation propaganda tariffs semiconductors chips export controls shipping fleet navy
    warships carrier exercises drills mobilisation conscription tanks howitzers
    """
)
ARTICLE_SHARE = 0.6

GENERAL_WORDS = word_list(
    """
    government minister president election parliament court police market economy budget city
    officials report reports statement spokesperson agency country countries international
    national region regional trade prices energy oil gas company companies industry workers
    talks meeting week month year today tuesday wednesday thursday monday friday crisis policy
    leaders leader official public plan plans law vote deal news agreement
    """
)

FILLER_WORDS = word_list(
    """
    the a of and to in that it is was for on are as with at be this from by not have has had but
    they we he she his her their its which will would could should also more than been after
    before about over into while when where there some many most such said says told
    """
)

PHRASES = [
    "lethal aid",
    "Jens Stoltenberg",
    "NATO’s secretary general",
    "dual-use goods",
    "machine tools",
    "Chinese weapons",
    "Beijing’s support",
]


def made_up_vocabulary(rng: random.Random, count: int) -> list[str]:
    """Pronounceable invented words, distinct from each other and from real ones above."""
    onsets = ["b", "br", "c", "d", "dr", "f", "g", "gr", "k", "l", "m", "n", "p", "pr", "r", "s"]
    onsets += ["st", "t", "tr", "v", "z", "sh", "ch", "th"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ou", "ea"]
    codas = ["", "", "n", "r", "l", "s", "m", "x", "nd", "rk"]
    taken = set(SUBJECT_WORDS) | set(GENERAL_WORDS) | set(FILLER_WORDS)
    words: list[str] = []
    while len(words) < count:
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
            for _ in range(rng.choice((2, 2, 3)))
        )
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


def make_article(rng: random.Random) -> tuple[str, str]:
    """A title and a ~1,500-word text about the NATO-China story."""
    article_subject = SUBJECT_WORDS[: int(len(SUBJECT_WORDS) * ARTICLE_SHARE)]
    words: list[str] = []
    sentences: list[str] = []
    while len(words) < ARTICLE_WORDS:
        sentence: list[str] = []
        for _ in range(rng.randint(12, 26)):
            roll = rng.random()
            if roll < 0.5:
                sentence.append(rng.choice(FILLER_WORDS))
            elif roll < 0.68:
                sentence.append(rng.choice(GENERAL_WORDS))
            elif roll < 0.97:
                sentence.append(rng.choice(article_subject).capitalize())
            else:
                sentence.append(rng.choice(PHRASES))
        words.extend(" ".join(sentence).split())
        text = " ".join(sentence)
        sentences.append(text[0].upper() + text[1:] + rng.choice([".", ".", ".", ",", ";"]))
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    return "NATO’s Stoltenberg warns China over weapons for Russia", "\n\n".join(paragraphs)


def make_term(rng: random.Random, words: list[str]) -> tuple[str, int]:
    """One query term (word, phrase, wildcard or proximity) and how many words it uses."""
    roll = rng.random()
    if roll < 0.72:
        return rng.choice(words), 1
    if roll < 0.88:
        return f'"{rng.choice(words)} {rng.choice(words)}"', 2
    if roll < 0.95:
        stem = rng.choice(words)
        return stem[: max(3, len(stem) - 2)] + "*", 1
    return f'"{rng.choice(words)} {rng.choice(words)}"~8', 2


def make_group(rng: random.Random, words: list[str]) -> tuple[str, int]:
    """An OR group of 1-3 terms (a single term may be scoped to the title)."""
    items = [make_term(rng, words) for _ in range(rng.randint(1, 3))]
    group = " OR ".join(term for term, _ in items)
    if len(items) > 1:
        group = f"({group})"
    elif rng.random() < 0.1:
        group = f"title:{group}"
    return group, sum(n for _, n in items)


def make_query(rng: random.Random, vocabulary: list[str]) -> str:
    """A group on the topic's own subject, AND 0-3 more groups that may also use general
    news words (as people narrow a topic: ``... AND (minister OR government)``), perhaps
    a NOT clause; 3-8 terms in all."""
    mixed = vocabulary + rng.sample(GENERAL_WORDS, 10)
    while True:
        core, used = make_group(rng, vocabulary)
        groups = [core]
        for _ in range(rng.randint(0, 3)):
            group, n = make_group(rng, mixed)
            groups.append(group)
            used += n
        query = " AND ".join(groups)
        if rng.random() < 0.2:
            term, n = make_term(rng, mixed)
            used += n
            query += f" AND NOT {term}" if rng.random() < 0.5 else f" -{term}"
        if 3 <= used <= 8:
            return query


def make_topics(rng: random.Random, count: int) -> list[Topic]:
    invented = made_up_vocabulary(rng, (SUBJECTS - 1) * 40)
    vocabularies = [SUBJECT_WORDS] + [invented[i * 40 : (i + 1) * 40] for i in range(SUBJECTS - 1)]
    topics = []
    for i in range(count):
        vocabulary = vocabularies[rng.randrange(SUBJECTS)]
        topics.append(Topic(f"topic-{i}", make_query(rng, vocabulary)))
    return topics


def timed_ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000.0


@dataclass
class Setup:
    """One topic count, ready to time: the calls and what the result line reports."""

    size: int
    calls: dict[str, Callable[[], object]]
    line: dict[str, object]


def prepare(size: int, topics: list[Topic], title: str, text: str) -> Setup:
    """Compile the topics three ways (prefiltered, naive, selection only) and check that they
    agree before anything is timed."""
    fast = TopicMatcher(topics)
    naive = TopicMatcher(topics, prefilter=False)
    found = fast.match(title, text)
    if found != naive.match(title, text):
        raise SystemExit(f"prefiltered and naive results differ for {size} topics")
    queries = [parse_query(t.query, t.default_operator) for t in topics]
    prefilter = Prefilter([q.root for q in queries])

    def select() -> list[int]:
        document = Document(title, text)
        return [i for i in prefilter.candidates(document) if queries[i].evaluate(document)]

    if len(select()) != len(found):
        raise SystemExit(f"selection phase disagrees with match() for {size} topics")
    calls: dict[str, Callable[[], object]] = {
        "fast": lambda: fast.match(title, text),
        "naive": lambda: naive.match(title, text),
        "select": select,
    }
    line = {
        "topics_evaluated": len(prefilter.candidates(Document(title, text))),
        "topics_always_evaluated": len(prefilter.always),
        "topics_matched": len(found),
        "terms_reported": sum(len(m.terms) for m in found),
        "same_results": True,
    }
    return Setup(size, calls, line)


def measure(setups: list[Setup]) -> dict[int, dict[str, float]]:
    """Median ms per article for every call of every topic count. Round after round, every
    call of every count is timed once, so all of them, and so the 10k/1k ratio, share the
    machine's load and clock speed (this host's speed drifts over a run)."""
    times: dict[tuple[int, str], list[float]] = {}
    for round_number in range(WARMUP + REPEATS):
        for setup in setups:
            for name, call in setup.calls.items():
                elapsed = timed_ms(call)
                if round_number >= WARMUP:
                    times.setdefault((setup.size, name), []).append(elapsed)
    medians: dict[int, dict[str, float]] = {}
    for (size, name), values in times.items():
        medians.setdefault(size, {})[name] = statistics.median(values)
    return medians


def main() -> None:
    title, text = make_article(random.Random(SEED))
    all_topics = make_topics(random.Random(SEED + 1), max(SIZES))
    print(
        json.dumps(
            {
                "bench": "matching",
                "python": platform.python_version(),
                "machine": platform.machine(),
                "pyahocorasick": version("pyahocorasick"),
                "seed": SEED,
                "article_words": len(text.split()),
                "warmup": WARMUP,
                "repeats": REPEATS,
            }
        )
    )
    setups = [prepare(size, all_topics[:size], title, text) for size in SIZES]
    medians = measure(setups)
    for setup in setups:
        fast_ms, naive_ms = medians[setup.size]["fast"], medians[setup.size]["naive"]
        line = {
            "bench": "matching",
            "topics": setup.size,
            "prefiltered_median_ms": round(fast_ms, 3),
            "naive_median_ms": round(naive_ms, 3),
            "speedup": round(naive_ms / fast_ms, 1),
            "selection_only_median_ms": round(medians[setup.size]["select"], 3),
            **setup.line,
        }
        print(json.dumps(line))
    results = {size: m["fast"] for size, m in medians.items()}
    selection = {size: m["select"] for size, m in medians.items()}
    ratio = results[10_000] / results[1_000]
    goals = {
        "1k_topics_at_most_5_ms": results[1_000] <= GOAL_1K_MS,
        "10k_at_most_3x_1k": ratio <= GOAL_RATIO,
    }
    print(
        json.dumps(
            {
                "bench": "matching",
                "summary": True,
                "prefiltered_1k_ms": round(results[1_000], 3),
                "prefiltered_10k_ms": round(results[10_000], 3),
                "ratio_10k_1k": round(ratio, 2),
                "selection_only_ratio_10k_1k": round(selection[10_000] / selection[1_000], 2),
                "goals": goals,
                "goal_met": all(goals.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
