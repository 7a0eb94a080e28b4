"""bench/storage: does a large PostgreSQL history slow the cycle down?

Runs the same cycle (10 loopback feeds x 100 new entries = 1,000 new articles, fetched,
extracted, matched and stored) against an empty PostgreSQL database and against one holding
1,000,000 articles, alternating, in the same run. Goal: the large database's cycle takes at most
1.1x the empty one's. Also prints the query plan of the per-feed dedupe lookup on the large
database (it must use the indexes). Prints JSON lines.

Usage: .venv/bin/python bench/storage.py [--articles 1000000] [--rounds 2]
Needs the PostgreSQL at NEWSWATCH_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy
import yaml
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import storage
from flows.local_servers import SiteServer
from flows.pipeline import run_cycle
from flows.settings import load_settings
from storage.writes import known_entries_statement

ADMIN_URL = os.environ.get(
    "NEWSWATCH_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FEEDS, ENTRIES = 10, 100
WORDS = [
    "allies",
    "ministers",
    "harbour",
    "council",
    "budget",
    "railway",
    "summit",
    "talks",
    "harvest",
    "energy",
    "grid",
    "school",
    "research",
    "vessel",
    "coastline",
    "tariff",
    "exports",
    "market",
    "inflation",
    "weather",
    "storm",
    "league",
]


def emit(**record: object) -> None:
    print(json.dumps(record), flush=True)


def build_site(folder: Path, round_no: int) -> None:
    """10 feeds of 100 fresh articles each; URLs differ per round so every cycle finds new ones."""
    for f in range(FEEDS):
        items = []
        outlet = folder / f"outlet{f}"
        outlet.mkdir(parents=True, exist_ok=True)
        for e in range(ENTRIES):
            slug = f"r{round_no}-a{e}.html"
            words = " ".join(WORDS[(e * 7 + k) % len(WORDS)] for k in range(120))
            body = "".join(f"<p>{words} {f} {e} {k}.</p>" for k in range(5))
            (outlet / slug).write_text(
                f"<html lang='en'><head><title>Story {f}-{e}</title></head><body><nav>Home</nav>"
                f"<article><h1>Story {f}-{e}</h1>{body}</article><aside>Most read</aside>"
                "</body></html>"
            )
            items.append(
                f"<item><title>Story {f}-{e}</title>"
                f"<link>{{{{BASE_URL}}}}/outlet{f}/{slug}</link><guid>r{round_no}-{f}-{e}</guid>"
                "<pubDate>Mon, 01 Jul 2024 10:00:00 GMT</pubDate></item>"
            )
        (outlet / f"rss{round_no}.xml").write_text(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Outlet</title>"
            f"<link>{{{{BASE_URL}}}}/</link><description>d</description>{''.join(items)}"
            "</channel></rss>"
        )


def create_database(admin: sqlalchemy.Engine) -> str:
    name = f"newswatch_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = sqlalchemy.engine.make_url(ADMIN_URL).set(database=name)
    engine = storage.create_db_engine(url.render_as_string(hide_password=False))
    storage.upgrade(engine)
    engine.dispose()
    return url.render_as_string(hide_password=False)


def fill(url: str, articles: int) -> float:
    engine = sqlalchemy.create_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO feeds (url, name, consecutive_failures, disabled, created_at, "
                "polls_since_full) SELECT 'https://bench' || g || '.example/rss', 'Bench ' || g, "
                "0, false, now(), 0 FROM generate_series(1, 1000) g"
            )
        )
        connection.execute(
            text(
                "INSERT INTO articles (canonical_url, guid, feed_id, title, fetched_at, "
                "published_at, text_source, content_hash, text) "
                "SELECT 'https://bench' || (g % 1000 + 1) || '.example/a/' || g, 'guid-' || g, "
                "g % 1000 + 1, 'Title ' || g, now(), now() - g * interval '1 minute', 'page', "
                "md5(g::text), 'stored text ' || g FROM generate_series(1, :n) g"
            ),
            {"n": articles},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def cycle(url: str, base: str, folder: Path, round_no: int) -> float:
    config = folder / f"bench-{uuid.uuid4().hex[:6]}.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database": url,
                "network": {"allow_hosts": [base.removeprefix("http://")]},
                "feeds": [{"url": f"{base}/outlet{f}/rss{round_no}.xml"} for f in range(FEEDS)],
                "topics": [{"name": "t", "query": "harbour AND summit"}],
            }
        )
    )
    started = time.perf_counter()
    report = run_cycle(load_settings(config))
    elapsed = time.perf_counter() - started
    assert report.counts()["new_articles"] == FEEDS * ENTRIES, report.counts()
    return elapsed


def plan(url: str) -> list[str]:
    statement = known_entries_statement(
        17,
        [f"guid-{g}" for g in range(1000, 1100)],
        [f"https://bench17.example/a/{g}" for g in range(1000, 1100)],
    )
    sql = str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as connection:
        lines = [row[0] for row in connection.execute(text("EXPLAIN " + sql))]
    engine.dispose()
    return [re.sub(r"'\{[^}]*\}'", "'{...}'", line) for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    admin = sqlalchemy.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    databases: list[str] = []
    try:
        empty_url, big_url = create_database(admin), create_database(admin)
        databases = [empty_url, big_url]
        emit(
            bench="storage",
            step="fill",
            articles=args.articles,
            seconds=round(fill(big_url, args.articles), 1),
        )
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for round_no in range(args.rounds + 1):
                build_site(folder, round_no)
            empty_times, big_times = [], []
            with SiteServer(folder) as site:
                # warm-up (imports, extractor caches) on a throw-away round, not counted
                cycle(empty_url, site.base_url, folder, args.rounds)
                for round_no in range(args.rounds):
                    # alternate which database goes first, so drift hits both alike
                    pair = [(empty_url, empty_times), (big_url, big_times)]
                    for url, times in pair if round_no % 2 == 0 else pair[::-1]:
                        times.append(cycle(url, site.base_url, folder, round_no))
                    emit(
                        bench="storage",
                        step="cycle",
                        round=round_no,
                        empty_db_seconds=round(empty_times[-1], 3),
                        large_db_seconds=round(big_times[-1], 3),
                    )
        ratio = statistics.median(big_times) / statistics.median(empty_times)
        lines = plan(big_url)
        emit(
            bench="storage",
            new_entries=FEEDS * ENTRIES,
            stored_articles=args.articles,
            empty_db_median_seconds=round(statistics.median(empty_times), 3),
            large_db_median_seconds=round(statistics.median(big_times), 3),
            ratio=round(ratio, 3),
            goal="ratio <= 1.1",
            goal_met=ratio <= 1.1,
            dedupe_uses_indexes=not any("Seq Scan on articles" in line for line in lines),
        )
        emit(bench="storage", dedupe_query_plan=lines)
    finally:
        for url in databases:
            name = sqlalchemy.engine.make_url(url).database
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
