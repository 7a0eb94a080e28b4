"""The monitoring flow: poll feeds, process new entries, deliver alerts, publish a report.

Thin on purpose: each step is a plain function of ``flows.pipeline``.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import wait
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from flows import artifacts, pipeline
from flows.channels import prefect_secret
from flows.settings import FeedSettings, RunSettings, Settings, load_settings


def with_overrides(settings: Settings, **overrides: Any) -> Settings:
    """The settings with the flow's run parameters applied (validated like the config file)."""
    changes = {key: value for key, value in overrides.items() if value is not None}
    if not changes:
        return settings
    run = RunSettings.model_validate(settings.run.model_dump() | changes)
    return settings.model_copy(update={"run": run})


def current_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


@task(name="process-feeds", task_run_name="process {feeds[0].url} +{extra}", cache_policy=NO_CACHE)
def process_batch(
    cycle: pipeline.Cycle, feeds: list[FeedSettings], extra: int
) -> list[pipeline.FeedOutcome]:
    return pipeline.process_batch(cycle, feeds)


@task(name="process-feeds", task_run_name="process {feeds[0].url} +{extra}", cache_policy=NO_CACHE)
def process_batch_apart(
    config_path: str, overrides: dict[str, Any], feeds: list[FeedSettings], extra: int
) -> list[pipeline.FeedOutcome]:
    """The same batch for task runners that run tasks in other processes (Dask): the cycle
    cannot travel there, so the task opens its own from the config file. Extraction stays in
    the worker process (the Dask workers are the parallelism)."""
    settings = with_overrides(load_settings(config_path), **overrides, extract_processes=1)
    with pipeline.open_cycle(settings, alerts=False) as cycle:
        return pipeline.process_batch(cycle, feeds)


def runs_in_this_process() -> bool:
    """Whether the flow's task runner keeps tasks in this process (threads), so they can share
    the flow's cycle."""
    context = FlowRunContext.get()
    return context is None or isinstance(context.task_runner, ThreadPoolTaskRunner)


@task(name="deliver-alerts", cache_policy=NO_CACHE)
def deliver(cycle: pipeline.Cycle) -> pipeline.DeliveryOutcome:
    return pipeline.deliver(cycle)


@flow(name="monitor-feeds", task_runner=ThreadPoolTaskRunner(max_workers=8))  # type: ignore[arg-type]
def monitor_feeds(
    config_path: str, shard: tuple[int, int] | None = None, batch_size: int | None = None
) -> dict[str, Any]:
    """Run one monitoring cycle for the config file at ``config_path``. ``shard`` (i, n) polls
    only the i-th of n shares of the feeds (several workers on one database); ``batch_size``
    overrides the feeds per task."""
    overrides = {"shard": shard, "batch_size": batch_size}
    settings = with_overrides(load_settings(config_path), **overrides)
    with pipeline.open_cycle(settings, resolve_secret=prefect_secret) as cycle:
        batches = pipeline.plan_batches(settings.feeds, settings.run)
        if runs_in_this_process():
            futures = [process_batch.submit(cycle, batch, len(batch) - 1) for batch in batches]
        else:
            futures = [
                process_batch_apart.submit(config_path, overrides, batch, len(batch) - 1)
                for batch in batches
            ]
        wait(futures)
        outcomes = [outcome for future in futures for outcome in future.result()]
        delivery = deliver(cycle)
        report = pipeline.finish_cycle(cycle, outcomes, delivery, flow_run_id=current_run_id())
    artifacts.publish(report)
    return report.as_dict()
