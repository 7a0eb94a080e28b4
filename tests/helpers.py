"""Small builders shared by the end-to-end tests."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import yaml

from flows.demo import demo_topic, site_manifest


def write_config(
    folder: Path,
    *,
    feeds: list[dict[str, Any]],
    hook_url: str | None = None,
    allow_hosts: list[str] | None = None,
    database: str = "sqlite:///newswatch.db",
    topics: list[dict[str, Any]] | None = None,
) -> Path:
    config: dict[str, Any] = {
        "database": database,
        "network": {"allow_hosts": allow_hosts or [], "timeout_seconds": 5},
        # extraction in-process keeps each test's cycle fast; tests/test_cycle_parallel.py
        # covers the process pool
        # and without in-batch retries, so fault tests see each failure once (tests/test_faults.py
        # covers the retries)
        "run": {"extract_processes": 1, "retry_delays": []},
        "feeds": feeds,
        "topics": copy.deepcopy(topics) if topics is not None else [demo_topic()],
        "notify": [{"name": "test-hook", "url": hook_url, "tags": ["team"]}] if hook_url else [],
    }
    if not hook_url:
        for topic in config["topics"]:
            topic["notify"] = []
    path = folder / "newswatch.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


def demo_feeds(base_url: str) -> list[dict[str, Any]]:
    return [
        {"url": base_url + feed["path"], "name": outlet["name"]}
        for outlet in site_manifest()["outlets"]
        for feed in outlet["feeds"]
    ]


def expected_matches(base_url: str) -> set[str]:
    return {base_url + a["path"] for a in site_manifest()["articles"] if a["matches_topic"]}


def host_port(base_url: str) -> str:
    return base_url.removeprefix("http://")


def stop_process(process: subprocess.Popen[Any], timeout: float = 30) -> None:
    """Ask a server process started by a test to stop; kill it if it is still up after
    ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
