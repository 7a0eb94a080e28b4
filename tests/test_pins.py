"""Tests that catch the known breakages behind the pins in pyproject.toml, against a real
`prefect server start` on a loopback port (not only a tiny flow run, which misses both)."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx


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
