"""Idempotent writes. Every insert is insert-or-ignore on a unique constraint, so a retried task,
a re-run or two workers at once can never store an item twice. A feed's batch is one transaction:
articles, their matches and their outbox rows land together or not at all."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.clock import utcnow
from storage.models import Alert, Article, Feed, Match, Run, Story, Topic
from storage.search import index_articles


@dataclass(frozen=True)
class NewMatch:
    topic_id: int
    terms: list[dict[str, Any]]
    snippet: str
    channels: tuple[str, ...] = ()
    held: bool = False  # a digest topic: the alert waits for the digest


@dataclass(frozen=True)
class NewArticle:
    canonical_url: str
    guid: str
    title: str
    text: str = field(repr=False)
    text_source: str
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    sitename: str | None = None
    matches: tuple[NewMatch, ...] = ()
    signature: list[int] | None = field(default=None, repr=False)
    # canonical URL of an earlier copy of the same story (stored, or earlier in this batch)
    same_story_as: str | None = None
    # the matcher's normalised tokens of title and text, for the search index
    index_text: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class StoredMatch:
    article_id: int
    topic_id: int
    canonical_url: str
    title: str
    story_id: int


@dataclass(frozen=True)
class StoredBatch:
    """What a batch write actually created (duplicates skipped)."""

    new_articles: int
    matches: list[StoredMatch]


def _insert(session: Session, table: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def query_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def sync_feeds(session: Session, feeds: Sequence[tuple[str, str | None]]) -> dict[str, int]:
    """Upsert the configured feeds (url, name); return url -> id. Removed feeds are kept."""
    if feeds:
        stmt = _insert(session, Feed.__table__).values(
            [{"url": url, "name": name, "created_at": utcnow()} for url, name in feeds]
        )
        session.execute(
            stmt.on_conflict_do_update(index_elements=["url"], set_={"name": stmt.excluded.name})
        )
    urls = [url for url, _ in feeds]
    rows = session.execute(select(Feed.url, Feed.id).where(Feed.url.in_(urls)))
    return {url: feed_id for url, feed_id in rows}


def sync_topics(session: Session, topics: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Upsert the configured topics (name, query); return name -> id."""
    if topics:
        stmt = _insert(session, Topic.__table__).values(
            [
                {"name": n, "query": q, "query_hash": query_hash(q), "created_at": utcnow()}
                for n, q in topics
            ]
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["name"],
                set_={"query": stmt.excluded.query, "query_hash": stmt.excluded.query_hash},
            )
        )
    names = [name for name, _ in topics]
    rows = session.execute(select(Topic.name, Topic.id).where(Topic.name.in_(names)))
    return {name: topic_id for name, topic_id in rows}


def known_entries_statement(feed_id: int, guids: list[str], urls: list[str]) -> Any:
    """The dedupe lookup of a feed batch; both branches use an index (feed_id+guid, url)."""
    return select(Article.guid, Article.canonical_url, Article.feed_id).where(
        or_(
            (Article.feed_id == feed_id) & Article.guid.in_(guids),
            Article.canonical_url.in_(urls),
        )
    )


def known_entries(
    session: Session, feed_id: int, guids: Iterable[str], urls: Iterable[str]
) -> set[str]:
    """The guids and canonical URLs among those given that are already stored (one query)."""
    guids, urls = list(guids), list(urls)
    if not guids and not urls:
        return set()
    rows = session.execute(known_entries_statement(feed_id, guids, urls))
    known: set[str] = set()
    for guid, url, owner in rows:
        if owner == feed_id:
            known.add(guid)
        known.add(url)
    return known


@dataclass(frozen=True)
class FeedState:
    """What a poll needs to know about a feed before fetching it."""

    id: int
    url: str
    current_url: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    polls_since_full: int
    consecutive_failures: int
    disabled: bool
    next_poll_at: datetime | None

    @property
    def poll_url(self) -> str:
        return self.current_url or self.url


def feed_states(session: Session, feed_ids: Iterable[int]) -> dict[int, FeedState]:
    """The poll state of every feed of the cycle (one query)."""
    rows = session.execute(
        select(
            Feed.id,
            Feed.url,
            Feed.current_url,
            Feed.etag,
            Feed.last_modified,
            Feed.body_hash,
            Feed.polls_since_full,
            Feed.consecutive_failures,
            Feed.disabled,
            Feed.next_poll_at,
        ).where(Feed.id.in_(list(feed_ids)))
    )
    return {row[0]: FeedState(*row) for row in rows}


def record_success(
    session: Session,
    feed_id: int,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    body_hash: str | None = None,
    full_fetch: bool = False,
    moved_to: str | None = None,
) -> None:
    """A poll worked (including "not modified"): reset the health fields, keep the validators
    and body hash for the next conditional poll, and count polls since the last full fetch."""
    now = utcnow()
    values: dict[str, Any] = {
        "last_polled_at": now,
        "last_success_at": now,
        "consecutive_failures": 0,
        "last_error": None,
        "failing_since": None,
        "next_poll_at": None,
        "polls_since_full": 0 if full_fetch else Feed.polls_since_full + 1,
    }
    if etag is not None or last_modified is not None:
        values |= {"etag": etag, "last_modified": last_modified}
    if body_hash is not None:
        values["body_hash"] = body_hash
    if moved_to is not None:
        values["current_url"] = moved_to
    session.execute(update(Feed).where(Feed.id == feed_id).values(**values))


def record_failure(
    session: Session,
    feed_id: int,
    *,
    error: str,
    retry_at: datetime | None = None,
    disable: bool = False,
) -> None:
    """A poll failed: count it, keep the error, note since when the feed fails, and when to try
    again (None: next cycle). ``disable`` stops polling it (410 Gone)."""
    now = utcnow()
    values: dict[str, Any] = {
        "last_polled_at": now,
        "consecutive_failures": Feed.consecutive_failures + 1,
        "last_error": error[:2000],
        "failing_since": func.coalesce(Feed.failing_since, now),
        "next_poll_at": retry_at,
    }
    if disable:
        values["disabled"] = True
    session.execute(update(Feed).where(Feed.id == feed_id).values(**values))


STORY_LOCK_KEY = 0x6E657773  # "news": PostgreSQL advisory lock held while stories are assigned


def lock_stories(session: Session) -> None:
    """Make this transaction the only one, in any process, that assigns stories until it ends.

    Call first in the transaction that groups and stores articles, then read what other
    processes stored meanwhile (``recent_signatures(after_id=...)``): copies of one story stored
    by two workers at the same moment then join one story. PostgreSQL takes a transaction-level
    advisory lock; SQLite takes its write lock (a write statement that changes no row), which
    also makes the reads that follow see every committed write.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(STORY_LOCK_KEY)))
    else:
        session.execute(update(Story).where(Story.id < 0).values(id=Story.id))


def store_articles(session: Session, feed_id: int, articles: Sequence[NewArticle]) -> StoredBatch:
    """Insert new articles with their stories, matches and outbox rows; report what was created.

    An article whose canonical URL is already stored is skipped with everything attached to it,
    so a re-run creates nothing twice. An article that is a copy of an earlier one
    (``same_story_as``) joins that article's story; its matches are stored, but the outbox row
    already exists for the story, so no second alert is queued.
    """
    if not articles:
        return StoredBatch(0, [])
    now = utcnow()
    rows = [
        {
            "canonical_url": a.canonical_url,
            "guid": a.guid,
            "feed_id": feed_id,
            "title": a.title,
            "author": a.author,
            "published_at": a.published_at,
            "fetched_at": now,
            "language": a.language,
            "sitename": a.sitename,
            "text": a.text,
            "text_source": a.text_source,
            "content_hash": content_hash(a.text),
            "signature": a.signature,
        }
        for a in articles
    ]
    stmt = _insert(session, Article.__table__).values(rows)
    stmt = stmt.on_conflict_do_nothing(index_elements=["canonical_url"])
    inserted = session.execute(stmt.returning(Article.id, Article.canonical_url)).all()
    new_ids = {url: article_id for article_id, url in inserted}
    fresh = [a for a in articles if a.canonical_url in new_ids]
    stories = _assign_stories(session, fresh, new_ids, now)
    index_articles(
        session,
        [(new_ids[a.canonical_url], a.index_text or a.title + " " + a.text) for a in fresh],
    )
    match_rows: list[dict[str, Any]] = []
    alert_rows: list[dict[str, Any]] = []
    created: list[StoredMatch] = []
    for article in fresh:
        article_id, story_id = new_ids[article.canonical_url], stories[article.canonical_url]
        for match in article.matches:
            match_rows.append(
                {
                    "article_id": article_id,
                    "topic_id": match.topic_id,
                    "terms": match.terms,
                    "snippet": match.snippet,
                    "matched_at": now,
                }
            )
            alert_rows.extend(
                {
                    "topic_id": match.topic_id,
                    "article_id": article_id,
                    "story_id": story_id,
                    "channel": channel,
                    "status": "digest" if match.held else "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for channel in match.channels
            )
            created.append(
                StoredMatch(
                    article_id, match.topic_id, article.canonical_url, article.title, story_id
                )
            )
    if match_rows:
        session.execute(
            _insert(session, Match.__table__)
            .values(match_rows)
            .on_conflict_do_nothing(index_elements=["article_id", "topic_id"])
        )
    if alert_rows:
        session.execute(
            _insert(session, Alert.__table__)
            .values(alert_rows)
            .on_conflict_do_nothing(index_elements=["topic_id", "story_id", "channel"])
        )
    return StoredBatch(len(new_ids), created)


def _assign_stories(
    session: Session, fresh: Sequence[NewArticle], ids: dict[str, int], now: datetime
) -> dict[str, int]:
    """Give each newly inserted article a story: its earlier copy's, or a new one.

    Three statements whatever the batch size: read the stories of earlier copies, insert the
    new stories, set every article's story.
    """
    earlier = {a.same_story_as for a in fresh if a.same_story_as} - set(ids)
    known: dict[str, int] = {}
    if earlier:
        found = session.execute(
            select(Article.canonical_url, Article.story_id).where(
                Article.canonical_url.in_(earlier), Article.story_id.is_not(None)
            )
        )
        known = {url: story_id for url, story_id in found if story_id is not None}
    leader: dict[str, str] = {}  # article URL -> URL of the batch article that opens its story
    for article in fresh:
        target = article.same_story_as
        if target in leader:
            leader[article.canonical_url] = leader[target]
        elif target in known:
            continue
        else:
            leader[article.canonical_url] = article.canonical_url
    openers = sorted({ids[url] for url in leader.values()})
    story_of_opener: dict[int, int] = {}
    if openers:
        created = session.execute(
            _insert(session, Story.__table__)
            .values([{"first_seen_at": now, "representative_article_id": i} for i in openers])
            .returning(Story.id, Story.representative_article_id)
        )
        story_of_opener = {opener: story_id for story_id, opener in created}
    assigned = {
        a.canonical_url: (
            story_of_opener[ids[leader[a.canonical_url]]]
            if a.canonical_url in leader
            else known[str(a.same_story_as)]
        )
        for a in fresh
    }
    if assigned:
        session.execute(
            update(Article),
            [{"id": ids[url], "story_id": story_id} for url, story_id in assigned.items()],
        )
    return assigned


def record_run(
    session: Session,
    *,
    flow_run_id: str | None,
    started_at: datetime,
    counts: dict[str, int],
    errors: list[str],
) -> int:
    """Keep one row per cycle: when it ran, what it counted, what went wrong."""
    run = Run(
        flow_run_id=flow_run_id,
        started_at=started_at,
        finished_at=utcnow(),
        counts=counts,
        errors=[e[:1000] for e in errors[:200]],
    )
    session.add(run)
    session.flush()
    return run.id


def store_matches(
    session: Session, rows: Sequence[tuple[int, int | None, NewMatch]], *, queue_alerts: bool
) -> int:
    """Store matches found for already stored articles (a topic backfill): (article id, story id,
    match). Existing matches are kept as they are; returns how many were new. Alerts are queued
    only when asked, so a backfill does not flood the channels with old news by default."""
    if not rows:
        return 0
    now = utcnow()
    inserted = session.execute(
        _insert(session, Match.__table__)
        .values(
            [
                {
                    "article_id": article_id,
                    "topic_id": m.topic_id,
                    "terms": m.terms,
                    "snippet": m.snippet,
                    "matched_at": now,
                }
                for article_id, _, m in rows
            ]
        )
        .on_conflict_do_nothing(index_elements=["article_id", "topic_id"])
        .returning(Match.article_id)
    ).all()
    new = {article_id for (article_id,) in inserted}
    alerts = [
        {
            "topic_id": m.topic_id,
            "article_id": article_id,
            "story_id": story_id,
            "channel": channel,
            "status": "digest" if m.held else "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for article_id, story_id, m in rows
        if queue_alerts and article_id in new and story_id is not None
        for channel in m.channels
    ]
    if alerts:
        session.execute(
            _insert(session, Alert.__table__)
            .values(alerts)
            .on_conflict_do_nothing(index_elements=["topic_id", "story_id", "channel"])
        )
    return len(new)


def prune_texts(session: Session, *, older_than: datetime) -> int:
    """Drop the text (and near-duplicate signature) of articles fetched before ``older_than``
    that no topic matched. Every article row, match and alert is kept. Returns how many."""
    matched = select(Match.article_id)
    result = session.execute(
        update(Article)
        .where(
            Article.fetched_at < older_than,
            Article.text.is_not(None),
            Article.id.not_in(matched),
        )
        .values(text=None, signature=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
