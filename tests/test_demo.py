"""`newswatch demo`, run twice in one folder as a new user would: alerts, then none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.demo import site_manifest
from tests.test_cli import newswatch

pytestmark = pytest.mark.slow  # starts servers or subprocesses; scheduled first (conftest.py)


def test_demo_twice(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    articles = site_manifest()["articles"]
    on_topic = [a for a in articles if a["matches_topic"]]
    assert len(articles) >= 10 and 3 <= len(on_topic) < len(articles)

    first = newswatch("demo", "--dir", str(folder))
    assert first.returncode == 0, first.stderr
    assert f"{len(on_topic)} alert(s) received by the demo webhook" in first.stdout
    for article in on_topic:
        assert f"[nato-china-arms] {article['title']}" in first.stdout
    off_topic = [a for a in articles if not a["matches_topic"]]
    assert not any(a["title"] in first.stdout for a in off_topic)
    config = folder / "newswatch.yaml"
    assert config.is_file() and (folder / "newswatch.db").is_file()

    second = newswatch("demo", "--dir", str(folder))
    assert second.returncode == 0, second.stderr
    assert "No new alerts" in second.stdout and "alert(s) received" not in second.stdout
    assert "0 new articles, 0 new matches" in second.stdout

    stored = newswatch("matches", "--config", str(config), "--format", "json")
    assert len([json.loads(line) for line in stored.stdout.splitlines()]) == len(on_topic)
