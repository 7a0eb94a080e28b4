"""Scale-out through prefect-dask: ``monitor-feeds`` with its batches on a real Dask cluster.

A ``dask scheduler`` and a ``dask worker`` (two worker processes) run on loopback, the flow runs
in its own process against a real Prefect server, and the batches must execute on the Dask
workers, each opening its own cycle there, with the same matches and alerts as a local run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from distributed import Client

from flows.local_servers import SiteServer, WebhookReceiver
from tests.conftest import REPO, free_port
from tests.helpers import demo_feeds, expected_matches, host_port, stop_process, write_config

pytestmark = pytest.mark.slow  # starts servers or subprocesses; scheduled first (conftest.py)

DASK = str(Path(sys.executable).parent / "dask")


@pytest.fixture
def dask_cluster(tmp_path: Path, prefect_api: str) -> Iterator[str]:
    """A Dask scheduler and two single-threaded worker processes, reporting to ``prefect_api``."""
    address = f"tcp://127.0.0.1:{free_port()}"
    # A Dask worker puts its work folder first on sys.path, and that folder holds a `storage/`
    # spill folder. Installed from a wheel, newswatch's regular `storage` package still wins over
    # that bare folder; this checkout is installed in editable mode, whose import hook comes
    # after the path search, so the workers get the checkout on PYTHONPATH as a regular entry.
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PYTHONPATH": str(REPO)}
    log = (tmp_path / "dask.log").open("w")
    common = {"env": env, "cwd": tmp_path, "stdout": log, "stderr": subprocess.STDOUT}
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1]],
        **common,  # type: ignore[call-overload]
    )
    worker = subprocess.Popen(
        [DASK, "worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1"],
        **common,  # type: ignore[call-overload]
    )
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=90)
        yield address
    finally:
        for process in (worker, scheduler):
            stop_process(process)
        log.close()


def executed_on_workers(address: str) -> int:
    with Client(address, timeout=30) as client:
        counts = client.run(lambda dask_worker: dask_worker.state.executed_count)
    return sum(counts.values())


def test_batches_run_on_dask_workers(
    tmp_path: Path,
    prefect_api: str,
    dask_cluster: str,
    site: SiteServer,
    receiver: WebhookReceiver,
) -> None:
    feeds = demo_feeds(site.base_url)
    config = write_config(
        tmp_path,
        feeds=feeds,
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
    )
    before = executed_on_workers(dask_cluster)
    script = (
        "import json, sys\n"
        "from flows.scale import on_dask\n"
        "report = on_dask(sys.argv[1])(sys.argv[2], batch_size=1)\n"
        "print(json.dumps(report))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, dask_cluster, str(config)],
        env={**os.environ, "PREFECT_API_URL": prefect_api},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])

    # one task per feed (batch_size=1), each executed by a Dask worker process
    assert executed_on_workers(dask_cluster) - before >= len(feeds)
    expected = expected_matches(site.base_url)
    assert {m["url"] for feed in report["feeds"] for m in feed["matches"]} == expected
    assert {feed["status"] for feed in report["feeds"]} == {"ok"}
    assert len(receiver.notifications) == len(expected)

    # the Prefect server saw the batches as task runs of the flow run, all completed
    flow_runs = httpx.post(f"{prefect_api}/flow_runs/filter", json={"limit": 5}, timeout=10)
    (flow_run,) = [r for r in flow_runs.json() if r["state_type"] == "COMPLETED"]
    tasks = httpx.post(
        f"{prefect_api}/task_runs/filter",
        json={"flow_runs": {"id": {"any_": [flow_run["id"]]}}},
        timeout=10,
    ).json()
    batches = [t for t in tasks if t["name"].startswith("process ")]
    assert len(batches) == len(feeds)
    assert {t["state_type"] for t in batches} == {"COMPLETED"}


def test_without_an_address_the_runner_makes_a_local_cluster() -> None:
    """The deployment entrypoint reads NEWSWATCH_DASK_ADDRESS; unset, prefect-dask starts a
    temporary local cluster (it is not started until a run begins)."""
    from flows.scale import DASK_ADDRESS_ENV, on_dask

    assert DASK_ADDRESS_ENV == "NEWSWATCH_DASK_ADDRESS"
    runner = on_dask(None, n_workers=1).task_runner
    assert runner.address is None  # type: ignore[attr-defined]
    assert runner.cluster_kwargs == {"n_workers": 1}  # type: ignore[attr-defined]
    assert on_dask("tcp://10.0.0.5:8786").task_runner.address == "tcp://10.0.0.5:8786"  # type: ignore[attr-defined]
