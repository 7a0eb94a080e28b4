"""The maintenance flow: prune old unmatched text, refresh the planner's statistics, and report
feed health. Weekly by default (prefect.yaml, `newswatch serve`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prefect import flow
from prefect.artifacts import create_table_artifact

import storage
from flows.settings import load_settings
from storage.clock import utcnow


@flow(name="maintenance")
def maintenance(config_path: str, prune_after_days: int = 90) -> dict[str, Any]:
    """Prune, analyze, and publish the feed-health table for the config file."""
    settings = load_settings(config_path)
    engine = storage.create_db_engine(settings.database)
    try:
        storage.ensure_schema(engine, auto_upgrade=storage.is_embedded(engine))
        sessions = storage.session_factory(engine)
        with storage.transaction(sessions) as session:
            pruned = storage.prune_texts(
                session, older_than=utcnow() - timedelta(days=prune_after_days)
            )
        storage.analyze(engine)
        with sessions() as session:
            health = storage.feed_health(session)
    finally:
        engine.dispose()
    rows = [
        {
            "feed": f.name or f.url,
            "url": f.url,
            "state": "disabled" if f.disabled else ("failing" if f.consecutive_failures else "ok"),
            "failures": f.consecutive_failures,
            "last success": f.last_success_at.isoformat() if f.last_success_at else "",
            "last error": f.last_error or "",
        }
        for f in health
    ]
    create_table_artifact(
        rows, key="newswatch-feed-report", description="Every feed and its health"
    )
    return {
        "pruned": pruned,
        "feeds": len(rows),
        "unhealthy": sum(r["state"] != "ok" for r in rows),
    }


@flow(name="backfill-topic")
def backfill(
    config_path: str, topic: str, since: str | None = None, alert: bool = False
) -> dict[str, int]:
    """Run ``topic`` over the stored articles, with a progress artifact for the UI."""
    from prefect.artifacts import create_progress_artifact, update_progress_artifact

    from flows.backfill import backfill_topic
    from flows.cli_common import parse_since

    settings = load_settings(config_path)
    artifact: Any = create_progress_artifact(
        0.0, key=f"newswatch-backfill-{topic}", description=f"Backfill of {topic}"
    )

    def progress(done: int, total: int) -> None:
        update_progress_artifact(artifact, 100.0 * done / total if total else 100.0)

    result = backfill_topic(
        settings,
        topic,
        since=parse_since(since) if since else None,
        queue_alerts=alert,
        progress=progress,
    )
    return {"checked": result.checked, "found": result.found, "new": result.new}
