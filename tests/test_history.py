"""`newswatch search`, `export` and `prune` on stored history, on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import storage
from flows.demo import site_manifest
from flows.local_servers import SiteServer
from flows.pipeline import run_cycle
from flows.settings import load_settings
from matching import Topic, TopicMatcher
from storage.models import Alert, Article, Match
from tests.helpers import demo_feeds, expected_matches, host_port, write_config
from tests.test_cli import newswatch


@pytest.fixture
def stored(tmp_path: Path, site: SiteServer, database_url: str) -> tuple[Path, str]:
    engine = storage.create_db_engine(database_url)
    storage.upgrade(engine)
    engine.dispose()
    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url),
        allow_hosts=[host_port(site.base_url)],
        database=database_url,
    )
    run_cycle(load_settings(config))
    return config, site.base_url


@pytest.mark.parametrize(
    "query",
    [
        '"lethal aid"',
        "Pékin OR Beijing",
        "harbour* OR dock*",
        "NATO AND NOT (China OR Chine OR Beijing OR Pékin)",
        "title:cup",
        "lang:fr",
    ],
)
def test_search_finds_what_the_matcher_finds(stored: tuple[Path, str], query: str) -> None:
    config, _ = stored
    result = newswatch("search", query, "--config", str(config), "--format", "json")
    assert result.returncode == 0, result.stderr
    found = {json.loads(line)["url"] for line in result.stdout.splitlines()}
    # The expectation comes from the matcher over the bundled pages' stored text, one by one.
    settings = load_settings(config)
    engine = storage.create_db_engine(settings.database)
    matcher = TopicMatcher([Topic("q", query)])
    with storage.session_factory(engine)() as session:
        everything = [a for chunk in storage.iter_articles(session) for a in chunk]
    engine.dispose()
    expected = {a.url for a in everything if matcher.match(a.title, a.text, a.source, a.language)}
    assert found == expected
    assert found, f"{query!r} should find something in the demo site"


def test_search_index_narrows_candidates(stored: tuple[Path, str]) -> None:
    config, _ = stored
    engine = storage.create_db_engine(load_settings(config).database)
    with storage.session_factory(engine)() as session:
        narrowed = [
            a for c in storage.search_articles(session, [[("stoltenberg", False)]]) for a in c
        ]
        everything = [a for c in storage.search_articles(session, []) for a in c]
    engine.dispose()
    assert 0 < len(narrowed) < len(everything)
    assert all("stoltenberg" in (a.title + a.text).lower() for a in narrowed)


def test_export_csv_and_json(stored: tuple[Path, str]) -> None:
    config, base = stored
    as_csv = newswatch("export", "--topic", "nato-china-arms", "--config", str(config))
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {r["url"] for r in rows} == expected_matches(base)
    assert all(r["text"] and r["story_id"] for r in rows)
    as_json = newswatch(
        "export", "--topic", "nato-china-arms", "--config", str(config), "--format", "json"
    )
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert {"nato", "china"} <= {term for record in records for term in record["terms"]}
    bad = newswatch("export", "--topic", "x", "--config", str(config), "--format", "xml")
    assert bad.returncode == 2


def test_prune_drops_old_unmatched_text_only(stored: tuple[Path, str]) -> None:
    config, _ = stored
    database = load_settings(config).database
    engine = storage.create_db_engine(database)
    sessions = storage.session_factory(engine)
    with sessions() as session:
        before = {
            t: session.scalar(select(func.count()).select_from(t)) for t in (Article, Match, Alert)
        }
    with storage.transaction(sessions) as session:
        assert storage.prune_texts(session, older_than=datetime.now(UTC) - timedelta(days=1)) == 0
    result = newswatch("prune", "--older-than", "0h", "--config", str(config))
    assert result.returncode == 0, result.stderr
    unmatched = len(site_manifest()["articles"]) - before[Match]
    assert f"Dropped the text of {unmatched} unmatched" in result.stdout
    with sessions() as session:
        after = {
            t: session.scalar(select(func.count()).select_from(t)) for t in (Article, Match, Alert)
        }
        texts = session.scalar(
            select(func.count()).select_from(Article).where(Article.text.is_not(None))
        )
    engine.dispose()
    assert after == before and texts == before[Match]
