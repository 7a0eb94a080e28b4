"""What one monitoring cycle shares and reports: settings, HTTP, database, matcher, channels,
story index and routing (``Cycle``), and the plain-data outcome of each step."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

import storage
from alerts import AlertSender
from extractors import Article, FetchPolicy, Politeness, extract_article
from flows.channels import SecretResolver, hourly_limits, load_channels, topic_channel_keys
from flows.settings import Settings
from matching import StoryIndex, Topic, TopicMatcher
from storage.clock import utcnow

log = logging.getLogger(__name__)

MAX_NEW_ENTRIES_PER_FEED = 100
# Copies of a story published this long after the first still join its story.
STORY_WINDOW = timedelta(days=7)
CHART_DAYS = 30

# Told about each feed as its poll finishes (the CLI's progress bar). A context variable, so a
# caller sets it around a flow run: Prefect carries it into the task threads.
ON_FEED_DONE: ContextVar[Callable[[FeedOutcome], None] | None] = ContextVar(
    "newswatch_on_feed_done", default=None
)


@dataclass(frozen=True)
class NewMatchInfo:
    topic: str
    title: str
    source: str
    url: str
    published: str | None
    snippet: str


@dataclass
class FeedOutcome:
    url: str
    name: str | None
    status: Literal["ok", "not_modified", "failed", "skipped"]
    entries: int = 0
    new_articles: int = 0
    matches: list[NewMatchInfo] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warning: str | None = None
    retries: int = 0


@dataclass
class DeliveryOutcome:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    errors: list[str] = field(default_factory=list)
    feed_notices: int = 0


@dataclass
class CycleReport:
    feeds: list[FeedOutcome]
    delivery: DeliveryOutcome
    duration_seconds: float
    # (topic, YYYY-MM-DD, matches) over the last CHART_DAYS days, for the run's chart
    daily_counts: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [e for outcome in self.feeds for e in outcome.errors] + self.delivery.errors

    @property
    def matches(self) -> list[NewMatchInfo]:
        return [m for outcome in self.feeds for m in outcome.matches]

    def counts(self) -> dict[str, int]:
        return {
            "feeds": len(self.feeds),
            "feeds_ok": sum(o.status == "ok" for o in self.feeds),
            "feeds_not_modified": sum(o.status == "not_modified" for o in self.feeds),
            "feeds_failed": sum(o.status == "failed" for o in self.feeds),
            "feeds_skipped": sum(o.status == "skipped" for o in self.feeds),
            "new_articles": sum(o.new_articles for o in self.feeds),
            "matches": len(self.matches),
            "alerts_sent": self.delivery.sent,
            "alerts_failed": self.delivery.failed,
            "alerts_retrying": self.delivery.retrying,
            "feed_notices": self.delivery.feed_notices,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "duration_seconds": round(self.duration_seconds, 3),
            "feeds": [asdict(o) for o in self.feeds],
            "delivery": asdict(self.delivery),
        }


class Cycle:
    """What one monitoring cycle shares: settings, HTTP, database, matcher and alert channels.

    A plain class (not a dataclass) so that Prefect passes it to tasks by reference.
    """

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        matcher: TopicMatcher,
        sender: AlertSender,
        extractor: Extractor,
    ) -> None:
        self.started, self.started_at = time.perf_counter(), utcnow()
        # Story assignment and the write that records it happen under one lock, so copies of a
        # story arriving through two feeds in the same cycle join one story; the database's
        # story lock (storage.lock_stories) does the same across processes.
        self.store_lock = threading.Lock()
        self.stories = StoryIndex()
        self.stories_seen_id = 0  # the index knows every stored signature up to this article id
        self.settings = settings
        # Each batch fetches on its own event loop and client; they share the limits and the
        # robots.txt answers through one Politeness.
        self.fetch_policy = fetch_policy(settings)
        self.politeness = Politeness(self.fetch_policy)
        self.sessions = sessions
        self.matcher = matcher
        self.sender = sender
        with sessions() as session:
            self.catch_up_stories(session)
        with storage.transaction(sessions) as session:
            self.feed_ids = storage.sync_feeds(session, [(f.url, f.name) for f in settings.feeds])
            self.topic_ids = storage.sync_topics(
                session, [(t.name, t.query) for t in settings.topics]
            )
            self.feed_states = storage.feed_states(session, self.feed_ids.values())
        self.routing = Routing.build(settings, self.topic_ids)
        self.hourly_limits = hourly_limits(settings)
        self.extractor = extractor

    def catch_up_stories(self, session: Session) -> None:
        """Add to the story index every signature stored since it last looked, by this process
        or any other: when the cycle opens, and before each store (under ``store_lock``, after
        ``storage.lock_stories``)."""
        since = self.started_at - STORY_WINDOW
        for article_id, url, signature in storage.recent_signatures(
            session, since=since, after_id=self.stories_seen_id
        ):
            if url not in self.stories:
                self.stories.add(url, signature)
            self.stories_seen_id = article_id


def matcher_from_settings(settings: Settings) -> TopicMatcher:
    return TopicMatcher(
        [
            Topic(name=t.name, query=t.query, default_operator=t.default_operator)
            for t in settings.topics
        ]
    )


@dataclass(frozen=True)
class Routing:
    """Where each topic's matches go: its database id, its channels, digest or immediate."""

    topic_ids: dict[str, int]
    channels: dict[str, tuple[str, ...]]
    digest_topics: frozenset[str]

    @classmethod
    def build(cls, settings: Settings, topic_ids: dict[str, int]) -> Routing:
        return cls(
            topic_ids=topic_ids,
            channels=topic_channel_keys(settings),
            digest_topics=frozenset(t.name for t in settings.topics if t.mode == "digest"),
        )


def fetch_policy(settings: Settings) -> FetchPolicy:
    network = settings.network
    return FetchPolicy(
        user_agent=network.user_agent,
        timeout_seconds=network.timeout_seconds,
        max_bytes=network.max_bytes,
        allow_private=network.allow_private,
        allow_hosts=frozenset(h.lower() for h in network.allow_hosts),
        respect_robots=network.respect_robots,
        max_connections=network.max_connections,
        max_per_host=network.max_per_host,
    )


@contextmanager
def open_cycle(
    settings: Settings, resolve_secret: SecretResolver | None = None, *, alerts: bool = True
) -> Iterator[Cycle]:
    """Open the database (upgrading an embedded SQLite schema), the channels and the
    extraction processes. ``alerts=False`` leaves the channels out (and their secrets
    unresolved), for a cycle that only processes feeds."""
    engine = storage.create_db_engine(settings.database)
    extractor = Extractor(settings.run.extract_processes)
    try:
        storage.ensure_schema(engine, auto_upgrade=storage.is_embedded(engine))
        yield Cycle(
            settings,
            storage.session_factory(engine),
            matcher_from_settings(settings),
            AlertSender(load_channels(settings, resolve_secret) if alerts else []),
            extractor,
        )
    finally:
        extractor.close()
        engine.dispose()


class Extractor:
    """Article extraction spread over processes (it is CPU-bound; threads would share one
    core). The pool starts on first use, with the ``spawn`` method: forking a process that runs
    Prefect's threads is not safe. ``processes=1`` extracts in a thread of this process."""

    def __init__(self, processes: int = 0) -> None:
        self.processes = processes or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    async def extract(self, html: bytes, url: str) -> Article:
        """Extract without blocking the calling event loop."""
        if self.processes <= 1:
            return await asyncio.to_thread(extract_article, html, url)
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=multiprocessing.get_context("spawn")
                )
            pool = self._pool
        return await asyncio.wrap_future(pool.submit(extract_article, html, url))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def finish_cycle(
    cycle: Cycle,
    outcomes: list[FeedOutcome],
    delivery: DeliveryOutcome,
    *,
    flow_run_id: str | None = None,
) -> CycleReport:
    """Build the cycle's report and keep it in the runs table."""
    report = CycleReport(outcomes, delivery, time.perf_counter() - cycle.started)
    with cycle.sessions() as session:
        report.daily_counts = storage.daily_match_counts(
            session, since=cycle.started_at - timedelta(days=CHART_DAYS)
        )
    with storage.transaction(cycle.sessions) as session:
        storage.record_run(
            session,
            flow_run_id=flow_run_id,
            started_at=cycle.started_at,
            counts=report.counts(),
            errors=report.errors,
        )
    return report
