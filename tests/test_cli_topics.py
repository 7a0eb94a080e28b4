"""`newswatch topics list|check|test|backfill` through the real console script."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import yaml

from flows.demo import site_manifest
from flows.local_servers import SiteServer
from flows.pipeline import run_cycle
from flows.settings import load_settings
from tests.helpers import demo_feeds, host_port, write_config
from tests.test_cli import newswatch

SPORT_TOPIC = {"name": "cup-football", "query": "cup AND (semi* OR final)", "notify": []}


def test_check_and_list(tmp_path: Path) -> None:
    config = write_config(tmp_path, feeds=[], topics=[SPORT_TOPIC])
    checked = newswatch("topics", "check", "--config", str(config))
    assert checked.returncode == 0 and "1 topic(s) valid" in checked.stdout
    listed = newswatch("topics", "list", "--config", str(config), "--format", "json")
    assert json.loads(listed.stdout) == {
        "name": "cup-football",
        "query": SPORT_TOPIC["query"],
        "notify": "",
        "operator": "AND",
    }


def test_query_errors_show_a_caret(tmp_path: Path) -> None:
    result = newswatch("topics", "test", "NATO AND (China", "--text", "x")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[-2] == "NATO AND (China" and lines[-1] == " " * 15 + "^"


def test_test_reports_terms_and_snippet_without_storing(tmp_path: Path) -> None:
    hit = newswatch(
        "topics",
        "test",
        '"lethal aid" AND (China OR Beijing)',
        "--text",
        "Officials said no lethal aid had left China so far.",
    )
    assert hit.returncode == 0, hit.stderr
    assert "match in the given text" in hit.stdout
    assert "lethal aid (text)" in hit.stdout and "china (text)" in hit.stdout
    assert "**lethal aid**" in hit.stdout
    miss = newswatch("topics", "test", '"lethal aid" AND Beijing', "--text", "aid that is lethal")
    assert miss.returncode == 1 and "no match" in miss.stdout
    assert not list(tmp_path.iterdir())


def test_test_on_a_page_ignores_its_sidebar() -> None:
    manifest = site_manifest()
    sidebar_only = next(a for a in manifest["articles"] if a.get("topic_only_in_boilerplate"))
    on_topic = next(a for a in manifest["articles"] if a["matches_topic"])
    query = "(NATO OR OTAN) AND (China OR Beijing OR Chine OR Pékin)"
    with SiteServer(files("flows.demo_site")) as site:
        miss = newswatch(
            "topics",
            "test",
            query,
            "--url",
            site.base_url + sidebar_only["path"],
            "--allow-private",
        )
        hit = newswatch(
            "topics", "test", query, "--url", site.base_url + on_topic["path"], "--allow-private"
        )
    assert miss.returncode == 1, miss.stdout + miss.stderr
    assert hit.returncode == 0, hit.stdout + hit.stderr


def test_backfill_runs_a_new_topic_over_stored_articles(tmp_path: Path) -> None:
    with SiteServer(files("flows.demo_site")) as site:
        config = write_config(
            tmp_path, feeds=demo_feeds(site.base_url), allow_hosts=[host_port(site.base_url)]
        )
        run_cycle(load_settings(config))
    raw = yaml.safe_load(config.read_text())
    raw["topics"].append(SPORT_TOPIC)
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))
    expected = [a for a in site_manifest()["articles"] if "cup" in a["title"].lower()]
    assert expected, "the demo site has a cup football story"

    first = newswatch("topics", "backfill", "cup-football", "--config", str(config))
    assert first.returncode == 0, first.stderr
    assert f"{len(expected)} new match(es) stored" in first.stdout
    stored = newswatch(
        "matches", "--config", str(config), "--topic", "cup-football", "--format", "json"
    )
    assert {json.loads(line)["title"] for line in stored.stdout.splitlines()} == {
        a["title"] for a in expected
    }
    again = newswatch("topics", "backfill", "cup-football", "--config", str(config))
    assert "0 new match(es) stored" in again.stdout
    unknown = newswatch("topics", "backfill", "nope", "--config", str(config))
    assert unknown.returncode == 2 and "no topic named 'nope'" in unknown.stderr
