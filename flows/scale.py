"""``monitor-feeds`` with its batches on a Dask cluster, through prefect-dask's DaskTaskRunner.

Install the extra (``pip install 'newswatch[dask]'``), start a Dask scheduler and workers on the
machines that should poll and extract (every worker needs the config file at the same path and
access to the newswatch database), then deploy this entrypoint instead of ``flows/monitor.py``::

    NEWSWATCH_DASK_ADDRESS=tcp://scheduler:8786 \\
        prefect deploy flows/scale.py:monitor_feeds_on_dask -n monitor-dask -p newswatch

Without ``NEWSWATCH_DASK_ADDRESS`` the runner starts a temporary local cluster (one worker
process per core), which is how the tests run it. Each batch task then opens its own cycle on
its Dask worker (database, HTTP client, matcher); the flow itself keeps the feed list, alert
delivery and the report.
"""

from __future__ import annotations

import os
from typing import Any

from prefect import Flow
from prefect_dask.task_runners import DaskTaskRunner

from flows.monitor import monitor_feeds

DASK_ADDRESS_ENV = "NEWSWATCH_DASK_ADDRESS"


def on_dask(address: str | None = None, **cluster_kwargs: Any) -> Flow[..., dict[str, Any]]:
    """``monitor_feeds`` with a DaskTaskRunner: on the cluster at ``address`` (``tcp://host:8786``)
    or, without one, on a temporary local cluster made with ``cluster_kwargs``."""
    runner = DaskTaskRunner(address=address, cluster_kwargs=cluster_kwargs or None)
    return monitor_feeds.with_options(task_runner=runner)  # type: ignore[arg-type]


monitor_feeds_on_dask = on_dask(os.environ.get(DASK_ADDRESS_ENV) or None)
