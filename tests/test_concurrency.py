"""Two OS processes run whole cycles at the same moment against one PostgreSQL database and the
same loopback feeds: afterwards every article, match and alert exists exactly once, and each
alert reached the receiver exactly once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

import storage
from flows.demo import site_manifest
from flows.local_servers import SiteServer, WebhookReceiver
from flows.settings import load_settings
from storage.models import Alert, Article, Match
from tests.helpers import demo_feeds, expected_matches, host_port, write_config

pytestmark = pytest.mark.slow  # starts servers or subprocesses; scheduled first (conftest.py)

CYCLE = """
import sys
from flows.pipeline import run_cycle
from flows.settings import load_settings
report = run_cycle(load_settings(sys.argv[1]))
print(report.counts())
"""


@pytest.mark.postgres
@pytest.mark.parametrize("rounds", [2])
def test_two_processes_store_and_alert_everything_once(
    tmp_path: Path, site: SiteServer, receiver: WebhookReceiver, postgres_url: str, rounds: int
) -> None:
    engine = storage.create_db_engine(postgres_url)
    storage.upgrade(engine)
    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url),
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
        database=postgres_url,
    )
    for _ in range(rounds):  # the second round finds everything already stored
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", CYCLE, str(config)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for worker in workers:
            _, err = worker.communicate(timeout=180)
            assert worker.returncode == 0, err[-3000:]
    expected = expected_matches(site.base_url)
    with storage.session_factory(engine)() as session:
        articles = session.scalar(select(func.count()).select_from(Article))
        urls = list(session.scalars(select(Article.canonical_url)))
        matches = session.scalar(select(func.count()).select_from(Match))
        alerts = list(session.execute(select(Alert.status, Alert.story_id)))
    engine.dispose()
    assert articles == len(set(urls)) == len(site_manifest()["articles"])
    assert matches == len(expected)
    assert len(alerts) == len(expected) and {status for status, _ in alerts} == {"sent"}
    delivered = [n.payload["message"] for n in receiver.notifications]
    assert len(delivered) == len(expected)
    assert {url for url in expected if any(url in body for body in delivered)} == expected
    assert load_settings(config).database == postgres_url
