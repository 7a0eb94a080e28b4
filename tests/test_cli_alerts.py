"""`newswatch alerts test|list` through the real console script, with loopback receivers."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from flows.local_servers import SiteServer, WebhookReceiver
from flows.pipeline import run_cycle
from flows.settings import load_settings
from tests.helpers import demo_feeds, expected_matches, host_port, write_config
from tests.test_cli import newswatch

TOKEN = "tok-PLANTED-4242"


def test_alerts_test_reports_each_channel(tmp_path: Path, receiver: WebhookReceiver) -> None:
    with WebhookReceiver(status=lambda attempt: 500) as failing:
        config = write_config(tmp_path, feeds=[], hook_url=f"json://127.0.0.1:{receiver.port}/ok")
        raw = yaml.safe_load(config.read_text())
        raw["notify"].append(
            {
                "name": "broken",
                "url": f"json://u:{TOKEN}@127.0.0.1:{failing.port}/x",
                "tags": ["ops"],
            }
        )
        config.write_text(yaml.safe_dump(raw))
        result = newswatch("alerts", "test", "--config", str(config))
        only_team = newswatch("alerts", "test", "--config", str(config), "--tag", "team")
        nobody = newswatch("alerts", "test", "--config", str(config), "--tag", "nobody")
    assert result.returncode == 1
    assert "ok      test-hook" in result.stdout
    assert "FAILED  broken" in result.stdout and "500" in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    assert only_team.returncode == 0 and "broken" not in only_team.stdout
    assert nobody.returncode == 2 and "no channel tagged 'nobody'" in nobody.stderr
    assert [n.payload["title"] for n in receiver.notifications] == ["[newswatch] test message"] * 2


def test_alerts_list_shows_the_outbox(tmp_path: Path, site: SiteServer) -> None:
    with WebhookReceiver(status=lambda attempt: 500) as failing:
        config = write_config(
            tmp_path,
            feeds=demo_feeds(site.base_url),
            hook_url=f"json://127.0.0.1:{failing.port}/hook",
            allow_hosts=[host_port(site.base_url)],
        )
        run_cycle(load_settings(config))
    pending = newswatch(
        "alerts", "list", "--config", str(config), "--status", "pending", "--format", "json"
    )
    rows = [json.loads(line) for line in pending.stdout.splitlines()]
    assert {r["url"] for r in rows} == expected_matches(site.base_url)
    assert all(r["attempts"] == 1 and "500" in r["last_error"] for r in rows)
    sent = newswatch("alerts", "list", "--config", str(config), "--status", "sent")
    assert sent.returncode == 0 and "The outbox is empty." in sent.stdout
    bad = newswatch("alerts", "list", "--config", str(config), "--status", "lost")
    assert bad.returncode == 2
