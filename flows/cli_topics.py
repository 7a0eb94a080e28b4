"""`newswatch topics ...`: list, check and try topic queries, and run a topic over stored news."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from flows.cli_common import (
    ConfigOption,
    FormatOption,
    UsageError,
    check_format,
    emit,
    out,
    parse_since,
)
from flows.settings import ConfigError, Settings, load_settings

topics_app = typer.Typer(help="Work with topic queries.", no_args_is_help=True)


@topics_app.command("list")
def list_topics(
    config: ConfigOption = Path("newswatch.yaml"), output_format: FormatOption = "table"
) -> None:
    """List the configured topics. Example: newswatch topics list --format json"""
    check_format(output_format)
    settings = load_settings(config)
    records = [
        {
            "name": t.name,
            "query": t.query,
            "notify": ",".join(t.notify),
            "operator": t.default_operator,
        }
        for t in settings.topics
    ]
    emit(
        records,
        output_format,
        ("name", "query", "notify", "operator"),
        empty="No topics configured.",
    )


@topics_app.command("check")
def check(config: ConfigOption = Path("newswatch.yaml")) -> None:
    """Check every topic query in the config (errors show a caret under the fault).

    Example: newswatch topics check --config newswatch.yaml
    """
    settings = load_settings(config)  # every query is parsed while the config loads
    for topic in settings.topics:
        out.print(f"ok  {topic.name}: {topic.query}")
    out.print(f"{len(settings.topics)} topic(s) valid in {config}.")


@topics_app.command("test")
def test_query(
    query: Annotated[
        str, typer.Argument(help="A topic query, e.g. 'NATO AND (China OR Beijing)'.")
    ],
    file: Annotated[Path | None, typer.Option(help="An HTML page saved on disk.")] = None,
    url: Annotated[str | None, typer.Option(help="A page to fetch and extract.")] = None,
    text: Annotated[str | None, typer.Option(help="Plain text to match.")] = None,
    title: Annotated[str, typer.Option(help="A title to match along with --text.")] = "",
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="Use this config's network settings.")
    ] = None,
    allow_private: Annotated[bool, typer.Option(help="Allow loopback/private addresses.")] = False,
) -> None:
    """Show whether QUERY matches a page or text, which terms matched and the snippet; nothing is
    stored. Exit code 0 when it matches, 1 when it does not.

    Example: newswatch topics test '"lethal aid" AND China' --url https://example.org/story.html
    """
    from matching import Topic, TopicMatcher, parse_query

    parse_query(query)  # a syntax error is reported with a caret before anything is fetched
    if sum(x is not None for x in (file, url, text)) != 1:
        raise UsageError("give exactly one of --file, --url or --text")
    matcher = TopicMatcher([Topic(name="query", query=query)])
    doc_title, doc_text, language, where = _load(file, url, text, title, config, allow_private)
    found = matcher.match(doc_title, doc_text, lang=language)
    if not found:
        out.print(f"no match in {where}")
        raise typer.Exit(1)
    match = found[0]
    out.print(f"match in {where}", style="bold green")
    terms = sorted({f"{t.term} ({t.field})" for t in match.terms})
    out.print("terms: " + ", ".join(terms))
    out.print("snippet: " + match.snippet)


def _load(
    file: Path | None,
    url: str | None,
    text: str | None,
    title: str,
    config: Path | None,
    allow_private: bool,
) -> tuple[str, str, str | None, str]:
    from dataclasses import replace

    from extractors import ExtractorError, extract_article, fetch_once
    from flows.pipeline import fetch_policy

    if text is not None:
        return title, text, None, "the given text"
    try:
        if file is not None:
            if not file.is_file():
                raise UsageError(f"{file}: no such file")
            article = extract_article(file.read_bytes(), None)
            where = str(file)
        else:
            assert url is not None
            settings = load_settings(config) if config else Settings()
            policy = fetch_policy(settings)
            if allow_private:
                policy = replace(policy, allow_private=True)
            page = fetch_once(policy, url)
            article = extract_article(page.body, page.final_url)
            where = url
    except ExtractorError as exc:
        raise UsageError(str(exc)) from None
    return article.title or "", article.text, article.language, where


@topics_app.command("backfill")
def backfill(
    name: Annotated[str, typer.Argument(help="The topic's name in the config.")],
    config: ConfigOption = Path("newswatch.yaml"),
    since: Annotated[
        str | None, typer.Option(help="Only articles published since this date.")
    ] = None,
    alert: Annotated[
        bool, typer.Option("--alert/--no-alert", help="Queue alerts for what it finds.")
    ] = False,
) -> None:
    """Run a new or changed topic over the articles already stored, with a progress bar. Matches
    are stored; alerts are queued only with --alert (old news would otherwise flood channels).

    Example: newswatch topics backfill nato-china-arms --since 2024-01-01
    """
    from flows.backfill import backfill_topic, find_topic

    settings = load_settings(config)
    try:
        find_topic(settings, name)
    except ConfigError as exc:
        raise UsageError(f"{config}: {exc}") from None
    since_dt = parse_since(since) if since else None
    bar = Progress(
        TextColumn("backfill {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=out,
        disable=not sys.stdout.isatty(),
    )
    with bar:
        task = bar.add_task(name, total=None)
        result = backfill_topic(
            settings,
            name,
            since=since_dt,
            queue_alerts=alert,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    queued = " and queued their alerts" if alert and result.new else ""
    out.print(
        f"Backfill of {name!r}: {result.checked} stored article(s) checked, {result.found} "
        f"match, {result.new} new match(es) stored{queued}."
    )
