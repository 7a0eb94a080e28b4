"""The alert outbox: claim pending alerts atomically, then record what delivery did.

States: ``pending`` -> ``sending`` (claimed) -> ``sent``; alerts of digest topics wait as
``digest`` until a digest claims them; a failed attempt goes back to
``pending`` with a later ``next_attempt_at``, and to ``failed`` after ``max_attempts``.
A claim is a conditional UPDATE (``WHERE status='pending'``), so two workers never claim the same
row. A claim older than the lease (a worker died mid-send) becomes claimable again: that is the
remaining at-least-once window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from storage.clock import utcnow
from storage.models import Alert, Article, Feed, Match, Topic

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))


@dataclass(frozen=True)
class PendingAlert:
    id: int
    channel: str
    topic: str
    title: str
    url: str
    source: str
    published: datetime | None
    snippet: str
    attempts: int
    also_reported_by: tuple[str, ...] = ()


def claim_alerts(
    session: Session,
    *,
    limit: int = 500,
    lease: timedelta = timedelta(minutes=10),
    now: datetime | None = None,
    channel: str | None = None,
    skip_channels: Iterable[str] = (),
    held: bool = False,
    topics: Iterable[str] | None = None,
) -> list[PendingAlert]:
    """Claim up to ``limit`` alerts that are due; return them with what a message needs.

    ``channel`` / ``skip_channels`` restrict the channels; ``held=True`` claims the alerts held
    for a digest instead (optionally only those of ``topics``).
    """
    now = now or utcnow()
    if held:
        due = Alert.status == "digest"
    else:
        due = or_(
            and_(Alert.status == "pending", Alert.next_attempt_at <= now),
            and_(Alert.status == "sending", Alert.claimed_at < now - lease),
        )
    if channel is not None:
        due = and_(due, Alert.channel == channel)
    skipped = list(skip_channels)
    if skipped:
        due = and_(due, Alert.channel.not_in(skipped))
    if topics is not None:
        due = and_(due, Alert.topic_id.in_(select(Topic.id).where(Topic.name.in_(list(topics)))))
    candidates = select(Alert.id).where(due).order_by(Alert.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # other workers' claims in flight are skipped, not waited for
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.scalars(candidates))
    if not ids:
        return []
    claimed = list(
        session.scalars(
            update(Alert)
            .where(Alert.id.in_(ids), due)
            .values(status="sending", claimed_at=now, attempts=Alert.attempts + 1)
            .returning(Alert.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not claimed:
        return []
    rows = session.execute(
        select(
            Alert.id,
            Alert.channel,
            Topic.name,
            Article.title,
            Article.canonical_url,
            func.coalesce(Feed.name, Article.sitename, Feed.url),
            Article.published_at,
            Match.snippet,
            Alert.attempts,
        )
        .join(Topic, Alert.topic_id == Topic.id)
        .join(Article, Alert.article_id == Article.id)
        .join(Feed, Article.feed_id == Feed.id)
        .join(Match, and_(Match.article_id == Alert.article_id, Match.topic_id == Alert.topic_id))
        .where(Alert.id.in_(claimed))
        .order_by(Alert.id)
    )
    pending = [PendingAlert(*row) for row in rows]
    copies = _other_outlets(session, claimed)
    return [replace(p, also_reported_by=copies.get(p.id, ())) for p in pending]


def _other_outlets(session: Session, alert_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """For each alert, the outlets of the other copies of its story (one query)."""
    source = func.coalesce(Feed.name, Article.sitename, Feed.url)
    rows = session.execute(
        select(Alert.id, source, Article.id, Alert.article_id)
        .join(Article, Article.story_id == Alert.story_id)
        .join(Feed, Article.feed_id == Feed.id)
        .where(Alert.id.in_(alert_ids))
        .order_by(Alert.id, Article.id)
    )
    outlets: dict[int, list[str]] = {}
    own: dict[int, str] = {}
    for alert_id, outlet, article_id, alert_article in rows:
        if article_id == alert_article:
            own[alert_id] = outlet
        else:
            outlets.setdefault(alert_id, []).append(outlet)
    return {
        alert_id: tuple(dict.fromkeys(o for o in names if o != own.get(alert_id)))
        for alert_id, names in outlets.items()
    }


def mark_sent(session: Session, alert_id: int) -> None:
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(status="sent", sent_at=utcnow(), last_error=None)
    )


def mark_failed(session: Session, alert_id: int, error: str, *, attempts: int) -> str:
    """Record a failed attempt; schedule a retry or give up. Returns the new status."""
    if attempts > len(RETRY_DELAYS):
        status, next_at = "failed", utcnow()
    else:
        status, next_at = "pending", utcnow() + RETRY_DELAYS[attempts - 1]
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(status=status, last_error=error[:2000], next_attempt_at=next_at, claimed_at=None)
    )
    return status


def release_held(session: Session, alert_ids: Iterable[int], error: str) -> None:
    """A digest could not be sent: hold its alerts for the next digest, with the reason."""
    session.execute(
        update(Alert)
        .where(Alert.id.in_(list(alert_ids)))
        .values(status="digest", last_error=error[:2000], claimed_at=None)
    )


def sent_since(session: Session, channel: str, since: datetime) -> int:
    """How many alerts ``channel`` received since ``since`` (for hourly limits)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Alert)
            .where(Alert.channel == channel, Alert.status == "sent", Alert.sent_at >= since)
        )
        or 0
    )


def count_due(session: Session, channel: str, now: datetime | None = None) -> int:
    now = now or utcnow()
    return int(
        session.scalar(
            select(func.count())
            .select_from(Alert)
            .where(
                Alert.channel == channel,
                Alert.status == "pending",
                Alert.next_attempt_at <= now,
            )
        )
        or 0
    )


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Alert.status, func.count()).group_by(Alert.status))
    return {status: int(count) for status, count in rows}


@dataclass(frozen=True)
class AlertRow:
    id: int
    topic: str
    title: str
    url: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None


def list_alerts(session: Session, *, status: str | None = None, limit: int = 200) -> list[AlertRow]:
    """The outbox, newest first."""
    stmt = (
        select(
            Alert.id,
            Topic.name,
            Article.title,
            Article.canonical_url,
            Alert.channel,
            Alert.status,
            Alert.attempts,
            Alert.last_error,
            Alert.next_attempt_at,
            Alert.sent_at,
        )
        .join(Topic, Alert.topic_id == Topic.id)
        .join(Article, Alert.article_id == Article.id)
        .order_by(Alert.id.desc())
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(Alert.status == status)
    return [AlertRow(*row) for row in session.execute(stmt)]
