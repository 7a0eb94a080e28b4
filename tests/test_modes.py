"""Digest topics and per-channel hourly limits, end to end on loopback."""

from __future__ import annotations

from pathlib import Path

import yaml

from flows.delivery import deliver_digest
from flows.local_servers import SiteServer, WebhookReceiver
from flows.pipeline import open_cycle, run_cycle
from flows.settings import load_settings
from tests.helpers import demo_feeds, expected_matches, host_port, write_config


def configure(config: Path, **changes: object) -> None:
    raw = yaml.safe_load(config.read_text())
    for key, value in changes.items():
        section, _, field = key.partition("__")
        raw[section][0][field] = value
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))


def test_digest_topic_waits_for_one_message_per_channel(
    tmp_path: Path, site: SiteServer, receiver: WebhookReceiver
) -> None:
    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url),
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
    )
    configure(
        config,
        topics__mode="digest",
        topics__digest_cron="0 8 * * 1",
        topics__timezone="Europe/Brussels",
    )
    report = run_cycle(load_settings(config))
    expected = expected_matches(site.base_url)
    assert len(report.matches) == len(expected) and receiver.notifications == []  # held
    with open_cycle(load_settings(config)) as cycle:
        outcome = deliver_digest(cycle)
    assert outcome.sent == len(expected)
    assert len(receiver.notifications) == 1
    digest = receiver.notifications[0].payload
    assert digest["title"] == f"newswatch digest ({len(expected)} new)"
    assert all(url in digest["message"] for url in expected)
    with open_cycle(load_settings(config)) as cycle:
        assert deliver_digest(cycle).sent == 0  # nothing new since the last digest
    assert len(receiver.notifications) == 1


def test_failed_digest_is_kept_for_the_next(tmp_path: Path, site: SiteServer) -> None:
    with WebhookReceiver(status=lambda attempt: 500 if attempt == 1 else 200) as hook:
        config = write_config(
            tmp_path,
            feeds=demo_feeds(site.base_url),
            hook_url=f"json://127.0.0.1:{hook.port}/hook",
            allow_hosts=[host_port(site.base_url)],
        )
        configure(config, topics__mode="digest")
        run_cycle(load_settings(config))
        with open_cycle(load_settings(config)) as cycle:
            first = deliver_digest(cycle)
        with open_cycle(load_settings(config)) as cycle:
            second = deliver_digest(cycle)
    expected = expected_matches(site.base_url)
    assert first.sent == 0 and first.retrying == len(expected) and "500" in first.errors[0]
    assert second.sent == len(expected) and len(hook.notifications) == 1


def test_hourly_limit_folds_the_rest_into_one_message(
    tmp_path: Path, site: SiteServer, receiver: WebhookReceiver
) -> None:
    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url),
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
    )
    configure(config, notify__max_per_hour=3)
    report = run_cycle(load_settings(config))
    expected = expected_matches(site.base_url)
    assert len(expected) > 3
    assert report.delivery.sent == len(expected)  # nothing dropped...
    assert len(receiver.notifications) == 3  # ...but only three messages
    folded = receiver.notifications[-1].payload
    assert folded["title"] == f"newswatch: hourly limit ({len(expected) - 2} new)"
    singles = [n.payload["message"] for n in receiver.notifications[:2]]
    assert {u for u in expected if any(u in m for m in [*singles, folded["message"]])} == expected


def test_a_spent_hourly_budget_keeps_alerts_pending(
    tmp_path: Path, site: SiteServer, receiver: WebhookReceiver
) -> None:
    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url)[:1],
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
    )
    configure(config, notify__max_per_hour=1)
    first = run_cycle(load_settings(config))
    assert len(receiver.notifications) == 1 and first.delivery.sent == len(first.matches)
    raw = yaml.safe_load(config.read_text())
    raw["feeds"] = demo_feeds(site.base_url)
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))
    second = run_cycle(load_settings(config))
    assert second.matches and second.delivery.sent == 0  # the hour's budget is spent: they wait
    assert len(receiver.notifications) == 1
