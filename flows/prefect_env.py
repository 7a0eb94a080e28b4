"""Prefect settings for quiet, robust local runs. Call before ``import prefect``.

Without PREFECT_API_URL, Prefect starts a temporary server on SQLite under PREFECT_HOME. Its
telemetry causes "database is locked" errors there, and a cold start (migrations) takes 12-15 s
on this class of machine, close to the 20 s default start-up timeout.
"""

from __future__ import annotations

import os
from pathlib import Path

QUIET_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # Log records of the stage packages reach the Prefect UI with the run's own logs.
    "PREFECT_LOGGING_EXTRA_LOGGERS": "extractors,storage,matching,alerts,flows",
    # ...and the same loggers used outside a flow run (CLI commands, tests) stay local.
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def configure_prefect_env(home: Path | None = None) -> None:
    """Set quiet defaults (never overriding the user's own values); ``home`` isolates the
    temporary server's database in a folder, unless a Prefect server is named by PREFECT_API_URL."""
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if home is not None and not os.environ.get("PREFECT_API_URL"):
        os.environ.setdefault("PREFECT_HOME", str(home))
