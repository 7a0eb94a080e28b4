"""Ingest: poll one feed, fetch and extract its new entries, match them, group stories and
store everything in one transaction per feed.

A batch of feeds is polled on one asyncio event loop (:func:`process_batch`): the feeds, and the
new entries of each feed, are fetched concurrently, paced by the cycle's connection limits (per
host and in total, shared with the other batches). Extraction goes to the cycle's process pool
and database work to threads, so neither holds up the loop."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from functools import partial

from sqlalchemy.orm import Session

import storage
from extractors import (
    BlockedAddressError,
    ExtractionError,
    FeedEntry,
    Fetcher,
    FetchError,
    FetchResult,
    GoneError,
    HTTPStatusError,
    ResponseTooLargeError,
    RetryLaterError,
    RobotsDisallowedError,
    canonical_url,
    fragment_text,
    host_of,
    make_client,
    parse_feed,
)
from extractors.language import detect_language
from flows.cycle import (
    MAX_NEW_ENTRIES_PER_FEED,
    ON_FEED_DONE,
    Cycle,
    FeedOutcome,
    NewMatchInfo,
    Routing,
)
from flows.settings import FeedSettings, HealthSettings, RunSettings
from matching import StoryIndex, TopicMatch, story_signature, tokenize
from storage.clock import utcnow

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def new_matches(found: Iterable[TopicMatch], routing: Routing) -> tuple[storage.NewMatch, ...]:
    """Matcher results as rows for storage, each with the channels to alert."""
    return tuple(
        storage.NewMatch(
            topic_id=routing.topic_ids[m.topic],
            terms=[t._asdict() for t in m.terms],
            snippet=m.snippet,
            channels=routing.channels.get(m.topic, ()),
            held=m.topic in routing.digest_topics,
        )
        for m in found
    )


def index_tokens(title: str, text: str) -> str:
    """The matcher's normalised tokens, as the search index stores them."""
    return " ".join(token.norm for part in (title, text) for token in tokenize(part))


async def process_feed(cycle: Cycle, fetcher: Fetcher, feed: FeedSettings) -> FeedOutcome:
    """Poll one feed and store its new entries with their matches and outbox rows.

    Never raises: every fault is recorded on the feed (health, backoff) and in the outcome.
    """
    outcome = FeedOutcome(url=feed.url, name=feed.name, status="ok")
    feed_id = cycle.feed_ids[feed.url]
    state = cycle.feed_states[feed_id]
    if state.disabled:
        outcome.status = "skipped"
        outcome.warning = "disabled (the server answered 410 Gone); remove it from the config"
        return outcome
    if state.next_poll_at is not None and state.next_poll_at > cycle.started_at:
        outcome.status = "skipped"
        outcome.warning = f"backing off after {state.consecutive_failures} failure(s) until " + (
            state.next_poll_at.isoformat(timespec="seconds")
        )
        return outcome
    try:
        await _poll_and_store(cycle, fetcher, feed, state, outcome)
    except GoneError as exc:
        await _fail(cycle, state, outcome, str(exc), disable=True)
    except RetryLaterError as exc:
        await _fail(cycle, state, outcome, str(exc), wait=exc.retry_after_seconds)
    except FetchError as exc:
        await _fail(cycle, state, outcome, str(exc))
    except Exception as exc:  # a bug must not stop the other feeds; it is logged in full
        log.exception("internal error while processing feed %s", feed.url)
        error = f"{feed.url}: internal error {type(exc).__name__}: {exc}"
        await _fail(cycle, state, outcome, error)
    return outcome


def plan_batches(feeds: list[FeedSettings], settings: RunSettings) -> list[list[FeedSettings]]:
    """Split the feeds into batches of at most ``batch_size``, feeds of one host together (so a
    batch's per-host limit paces that host), keeping only this worker's shard."""
    if settings.shard is not None:
        index, count = settings.shard
        feeds = [f for f in feeds if _shard_of(f.url, count) == index]
    ordered = sorted(feeds, key=lambda f: (host_of(f.url), f.url))
    size = settings.batch_size
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _shard_of(url: str, count: int) -> int:
    digest = hashlib.sha256(url.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


def process_batch(cycle: Cycle, feeds: list[FeedSettings]) -> list[FeedOutcome]:
    """Poll a batch of feeds concurrently on a new event loop in this thread (a task's thread):
    at most ``run.feeds_at_once`` feeds at a time, every request within the cycle's per-host
    and total connection limits. The outcomes come back in the order of ``feeds``."""
    return asyncio.run(poll_batch(cycle, feeds))


async def poll_batch(cycle: Cycle, feeds: list[FeedSettings]) -> list[FeedOutcome]:
    """:func:`process_batch` on the running event loop, with one HTTP client for the batch."""
    report = ON_FEED_DONE.get()
    gate = asyncio.Semaphore(cycle.settings.run.feeds_at_once)
    async with make_client(cycle.fetch_policy) as client:
        fetcher = Fetcher(cycle.fetch_policy, client, politeness=cycle.politeness)

        async def one(feed: FeedSettings) -> FeedOutcome:
            async with gate:
                outcome = await process_feed(cycle, fetcher, feed)
            if report is not None:
                report(outcome)
            return outcome

        return list(await asyncio.gather(*(one(feed) for feed in feeds)))


def is_transient(exc: FetchError) -> bool:
    """Worth another try in a few seconds: timeouts, refused or reset connections, 5xx and a
    short Retry-After. Not: 4xx, 410, the SSRF guard, size caps, robots.txt."""
    if isinstance(exc, RetryLaterError):
        return exc.retry_after_seconds is None or exc.retry_after_seconds <= 10
    if isinstance(exc, HTTPStatusError):
        return exc.status >= 500
    return not isinstance(exc, BlockedAddressError | ResponseTooLargeError | RobotsDisallowedError)


async def fetch_with_retries(
    fetch: Callable[[], Awaitable[FetchResult]], delays: Sequence[float], outcome: FeedOutcome
) -> FetchResult:
    """One feed's fetch, retried inside its batch after each of ``delays`` seconds when the
    failure is transient (the batch itself is never re-run). The last failure is raised."""
    for attempt, delay in enumerate([*delays, None]):
        try:
            return await fetch()
        except FetchError as exc:
            if delay is None or not is_transient(exc):
                raise
            outcome.retries = attempt + 1
            log.info("retrying in %.1fs after: %s", delay, exc)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # the loop returns or raises


def backoff(failures: int, health: HealthSettings) -> timedelta:
    """How long a feed rests after its ``failures``-th failure in a row: nothing after the
    first, then doubling from ``backoff_minutes`` up to ``max_backoff_hours``."""
    if failures <= 1:
        return timedelta(0)
    minutes = health.backoff_minutes * 2 ** (failures - 2)
    return min(timedelta(minutes=minutes), timedelta(hours=health.max_backoff_hours))


async def _fail(
    cycle: Cycle,
    state: storage.FeedState,
    outcome: FeedOutcome,
    error: str,
    *,
    disable: bool = False,
    wait: float | None = None,
) -> None:
    log.warning("feed failed: %s", error)
    outcome.status = "failed"
    outcome.errors.append(error)
    rest = backoff(state.consecutive_failures + 1, cycle.settings.health)
    if wait is not None:
        rest = max(rest, timedelta(seconds=wait))
    retry_at = utcnow() + rest if rest else None

    def record() -> None:
        with storage.transaction(cycle.sessions) as session:
            storage.record_failure(
                session, state.id, error=error, retry_at=retry_at, disable=disable
            )

    await asyncio.to_thread(record)


async def _poll_and_store(
    cycle: Cycle,
    fetcher: Fetcher,
    feed: FeedSettings,
    state: storage.FeedState,
    outcome: FeedOutcome,
) -> None:
    feed_id = state.id
    # Some servers answer 304 forever: every Nth poll goes without validators.
    full = state.polls_since_full + 1 >= cycle.settings.network.full_fetch_every
    response = await fetch_with_retries(
        lambda: fetcher.get(
            state.poll_url,
            etag=None if full else state.etag,
            last_modified=None if full else state.last_modified,
            accept=FEED_ACCEPT,
            respect_robots=False,
        ),
        cycle.settings.run.retry_delays,
        outcome,
    )
    moved_to = response.final_url if response.permanent_redirect else None
    if moved_to:
        outcome.warning = f"moved permanently to {moved_to}; polled there from now on"
    body_hash = hashlib.sha256(response.body).hexdigest() if not response.not_modified else None
    success = partial(
        storage.record_success,
        feed_id=feed_id,
        etag=response.etag,
        last_modified=response.last_modified,
        full_fetch=full,
        moved_to=moved_to,
    )
    if response.not_modified or body_hash == state.body_hash:
        outcome.status = "not_modified"
        await asyncio.to_thread(_record_success, cycle, success)
        return
    parsed = await asyncio.to_thread(
        parse_feed, response.body, response.final_url, response.headers, now=utcnow()
    )
    if parsed.error:
        await _fail(cycle, state, outcome, parsed.error)
        return
    outcome.warning = "; ".join(w for w in (outcome.warning, parsed.warning) if w) or None
    outcome.entries = len(parsed.entries)
    fresh = await asyncio.to_thread(_fresh_entries, cycle, feed_id, parsed.entries)
    found = await asyncio.gather(
        *(
            _article_for(cycle, fetcher, feed, entry, outcome)
            for entry in fresh[:MAX_NEW_ENTRIES_PER_FEED]
        )
    )
    articles = [article for article in found if article is not None]
    success = partial(success, body_hash=body_hash)
    articles, stored = await asyncio.to_thread(_store, cycle, feed_id, articles, success)
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


def _fresh_entries(cycle: Cycle, feed_id: int, entries: Sequence[FeedEntry]) -> list[FeedEntry]:
    """The entries not stored yet, by GUID or canonical URL."""
    with cycle.sessions() as session:
        known = storage.known_entries(
            session,
            feed_id,
            (e.guid for e in entries),
            (canonical_url(e.url) for e in entries),
        )
    return [e for e in entries if e.guid not in known and canonical_url(e.url) not in known]


def _record_success(cycle: Cycle, success: Callable[[Session], None]) -> None:
    with storage.transaction(cycle.sessions) as session:
        success(session)


def _store(
    cycle: Cycle,
    feed_id: int,
    articles: list[storage.NewArticle],
    success: Callable[[Session], None],
) -> tuple[list[storage.NewArticle], storage.StoredBatch]:
    """Group the articles into stories and store them with the feed's success, as one
    transaction under the cycle's store lock and the database's story lock (so that what other
    processes stored meanwhile is in the story index first)."""
    with cycle.store_lock, storage.transaction(cycle.sessions) as session:
        storage.lock_stories(session)
        cycle.catch_up_stories(session)
        articles = group_stories(cycle.stories, articles)
        stored = storage.store_articles(session, feed_id, articles)
        success(session)
    return articles, stored


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


async def _article_for(
    cycle: Cycle, fetcher: Fetcher, feed: FeedSettings, entry: FeedEntry, outcome: FeedOutcome
) -> storage.NewArticle | None:
    """Fetch and extract an entry's page. When the page cannot be had (refused, blocked, timed
    out, not HTML, no text), fall back to the entry's content or summary from the feed, marked
    ``text_source="feed"``, so a topic can still match. With neither, return None: the entry is
    not stored and is tried again next cycle."""
    text_source = "page"
    try:
        page = await fetcher.get(entry.url)
        extracted = await cycle.extractor.extract(page.body, page.final_url)
        title = entry.title or extracted.title or page.final_url
        text, url = extracted.text, extracted.canonical_url
        author, language, sitename = extracted.author, extracted.language, extracted.sitename
        # a feed entry without a date was given the fetch time: the page's own date is better
        published = (extracted.published or entry.published) if entry.undated else entry.published
    except (FetchError, ExtractionError) as exc:
        summary = fragment_text(entry.summary)
        if not summary:
            outcome.errors.append(f"{exc}; no summary in the feed either, will retry next cycle")
            return None
        outcome.errors.append(f"{exc}; used the feed's summary instead")
        text_source, text, title, url = "feed", summary, entry.title, canonical_url(entry.url)
        author, published, sitename = entry.author, entry.published, None
        language = detect_language(summary)
    source = feed.name or sitename or feed.url
    found = cycle.matcher.match(title, text, source=source, lang=language)
    matches = new_matches(found, cycle.routing)
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
