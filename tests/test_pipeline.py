"""The cycle as plain functions (no Prefect), end to end on loopback: the demo site's feeds and
pages, a real SQLite file, real Apprise to a loopback webhook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from flows.local_servers import SiteServer, WebhookReceiver
from flows.pipeline import run_cycle
from flows.settings import load_settings
from tests.helpers import demo_feeds, expected_matches, host_port, write_config


def test_cycle_matches_the_story_and_alerts_once(
    tmp_path: Path, site: SiteServer, receiver: WebhookReceiver
) -> None:
    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url),
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
    )
    report = run_cycle(load_settings(config))
    assert report.counts()["feeds_failed"] == 0, report.as_dict()
    matched = {m.url for m in report.matches}
    assert matched == expected_matches(site.base_url)
    assert len(receiver.notifications) == len(matched) == report.delivery.sent
    titles = {n.payload["title"] for n in receiver.notifications}
    assert all(t.startswith("[nato-china-arms] ") for t in titles)
    for note in receiver.notifications:
        body = note.payload["message"]
        assert any(url in body for url in matched), body
        assert re.search(r"(\*\*?|<b>)(NATO|OTAN|Stoltenberg)", body, re.I), body  # terms marked

    again = run_cycle(load_settings(config))
    assert again.counts()["new_articles"] == 0 and again.matches == []
    assert again.counts()["feeds_not_modified"] == len(demo_feeds(site.base_url))
    assert len(receiver.notifications) == len(matched)  # nothing sent twice


def test_a_broken_feed_does_not_stop_the_cycle(tmp_path: Path, site: SiteServer) -> None:
    feeds = [
        {"url": site.base_url + "/no-such-feed.xml", "name": "Gone"},
        {"url": site.base_url + "/index.html", "name": "Not a feed"},
        *demo_feeds(site.base_url),
    ]
    config = write_config(tmp_path, feeds=feeds, allow_hosts=[host_port(site.base_url)])
    report = run_cycle(load_settings(config))
    failed = {o.url: o.errors[0] for o in report.feeds if o.status == "failed"}
    assert set(failed) == {feeds[0]["url"], feeds[1]["url"]}
    assert "404" in failed[feeds[0]["url"]] and "not a readable feed" in failed[feeds[1]["url"]]
    assert {m.url for m in report.matches} == expected_matches(site.base_url)


def test_ssrf_guard_records_an_error_instead_of_fetching(tmp_path: Path, site: SiteServer) -> None:
    config = write_config(tmp_path, feeds=demo_feeds(site.base_url)[:1])  # no allow_hosts
    report = run_cycle(load_settings(config))
    assert report.feeds[0].status == "failed"
    assert "SSRF guard" in report.feeds[0].errors[0]
    assert site.requests == []  # the guard refused before connecting


def test_failed_delivery_is_retried_not_lost(tmp_path: Path, site: SiteServer) -> None:
    with WebhookReceiver(status=lambda attempt: 500) as failing:
        config = write_config(
            tmp_path,
            feeds=demo_feeds(site.base_url),
            hook_url=f"json://127.0.0.1:{failing.port}/hook",
            allow_hosts=[host_port(site.base_url)],
        )
        report = run_cycle(load_settings(config))
    assert report.delivery.sent == 0 and report.delivery.retrying == len(report.matches) > 0
    assert all("500" in e for e in report.delivery.errors)


@pytest.mark.postgres
def test_cycle_on_postgresql(tmp_path: Path, site: SiteServer, postgres_url: str) -> None:
    import storage

    engine = storage.create_db_engine(postgres_url)
    storage.upgrade(engine)  # PostgreSQL is never upgraded implicitly
    engine.dispose()
    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url),
        allow_hosts=[host_port(site.base_url)],
        database=postgres_url,
    )
    report = run_cycle(load_settings(config))
    assert {m.url for m in report.matches} == expected_matches(site.base_url)
    assert run_cycle(load_settings(config)).counts()["new_articles"] == 0


@pytest.mark.postgres
def test_postgresql_refuses_an_old_schema(
    tmp_path: Path, site: SiteServer, postgres_url: str
) -> None:
    import storage

    config = write_config(tmp_path, feeds=[], database=postgres_url)
    with pytest.raises(storage.SchemaOutOfDateError, match="newswatch db upgrade"):
        run_cycle(load_settings(config))


def test_channels_from_an_apprise_config_file(
    tmp_path: Path, site: SiteServer, receiver: WebhookReceiver
) -> None:
    (tmp_path / "apprise.yml").write_text(
        "version: 1\nurls:\n"
        f"  - json://127.0.0.1:{receiver.port}/from-file:\n"
        "      - tag: team\n"
        "  - json://127.0.0.1:9/elsewhere:\n"
        "      - tag: other\n"
    )
    config = write_config(
        tmp_path, feeds=demo_feeds(site.base_url), allow_hosts=[host_port(site.base_url)]
    )
    raw = yaml.safe_load(config.read_text())
    raw["notify_config"] = "apprise.yml"
    raw["topics"][0]["notify"] = ["team"]
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))
    report = run_cycle(load_settings(config))
    assert report.delivery.sent == len(expected_matches(site.base_url)) > 0
    assert {n.path for n in receiver.notifications} == {"/from-file"}


def test_missing_apprise_config_file_is_named(tmp_path: Path) -> None:
    from flows.settings import ConfigError

    config = write_config(tmp_path, feeds=[])
    config.write_text(config.read_text() + "notify_config: nowhere/apprise.yml\n")
    with pytest.raises(ConfigError, match=r"notify_config: cannot read .*nowhere/apprise\.yml"):
        load_settings(config)


def test_secret_references_need_a_prefect_run(tmp_path: Path, site: SiteServer) -> None:
    from flows.settings import ConfigError

    config = write_config(tmp_path, feeds=[], hook_url="prefect-secret:team-hook")
    with pytest.raises(ConfigError, match="prefect-secret:team-hook, which only a Prefect run"):
        run_cycle(load_settings(config))
