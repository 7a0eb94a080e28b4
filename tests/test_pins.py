"""Tests that catch the known breakages behind the pins in pyproject.toml, against a real
`prefect server start` on a loopback port (not only a tiny flow run, which misses both)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

PREFECT = str(Path(sys.executable).parent / "prefect")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server (SQLite under a temporary PREFECT_HOME), scheduler looping fast."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
    }
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"prefect server exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{api}/health", timeout=2).json() is True:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("prefect server did not become healthy within 120 s")
        yield api
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_trafilatura_imports() -> None:
    """trafilatura imports lxml.html.clean, now the separate lxml_html_clean project."""
    result = subprocess.run(
        [sys.executable, "-c", "import trafilatura, lxml_html_clean"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_filter_endpoints_answer(prefect_api: str) -> None:
    """fastapi 0.151-0.154 makes every /filter endpoint answer 422 (the UI's lists break)."""
    for path in (
        "flow_runs/filter",
        "deployments/filter",
        "work_pools/filter",
        "variables/filter",
        "flows/filter",
    ):
        response = httpx.post(
            f"{prefect_api}/{path}", json={"limit": 5, "offset": 0, "sort": None}, timeout=10
        )
        assert response.status_code == 200, (path, response.text[:300])


SCHEDULE_CHECK = """
import asyncio, time
from datetime import timedelta
from prefect import get_client
from prefect.client.schemas.actions import DeploymentScheduleCreate
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.schedules import IntervalSchedule

async def main():
    async with get_client() as client:
        flow_id = await client.create_flow_from_name("pin-check")
        deployment_id = await client.create_deployment(
            flow_id=flow_id, name="every-hour", entrypoint="flows/monitor.py:monitor_feeds",
            schedules=[DeploymentScheduleCreate(schedule=IntervalSchedule(interval=timedelta(hours=1)), active=True)],
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            runs = await client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])))
            if runs:
                return len(runs)
            await asyncio.sleep(1)
        return 0

print("scheduled runs:", asyncio.run(main()))
"""


def test_server_scheduler_creates_runs(prefect_api: str) -> None:
    """SQLAlchemy 2.1 silently stops the server's scheduler: no scheduled run is ever created.
    The client runs in its own process so that no Prefect settings of this process leak in."""
    result = subprocess.run(
        [sys.executable, "-c", SCHEDULE_CHECK],
        env={**os.environ, "PREFECT_API_URL": prefect_api},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    count = int(result.stdout.rsplit("scheduled runs:", 1)[1])
    assert count > 0, "the Prefect scheduler created no run for a scheduled deployment"
