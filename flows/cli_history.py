"""`newswatch search`, `export` and `prune`: the stored history, for analysts and for upkeep."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from flows.cli_common import (
    ConfigOption,
    FormatOption,
    UsageError,
    check_format,
    emit,
    open_store,
    out,
    parse_since,
)
from flows.settings import load_settings

AGE = re.compile(r"^(\d+)\s*([dhw])$")


def search(
    query: Annotated[str, typer.Argument(help="A query in the topic language.")],
    config: ConfigOption = Path("newswatch.yaml"),
    since: Annotated[str | None, typer.Option(help="Only articles published since then.")] = None,
    output_format: FormatOption = "table",
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 100,
) -> None:
    """Search stored articles with the topic query language (newest first).

    The full-text index narrows the candidates; the exact matcher decides.
    Example: newswatch search '"lethal aid" AND (China OR Beijing)' --since 2024-01-01
    """
    import storage
    from matching import Topic, TopicMatcher, parse_query
    from matching.prefilter import necessary_condition

    check_format(output_format)
    parsed = parse_query(query)
    matcher = TopicMatcher([Topic("search", query)])
    condition = [sorted(clause) for clause in necessary_condition(parsed.root)]
    since_dt = parse_since(since) if since else None
    settings = load_settings(config)
    records: list[dict[str, object]] = []
    with open_store(settings.database) as sessions, sessions() as session:
        for chunk in storage.search_articles(session, condition, since=since_dt):
            for article in chunk:
                found = matcher.match(article.title, article.text, article.source, article.language)
                if found:
                    records.append(
                        {
                            "title": article.title,
                            "source": article.source,
                            "url": article.url,
                            "snippet": found[0].snippet,
                        }
                    )
            if len(records) >= limit:
                break
    emit(records[:limit], output_format, ("title", "source", "url", "snippet"), empty="No match.")


def export(
    topic: Annotated[str, typer.Option(help="The topic to export.")],
    config: ConfigOption = Path("newswatch.yaml"),
    since: Annotated[str | None, typer.Option(help="Only articles published since then.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="csv or json (lines).")] = "csv",
) -> None:
    """Export every stored match of a topic with its article text, for analysis elsewhere.

    Example: newswatch export --topic nato-china-arms --format csv > nato-china.csv
    """
    import storage

    if output_format not in ("csv", "json"):
        raise UsageError(f"--format {output_format!r} is not one of csv, json")
    settings = load_settings(config)
    since_dt = parse_since(since) if since else None
    with open_store(settings.database) as sessions, sessions() as session:
        records = [dict(r) for r in storage.export_matches(session, topic=topic, since=since_dt)]
    for record in records:
        if output_format == "csv":
            record["terms"] = " ".join(str(t) for t in record["terms"])  # type: ignore[attr-defined]
    emit(records, output_format, ("topic", "title", "url"))


def prune(
    older_than: Annotated[str, typer.Option(help="Age such as 90d, 12w or 48h.")] = "90d",
    config: ConfigOption = Path("newswatch.yaml"),
) -> None:
    """Drop the text of old articles that matched no topic; every match and alert is kept.

    Example: newswatch prune --older-than 90d
    """
    import storage
    from storage.clock import utcnow

    parsed = AGE.match(older_than.strip())
    if not parsed:
        raise UsageError(f"--older-than {older_than!r}: use a number and d, w or h, e.g. 90d")
    amount, unit = int(parsed.group(1)), parsed.group(2)
    age = {"d": timedelta(days=amount), "w": timedelta(weeks=amount), "h": timedelta(hours=amount)}
    settings = load_settings(config)
    with open_store(settings.database) as sessions, storage.transaction(sessions) as session:
        pruned = storage.prune_texts(session, older_than=utcnow() - age[unit])
    out.print(f"Dropped the text of {pruned} unmatched article(s) older than {older_than}.")
