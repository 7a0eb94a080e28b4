"""Feed health: which feeds are failing, backing off or disabled, and which health notices are
due (one when a feed starts failing for long or is disabled, one when it recovers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Feed

NoticeKind = Literal["failing", "disabled", "recovered"]


@dataclass(frozen=True)
class FeedHealth:
    id: int
    url: str
    name: str | None
    consecutive_failures: int
    last_error: str | None
    last_success_at: datetime | None
    failing_since: datetime | None
    next_poll_at: datetime | None
    disabled: bool
    health_notice: str | None


def feed_health(session: Session, *, only_unhealthy: bool = False) -> list[FeedHealth]:
    """Every feed's health, failing ones first."""
    stmt = select(
        Feed.id,
        Feed.url,
        Feed.name,
        Feed.consecutive_failures,
        Feed.last_error,
        Feed.last_success_at,
        Feed.failing_since,
        Feed.next_poll_at,
        Feed.disabled,
        Feed.health_notice,
    ).order_by(Feed.disabled.desc(), Feed.consecutive_failures.desc(), Feed.url)
    if only_unhealthy:
        stmt = stmt.where(or_(Feed.disabled, Feed.consecutive_failures > 0))
    return [FeedHealth(*row) for row in session.execute(stmt)]


def due_health_notices(
    session: Session, *, failing_before: datetime
) -> list[tuple[FeedHealth, NoticeKind]]:
    """Notices to send now: feeds disabled, or failing since before ``failing_before``, that
    were not yet announced; and announced feeds that work again."""
    due: list[tuple[FeedHealth, NoticeKind]] = []
    candidates = select(Feed.id).where(
        or_(
            and_(
                Feed.disabled, or_(Feed.health_notice.is_(None), Feed.health_notice != "disabled")
            ),
            and_(
                ~Feed.disabled,
                Feed.health_notice.is_(None),
                Feed.failing_since.is_not(None),
                Feed.failing_since <= failing_before,
            ),
            and_(~Feed.disabled, Feed.health_notice.is_not(None), Feed.consecutive_failures == 0),
        )
    )
    ids = set(session.scalars(candidates))
    for feed in feed_health(session):
        if feed.id not in ids:
            continue
        if feed.disabled:
            due.append((feed, "disabled"))
        elif feed.health_notice is None:
            due.append((feed, "failing"))
        else:
            due.append((feed, "recovered"))
    return due


def set_health_notice(session: Session, feed_id: int, kind: NoticeKind) -> None:
    """Remember the notice sent, so it is sent once: "recovered" clears the state."""
    session.execute(
        update(Feed)
        .where(Feed.id == feed_id)
        .values(health_notice=None if kind == "recovered" else kind)
    )
