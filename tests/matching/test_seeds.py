"""The five real seed articles (../shared/seeds, beside the repo) against the project's topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching import Topic, TopicMatcher

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
TOPIC_QUERY = (
    "(NATO OR OTAN OR Stoltenberg) AND (China OR Chine OR Beijing OR Pékin) "
    'AND (weapons OR arms OR armes OR "lethal aid")'
)
NEAR_MISSES = [
    'NATO AND China AND "chemical weapons"',
    '(NATO OR OTAN) AND (China OR Chine) AND "nuclear warheads"',
    "title:(NATO AND China) AND title:submarines",
]


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


def read_seed(path: Path) -> tuple[str, str]:
    """A seed's first line is the headline, the rest the body."""
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return title.strip(), body


needs_seeds = pytest.mark.skipif(
    not seed_files(), reason=f"seed articles absent: no *.txt in {SEEDS} (../shared/seeds)"
)


@needs_seeds
def test_there_are_five_seed_articles() -> None:
    assert len(seed_files()) == 5


@needs_seeds
@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name)
def test_seed_matches_the_topic(path: Path) -> None:
    title, body = read_seed(path)
    found = TopicMatcher([Topic("nato-china-arms", TOPIC_QUERY)]).match(title, body)
    assert [m.topic for m in found] == ["nato-china-arms"]
    match = found[0]
    for term in match.terms:
        original = (title if term.field == "title" else body)[term.start : term.end]
        assert original, term
    assert {t.term for t in match.terms} & {"nato", "otan", "stoltenberg"}
    assert "**" in match.snippet
    assert len(match.snippet.removeprefix("…").removesuffix("…")) <= 300


@needs_seeds
@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name)
@pytest.mark.parametrize("query", NEAR_MISSES)
def test_seed_does_not_match_a_near_miss(path: Path, query: str) -> None:
    title, body = read_seed(path)
    assert TopicMatcher([Topic("near-miss", query)]).match(title, body) == []
