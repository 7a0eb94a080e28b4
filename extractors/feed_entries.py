"""What a parsed feed looks like, whatever its format, and the rules every format shares:
links resolved and canonicalised, an identity for every entry, dates in UTC and never in the
future."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from extractors.urls import canonical_url


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, with only the fields newswatch uses.

    ``guid`` is the entry's own id (RSS guid, Atom id, JSON Feed id) or, without one, its
    canonical link. ``url`` is the link resolved against the feed URL and canonicalised.
    ``summary`` is HTML (the longest of the summary and the full content the feed gives).
    ``published`` is always set, in UTC: the entry's date, its update date when it has only that,
    else the time of parsing (then ``undated`` is True); a date in the future is clamped to the
    time of parsing.
    """

    guid: str
    url: str
    title: str
    summary: str = field(repr=False, default="")
    published: datetime | None = None
    author: str | None = None
    updated: datetime | None = None
    undated: bool = False


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed. ``error`` is set when the document is not a usable feed at all;
    ``warning`` when it was malformed but its entries could still be recovered.
    ``version`` names the format: feedparser's ``rss20``, ``atom10``, ..., or ``json10``,
    ``json11`` (``json`` for a JSON Feed of unknown version).
    """

    url: str
    title: str | None
    entries: list[FeedEntry]
    error: str | None = None
    warning: str | None = None
    version: str | None = None


def entry_link(link: object, base: str) -> str | None:
    """``link`` resolved against ``base`` and canonicalised; None unless it is an http(s) URL."""
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        absolute = urljoin(base, link.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return canonical_url(absolute)


def as_utc(value: datetime) -> datetime:
    """Aware datetimes converted to UTC; naive ones taken to be UTC already."""
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def make_entry(
    *,
    guid: object,
    url: str,
    title: object,
    summary: str,
    published: datetime | None,
    updated: datetime | None,
    author: str | None,
    now: datetime,
) -> FeedEntry:
    """Build an entry under the shared rules (identity, UTC, no future dates)."""
    identity = guid.strip() if isinstance(guid, str) else ""
    when = published or updated
    return FeedEntry(
        guid=identity or url,
        url=url,
        title=" ".join(title.split()) if isinstance(title, str) else "",
        summary=summary,
        published=min(as_utc(when), now) if when is not None else now,
        author=author or None,
        updated=min(as_utc(updated), now) if updated is not None else None,
        undated=when is None,
    )


def not_a_feed(url: str, title: str | None, reason: str) -> ParsedFeed:
    """The result for a document that holds no usable feed."""
    return ParsedFeed(
        url, title, [], error=f"{url} is not a readable feed ({reason}); check the feed URL"
    )
