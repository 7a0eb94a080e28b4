"""Article extraction: page HTML in, main text and metadata out (trafilatura).

Navigation, sidebars and reader comments are left out, so that a topic matches what the article
says, not what the page around it links to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import lxml.etree
import lxml.html
import trafilatura

from extractors.errors import ExtractionError
from extractors.urls import canonical_url

# Options chosen for news pages: comments are on by default in trafilatura and must be off here.
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "with_metadata": True,
    "date_extraction_params": {
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        "original_date": True,
        "extensive_search": True,
    },
}


@dataclass(frozen=True)
class Article:
    """What the extractor sees in one page."""

    url: str
    canonical_url: str
    title: str | None
    author: str | None
    published: datetime | None
    language: str | None
    sitename: str | None
    text: str = field(repr=False)


def extract_article(html: str | bytes, url: str | None = None) -> Article:
    """Extract the main text and metadata of the page ``html`` served at ``url``.

    Raises :class:`ExtractionError` when the page holds no article text.
    """
    where = url or "<document>"
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError(where, "not an HTML document (empty or unreadable)")
    language = _language(tree.get("lang"))
    declared = tree.xpath('string(//link[@rel="canonical"]/@href)') or None
    document: Any = trafilatura.bare_extraction(tree, url=url, **EXTRACT_OPTIONS)
    if document is None or not (document.text or "").strip():
        raise ExtractionError(
            where, "no article text found (a home page, a paywall, or a script-only page?)"
        )
    return Article(
        url=url or "",
        canonical_url=canonical_url(url, declared) if url else "",
        title=document.title or None,
        author=document.author or None,
        published=parse_datetime(document.date),
        language=language or document.language or None,
        sitename=document.sitename or None,
        text=str(document.text),
    )


def fragment_text(fragment: str) -> str:
    """The plain text of an HTML fragment such as a feed summary, whitespace collapsed."""
    if not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return " ".join(fragment.split())
    return " ".join(" ".join(root.itertext()).split())


def parse_datetime(value: str | None) -> datetime | None:
    """Parse the dates trafilatura reports (ISO, with or without time); naive means UTC."""
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _language(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().split("-", 1)[0].split("_", 1)[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 else None
