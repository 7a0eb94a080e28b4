"""`newswatch serve` against a real Prefect server: the three kinds of deployment are created
with their schedules, and two monitor runs started at once never overlap."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from flows.local_servers import SiteServer
from tests.helpers import demo_feeds, host_port, stop_process, write_config

pytestmark = pytest.mark.slow  # starts servers or subprocesses; scheduled first (conftest.py)

NEWSWATCH = str(Path(sys.executable).parent / "newswatch")
TERMINAL = {"COMPLETED", "CANCELLED", "FAILED", "CRASHED"}


def api_post(api: str, path: str, body: dict[str, Any]) -> Any:
    """POST to the Prefect API; its SQLite answers 503 for a moment when busy, so retry that."""
    for _ in range(10):
        response = httpx.post(f"{api}/{path}", json=body, timeout=10)
        if response.status_code != 503:
            break
        time.sleep(1)
    response.raise_for_status()
    return response.json()


def wait_for(deadline_s: float, probe: Any, what: str) -> Any:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_serve_schedules_and_never_overlaps_monitor_runs(
    prefect_api: str, tmp_path: Path, site: SiteServer
) -> None:
    config = write_config(
        tmp_path, feeds=demo_feeds(site.base_url), allow_hosts=[host_port(site.base_url)]
    )
    raw = yaml.safe_load(config.read_text())
    raw["topics"].append(
        {
            "name": "weekly",
            "query": "harbour",
            "mode": "digest",
            "digest_cron": "0 9 * * 1",
            "timezone": "Europe/Brussels",
        }
    )
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "NO_COLOR": "1"}
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [NEWSWATCH, "serve", "--config", str(config), "--every", "600"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deployments = wait_for(
            90,
            lambda: (
                {
                    d["name"]: d
                    for d in api_post(prefect_api, "deployments/filter", {"limit": 50})
                    if d["name"] in ("monitor", "maintenance", "digest-1")
                }
                if len(api_post(prefect_api, "deployments/filter", {"limit": 50})) >= 3
                else None
            ),
            "the served deployments",
        )
        assert set(deployments) == {"monitor", "maintenance", "digest-1"}
        digest = deployments["digest-1"]
        assert digest["parameters"]["topics"] == ["weekly"]
        assert digest["schedules"][0]["schedule"]["cron"] == "0 9 * * 1"
        assert digest["schedules"][0]["schedule"]["timezone"] == "Europe/Brussels"
        monitor = deployments["monitor"]
        assert (
            monitor["concurrency_limit"] == 1
            or monitor.get("global_concurrency_limit", {}).get("limit") == 1
        )

        # two runs at once: the deployment's limit of 1 with CANCEL_NEW never lets them overlap
        started = [
            api_post(prefect_api, f"deployments/{monitor['id']}/create_flow_run", {})["id"]
            for _ in range(2)
        ]

        def finished() -> list[dict[str, Any]] | None:
            runs = api_post(
                prefect_api,
                "flow_runs/filter",
                {"flow_runs": {"deployment_id": {"any_": [monitor["id"]]}}, "limit": 20},
            )
            mine = [r for r in runs if r["id"] in started]
            return runs if all(r["state_type"] in TERMINAL for r in mine) else None

        runs = wait_for(180, finished, "both monitor runs to finish")
        states = sorted(r["state_type"] for r in runs if r["id"] in started)
        assert "CANCELLED" in states, states
        completed = [r for r in runs if r["state_type"] == "COMPLETED"]
        assert completed, [r["state_type"] for r in runs]
        spans = sorted(
            (datetime.fromisoformat(r["start_time"]), datetime.fromisoformat(r["end_time"]))
            for r in completed
        )
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    except AssertionError:
        log.flush()
        print((tmp_path / "serve.log").read_text()[-5000:])
        raise
    finally:
        stop_process(server)
        log.close()


def test_serve_names_an_unreachable_prefect_server(tmp_path: Path) -> None:
    config = write_config(tmp_path, feeds=[])
    result = subprocess.run(
        [NEWSWATCH, "serve", "--config", str(config)],
        env={**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Prefect server at http://127.0.0.1:9/api does not answer" in result.stderr
    assert "Traceback" not in result.stderr
