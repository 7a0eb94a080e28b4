"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), mapped onto :class:`FeedEntry`.

feedparser 6.0 does not read JSON Feed, so it is parsed here with the standard library. Field
mapping: ``id`` → guid (coerced to a string, as the spec asks), ``url`` (else ``external_url``) →
url, ``title`` → title, the longest of ``content_html``, ``content_text`` and ``summary`` (both
plain text, so HTML-escaped) → summary, ``date_published``/``date_modified`` (RFC 3339) →
published/updated, ``authors`` (1.1) or ``author`` (1.0) names → author, falling back to the
feed's own authors.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from extractors.feed_entries import FeedEntry, ParsedFeed, entry_link, make_entry, not_a_feed

VERSION_PREFIX = "https://jsonfeed.org/version/"
KNOWN_VERSIONS = {"1": "json10", "1.1": "json11"}
JSON_TYPES = frozenset({"application/feed+json", "application/json"})


def is_json_type(content_type: str) -> bool:
    """True for ``application/feed+json``, ``application/json`` and other ``+json`` types."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media in JSON_TYPES or media.endswith("+json")


def looks_like_json(data: bytes) -> bool:
    """True when the document starts (after a BOM and blanks) with a JSON object."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def load_json(data: bytes) -> tuple[Any, str | None]:
    """The decoded JSON value, or (None, reason) when ``data`` is not JSON.

    JSON Feed is UTF-8 by definition; other Unicode encodings are detected by ``json``.
    """
    try:
        return json.loads(data), None
    except (ValueError, RecursionError) as exc:
        return None, f"not valid JSON ({type(exc).__name__}: {exc})"


def is_json_feed(document: object) -> bool:
    """A top-level object whose ``version`` names a JSON Feed version."""
    if not isinstance(document, dict):
        return False
    version = document.get("version")
    return isinstance(version, str) and version.startswith(VERSION_PREFIX)


def parse_json_feed(
    document: object, url: str, now: datetime, base: str | None = None
) -> ParsedFeed:
    """Map a decoded JSON document onto a :class:`ParsedFeed` (an error when it is no feed).

    Relative item links resolve against ``base`` (default: ``url``)."""
    if not isinstance(document, dict):
        return not_a_feed(url, None, "a JSON document that is not an object")
    items = document.get("items")
    if not isinstance(items, list):
        return not_a_feed(url, None, "a JSON document without a JSON Feed 'items' list")
    version = document.get("version")
    warning = None
    if not is_json_feed(document):
        warning = f"no JSON Feed version (got {str(version)[:60]!r}); read it as JSON Feed 1.1"
    feed_author = _authors(document)
    entries: list[FeedEntry] = []
    skipped = 0
    for item in items:
        entry = _entry(item, base or url, now, feed_author) if isinstance(item, dict) else None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    if skipped and not warning:
        warning = f"{skipped} JSON Feed item(s) without an http(s) url were skipped"
    title = document.get("title")
    return ParsedFeed(
        url,
        title if isinstance(title, str) else None,
        entries,
        warning=warning,
        version=_version_name(version),
    )


def _entry(
    item: dict[str, Any], base: str, now: datetime, fallback: str | None
) -> FeedEntry | None:
    link = entry_link(item.get("url"), base) or entry_link(item.get("external_url"), base)
    if link is None:
        return None
    raw_id = item.get("id")
    usable = isinstance(raw_id, str | int | float) and not isinstance(raw_id, bool)
    guid = str(raw_id) if usable else None
    return make_entry(
        guid=guid,
        url=link,
        title=item.get("title"),
        summary=_summary(item),
        published=_date(item.get("date_published")),
        updated=_date(item.get("date_modified")),
        author=_authors(item) or fallback,
        now=now,
    )


def _summary(item: dict[str, Any]) -> str:
    candidates = [
        value
        for value in (
            _string(item.get("content_html")),
            html.escape(_string(item.get("content_text"))),
            html.escape(_string(item.get("summary"))),
        )
        if value
    ]
    return max(candidates, key=len, default="")


def _authors(obj: dict[str, Any]) -> str | None:
    people = obj.get("authors")
    if not isinstance(people, list):
        people = [obj.get("author")]
    names = [
        person["name"].strip()
        for person in people
        if isinstance(person, dict) and isinstance(person.get("name"), str)
    ]
    return ", ".join(name for name in names if name) or None


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:  # a common mistake: RFC 822 dates copied from RSS
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _version_name(version: object) -> str:
    if isinstance(version, str):
        return KNOWN_VERSIONS.get(version.removeprefix(VERSION_PREFIX).strip("/"), "json")
    return "json"
