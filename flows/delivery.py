"""Delivery: drain the alert outbox through the channels, one claimed alert at a time."""

from __future__ import annotations

import logging
from datetime import timedelta

import storage
from alerts import AlertItem, AlertSender, render_alert, render_feed_notice, render_summary
from flows.cycle import Cycle, DeliveryOutcome
from storage.clock import utcnow

log = logging.getLogger(__name__)


def deliver(cycle: Cycle) -> DeliveryOutcome:
    """The cycle's delivery step: the outbox's due alerts, then feed-health notices."""
    outcome = deliver_alerts(cycle)
    notices = deliver_health_notices(cycle)
    outcome.feed_notices = notices.sent
    outcome.errors += notices.errors
    return outcome


def deliver_alerts(cycle: Cycle, *, limit: int = 1000) -> DeliveryOutcome:
    """Send every due alert of the outbox once, recording each outcome as it happens.

    Alerts are claimed one at a time, just before sending: if the process dies, only the alert
    in flight stays claimed (and is retried once its claim expires); the others stay pending
    for the next cycle. A channel with ``max_per_hour`` gets single alerts while its hourly
    budget lasts; its last message of the hour folds every remaining alert into one summary,
    and a channel whose budget is spent keeps its alerts pending until the hour has passed.
    """
    outcome = DeliveryOutcome()
    known = {c.key for c in cycle.sender.channels}
    budget = _hourly_budget(cycle)
    spent = {key for key, left in budget.items() if left <= 0}
    for _ in range(limit):
        with storage.transaction(cycle.sessions) as session:
            claimed = storage.claim_alerts(session, limit=1, skip_channels=spent)
            alert = claimed[0] if claimed else None
            if alert is not None and budget.get(alert.channel) == 1:
                # the hour's last message for this channel: fold in everything else due for it
                claimed += storage.claim_alerts(session, channel=alert.channel, limit=limit)
        if alert is None:
            break
        if alert.channel in budget:
            budget[alert.channel] -= 1
            if budget[alert.channel] <= 0:
                spent.add(alert.channel)
        error: str | None
        if alert.channel not in known:
            ok, error = False, f"channel {alert.channel} is no longer in the config; not sent"
        elif len(claimed) > 1:
            ok, error = _send_summary(cycle.sender, claimed, heading="newswatch: hourly limit")
        else:
            ok, error = _send_one(cycle.sender, alert)
        _record(cycle, claimed, ok, error, outcome)
    return outcome


def deliver_digest(cycle: Cycle, topics: list[str] | None = None) -> DeliveryOutcome:
    """Send each channel one message with the stories held for digest topics (all, or
    ``topics``) since the last digest. A failed digest keeps its alerts for the next one."""
    outcome = DeliveryOutcome()
    for channel in cycle.sender.channels:
        with storage.transaction(cycle.sessions) as session:
            held = storage.claim_alerts(
                session, held=True, channel=channel.key, topics=topics, limit=100_000
            )
        if not held:
            continue
        ok, error = _send_summary(cycle.sender, held, heading="newswatch digest")
        with storage.transaction(cycle.sessions) as session:
            if ok:
                for alert in held:
                    storage.mark_sent(session, alert.id)
                outcome.sent += len(held)
            else:
                storage.release_held(session, [a.id for a in held], error or "unknown error")
                outcome.retrying += len(held)
                outcome.errors.append(f"digest via {channel.key}: {error} (kept for the next)")
    return outcome


def _hourly_budget(cycle: Cycle) -> dict[str, int]:
    hour_ago = utcnow() - timedelta(hours=1)
    with cycle.sessions() as session:
        return {
            key: most - storage.sent_since(session, key, hour_ago)
            for key, most in cycle.hourly_limits.items()
        }


def _record(
    cycle: Cycle,
    alerts: list[storage.PendingAlert],
    ok: bool,
    error: str | None,
    outcome: DeliveryOutcome,
) -> None:
    with storage.transaction(cycle.sessions) as session:
        for alert in alerts:
            if ok:
                storage.mark_sent(session, alert.id)
                outcome.sent += 1
                continue
            status = storage.mark_failed(
                session, alert.id, error or "unknown error", attempts=alert.attempts
            )
            outcome.errors.append(f"alert {alert.id} ({alert.topic}) via {alert.channel}: {error}")
            if status == "failed":
                outcome.failed += 1
            else:
                outcome.retrying += 1


def _item(alert: storage.PendingAlert) -> AlertItem:
    return AlertItem(
        topic=alert.topic,
        title=alert.title,
        url=alert.url,
        source=alert.source,
        published=alert.published,
        snippet=alert.snippet,
        also_reported_by=alert.also_reported_by,
    )


def _send_summary(
    sender: AlertSender, alerts: list[storage.PendingAlert], heading: str
) -> tuple[bool, str | None]:
    key = alerts[0].channel
    fmt = sender.preferred_format(key)
    title, body = render_summary(
        [_item(a) for a in alerts], fmt, heading=heading, max_body=sender.body_limit(key)
    )
    result = sender.send(key, title, body, fmt)
    return result.ok, result.error


def _send_one(sender: AlertSender, alert: storage.PendingAlert) -> tuple[bool, str | None]:
    fmt = sender.preferred_format(alert.channel)
    title, body = render_alert(
        _item(alert),
        fmt,
        max_body=sender.body_limit(alert.channel),
    )
    result = sender.send(alert.channel, title, body, fmt)
    return result.ok, result.error


def deliver_health_notices(cycle: Cycle) -> DeliveryOutcome:
    """Tell the channels tagged ``health.notify_tag`` about feeds that have failed for
    ``health.failing_after_hours`` or were disabled, once, and once more when they recover.
    A notice is recorded only when every channel took it, so none is lost."""
    outcome = DeliveryOutcome()
    health = cycle.settings.health
    channels = cycle.sender.channels_for([health.notify_tag])
    if not channels:
        return outcome
    failing_before = utcnow() - timedelta(hours=health.failing_after_hours)
    with cycle.sessions() as session:
        due = storage.due_health_notices(session, failing_before=failing_before)
    for feed, kind in due:
        delivered = True
        for channel in channels:
            fmt = cycle.sender.preferred_format(channel.key)
            title, body = render_feed_notice(
                kind,
                name=feed.name,
                url=feed.url,
                failures=feed.consecutive_failures,
                failing_since=feed.failing_since,
                last_error=feed.last_error,
                fmt=fmt,
            )
            result = cycle.sender.send(channel.key, title, body, fmt)
            if not result.ok:
                delivered = False
                outcome.errors.append(
                    f"feed notice for {feed.url} via {channel.key}: {result.error}"
                )
        if delivered:
            with storage.transaction(cycle.sessions) as session:
                storage.set_health_notice(session, feed.id, kind)
            outcome.sent += 1
        else:
            outcome.retrying += 1
    return outcome
