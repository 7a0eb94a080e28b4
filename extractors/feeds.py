"""Feed parsing: bytes in, plain entries out. Never raises, whatever the input.

feedparser reads RSS 0.9x/1.0/2.0 and Atom 0.3/1.0. We always hand it the bytes we fetched (wrapped
in ``BytesIO``: a bare ``str`` or ``bytes`` would be taken for a path or URL and opened). JSON Feed
1.0/1.1 is read by :mod:`extractors.jsonfeed`. Both end up as :class:`FeedEntry` objects under the
same rules (see :mod:`extractors.feed_entries`).

Outcomes: a feed with entries is returned with them, and with ``warning`` set when the document
was malformed but recoverable (feedparser's "bozo" flag); a document with no entries and a
problem (an HTML page, truncated XML, not JSON Feed) is returned with ``error`` set.
"""

from __future__ import annotations

import calendar
import io
import logging
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from extractors.feed_entries import (
    FeedEntry,
    ParsedFeed,
    as_utc,
    entry_link,
    make_entry,
    not_a_feed,
)
from extractors.jsonfeed import is_json_type, load_json, looks_like_json, parse_json_feed

__all__ = ["FeedEntry", "ParsedFeed", "parse_feed"]

log = logging.getLogger(__name__)

HTML_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
    re.IGNORECASE | re.DOTALL,
)
"""An HTML page served where a feed was expected (a home page, a login or consent wall)."""

BENIGN_PROBLEMS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
"""Bozo reasons that do not make a document unreadable (a wrong charset or media type label)."""


def parse_feed(
    data: bytes | str,
    url: str,
    headers: dict[str, str] | None = None,
    *,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse feed ``data`` fetched from ``url`` with response ``headers``.

    Relative links resolve against ``url`` (or against the response's Content-Location header,
    which HTTP defines as the document's own address, when it gives an http(s) one).
    ``now`` (default: the current time) is the date given to undated entries and the latest
    date an entry may carry.
    """
    try:
        moment = as_utc(now) if now is not None else datetime.now(UTC)
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        lowered = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        return _parse(raw, url, lowered, moment)
    except Exception as exc:  # a parser bug must not stop the cycle; the feed is reported instead
        log.warning("feed parsing failed on %s", url, exc_info=True)
        return ParsedFeed(
            url,
            None,
            [],
            error=f"{url}: internal error while parsing the feed ({type(exc).__name__}: {exc}); "
            "please report it with the feed URL",
        )


def _parse(data: bytes, url: str, headers: dict[str, str], now: datetime) -> ParsedFeed:
    base = _base_url(url, headers.get("content-location"))
    content_type = headers.get("content-type", "")
    json_declared = is_json_type(content_type)
    if json_declared or looks_like_json(data):
        document, problem = load_json(data)
        if problem is None:
            return parse_json_feed(document, url, now, base=base)
        if looks_like_json(data) or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return not_a_feed(url, None, problem)
        # declared JSON but starts with markup: a mislabelled XML feed, read on
    response_headers = dict(headers)
    response_headers["content-location"] = base
    # Without a Content-Type, feedparser flags any document (NonXMLContentType) and assumes
    # ISO-8859-1; declaring generic XML gives XML's own rules (declaration, BOM, else UTF-8).
    response_headers.setdefault("content-type", "application/xml")
    parsed: Any = feedparser.parse(io.BytesIO(data), response_headers=response_headers)
    version = parsed.get("version") or None
    entries = [e for raw in parsed.get("entries", []) if (e := _entry(raw, base, now)) is not None]
    title = parsed.get("feed", {}).get("title")
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    problem = _describe(bozo) if parsed.get("bozo") else None
    if not entries:
        reason = _why_no_feed(data, parsed, bozo, problem)
        if reason:
            return not_a_feed(url, title, reason)
    return ParsedFeed(url, title, entries, warning=problem, version=version)


def _why_no_feed(data: bytes, parsed: Any, bozo: object, problem: str | None) -> str | None:
    """Why a document without entries is not a feed at all; None for a feed that is just empty
    (or whose entries all lack a link)."""
    if not data.strip():
        return "the document is empty"
    if not parsed.get("version") and _looks_like_html(data):
        return "an HTML page, not a feed; the page may link to its feed in its <head>"
    if problem and not isinstance(bozo, BENIGN_PROBLEMS):
        return problem
    if not parsed.get("version") and not parsed.get("feed") and not parsed.get("entries"):
        return problem or "no RSS, Atom or JSON Feed document found"
    return None


def _entry(raw: Any, base: str, now: datetime) -> FeedEntry | None:
    link = entry_link(raw.get("link"), base)
    if link is None:
        return None
    summary = raw.get("summary") or ""
    contents = raw.get("content") or []
    if contents and len(contents[0].get("value", "")) > len(summary):
        summary = contents[0]["value"]
    # dict.get: FeedParserDict.get("updated_parsed") falls back to published_parsed with a
    # DeprecationWarning; we want only what the entry really says.
    return make_entry(
        guid=raw.get("id"),
        url=link,
        title=raw.get("title"),
        summary=summary if isinstance(summary, str) else "",
        published=_datetime(dict.get(raw, "published_parsed")),
        updated=_datetime(dict.get(raw, "updated_parsed")),
        author=raw.get("author") if isinstance(raw.get("author"), str) else None,
        now=now,
    )


def _base_url(url: str, content_location: str | None) -> str:
    if not content_location or not content_location.strip():
        return url
    try:
        base = urljoin(url, content_location.strip())
        scheme = urlsplit(base).scheme
    except ValueError:
        return url
    return base if scheme in ("http", "https") else url


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _looks_like_html(data: bytes) -> bool:
    return HTML_START.match(data[:4096]) is not None


def _describe(exc: object) -> str:
    if exc is None:
        return "malformed feed"
    name = type(exc).__name__
    message = str(exc).strip()
    return f"{name}: {message}" if message else name
