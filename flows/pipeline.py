"""The monitoring cycle as plain functions: poll each feed, process its new entries, deliver
alerts. ``flows/monitor.py`` runs the same steps as Prefect tasks; this module runs them in
order without Prefect (for tests and benchmarks) and is the one place that names them all.
"""

from __future__ import annotations

from flows.cycle import (
    Cycle,
    CycleReport,
    DeliveryOutcome,
    FeedOutcome,
    NewMatchInfo,
    Routing,
    fetch_policy,
    finish_cycle,
    matcher_from_settings,
    open_cycle,
)
from flows.delivery import deliver, deliver_alerts
from flows.ingest import (
    group_stories,
    index_tokens,
    new_matches,
    plan_batches,
    process_batch,
    process_feed,
)
from flows.settings import Settings

__all__ = [
    "Cycle",
    "CycleReport",
    "DeliveryOutcome",
    "FeedOutcome",
    "NewMatchInfo",
    "Routing",
    "deliver",
    "deliver_alerts",
    "fetch_policy",
    "finish_cycle",
    "group_stories",
    "index_tokens",
    "matcher_from_settings",
    "new_matches",
    "open_cycle",
    "plan_batches",
    "process_batch",
    "process_feed",
    "run_cycle",
]


def run_cycle(settings: Settings) -> CycleReport:
    """One whole cycle without Prefect (for benchmarks and tests of the plain functions)."""
    with open_cycle(settings) as cycle:
        batches = plan_batches(settings.feeds, settings.run)
        outcomes = [outcome for batch in batches for outcome in process_batch(cycle, batch)]
        return finish_cycle(cycle, outcomes, deliver(cycle))
