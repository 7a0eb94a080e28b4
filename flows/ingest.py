"""Ingest: poll one feed, fetch and extract its new entries, match them, group stories and
store everything in one transaction per feed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, replace

from sqlalchemy import select

import storage
from extractors import (
    ExtractionError,
    FeedEntry,
    FetchError,
    HTTPStatusError,
    canonical_url,
    extract_article,
    fragment_text,
    parse_feed,
)
from flows.cycle import MAX_NEW_ENTRIES_PER_FEED, Cycle, FeedOutcome, NewMatchInfo, Routing
from flows.settings import FeedSettings
from matching import StoryIndex, TopicMatch, story_signature, tokenize
from storage.models import Feed

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
            terms=[asdict(t) for t in m.terms],
            snippet=m.snippet,
            channels=routing.channels.get(m.topic, ()),
            held=m.topic in routing.digest_topics,
        )
        for m in found
    )


def index_tokens(title: str, text: str) -> str:
    """The matcher's normalised tokens, as the search index stores them."""
    return " ".join(token.norm for part in (title, text) for token in tokenize(part))


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
