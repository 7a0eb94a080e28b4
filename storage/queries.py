"""Read-side queries: stored matches for the CLI and reports, and feeds due for polling."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, func, select
from sqlalchemy.orm import Session

from storage.models import Article, Feed, Match, Topic


@dataclass(frozen=True)
class MatchRow:
    topic: str
    url: str
    title: str
    source: str
    published: datetime | None
    snippet: str
    matched_at: datetime


def _matches_select() -> Select[tuple[str, str, str, str, datetime | None, str, datetime]]:
    return (
        select(
            Topic.name,
            Article.canonical_url,
            Article.title,
            func.coalesce(Feed.name, Article.sitename, Feed.url),
            Article.published_at,
            Match.snippet,
            Match.matched_at,
        )
        .join(Article, Match.article_id == Article.id)
        .join(Topic, Match.topic_id == Topic.id)
        .join(Feed, Article.feed_id == Feed.id)
    )


def list_matches(
    session: Session,
    *,
    topic: str | None = None,
    since: datetime | None = None,
    article_ids: list[int] | None = None,
    limit: int | None = None,
) -> list[MatchRow]:
    """Stored matches, newest first; ``since`` filters on the article's publication time
    (falling back to when it was matched, for articles without a date)."""
    stmt = _matches_select()
    if topic is not None:
        stmt = stmt.where(Topic.name == topic)
    if since is not None:
        stmt = stmt.where(func.coalesce(Article.published_at, Match.matched_at) >= since)
    if article_ids is not None:
        stmt = stmt.where(Article.id.in_(article_ids))
    stmt = stmt.order_by(
        func.coalesce(Article.published_at, Match.matched_at).desc(), Match.id.desc()
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [MatchRow(*row) for row in session.execute(stmt)]


def topic_names(session: Session) -> list[str]:
    return list(session.scalars(select(Topic.name).order_by(Topic.name)))


def count_matches(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Match)) or 0)


@dataclass(frozen=True)
class StoredArticle:
    id: int
    url: str
    story_id: int | None
    title: str
    text: str
    source: str
    language: str | None


def count_articles(session: Session, *, since: datetime | None = None) -> int:
    stmt = select(func.count()).select_from(Article).where(Article.text.is_not(None))
    if since is not None:
        stmt = stmt.where(func.coalesce(Article.published_at, Article.fetched_at) >= since)
    return int(session.scalar(stmt) or 0)


def iter_articles(
    session: Session,
    *,
    since: datetime | None = None,
    chunk: int = 500,
    newest_first: bool = False,
    only_ids: Any = None,
) -> Iterator[list[StoredArticle]]:
    """Stored articles with text in chunks, by id (keyset pagination: one query per chunk,
    constant memory). ``only_ids`` is a subquery of ids to keep (a search index's candidates)."""
    last_id: int | None = None
    while True:
        stmt = (
            select(
                Article.id,
                Article.canonical_url,
                Article.story_id,
                Article.title,
                Article.text,
                func.coalesce(Feed.name, Article.sitename, Feed.url),
                Article.language,
            )
            .join(Feed, Article.feed_id == Feed.id)
            .where(Article.text.is_not(None))
            .order_by(Article.id.desc() if newest_first else Article.id)
            .limit(chunk)
        )
        if last_id is not None:
            stmt = stmt.where(Article.id < last_id if newest_first else Article.id > last_id)
        if only_ids is not None:
            stmt = stmt.where(Article.id.in_(only_ids))
        if since is not None:
            stmt = stmt.where(func.coalesce(Article.published_at, Article.fetched_at) >= since)
        rows = [StoredArticle(*row) for row in session.execute(stmt)]
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def export_matches(
    session: Session, *, topic: str, since: datetime | None = None
) -> Iterator[dict[str, object]]:
    """Every stored match of ``topic`` with its article, for analysts (oldest first)."""
    stmt = (
        select(
            Topic.name,
            Article.canonical_url,
            Article.title,
            func.coalesce(Feed.name, Article.sitename, Feed.url),
            Article.author,
            Article.published_at,
            Article.language,
            Article.story_id,
            Match.snippet,
            Match.terms,
            Match.matched_at,
            Article.text_source,
            Article.text,
        )
        .join(Article, Match.article_id == Article.id)
        .join(Topic, Match.topic_id == Topic.id)
        .join(Feed, Article.feed_id == Feed.id)
        .where(Topic.name == topic)
        .order_by(Match.id)
    )
    if since is not None:
        stmt = stmt.where(func.coalesce(Article.published_at, Match.matched_at) >= since)
    for row in session.execute(stmt.execution_options(yield_per=500)):
        (name, url, title, source, author, published, language, story, snippet, terms,
         matched_at, text_source, text) = row  # fmt: skip
        yield {
            "topic": name,
            "url": url,
            "title": title,
            "source": source,
            "author": author,
            "published": published.isoformat() if published else None,
            "language": language,
            "story_id": story,
            "snippet": snippet,
            "terms": sorted({str(t.get("term")) for t in terms or []}),
            "matched_at": matched_at.isoformat(),
            "text_source": text_source,
            "text": text,
        }


def recent_signatures(
    session: Session, *, since: datetime, after_id: int = 0
) -> list[tuple[int, str, list[int]]]:
    """(article id, canonical URL, near-duplicate signature) of the articles fetched since
    ``since`` whose id is above ``after_id``, oldest first: what a story index must know."""
    rows = session.execute(
        select(Article.id, Article.canonical_url, Article.signature)
        .where(Article.id > after_id, Article.fetched_at >= since, Article.signature.is_not(None))
        .order_by(Article.id)
    )
    return [(i, url, list(signature)) for i, url, signature in rows if signature]


def daily_match_counts(session: Session, *, since: datetime) -> list[tuple[str, str, int]]:
    """(topic, day as YYYY-MM-DD, matches stored that day) since ``since``, for the run chart."""
    day = func.substr(func.cast(Match.matched_at, String), 1, 10)
    rows = session.execute(
        select(Topic.name, day, func.count())
        .join(Topic, Match.topic_id == Topic.id)
        .where(Match.matched_at >= since)
        .group_by(Topic.name, day)
        .order_by(day)
    )
    return [(name, str(d), int(n)) for name, d, n in rows]
