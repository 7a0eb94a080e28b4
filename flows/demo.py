"""``newswatch demo``: the whole pipeline on a bundled sample news site, offline.

Starts a loopback site (three fictional outlets with RSS and Atom feeds) and a loopback webhook
receiver, writes a config that points at them, runs one cycle through the real Prefect flow, and
shows the matches and the alerts as the receiver got them. The folder keeps the ports, the SQLite
database and Prefect's home, so a second run finds nothing new and sends no alert.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import yaml

from flows.local_servers import SiteServer, WebhookReceiver

STATE_FILE = "demo-state.json"
CONFIG_FILE = "newswatch.yaml"
DEMO_TOPIC: Final = MappingProxyType(
    {
        "name": "nato-china-arms",
        "query": "(NATO OR OTAN OR Stoltenberg) AND (China OR Chine OR Beijing OR Pékin) "
        'AND (weapons OR arms OR armes OR "lethal aid")',
        "notify": ("team",),
    }
)


class DemoError(Exception):
    """The demo cannot start (for example its saved port is taken)."""


@dataclass
class DemoResult:
    config_path: Path
    report: dict[str, Any]
    alerts: list[dict[str, Any]]


def demo_topic() -> dict[str, Any]:
    """A fresh copy of the demo's topic, safe to modify."""
    return {**DEMO_TOPIC, "notify": list(DEMO_TOPIC["notify"])}


def site_manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(files("flows.demo_site").joinpath("site.json").read_text())
    return data


def demo_config(site_url: str, hook_url: str, site_port: int) -> dict[str, Any]:
    """The config the demo writes: the bundled outlets' feeds, one topic, one webhook channel."""
    manifest = site_manifest()
    return {
        "database": "sqlite:///newswatch.db",
        "network": {
            # The SSRF guard stays on; only the demo site's own loopback address is admitted.
            "allow_hosts": [f"127.0.0.1:{site_port}"],
            "timeout_seconds": 10,
        },
        "feeds": [
            {"url": site_url + feed["path"], "name": outlet["name"]}
            for outlet in manifest["outlets"]
            for feed in outlet["feeds"]
        ],
        "topics": [demo_topic()],
        "notify": [{"name": "demo-webhook", "url": hook_url, "tags": ["team"]}],
    }


def _load_state(directory: Path) -> dict[str, int]:
    try:
        state = json.loads((directory / STATE_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {k: int(v) for k, v in state.items() if k in ("site_port", "hook_port")}


def run_demo(directory: Path) -> DemoResult:
    """Run one demo cycle in ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    state = _load_state(directory)
    try:
        site = SiteServer(files("flows.demo_site"), port=state.get("site_port", 0))
        hook = WebhookReceiver(port=state.get("hook_port", 0))
    except OSError as exc:
        raise DemoError(
            f"cannot start the demo servers on the ports saved in {directory / STATE_FILE} "
            f"({exc.strerror}); stop the other demo, or delete {directory} to start afresh"
        ) from None
    with site, hook:
        (directory / STATE_FILE).write_text(
            json.dumps({"site_port": site.port, "hook_port": hook.port})
        )
        config = demo_config(site.base_url, f"json://127.0.0.1:{hook.port}/hook", site.port)
        config_path = directory / CONFIG_FILE
        header = "# Written by `newswatch demo`: the bundled sample site on loopback.\n"
        config_path.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True))

        from flows.monitor import monitor_feeds  # imports Prefect: only once the servers are up

        report = monitor_feeds(str(config_path))
        alerts = [n.payload for n in hook.notifications]
    return DemoResult(config_path, report, alerts)
