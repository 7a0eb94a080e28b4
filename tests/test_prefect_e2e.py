"""End to end with real Prefect parts: `prefect server start` (SQLite, and the local PostgreSQL),
`prefect work-pool create`, `prefect deploy --all` from prefect.yaml, a process worker running the
monitor deployment against the bundled demo site, and the Prefect UI in headless Chromium.

Prefect settings are cached per process, so everything Prefect runs in subprocesses with its own
environment and this process only talks to the server's REST API with httpx.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from flows.artifacts import MATCHES_KEY
from flows.demo import site_manifest
from flows.local_servers import SiteServer, WebhookReceiver
from tests.helpers import demo_feeds, expected_matches, host_port, stop_process, write_config

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).parent / "prefect")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 120
FLOW_RUN_SECONDS = 180
CLI_SECONDS = 120
UI_MS = 60_000
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TERMINAL_FAILURES = {"FAILED", "CRASHED", "CANCELLED", "CANCELLING"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, chars: int = 6000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"


class PrefectServer:
    """`prefect server start` on a free loopback port, PREFECT_HOME in a temporary folder, the UI
    on and pointed at its own port. ``env`` is the environment for every CLI call against it."""

    def __init__(self, home: Path, *, database_url: str | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.url}/api"
        self.log_path = home / "server.log"
        self.env = {
            **os.environ,
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": self.api,
            "PREFECT_UI_API_URL": self.api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # a worker polls every 2 s instead of 10 s: shorter waits, same code path
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "COLUMNS": "200",
        }
        self.server_env = dict(self.env)
        if database_url:
            self.server_env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
        self._log: IO[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrefectServer:
        self._log = self.log_path.open("w")
        self._process = subprocess.Popen(
            [
                *(PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(self.port)),
                *("--analytics-off", "--ui"),
            ],
            env=self.server_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.home,
        )
        try:
            self._wait_healthy()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_healthy(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                pytest.fail(
                    f"prefect server exited with {self._process.returncode}:\n"
                    + _tail(self.log_path),
                    pytrace=False,
                )
            try:
                if httpx.get(f"{self.api}/health", timeout=2).json() is True:
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.5)
        pytest.fail(
            f"prefect server not healthy within {SERVER_START_SECONDS} s:\n" + _tail(self.log_path),
            pytrace=False,
        )

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            stop_process(self._process)
        if self._log is not None:
            self._log.close()

    def cli(
        self, *args: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `prefect <args>` from the repo root against this server; fail with its output."""
        result = subprocess.run(
            [PREFECT, *args],
            env={**self.env, **(extra_env or {})},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=CLI_SECONDS,
        )
        if result.returncode != 0:
            pytest.fail(
                f"`prefect {' '.join(args)}` exited with {result.returncode}\n"
                f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}\n"
                f"--- server log\n{_tail(self.log_path, 3000)}",
                pytrace=False,
            )
        return result

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(f"{self.api}/{path}", json=body, timeout=15)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json()

    def flow_run(self, run_id: str) -> dict[str, Any]:
        runs = self.post("flow_runs/filter", {"flow_runs": {"id": {"any_": [run_id]}}})
        assert len(runs) == 1, f"flow run {run_id} not found: {runs}"
        run: dict[str, Any] = runs[0]
        return run

    def run_logs(self, run_id: str) -> str:
        try:
            logs = self.post(
                "logs/filter",
                {"logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC"},
            )
        except AssertionError as exc:
            return f"<cannot read the run's logs: {exc}>"
        return "\n".join(f"{log['timestamp']} {log['level']} {log['message']}" for log in logs)

    def matches_rows(self, run_id: str) -> list[dict[str, Any]]:
        """The rows of the run's `newswatch-matches` table artifact(s)."""
        artifacts = self.post(
            "artifacts/filter",
            {"artifacts": {"key": {"any_": [MATCHES_KEY]}, "flow_run_id": {"any_": [run_id]}}},
        )
        rows: list[dict[str, Any]] = []
        for artifact in artifacts:
            data = artifact["data"]
            rows.extend(json.loads(data) if isinstance(data, str) else data)
        return rows


@pytest.fixture(scope="module")
def sqlite_prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """One SQLite-backed server with the UI on, shared by both tests of this module."""
    with PrefectServer(tmp_path_factory.mktemp("prefect-sqlite")) as server:
        yield server


@pytest.fixture
def postgresql_prefect(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectServer]:
    """A server whose database is a fresh PostgreSQL database (created and dropped by the
    conftest's postgres_url fixture; skips or fails like postgres_server)."""
    import sqlalchemy

    url = sqlalchemy.engine.make_url(postgres_url).set(drivername="postgresql+asyncpg")
    with PrefectServer(
        tmp_path_factory.mktemp("prefect-postgresql"),
        database_url=url.render_as_string(hide_password=False),
    ) as server:
        yield server


def _config(folder: Path, site: SiteServer, receiver: WebhookReceiver) -> Path:
    return write_config(
        folder,
        feeds=demo_feeds(site.base_url),
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
    )


@pytest.mark.timeout(480)
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_deploy_with_worker_runs_monitor(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    site: SiteServer,
    receiver: WebhookReceiver,
) -> None:
    server: PrefectServer = request.getfixturevalue(f"{backend}_prefect")
    config = _config(tmp_path, site, receiver)
    expected = expected_matches(site.base_url)

    server.cli("work-pool", "create", "newswatch", "--type", "process")
    server.cli(
        "deploy",
        "--all",
        "--no-prompt",
        extra_env={"NEWSWATCH_DIR": str(REPO), "NEWSWATCH_CONFIG": str(config)},
    )

    deployments = {d["name"]: d for d in server.post("deployments/filter", {})}
    assert set(deployments) >= {"monitor", "digest", "maintenance"}, sorted(deployments)
    monitor = deployments["monitor"]
    limit = monitor["global_concurrency_limit"]
    assert limit is not None and limit["limit"] == 1, monitor
    assert (monitor["concurrency_options"] or {}).get("collision_strategy") == "CANCEL_NEW"
    for name in ("monitor", "digest", "maintenance"):
        assert deployments[name]["work_pool_name"] == "newswatch"
        assert deployments[name]["parameters"]["config_path"] == str(config)
        assert len(deployments[name]["schedules"]) == 1, deployments[name]["schedules"]
    assert monitor["schedules"][0]["schedule"]["interval"] == 900

    worker_log = tmp_path / "worker.log"
    with worker_log.open("w") as log:
        worker = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", "newswatch"],
            env=server.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            started = server.cli("deployment", "run", "monitor-feeds/monitor")
            found = re.search(r"UUID:\s*(" + UUID.pattern + ")", started.stdout)
            assert found, f"no flow run id in:\n{started.stdout}"
            run_id = found.group(1)

            def diagnostics(state: str) -> str:
                return (
                    f"flow run {run_id} ({backend}) is {state}\n"
                    f"--- run logs\n{server.run_logs(run_id)[-6000:]}\n"
                    f"--- worker log ({worker_log})\n{_tail(worker_log)}\n"
                    f"--- server log ({server.log_path})\n{_tail(server.log_path, 3000)}"
                )

            deadline = time.monotonic() + FLOW_RUN_SECONDS
            state = "unknown"
            while time.monotonic() < deadline:
                state = server.flow_run(run_id)["state_type"] or "unknown"
                if state == "COMPLETED" or state in TERMINAL_FAILURES:
                    break
                if worker.poll() is not None:
                    pytest.fail(diagnostics(f"{state}; the worker exited"), pytrace=False)
                time.sleep(1)
            if state != "COMPLETED":
                pytest.fail(diagnostics(state), pytrace=False)

            rows = server.matches_rows(run_id)
            links = {row["link"] for row in rows}
            missing = expected - links
            assert not missing, f"missing from the {MATCHES_KEY} artifact: {missing}\n{rows}"
            assert len(receiver.notifications) == len(expected), [
                n.payload.get("title") for n in receiver.notifications
            ]
        except AssertionError as exc:
            exc.add_note(f"--- worker log ({worker_log})\n{_tail(worker_log)}")
            raise
        finally:
            stop_process(worker)


def _launch_browser(playwright: Any) -> Any:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


RUN_FLOW = """
import sys
from flows.monitor import monitor_feeds
state = monitor_feeds(sys.argv[1], return_state=True)
print("FLOW_RUN", state.state_details.flow_run_id, state.type.value)
"""


@pytest.mark.timeout(420)
def test_ui_shows_the_matches_table(
    sqlite_prefect: PrefectServer, tmp_path: Path, site: SiteServer, receiver: WebhookReceiver
) -> None:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is absent (apt-get install chromium); the UI test needs it"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI requires it", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    server = sqlite_prefect
    ui_settings = httpx.get(f"{server.url}/ui-settings", timeout=10).json()
    assert ui_settings["api_url"] == server.api, ui_settings

    config = _config(tmp_path, site, receiver)
    result = subprocess.run(
        [sys.executable, "-c", RUN_FLOW, str(config)],
        env=server.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=FLOW_RUN_SECONDS,
    )
    found = re.search(r"FLOW_RUN (" + UUID.pattern + r") (\w+)", result.stdout)
    assert result.returncode == 0 and found, (
        f"the flow exited with {result.returncode}\n--- stdout\n{result.stdout[-4000:]}\n"
        f"--- stderr\n{result.stderr[-4000:]}"
    )
    run_id = found.group(1)
    assert server.flow_run(run_id)["state_type"] == "COMPLETED", server.run_logs(run_id)[-4000:]
    expected = expected_matches(site.base_url)
    assert {row["link"] for row in server.matches_rows(run_id)} >= expected

    titles = [a["title"] for a in site_manifest()["articles"] if a["matches_topic"]]
    any_title = re.compile("|".join(re.escape(t) for t in titles))
    screenshot = tmp_path / "prefect-ui.png"
    console: list[str] = []
    with sync_playwright() as playwright:
        browser = _launch_browser(playwright)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.set_default_timeout(UI_MS)
            try:
                page.goto(f"{server.url}/runs/flow-run/{run_id}", wait_until="load")
                # the run's Artifacts tab lists the run's artifacts as cards...
                page.locator(".p-tab-navigation").get_by_text("Artifacts", exact=True).click()
                card = page.locator("#artifacts-content").get_by_text(MATCHES_KEY, exact=True)
                expect(card).to_be_visible(timeout=UI_MS)
                # ...and the matches card opens the artifact's page, which renders the table
                card.click()
                expect(page).to_have_url(re.compile(r"/artifacts/artifact/"), timeout=UI_MS)
                table = page.locator("table").first
                expect(table.get_by_text(any_title).first).to_be_visible(timeout=UI_MS)
                table_text = table.inner_text()
            except Exception as exc:
                exc.add_note(
                    f"page {page.url}; screenshot {screenshot}\n--- browser console\n"
                    + "\n".join(console[-40:])
                    + f"\n--- server log\n{_tail(server.log_path, 3000)}"
                )
                raise
            finally:
                page.screenshot(path=str(screenshot), full_page=True)
                (tmp_path / "prefect-ui.html").write_text(page.content())
                target_dir = os.environ.get("NEWSWATCH_SCREENSHOT_DIR")
                if target_dir:
                    Path(target_dir).mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(screenshot, Path(target_dir) / "prefect-ui.png")
        finally:
            browser.close()
    missing = {url for url in expected if url not in table_text}
    assert not missing, f"links missing from the table in the UI: {missing}\n{table_text}"
    assert screenshot.stat().st_size > 10_000
