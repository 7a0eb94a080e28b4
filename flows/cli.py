"""The ``newswatch`` command line. Exit codes: 0 ok, 1 failure, 2 usage or config error.

Errors are one or two lines that name the file, key or URL and say what to do; ``--debug`` shows
the traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.logging import RichHandler

from flows.cli_alerts import alerts_app
from flows.cli_common import (
    ConfigOption,
    FormatOption,
    UsageError,
    check_format,
    emit,
    err,
    open_store,
    out,
    parse_since,
    print_table,
)
from flows.cli_feeds import feeds_app
from flows.cli_history import export, prune, search
from flows.cli_init import init
from flows.cli_topics import topics_app
from flows.prefect_env import configure_prefect_env
from flows.settings import VERSION, ConfigError, load_settings

app = typer.Typer(
    name="newswatch",
    help="Monitor news feeds for your topics and get alerts. Example: newswatch demo",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(topics_app, name="topics")
app.add_typer(alerts_app, name="alerts")
app.add_typer(feeds_app, name="feeds")
app.command()(init)
app.command()(search)
app.command()(export)
app.command()(prune)

_state = {"debug": False}


def configure_output(*, verbose: int, quiet: bool) -> None:
    """-v shows newswatch's log records (INFO; -vv DEBUG), -q hides progress and summaries.
    Data a command was asked for (JSON, CSV, tables of results) is printed either way."""
    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose > 1:
        level = logging.DEBUG
    if quiet:
        level = logging.ERROR
        out.quiet = True
    handler = RichHandler(console=err, show_path=False, markup=False, rich_tracebacks=False)
    for name in ("extractors", "matching", "storage", "alerts", "flows"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if not any(isinstance(h, RichHandler) for h in logger.handlers):
            logger.addHandler(handler)
        logger.propagate = False
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", logging.getLevelName(max(level, logging.INFO)))


def _version(value: bool) -> None:
    if value:
        out.print(f"newswatch {VERSION}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    verbose: Annotated[
        int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv: debug).")
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors and requested data.")
    ] = False,
) -> None:
    _state["debug"] = debug
    configure_output(verbose=verbose, quiet=quiet)


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Folder for the demo's config, database and state.")
    ] = Path("newswatch-demo"),
) -> None:
    """Run one cycle on a bundled sample news site and show matches and alerts.

    Example: newswatch demo --dir /tmp/nw-demo   (run it twice: the second run sends nothing)
    """
    configure_prefect_env(home=directory.resolve() / ".prefect")
    from flows.demo import run_demo

    out.print(f"newswatch demo in {directory}/ (sample site and webhook on loopback)", style="bold")
    result = run_demo(directory)
    counts = result.report["counts"]
    out.print(
        f"Polled {counts['feeds']} feeds ({counts['feeds_not_modified']} unchanged since the last "
        f"run): {counts['new_articles']} new articles, {counts['matches']} new matches."
    )
    matches = [m for feed in result.report["feeds"] for m in feed["matches"]]
    if matches:
        print_table(matches, ("topic", "title", "source", "published", "url"))
    out.print()
    if result.alerts:
        out.print(f"{len(result.alerts)} alert(s) received by the demo webhook:", style="bold")
        for alert in result.alerts:
            out.print(f"  - {alert.get('title', '')}")
            for line in str(alert.get("message", "")).splitlines():
                out.print(f"      {line}")
    else:
        out.print(
            "No new alerts: every match was already alerted in an earlier run "
            f"(stored in {directory}/newswatch.db)."
        )
    _print_problems(result.report)
    out.print(f"\nConfig written to {result.config_path}; list all matches with:")
    out.print(f"  newswatch matches --config {result.config_path}")


@app.command()
def run(
    config: ConfigOption = Path("newswatch.yaml"),
    output_json: Annotated[
        bool, typer.Option("--json", help="Print the cycle report as JSON.")
    ] = False,
) -> None:
    """Run one monitoring cycle (poll, extract, match, store, alert) through the Prefect flow.

    Uses the Prefect server named by PREFECT_API_URL when set, else a temporary local one.
    Example: newswatch run --config newswatch.yaml
    """
    settings = load_settings(config)  # fail fast, before Prefect starts, on a bad config
    configure_prefect_env()
    from flows.monitor import monitor_feeds

    report = _with_progress(lambda: monitor_feeds(str(config)), total=len(settings.feeds))
    if output_json:
        out.print_json(json.dumps(report))
        return
    counts = report["counts"]
    out.print(
        f"{counts['feeds']} feeds ({counts['feeds_not_modified']} not modified, "
        f"{counts['feeds_failed']} failed), {counts['new_articles']} new articles, "
        f"{counts['matches']} new matches, {counts['alerts_sent']} alerts sent, "
        f"{counts['alerts_retrying']} to retry, {counts['alerts_failed']} failed."
    )
    matches = [m for feed in report["feeds"] for m in feed["matches"]]
    if matches:
        print_table(matches, ("topic", "title", "source", "published", "url"))
    _print_problems(report)


@app.command()
def serve(
    config: ConfigOption = Path("newswatch.yaml"),
    every: Annotated[int, typer.Option(help="Minutes between monitoring cycles.")] = 15,
    maintenance_cron: Annotated[
        str, typer.Option(help="Cron (UTC) of the maintenance flow.")
    ] = "30 3 * * 0",
) -> None:
    """Run the monitor, digest and maintenance schedules in this process (Prefect serve): the
    one-command way to run newswatch on one machine. Uses the Prefect server named by
    PREFECT_API_URL (see its UI), else a temporary local one.

    Example: newswatch serve --config newswatch.yaml --every 15
    """
    from datetime import timedelta

    settings = load_settings(config)
    configure_prefect_env()
    from flows.serve import build_deployments, check_prefect_server

    api = check_prefect_server()
    deployments = build_deployments(config, settings, timedelta(minutes=every), maintenance_cron)
    names = ", ".join(d.name for d in deployments)
    where = api or "a temporary local Prefect server"
    out.print(f"Serving {names} for {config} on {where}; stop with Ctrl-C.")
    from prefect import serve as prefect_serve

    prefect_serve(*deployments, print_starting_message=False)


@app.command()
def digest(
    config: ConfigOption = Path("newswatch.yaml"),
    topic: Annotated[
        list[str] | None, typer.Option(help="Only this digest topic (repeatable).")
    ] = None,
) -> None:
    """Send the digest of the digest topics now (normally run on their digest_cron).

    Example: newswatch digest --config newswatch.yaml --topic weekly-nato
    """
    settings = load_settings(config)
    digest_topics = {t.name for t in settings.topics if t.mode == "digest"}
    unknown = sorted(set(topic or []) - digest_topics)
    if unknown:
        raise UsageError(
            f"not a digest topic in {config}: {', '.join(unknown)} "
            f"(digest topics: {', '.join(sorted(digest_topics)) or 'none'})"
        )
    configure_prefect_env()
    from flows.digest import send_digest

    outcome = send_digest(str(config), topics=topic or None)
    out.print(
        f"{outcome['sent']} alert(s) sent in digests, {outcome['retrying']} kept for the next."
    )
    for error in outcome["errors"]:
        err.print(f"  - {error}")
    if outcome["errors"]:
        raise typer.Exit(1)


def _with_progress(work: Callable[[], dict[str, Any]], total: int) -> dict[str, Any]:
    """Run ``work`` with a progress bar over the feeds when a person is watching."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.cycle import ON_FEED_DONE

    if out.quiet or not sys.stdout.isatty() or total < 2:
        return work()
    bar = Progress(
        TextColumn("feeds"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=out
    )
    with bar:
        task = bar.add_task("feeds", total=total)
        token = ON_FEED_DONE.set(lambda outcome: bar.advance(task))
        try:
            return work()
        finally:
            ON_FEED_DONE.reset(token)


@app.command()
def matches(
    config: ConfigOption = Path("newswatch.yaml"),
    topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only articles published since this ISO date/time.")
    ] = None,
    output_format: FormatOption = "table",
    limit: Annotated[int | None, typer.Option(help="At most this many rows.")] = None,
) -> None:
    """List stored matches, newest first.

    Example: newswatch matches --config newswatch.yaml --topic nato-china-arms --format json
    """
    check_format(output_format)
    since_dt = parse_since(since) if since else None
    settings = load_settings(config)
    import storage

    with open_store(settings.database) as sessions, sessions() as session:
        rows = storage.list_matches(session, topic=topic, since=since_dt, limit=limit)
    records = [
        {
            "topic": r.topic,
            "url": r.url,
            "title": r.title,
            "source": r.source,
            "published": r.published.isoformat() if r.published else None,
            "snippet": r.snippet,
            "matched_at": r.matched_at.isoformat(),
        }
        for r in rows
    ]
    emit(
        records,
        output_format,
        ("topic", "title", "source", "published", "url"),
        empty="No matches stored yet.",
    )


@app.command()
def extract(
    sources: Annotated[list[str], typer.Argument(help="HTML files or http(s) URLs.")],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Use this config's network settings.")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option(help="Allow loopback/private addresses (local test servers).")
    ] = False,
) -> None:
    """Print what the extractor sees in each page, one JSON object per line.

    Example: newswatch extract saved-page.html https://example.org/news/story.html
    """
    from dataclasses import replace

    from extractors import ExtractorError, extract_article, fetch_once
    from flows.pipeline import fetch_policy
    from flows.settings import Settings

    settings = load_settings(config) if config else Settings()
    policy = fetch_policy(settings)
    if allow_private:
        policy = replace(policy, allow_private=True)
    failures = 0
    for source in sources:
        try:
            if source.startswith(("http://", "https://")):
                page = fetch_once(policy, source)
                article = extract_article(page.body, page.final_url)
            else:
                path = Path(source)
                if not path.is_file():
                    raise UsageError(f"{source}: no such file (give a file path or a URL)")
                article = extract_article(path.read_bytes(), None)
        except ExtractorError as exc:
            err.print(f"newswatch: {source}: {exc.reason}")
            failures += 1
            continue
        record = {
            "url": article.url or source,
            "title": article.title,
            "author": article.author,
            "published": article.published.isoformat() if article.published else None,
            "language": article.language,
            "text": article.text,
        }
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    if failures:
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = Path("newswatch.yaml")) -> None:
    """Apply pending schema migrations. Example: newswatch db upgrade --config newswatch.yaml"""
    settings = load_settings(config)
    import storage

    engine = storage.create_db_engine(settings.database)
    try:
        before, after = storage.upgrade(engine)
    finally:
        engine.dispose()
    shown = storage.redact_database_url(settings.database)
    if before == after:
        out.print(f"{shown}: schema already at revision {after}.")
    else:
        out.print(f"{shown}: upgraded schema from {before or 'empty'} to {after}.")


def _print_problems(report: dict[str, Any]) -> None:
    problems = [e for feed in report["feeds"] for e in feed["errors"]]
    problems += report["delivery"]["errors"]
    if problems:
        err.print(f"{len(problems)} problem(s) this cycle:", style="yellow")
        for problem in problems:
            err.print(f"  - {problem}")


def main() -> None:
    """Console-script entry point: run the app and turn known errors into one-line messages."""
    from alerts import ChannelConfigError
    from flows.demo import DemoError
    from flows.serve import PrefectUnreachableError
    from matching import QuerySyntaxError
    from storage import StorageError

    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except (ConfigError, UsageError) as exc:
        _fail(exc, 2)
    except QuerySyntaxError as exc:
        _fail(Exception(f"{exc}\n{exc.caret()}"), 2)
    except (StorageError, ChannelConfigError, DemoError, PrefectUnreachableError) as exc:
        _fail(exc, 1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("Aborted.")
        sys.exit(130)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # usage errors of typer/click
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        err.print(f"newswatch: unexpected error {type(exc).__name__}: {exc} (rerun with --debug)")
        sys.exit(1)


def _fail(exc: Exception, code: int) -> None:
    if _state["debug"]:
        raise exc
    err.print(f"newswatch: {exc}")
    sys.exit(code)
