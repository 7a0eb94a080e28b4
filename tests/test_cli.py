"""The `newswatch` console script, run as a user runs it (a subprocess), on loopback servers."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from flows.local_servers import SiteServer, WebhookReceiver
from tests.helpers import demo_feeds, expected_matches, host_port, write_config

pytestmark = pytest.mark.slow  # starts servers or subprocesses; scheduled first (conftest.py)

NEWSWATCH = shutil.which("newswatch", path=str(Path(sys.executable).parent)) or "newswatch"


def newswatch(
    *args: str, cwd: Path | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [NEWSWATCH, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env
    )


@pytest.fixture(scope="module")
def ran(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, str, WebhookReceiver, subprocess.CompletedProcess[str]]]:
    """One `newswatch run` over the demo site, shared by the read-only tests below."""
    folder = tmp_path_factory.mktemp("cli")
    with SiteServer(files("flows.demo_site")) as site, WebhookReceiver() as hook:
        config = write_config(
            folder,
            feeds=demo_feeds(site.base_url),
            hook_url=f"json://127.0.0.1:{hook.port}/hook",
            allow_hosts=[host_port(site.base_url)],
        )
        env_home = folder / ".prefect"
        os.environ["PREFECT_HOME"] = str(env_home)
        try:
            result = newswatch("run", "--config", str(config))
        finally:
            os.environ.pop("PREFECT_HOME", None)
        yield config, site.base_url, hook, result


def test_run_prints_a_summary_and_sends_alerts(ran) -> None:  # type: ignore[no-untyped-def]
    _config, base, hook, result = ran
    assert result.returncode == 0, result.stderr
    expected = expected_matches(base)
    assert f"{len(expected)} new matches" in result.stdout
    assert len(hook.notifications) == len(expected)


def test_matches_json_has_one_object_per_line(ran) -> None:  # type: ignore[no-untyped-def]
    config, base, _, _ = ran
    result = newswatch("matches", "--config", str(config), "--format", "json")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["url"] for r in records} == expected_matches(base)
    for record in records:
        assert {"topic", "url", "title", "source", "published", "snippet"} <= set(record)
        assert record["topic"] == "nato-china-arms" and "**" in record["snippet"]


def test_matches_filters_and_csv(ran) -> None:  # type: ignore[no-untyped-def]
    config, _, _, _ = ran
    result = newswatch(
        "matches", "--config", str(config), "--format", "csv", "--since", "2024-01-01"
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["published"] >= "2024-01-01" for r in rows)
    everything = newswatch("matches", "--config", str(config), "--format", "csv")
    assert len(rows) < len(list(csv.DictReader(io.StringIO(everything.stdout))))
    none = newswatch("matches", "--config", str(config), "--format", "json", "--topic", "other")
    assert none.returncode == 0 and none.stdout == ""


def test_matches_table_keeps_bracketed_text(ran) -> None:  # type: ignore[no-untyped-def]
    config, _, _, _ = ran
    result = newswatch("matches", "--config", str(config))
    assert result.returncode == 0 and "nato-china-arms" in result.stdout


def test_extract_prints_what_the_extractor_sees(ran, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _ = ran
    article = next(
        a
        for a in __import__("flows.demo", fromlist=["x"]).site_manifest()["articles"]
        if a["matches_topic"]
    )
    with SiteServer(files("flows.demo_site")) as site:
        result = newswatch("extract", "--allow-private", site.base_url + article["path"])
        refused = newswatch("extract", site.base_url + article["path"])
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) == {"url", "title", "author", "published", "language", "text"}
    assert record["title"] == article["title"] and record["language"] == article["language"]
    assert record["published"] == article["published"]
    assert refused.returncode == 1 and "SSRF guard" in refused.stderr


def test_extract_a_file(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html lang='en'><head><title>Harbour news</title></head><body><article><h1>Harbour news</h1>"
        + "<p>The harbour authority reopened the northern quay on Monday after repairs.</p>" * 8
        + "</article></body></html>"
    )
    result = newswatch("extract", str(page), str(tmp_path / "missing.html"))
    assert result.returncode == 2
    assert "missing.html: no such file" in result.stderr
    record = json.loads(result.stdout.splitlines()[0])
    assert record["title"] == "Harbour news" and "northern quay" in record["text"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("matches", "--config", "nope.yaml"), 2, "nope.yaml: config file not found"),
        (("matches", "--config", "bad.yaml"), 2, "YAML syntax error at line 3"),
        (("matches", "--config", "unknown.yaml"), 2, "feeds[0].nmae: unknown key"),
        (("matches", "--config", "query.yaml"), 2, "^"),
        (
            ("matches", "--config", "pg.yaml"),
            1,
            "cannot connect to postgresql+psycopg://nw:***@127.0.0.1:1/x",
        ),
        (("matches", "--config", "unknown.yaml", "--format", "xml"), 2, "--format 'xml'"),
        (("frobnicate",), 2, "No such command"),
    ],
)
def test_errors_are_short_and_name_the_problem(
    tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    (tmp_path / "bad.yaml").write_text("feeds:\n  - url: https://a.example/rss\n   name: A\n")
    (tmp_path / "unknown.yaml").write_text("feeds:\n  - url: https://a.example/rss\n    nmae: A\n")
    (tmp_path / "query.yaml").write_text("topics:\n  - name: t\n    query: 'NATO AND (China'\n")
    (tmp_path / "pg.yaml").write_text("database: postgresql+psycopg://nw:hunter2@127.0.0.1:1/x\n")
    result = newswatch(*args, cwd=tmp_path, timeout=60)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr


def test_quiet_and_verbose(tmp_path: Path) -> None:
    config = tmp_path / "newswatch.yaml"
    config.write_text("topics:\n  - name: t\n    query: NATO\n")
    loud = newswatch("topics", "check", "--config", str(config))
    quiet = newswatch("-q", "topics", "check", "--config", str(config))
    assert "1 topic(s) valid" in loud.stdout and quiet.stdout == "" and quiet.returncode == 0
    data = newswatch("-q", "topics", "list", "--config", str(config), "--format", "json")
    assert json.loads(data.stdout)["name"] == "t"  # data asked for is printed even when quiet
    bad = newswatch("-q", "topics", "check", "--config", str(tmp_path / "missing.yaml"))
    assert bad.returncode == 2 and "config file not found" in bad.stderr  # errors still shown
    verbose = newswatch("-vv", "extract", "--allow-private", "http://127.0.0.1:9/nothing.html")
    assert verbose.returncode == 1 and "127.0.0.1:9" in verbose.stderr


def test_every_command_has_help_with_an_example() -> None:
    commands = [
        ["demo"], ["run"], ["serve"], ["digest"], ["matches"], ["extract"], ["search"],
        ["export"], ["prune"], ["db", "upgrade"], ["topics", "list"], ["topics", "check"],
        ["topics", "test"], ["topics", "backfill"], ["alerts", "test"], ["alerts", "list"],
    ]  # fmt: skip
    # in-process, one import of the app for all commands (the installed `newswatch --help`
    # runs as a real subprocess in tests/test_packaging.py)
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    for command in commands:
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
        assert result.exit_code == 0, (command, result.output)
        assert "Example: newswatch" in " ".join(result.output.split()), command


def test_no_colour_escapes_when_piped_or_no_color(tmp_path: Path) -> None:
    config = tmp_path / "newswatch.yaml"
    config.write_text("topics:\n  - name: t\n    query: NATO\n")
    for env_no_color in (True, False):
        env = {**os.environ, "COLUMNS": "120"}
        if env_no_color:
            env["NO_COLOR"] = "1"
        else:
            env.pop("NO_COLOR", None)
        result = subprocess.run(
            [NEWSWATCH, "topics", "list", "--config", str(config)],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0 and "\x1b[" not in result.stdout + result.stderr


def test_run_shows_progress_over_the_feeds_on_a_terminal(tmp_path: Path) -> None:
    from tests.test_cli_feeds import newswatch_on_a_terminal

    with SiteServer(files("flows.demo_site")) as site:
        config = write_config(
            tmp_path, feeds=demo_feeds(site.base_url), allow_hosts=[host_port(site.base_url)]
        )
        os.environ["PREFECT_HOME"] = str(tmp_path / ".prefect")
        try:
            shown = newswatch_on_a_terminal("run", "--config", str(config), cwd=tmp_path)
        finally:
            os.environ.pop("PREFECT_HOME", None)
    total = len(demo_feeds(site.base_url))
    assert f"{total}/{total}" in shown and "feeds" in shown
    assert "new matches" in shown
