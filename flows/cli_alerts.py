"""`newswatch alerts test|list`: try the channels, and look into the outbox."""

from __future__ import annotations

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
)
from flows.settings import load_settings

alerts_app = typer.Typer(help="Alert channels and the alert outbox.", no_args_is_help=True)
STATUSES = ("pending", "sending", "sent", "failed")


@alerts_app.command("test")
def test_channels(
    config: ConfigOption = Path("newswatch.yaml"),
    tag: Annotated[str | None, typer.Option(help="Only channels with this tag.")] = None,
) -> None:
    """Send a test message to the configured channels and show each one's result.
    Exit code 1 when any channel failed.

    Example: newswatch alerts test --tag team
    """
    from alerts import AlertSender, redact_url
    from flows.channels import channel_specs, load_channels, prefect_secret

    settings = load_settings(config)
    uses_secrets = any(spec.secret_name for spec in channel_specs(settings))
    channels = load_channels(settings, prefect_secret if uses_secrets else None)
    chosen = [c for c in channels if tag is None or tag in c.tags]
    if not chosen:
        raise UsageError(f"no channel{f' tagged {tag!r}' if tag else ''} in {config}")
    sender = AlertSender(chosen)
    failures = 0
    for channel in chosen:
        fmt = sender.preferred_format(channel.key)
        body = "This is a test message from newswatch. If you can read it, alerts will arrive."
        result = sender.send(channel.key, "[newswatch] test message", body, fmt)
        where = f"{channel.key} ({redact_url(channel.url)})"
        if result.ok:
            out.print(f"ok      {where}")
        else:
            failures += 1
            out.print(f"FAILED  {where}: {result.error}")
    if failures:
        raise typer.Exit(1)


@alerts_app.command("list")
def list_outbox(
    config: ConfigOption = Path("newswatch.yaml"),
    status: Annotated[str | None, typer.Option(help="pending, sending, sent or failed.")] = None,
    output_format: FormatOption = "table",
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 200,
) -> None:
    """Show the alert outbox, newest first. Example: newswatch alerts list --status failed"""
    import storage

    check_format(output_format)
    if status is not None and status not in STATUSES:
        raise UsageError(f"--status {status!r} is not one of {', '.join(STATUSES)}")
    settings = load_settings(config)
    with open_store(settings.database) as sessions, sessions() as session:
        rows = storage.list_alerts(session, status=status, limit=limit)
    records = [
        {
            "id": r.id,
            "topic": r.topic,
            "title": r.title,
            "url": r.url,
            "channel": r.channel,
            "status": r.status,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "next_attempt": r.next_attempt_at.isoformat() if r.status == "pending" else None,
            "sent_at": r.sent_at.isoformat() if r.sent_at else None,
        }
        for r in rows
    ]
    emit(
        records,
        output_format,
        ("topic", "title", "channel", "status", "attempts", "last_error"),
        empty="The outbox is empty.",
    )
