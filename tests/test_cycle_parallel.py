"""How a cycle spreads its work: batches by host, shards, and extraction in a process pool."""

from __future__ import annotations

from pathlib import Path

import yaml

from flows.ingest import plan_batches
from flows.local_servers import SiteServer
from flows.pipeline import run_cycle
from flows.settings import FeedSettings, RunSettings, load_settings
from tests.helpers import demo_feeds, expected_matches, host_port, write_config


def feeds(urls: list[str]) -> list[FeedSettings]:
    return [FeedSettings(url=u) for u in urls]


def test_batches_keep_hosts_together_and_respect_the_size() -> None:
    urls = [f"https://{host}.example/{n}.xml" for host in ("a", "b", "c") for n in range(5)]
    batches = plan_batches(feeds(urls), RunSettings(batch_size=5))
    assert [len(b) for b in batches] == [5, 5, 5]
    assert all(len({f.url.split("/")[2] for f in batch}) == 1 for batch in batches)
    assert sum(len(b) for b in plan_batches(feeds(urls), RunSettings(batch_size=4))) == 15


def test_shards_split_the_feeds_without_overlap() -> None:
    urls = [f"https://h{n}.example/feed.xml" for n in range(40)]
    parts = [
        {f.url for batch in plan_batches(feeds(urls), RunSettings(shard=(i, 3))) for f in batch}
        for i in range(3)
    ]
    assert set().union(*parts) == set(urls)
    assert sum(len(p) for p in parts) == len(urls) and all(parts)


def test_extraction_in_a_process_pool_gives_the_same_result(
    tmp_path: Path, site: SiteServer
) -> None:
    config = write_config(
        tmp_path, feeds=demo_feeds(site.base_url), allow_hosts=[host_port(site.base_url)]
    )
    raw = yaml.safe_load(config.read_text())
    raw["run"] = {"extract_processes": 2, "batch_size": 1, "feeds_at_once": 2}
    config.write_text(yaml.safe_dump(raw, allow_unicode=True))
    report = run_cycle(load_settings(config))
    assert {m.url for m in report.matches} == expected_matches(site.base_url)
    assert report.counts()["feeds_failed"] == 0
