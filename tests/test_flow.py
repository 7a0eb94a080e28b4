"""The real Prefect flow (prefect_test_harness: a temporary Prefect server and database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.local_servers import SiteServer, WebhookReceiver
from tests.helpers import demo_feeds, expected_matches, host_port, write_config


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def test_monitor_flow_runs_a_cycle_and_publishes_artifacts(
    prefect_server: None, tmp_path: Path, site: SiteServer, receiver: WebhookReceiver
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.states import State

    from flows.artifacts import MATCHES_KEY, SUMMARY_KEY
    from flows.monitor import monitor_feeds

    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url),
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
    )
    state: State = monitor_feeds(str(config), return_state=True)  # type: ignore[call-overload]
    assert state.is_completed()
    report = state.result()
    expected = expected_matches(site.base_url)
    assert {m["url"] for feed in report["feeds"] for m in feed["matches"]} == expected
    assert len(receiver.notifications) == len(expected)

    import asyncio

    async def artifacts(key: str) -> list[object]:
        async with get_client() as client:
            return list(
                await client.read_artifacts(
                    artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
                )
            )

    table = asyncio.run(artifacts(MATCHES_KEY))
    assert table, "the matches table artifact was not published"
    data = str(table[0].data)  # type: ignore[attr-defined]
    assert all(url in data for url in expected)
    summary = asyncio.run(artifacts(SUMMARY_KEY))
    assert "new articles" in str(summary[0].data)  # type: ignore[attr-defined]

    second = monitor_feeds(str(config))
    assert second["counts"]["new_articles"] == 0 and second["counts"]["alerts_sent"] == 0
    assert len(receiver.notifications) == len(expected)

    import storage
    from flows.settings import load_settings
    from storage.models import Run

    engine = storage.create_db_engine(load_settings(config).database)
    with storage.session_factory(engine)() as session:
        runs = session.query(Run).order_by(Run.id).all()
    engine.dispose()
    assert [r.counts["matches"] for r in runs] == [len(expected), 0]
    assert runs[0].flow_run_id == str(state.state_details.flow_run_id)
