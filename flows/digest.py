"""The digest flow: one message per channel with the stories held for digest topics."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.channels import prefect_secret
from flows.delivery import deliver_digest
from flows.pipeline import open_cycle
from flows.settings import load_settings


@flow(name="send-digest")
def send_digest(config_path: str, topics: list[str] | None = None) -> dict[str, Any]:
    """Send the digest of ``topics`` (default: every digest topic) for the config file."""
    settings = load_settings(config_path)
    with open_cycle(settings, resolve_secret=prefect_secret) as cycle:
        outcome = deliver_digest(cycle, topics)
    create_markdown_artifact(
        f"# newswatch digest\n\n{outcome.sent} alert(s) sent in digests, "
        f"{outcome.retrying} kept for the next digest.\n"
        + "".join(f"\n- {error}" for error in outcome.errors),
        key="newswatch-digest",
        description="Digest summary",
    )
    return asdict(outcome)
