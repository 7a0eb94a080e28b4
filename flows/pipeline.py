"""The monitoring cycle as plain functions: poll a feed, process its new entries, deliver alerts.

This is the only module that knows every stage package; the Prefect flow in ``flows/monitor.py``
calls these functions and adds orchestration (tasks, artifacts), nothing else. Stages exchange
plain data, converted here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import storage
from alerts import AlertItem, AlertSender, render_alert
from extractors import (
    ExtractionError,
    FeedEntry,
    Fetcher,
    FetchError,
    FetchPolicy,
    HTTPStatusError,
    canonical_url,
    extract_article,
    fragment_text,
    make_client,
    parse_feed,
)
from flows.channels import SecretResolver, load_channels, topic_channel_keys
from flows.settings import FeedSettings, Settings
from matching import StoryIndex, Topic, TopicMatch, TopicMatcher, story_signature, tokenize
from storage.clock import utcnow
from storage.models import Feed

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
MAX_NEW_ENTRIES_PER_FEED = 100
# Copies of a story published this long after the first still join its story.
STORY_WINDOW = timedelta(days=7)


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
    status: Literal["ok", "not_modified", "failed"]
    entries: int = 0
    new_articles: int = 0
    matches: list[NewMatchInfo] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warning: str | None = None


@dataclass
class DeliveryOutcome:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class CycleReport:
    feeds: list[FeedOutcome]
    delivery: DeliveryOutcome
    duration_seconds: float

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
            "new_articles": sum(o.new_articles for o in self.feeds),
            "matches": len(self.matches),
            "alerts_sent": self.delivery.sent,
            "alerts_failed": self.delivery.failed,
            "alerts_retrying": self.delivery.retrying,
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
        fetcher: Fetcher,
        sessions: sessionmaker[Session],
        matcher: TopicMatcher,
        sender: AlertSender,
    ) -> None:
        self.started, self.started_at = time.perf_counter(), utcnow()
        # Story assignment and the write that records it happen under one lock, so copies of a
        # story arriving through two feeds in the same cycle join one story.
        self.store_lock = threading.Lock()
        self.stories = StoryIndex()
        self.settings = settings
        self.fetcher = fetcher
        self.sessions = sessions
        self.matcher = matcher
        self.sender = sender
        with sessions() as session:
            since = self.started_at - STORY_WINDOW
            for url, signature in storage.recent_signatures(session, since=since):
                self.stories.add(url, signature)
        with storage.transaction(sessions) as session:
            self.feed_ids = storage.sync_feeds(session, [(f.url, f.name) for f in settings.feeds])
            self.topic_ids = storage.sync_topics(
                session, [(t.name, t.query) for t in settings.topics]
            )
        self.topic_channels = topic_channel_keys(settings)


def matcher_from_settings(settings: Settings) -> TopicMatcher:
    return TopicMatcher(
        [
            Topic(name=t.name, query=t.query, default_operator=t.default_operator)
            for t in settings.topics
        ]
    )


def new_matches(
    found: Iterable[TopicMatch],
    topic_ids: dict[str, int],
    topic_channels: dict[str, tuple[str, ...]],
) -> tuple[storage.NewMatch, ...]:
    """Matcher results as rows for storage, each with the channels to alert."""
    return tuple(
        storage.NewMatch(
            topic_id=topic_ids[m.topic],
            terms=[asdict(t) for t in m.terms],
            snippet=m.snippet,
            channels=topic_channels.get(m.topic, ()),
        )
        for m in found
    )


def index_tokens(title: str, text: str) -> str:
    """The matcher's normalised tokens, as the search index stores them."""
    return " ".join(token.norm for part in (title, text) for token in tokenize(part))


def fetch_policy(settings: Settings) -> FetchPolicy:
    network = settings.network
    return FetchPolicy(
        user_agent=network.user_agent,
        timeout_seconds=network.timeout_seconds,
        max_bytes=network.max_bytes,
        allow_private=network.allow_private,
        allow_hosts=frozenset(h.lower() for h in network.allow_hosts),
    )


@contextmanager
def open_cycle(settings: Settings, resolve_secret: SecretResolver | None = None) -> Iterator[Cycle]:
    """Open the database (upgrading an embedded SQLite schema), the HTTP client and the channels."""
    engine = storage.create_db_engine(settings.database)
    try:
        storage.ensure_schema(engine, auto_upgrade=storage.is_embedded(engine))
        policy = fetch_policy(settings)
        with make_client(policy) as client:
            yield Cycle(
                settings,
                Fetcher(policy, client),
                storage.session_factory(engine),
                matcher_from_settings(settings),
                AlertSender(load_channels(settings, resolve_secret)),
            )
    finally:
        engine.dispose()


def process_feed(cycle: Cycle, feed: FeedSettings) -> FeedOutcome:
    """Poll one feed and store its new entries with their matches and outbox rows.

    Never raises: every fault is recorded on the feed and in the outcome.
    """
    outcome = FeedOutcome(url=feed.url, name=feed.name, status="ok")
    feed_id = cycle.feed_ids[feed.url]
    try:
        _poll_and_store(cycle, feed, feed_id, outcome)
    except FetchError as exc:
        _fail(cycle, feed_id, outcome, str(exc))
    except Exception as exc:  # a bug must not stop the other feeds; it is logged in full
        log.exception("internal error while processing feed %s", feed.url)
        _fail(cycle, feed_id, outcome, f"{feed.url}: internal error {type(exc).__name__}: {exc}")
    return outcome


def _fail(cycle: Cycle, feed_id: int, outcome: FeedOutcome, error: str) -> None:
    log.warning("feed failed: %s", error)
    outcome.status = "failed"
    outcome.errors.append(error)
    with storage.transaction(cycle.sessions) as session:
        storage.record_poll(session, feed_id, error=error)


def _poll_and_store(cycle: Cycle, feed: FeedSettings, feed_id: int, outcome: FeedOutcome) -> None:
    with cycle.sessions() as session:
        etag, last_modified = session.execute(
            select(Feed.etag, Feed.last_modified).where(Feed.id == feed_id)
        ).one()
    response = cycle.fetcher.get(
        feed.url, etag=etag, last_modified=last_modified, accept=FEED_ACCEPT
    )
    if response.not_modified:
        outcome.status = "not_modified"
        with storage.transaction(cycle.sessions) as session:
            storage.record_poll(session, feed_id, error=None)
        return
    parsed = parse_feed(response.body, response.final_url, response.headers)
    if parsed.error:
        _fail(cycle, feed_id, outcome, parsed.error)
        return
    outcome.warning = parsed.warning
    outcome.entries = len(parsed.entries)
    with cycle.sessions() as session:
        known = storage.known_entries(
            session,
            feed_id,
            (e.guid for e in parsed.entries),
            (canonical_url(e.url) for e in parsed.entries),
        )
    fresh = [e for e in parsed.entries if e.guid not in known and canonical_url(e.url) not in known]
    articles = []
    for entry in fresh[:MAX_NEW_ENTRIES_PER_FEED]:
        article = _article_for(cycle, feed, entry, outcome)
        if article is not None:
            articles.append(article)
    with cycle.store_lock, storage.transaction(cycle.sessions) as session:
        articles = group_stories(cycle.stories, articles)
        stored = storage.store_articles(session, feed_id, articles)
        storage.record_poll(
            session, feed_id, error=None, etag=response.etag, last_modified=response.last_modified
        )
    outcome.new_articles = stored.new_articles
    by_url = {a.canonical_url: a for a in articles}
    topic_names = {topic_id: name for name, topic_id in cycle.topic_ids.items()}
    for match in stored.matches:
        article = by_url[match.canonical_url]
        snippet = next(m.snippet for m in article.matches if m.topic_id == match.topic_id)
        outcome.matches.append(
            NewMatchInfo(
                topic=topic_names[match.topic_id],
                title=article.title,
                source=feed.name or article.sitename or feed.url,
                url=article.canonical_url,
                published=article.published_at.isoformat() if article.published_at else None,
                snippet=snippet,
            )
        )


def group_stories(
    index: StoryIndex, articles: list[storage.NewArticle]
) -> list[storage.NewArticle]:
    """Link each article to an earlier copy of its story, if the index knows one, and add it to
    the index. Call under the cycle's store lock, right before storing."""
    linked = []
    for article in articles:
        signature = tuple(article.signature or ())
        earlier = index.find(signature) if signature else None
        if signature and article.canonical_url not in index:
            index.add(article.canonical_url, signature)
        linked.append(replace(article, same_story_as=str(earlier) if earlier else None))
    return linked


def _article_for(
    cycle: Cycle, feed: FeedSettings, entry: FeedEntry, outcome: FeedOutcome
) -> storage.NewArticle | None:
    """Fetch and extract an entry's page; fall back to the feed's summary when the page refuses
    us or holds no text. A transient failure returns None: the entry is retried next cycle."""
    text_source = "page"
    try:
        page = cycle.fetcher.get(entry.url)
        extracted = extract_article(page.body, page.final_url)
        title = entry.title or extracted.title or page.final_url
        text, url = extracted.text, extracted.canonical_url
        author, language, sitename = extracted.author, extracted.language, extracted.sitename
        published = entry.published or extracted.published
    except (HTTPStatusError, ExtractionError) as exc:
        if isinstance(exc, HTTPStatusError) and exc.status >= 500:
            outcome.errors.append(f"{exc} (will retry next cycle)")
            return None
        summary = fragment_text(entry.summary)
        if not summary:
            outcome.errors.append(f"{exc}; the feed gives no summary to fall back on")
            return None
        outcome.errors.append(f"{exc}; used the feed's summary instead")
        text_source, text, title, url = "feed", summary, entry.title, canonical_url(entry.url)
        author, language, sitename, published = entry.author, None, None, entry.published
    except FetchError as exc:
        outcome.errors.append(f"{exc} (will retry next cycle)")
        return None
    source = feed.name or sitename or feed.url
    found = cycle.matcher.match(title, text, source=source, lang=language)
    matches = new_matches(found, cycle.topic_ids, cycle.topic_channels)
    return storage.NewArticle(
        index_text=index_tokens(title, text),
        signature=list(story_signature(text)) or None,
        canonical_url=url,
        guid=entry.guid,
        title=title,
        text=text,
        text_source=text_source,
        author=author,
        published_at=published,
        language=language,
        sitename=sitename,
        matches=matches,
    )


def deliver_alerts(cycle: Cycle, *, limit: int = 1000) -> DeliveryOutcome:
    """Send every due alert of the outbox once, recording each outcome as it happens.

    Alerts are claimed one at a time, just before sending: if the process dies, only the alert
    in flight stays claimed (and is retried once its claim expires); the others stay pending
    for the next cycle.
    """
    outcome = DeliveryOutcome()
    known = {c.key for c in cycle.sender.channels}
    for _ in range(limit):
        with storage.transaction(cycle.sessions) as session:
            claimed = storage.claim_alerts(session, limit=1)
        if not claimed:
            break
        alert = claimed[0]
        error: str | None
        if alert.channel not in known:
            ok, error = False, f"channel {alert.channel} is no longer in the config; not sent"
        else:
            ok, error = _send_one(cycle.sender, alert)
        with storage.transaction(cycle.sessions) as session:
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
    return outcome


def _send_one(sender: AlertSender, alert: storage.PendingAlert) -> tuple[bool, str | None]:
    fmt = sender.preferred_format(alert.channel)
    title, body = render_alert(
        AlertItem(
            topic=alert.topic,
            title=alert.title,
            url=alert.url,
            source=alert.source,
            published=alert.published,
            snippet=alert.snippet,
            also_reported_by=alert.also_reported_by,
        ),
        fmt,
        max_body=sender.body_limit(alert.channel),
    )
    result = sender.send(alert.channel, title, body, fmt)
    return result.ok, result.error


def finish_cycle(
    cycle: Cycle,
    outcomes: list[FeedOutcome],
    delivery: DeliveryOutcome,
    *,
    flow_run_id: str | None = None,
) -> CycleReport:
    """Build the cycle's report and keep it in the runs table."""
    report = CycleReport(outcomes, delivery, time.perf_counter() - cycle.started)
    with storage.transaction(cycle.sessions) as session:
        storage.record_run(
            session,
            flow_run_id=flow_run_id,
            started_at=cycle.started_at,
            counts=report.counts(),
            errors=report.errors,
        )
    return report


def run_cycle(settings: Settings) -> CycleReport:
    """One whole cycle without Prefect (for benchmarks and tests of the plain functions)."""
    with open_cycle(settings) as cycle:
        outcomes = [process_feed(cycle, feed) for feed in settings.feeds]
        return finish_cycle(cycle, outcomes, deliver_alerts(cycle))
