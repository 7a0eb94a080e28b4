"""`newswatch serve`: the monitor, digest and maintenance schedules in one long-running process
(Prefect's ``serve``), for a single machine without a work pool."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from flows.settings import ConfigError, Settings


class PrefectUnreachableError(Exception):
    """The Prefect server named by PREFECT_API_URL does not answer."""


def check_prefect_server() -> str | None:
    """The API URL in use, after checking it answers; None when Prefect runs a temporary one."""
    api = os.environ.get("PREFECT_API_URL")
    if not api:
        return None
    try:
        healthy = httpx.get(api.rstrip("/") + "/health", timeout=5).json() is True
    except (httpx.HTTPError, ValueError):
        healthy = False
    if not healthy:
        raise PrefectUnreachableError(
            f"the Prefect server at {api} does not answer; start it with `prefect server start` "
            "or unset PREFECT_API_URL to use a temporary local one"
        )
    return api


def digest_groups(settings: Settings) -> dict[tuple[str, str], list[str]]:
    """Digest topics grouped by (cron, time zone): one schedule per group."""
    groups: dict[tuple[str, str], list[str]] = {}
    for topic in settings.topics:
        if topic.mode == "digest":
            groups.setdefault((topic.digest_cron, topic.timezone), []).append(topic.name)
    return groups


def build_deployments(
    config_path: Path, settings: Settings, every: timedelta, maintenance_cron: str
) -> list[Any]:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    from flows.digest import send_digest
    from flows.maintenance import maintenance
    from flows.monitor import monitor_feeds

    if every < timedelta(minutes=1):
        raise ConfigError("--every must be at least 1 minute")
    parameters = {"config_path": str(config_path.resolve())}
    deployments = [
        monitor_feeds.to_deployment(
            name="monitor",
            interval=every,
            parameters=parameters,
            description="Poll the feeds, store new matching articles, deliver pending alerts.",
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
            ),
        ),
        maintenance.to_deployment(
            name="maintenance",
            schedules=[Cron(maintenance_cron, timezone="UTC")],
            parameters=parameters,
            description="Prune old unmatched text, refresh statistics, report feed health.",
        ),
    ]
    for index, ((cron, zone), topics) in enumerate(sorted(digest_groups(settings).items()), 1):
        deployments.append(
            send_digest.to_deployment(
                name=f"digest-{index}",
                schedules=[Cron(cron, timezone=zone)],
                parameters={**parameters, "topics": topics},
                description=f"Digest of {', '.join(topics)} ({cron}, {zone}).",
            )
        )
    return deployments
