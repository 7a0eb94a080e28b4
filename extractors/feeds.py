"""Feed parsing: bytes in, plain entries out. Never raises on bad input.

feedparser reads RSS 0.9x/1.0/2.0 and Atom 0.3/1.0. We always hand it the bytes we fetched (wrapped
in ``BytesIO``: a bare ``str`` or ``bytes`` would be taken for a path or URL and opened).
"""

from __future__ import annotations

import calendar
import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, with only the fields newswatch uses."""

    guid: str
    url: str
    title: str
    summary: str = field(repr=False, default="")
    published: datetime | None = None
    author: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed. ``error`` is set when the document is not a usable feed at all;
    ``warning`` when it was malformed but its entries could still be recovered."""

    url: str
    title: str | None
    entries: list[FeedEntry]
    error: str | None = None
    warning: str | None = None


def parse_feed(data: bytes, url: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    """Parse feed ``data`` fetched from ``url``. Relative links resolve against ``url``."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers["content-location"] = url
    try:
        parsed: Any = feedparser.parse(io.BytesIO(data), response_headers=response_headers)
    except Exception as exc:  # feedparser promises not to raise; this keeps the promise ours
        return ParsedFeed(url, None, [], error=f"feed parser failed: {type(exc).__name__}: {exc}")
    entries = [entry for raw in parsed.get("entries", []) if (entry := _entry(raw)) is not None]
    title = parsed.get("feed", {}).get("title")
    problem = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    if not entries and (problem or not parsed.get("version")):
        reason = problem or "no RSS or Atom document found"
        return ParsedFeed(
            url, title, [], error=f"{url} is not a readable feed ({reason}); check the feed URL"
        )
    return ParsedFeed(url, title, entries, warning=problem)


def _entry(raw: Any) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    guid = (raw.get("id") or link).strip()
    if not link or not guid:
        return None
    summary = raw.get("summary") or ""
    contents = raw.get("content") or []
    if contents and len(contents[0].get("value", "")) > len(summary):
        summary = contents[0]["value"]
    return FeedEntry(
        guid=guid,
        url=link,
        title=(raw.get("title") or "").strip(),
        summary=summary,
        published=_datetime(raw.get("published_parsed") or raw.get("updated_parsed")),
        author=raw.get("author") or None,
    )


def _datetime(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), UTC)


def _describe(exc: object) -> str:
    if exc is None:
        return "malformed feed"
    name = type(exc).__name__
    message = str(exc).strip()
    return f"{name}: {message}" if message else name
