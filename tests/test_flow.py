"""The real Prefect flow (prefect_test_harness: a temporary Prefect server and database)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.local_servers import SiteServer, WebhookReceiver
from tests.helpers import demo_feeds, expected_matches, host_port, write_config

pytestmark = pytest.mark.slow  # starts servers or subprocesses; scheduled first (conftest.py)


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

    from flows.artifacts import HEALTH_KEY, MATCHES_KEY, SUMMARY_KEY
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
    assert "](data:image/png;base64," in str(summary[0].data)  # type: ignore[attr-defined]
    health = asyncio.run(artifacts(HEALTH_KEY))
    rows = json.loads(str(health[0].data))  # type: ignore[attr-defined]
    assert {r["feed"] for r in rows} == {f["name"] for f in demo_feeds(site.base_url)}
    assert {r["status"] for r in rows} == {"ok"}

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


PLANTED = "s3cr3t-PLANTED-T0KEN"


def test_secrets_never_reach_logs_or_artifacts(
    prefect_server: None,
    tmp_path: Path,
    site: SiteServer,
    receiver: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A channel URL with a planted token, read from a Prefect Secret block at run time, plus a
    failing channel whose errors get logged: the token appears in no log record (captured
    locally and stored by the Prefect API) and in no artifact."""
    import asyncio
    import logging

    import yaml
    from prefect import get_client
    from prefect.blocks.system import Secret
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.states import State

    from flows.monitor import monitor_feeds

    caplog.set_level(logging.DEBUG)
    good = f"json://user:{PLANTED}@127.0.0.1:{receiver.port}/hook?+X-Token={PLANTED}"
    Secret(value=good).save("newswatch-test-hook", overwrite=True)
    with WebhookReceiver(status=lambda attempt: 500) as failing:
        bad = f"json://user:{PLANTED}@127.0.0.1:{failing.port}/hook?+X-Token={PLANTED}"
        Secret(value=bad).save("newswatch-failing-hook", overwrite=True)
        config = write_config(
            tmp_path,
            feeds=demo_feeds(site.base_url),
            hook_url="prefect-secret:newswatch-test-hook",
            allow_hosts=[host_port(site.base_url)],
        )
        raw = yaml.safe_load(config.read_text())
        raw["notify"].append({"url": "prefect-secret:newswatch-failing-hook", "tags": ["team"]})
        config.write_text(yaml.safe_dump(raw))
        state: State = monitor_feeds(str(config), return_state=True)  # type: ignore[call-overload]
    assert state.is_completed()
    report = state.result()
    expected = expected_matches(site.base_url)
    assert report["counts"]["alerts_sent"] == len(expected)
    assert report["counts"]["alerts_retrying"] == len(expected)
    assert len(receiver.notifications) == len(expected)
    assert receiver.notifications[0].payload["title"].startswith("[nato-china-arms]")

    async def stored_logs_and_artifacts() -> str:
        async with get_client() as client:
            logs = await client.read_logs(
                log_filter=LogFilter(
                    flow_run_id=LogFilterFlowRunId(any_=[state.state_details.flow_run_id])
                )
            )
            artifacts = await client.read_artifacts()
            return "\n".join([log.message for log in logs] + [str(a.data) for a in artifacts])

    stored = asyncio.run(stored_logs_and_artifacts())
    assert "500" in stored  # the failures were logged and reported...
    assert PLANTED not in stored  # ...without the token
    assert PLANTED not in caplog.text
    assert PLANTED not in str(report)


def test_flow_overrides_split_feeds_into_shards(
    prefect_server: None, tmp_path: Path, site: SiteServer
) -> None:
    from flows.monitor import monitor_feeds

    config = write_config(
        tmp_path, feeds=demo_feeds(site.base_url), allow_hosts=[host_port(site.base_url)]
    )
    halves = [monitor_feeds(str(config), shard=(i, 2), batch_size=1) for i in range(2)]
    polled = [{f["url"] for f in half["feeds"]} for half in halves]
    assert not polled[0] & polled[1]
    assert polled[0] | polled[1] == {f["url"] for f in demo_feeds(site.base_url)}
    matched = {m["url"] for half in halves for feed in half["feeds"] for m in feed["matches"]}
    assert matched == expected_matches(site.base_url)


def test_maintenance_and_backfill_flows(
    prefect_server: None, tmp_path: Path, site: SiteServer
) -> None:
    import asyncio

    import yaml
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.maintenance import backfill, maintenance
    from flows.pipeline import run_cycle
    from flows.settings import load_settings

    config = write_config(
        tmp_path, feeds=demo_feeds(site.base_url), allow_hosts=[host_port(site.base_url)]
    )
    run_cycle(load_settings(config))
    raw = yaml.safe_load(config.read_text())
    raw["topics"].append({"name": "cup", "query": "cup AND final"})
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))

    result = backfill(str(config), "cup")
    assert result["new"] == 1 and result["checked"] > 1
    kept = maintenance(str(config), prune_after_days=0)
    assert kept["feeds"] == len(demo_feeds(site.base_url)) and kept["unhealthy"] == 0
    assert kept["pruned"] > 0  # unmatched articles lost their text; matched ones kept it

    async def latest(key: str) -> object:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
            )
            return found[0].data

    assert asyncio.run(latest("newswatch-backfill-cup")) == 100.0
    report = json.loads(str(asyncio.run(latest("newswatch-feed-report"))))
    assert {row["state"] for row in report} == {"ok"} and len(report) == len(
        demo_feeds(site.base_url)
    )
