"""What a run shows in the Prefect UI: stable artifact keys, so each key keeps its history."""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.pipeline import CycleReport

MATCHES_KEY = "newswatch-matches"
SUMMARY_KEY = "newswatch-summary"


def publish(report: CycleReport) -> None:
    rows = [
        {
            "topic": m.topic,
            "title": m.title,
            "outlet": m.source,
            "published": m.published or "",
            "link": m.url,
        }
        for m in report.matches
    ]
    create_table_artifact(
        rows
        or [{"topic": "", "title": "no new matches", "outlet": "", "published": "", "link": ""}],
        key=MATCHES_KEY,
        description=f"{len(rows)} new match(es) in this run",
    )
    create_markdown_artifact(summary_markdown(report), key=SUMMARY_KEY, description="Cycle summary")


def summary_markdown(report: CycleReport) -> str:
    counts = report.counts()
    lines = [
        "# newswatch cycle",
        "",
        "| feeds polled | not modified | failed | new articles | matches "
        "| alerts sent | failed | retrying | duration |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {counts['feeds']} | {counts['feeds_not_modified']} | {counts['feeds_failed']} "
        f"| {counts['new_articles']} | {counts['matches']} | {counts['alerts_sent']} "
        f"| {counts['alerts_failed']} | {counts['alerts_retrying']} "
        f"| {report.duration_seconds:.1f} s |",
    ]
    problems = report.errors
    if problems:
        lines += ["", "## Problems", ""] + [f"- {p}" for p in problems[:50]]
    return "\n".join(lines)
