"""bench/orchestration: what does Prefect add to a cycle?

200 loopback feeds x 10 new entries (2,000 pages fetched, extracted, matched and stored) go
through the Prefect flow ``monitor_feeds`` against a running ``prefect server`` and through the
same plain functions without Prefect (``flows.pipeline.run_cycle``), alternating, in one run;
every cycle gets fresh entries and a fresh SQLite database. Goal: Prefect adds at most 15% wall
time. The temporary (ephemeral) Prefect server's start-up is reported on its own line. Prints
JSON lines.

Usage: .venv/bin/python bench/orchestration.py [--feeds 200] [--entries 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).parent / "prefect")
WORDS = [
    *("allies", "ministers", "harbour", "council", "budget", "railway", "summit", "talks"),
    *("harvest", "energy", "grid", "school", "research", "vessel", "coastline", "tariff"),
    *("exports", "market", "inflation", "weather", "storm", "league", "NATO", "China"),
]


def emit(**record: object) -> None:
    print(json.dumps(record), flush=True)


def build_site(folder: Path, feeds: int, entries: int, tag: str) -> None:
    for f in range(feeds):
        outlet = folder / f"o{f}"
        outlet.mkdir(parents=True, exist_ok=True)
        items = []
        for e in range(entries):
            words = " ".join(WORDS[(e * 5 + f + k) % len(WORDS)] for k in range(90))
            body = "".join(f"<p>{words} {tag} {f} {e} {k}.</p>" for k in range(5))
            (outlet / f"{tag}-{e}.html").write_text(
                f"<html lang='en'><head><title>Story {tag} {f}-{e}</title></head><body>"
                f"<nav>Home</nav><article><h1>Story {tag} {f}-{e}</h1>{body}</article>"
                "</body></html>"
            )
            items.append(
                f"<item><title>Story {tag} {f}-{e}</title>"
                f"<link>{{{{BASE_URL}}}}/o{f}/{tag}-{e}.html</link><guid>{tag}-{f}-{e}</guid>"
                "<pubDate>Mon, 01 Jul 2024 10:00:00 GMT</pubDate></item>"
            )
        (outlet / f"{tag}.xml").write_text(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>O</title>"
            f"<link>{{{{BASE_URL}}}}/</link><description>d</description>{''.join(items)}"
            "</channel></rss>"
        )


def write_config(folder: Path, base: str, feeds: int, tag: str) -> Path:
    config = folder / f"{tag}.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database": f"sqlite:///{folder / (tag + '.db')}",
                "network": {
                    "allow_hosts": [base.removeprefix("http://")],
                    # every feed is on one loopback host here; real feeds spread over many
                    "max_per_host": 16,
                },
                "feeds": [{"url": f"{base}/o{f}/{tag}.xml"} for f in range(feeds)],
                "topics": [{"name": "t", "query": "NATO AND China AND harbour"}],
            }
        )
    )
    return config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=1800)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{cmd[-1][:60]} failed:\n{result.stderr[-3000:]}")
    return elapsed, result.stdout


PLAIN = """
import sys, time
from flows.pipeline import run_cycle
from flows.settings import load_settings
settings = load_settings(sys.argv[1])
started = time.perf_counter()
report = run_cycle(settings)
assert report.counts()["new_articles"] == int(sys.argv[2]), report.counts()
print("cycle_seconds", time.perf_counter() - started)
"""

PREFECT_RUN = """
import sys, time
from flows.monitor import monitor_feeds
started = time.perf_counter()
report = monitor_feeds(sys.argv[1])
assert report["counts"]["new_articles"] == int(sys.argv[2]), report["counts"]
print("cycle_seconds", time.perf_counter() - started)
"""

EPHEMERAL = """
import time
started = time.perf_counter()
from prefect import flow
@flow
def noop() -> None:
    pass
noop()
print("cycle_seconds", time.perf_counter() - started)
"""


def cycle_seconds(output: str) -> float:
    return float(output.rsplit("cycle_seconds", 1)[1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from flows.local_servers import SiteServer

    base_env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    base_env.pop("PREFECT_API_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tags = [f"r{n}" for n in range(2 * args.rounds)]
        for tag in tags:
            build_site(folder / "site", args.feeds, args.entries, tag)

        # the temporary server a first `newswatch run` starts, measured on its own
        home = folder / "ephemeral-home"
        ephemeral, out = timed(
            [sys.executable, "-c", EPHEMERAL], {**base_env, "PREFECT_HOME": str(home)}
        )
        emit(bench="orchestration", step="ephemeral_server_first_flow_seconds",
             seconds=round(cycle_seconds(out), 2), process_seconds=round(ephemeral, 2))  # fmt: skip

        port = free_port()
        api = f"http://127.0.0.1:{port}/api"
        server_env = {
            **base_env,
            "PREFECT_HOME": str(folder / "server-home"),
            "PREFECT_API_URL": api,
        }
        log = (folder / "server.log").open("w")
        server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
            env=server_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{api}/health", timeout=2).json() is True:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            plain_times: list[float] = []
            prefect_times: list[float] = []
            new = args.feeds * args.entries
            with SiteServer(folder / "site") as site:
                for round_no in range(args.rounds):
                    pair = [("plain", PLAIN, plain_times), ("prefect", PREFECT_RUN, prefect_times)]
                    if round_no % 2:
                        pair.reverse()
                    for offset, (name, script, times) in enumerate(pair):
                        tag = tags[2 * round_no + offset]
                        config = write_config(folder, site.base_url, args.feeds, tag)
                        _, out = timed(
                            [sys.executable, "-c", script, str(config), str(new)], server_env
                        )
                        times.append(cycle_seconds(out))
                        emit(
                            bench="orchestration",
                            step="cycle",
                            round=round_no,
                            path=name,
                            new_entries=new,
                            seconds=round(times[-1], 2),
                        )
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    plain, prefect = statistics.median(plain_times), statistics.median(prefect_times)
    overhead = prefect / plain - 1
    emit(
        bench="orchestration",
        feeds=args.feeds,
        new_entries=args.feeds * args.entries,
        plain_median_seconds=round(plain, 2),
        prefect_median_seconds=round(prefect, 2),
        prefect_overhead=round(overhead, 3),
        goal="prefect_overhead <= 0.15 against a running server",
        goal_met=overhead <= 0.15,
    )


if __name__ == "__main__":
    main()
