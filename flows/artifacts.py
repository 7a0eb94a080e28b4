"""What a run shows in the Prefect UI: stable artifact keys, so each key keeps its history."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.chart import markdown_image, matches_per_day_png
from flows.cycle import CHART_DAYS
from flows.pipeline import CycleReport

MATCHES_KEY = "newswatch-matches"
SUMMARY_KEY = "newswatch-summary"
HEALTH_KEY = "newswatch-feed-health"


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
    health = [
        {
            "feed": o.name or o.url,
            "status": o.status,
            "new articles": o.new_articles,
            "retries": o.retries,
            "note": o.warning or "",
            "error": o.errors[0] if o.status == "failed" and o.errors else "",
        }
        for o in sorted(report.feeds, key=lambda o: (o.status == "ok", o.status, o.url))
    ]
    unhealthy = sum(o.status in ("failed", "skipped") for o in report.feeds)
    create_table_artifact(
        health or [{"feed": "", "status": "no feeds configured"}],
        key=HEALTH_KEY,
        description=f"{len(health)} feed(s); {unhealthy} failing, backing off or disabled",
    )


def summary_markdown(report: CycleReport) -> str:
    counts = report.counts()
    lines = [
        "# newswatch cycle",
        "",
        "| feeds polled | not modified | failed | resting | new articles | matches "
        "| alerts sent | failed | pending | duration |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| {counts['feeds']} | {counts['feeds_not_modified']} | {counts['feeds_failed']} "
        f"| {counts['feeds_skipped']} "
        f"| {counts['new_articles']} | {counts['matches']} | {counts['alerts_sent']} "
        f"| {counts['alerts_failed']} | {counts['alerts_retrying']} "
        f"| {report.duration_seconds:.1f} s |",
    ]
    if report.daily_counts:
        png = matches_per_day_png(report.daily_counts, CHART_DAYS, datetime.now(UTC).date())
        lines += ["", markdown_image(png, "matches per topic per day")]
    problems = report.errors
    if problems:
        lines += ["", "## Problems", ""] + [f"- {p}" for p in problems[:50]]
    return "\n".join(lines)
