"""Article extraction: page HTML in, main text and metadata out (trafilatura).

Navigation, sidebars and reader comments are left out, so that a topic matches what the article
says, not what the page around it links to. The language is the one the page declares, else the
one py3langid detects in the start of the text.

The trafilatura options are chosen by measurement: ``bench/extraction.py`` scores them on the
article-extraction-benchmark (181 news pages, word 4-gram F1) and the trafilatura-pages snippets;
see bench/README.md for the figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import lxml.etree
import lxml.html
import trafilatura

from extractors.errors import ExtractionError
from extractors.language import declared_language, detect_language
from extractors.urls import canonical_url

# Options chosen by measurement (bench/extraction.py; F1 = word 4-gram F1 on the 181 pages of the
# article-extraction-benchmark, where the bare default scores 0.953):
# - include_comments=False: on by default in trafilatura, but reader comments are not the article
#   (F1 0.960);
# - fast=True: skips the comparison with readability/justext, which on news pages let more
#   boilerplate in (F1 0.962) and costs about as much as the metadata we extract;
# - favor_recall=True: with fast, the best F1 of the option sets tried (0.963), more expected
#   snippets kept on trafilatura-pages than fast alone, and no recall-retry pass, so faster;
# - include_tables=True (the default; without tables F1 0.957); deduplicate off (the default;
#   it drops paragraphs already seen on earlier pages of the process, F1 0.951);
# - favor_precision was the runner-up: F1 0.964 and the fewest boilerplate snippets, but without
#   fast it is no faster than the bare default, so with our metadata it missed the throughput
#   goal (0.7x to 0.86x the bare call); with fast its recall falls (F1 0.946).
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "fast": True,
    "favor_recall": True,
    "with_metadata": True,
    "date_extraction_params": {
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        "original_date": True,
        "extensive_search": True,
    },
}

MIN_WORDS = 5
"""Fewer words than this is not an article but leftovers, such as a lone "Home" link."""


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


def extract_article(
    html: str | bytes, url: str | None = None, *, options: Mapping[str, Any] | None = None
) -> Article:
    """Extract the main text and metadata of the page ``html`` served at ``url``.

    ``options`` replaces :data:`EXTRACT_OPTIONS` as trafilatura's options (for benchmarks).

    ``language`` is the page's declared language, else the one detected in the first
    2,000 characters of the text (None when the detector is unsure).
    Raises :class:`ExtractionError` with the reason when the page holds no article text.
    """
    where = url or "<document>"
    if not html.strip():
        raise ExtractionError(where, "the page is empty; check the URL in a browser")
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractionError(
            where, "not an HTML document (binary, or not markup); check what the URL serves"
        )
    language = declared_language(tree)
    declared = tree.xpath('string(//link[@rel="canonical"]/@href)') or None
    chosen = EXTRACT_OPTIONS if options is None else options
    document: Any = trafilatura.bare_extraction(tree, url=url, **chosen)
    if document is None or not (document.text or "").strip():
        raise ExtractionError(
            where,
            "no article text found (a home page, a paywall, a consent wall or a page built by "
            "scripts?); the feed's summary can stand in",
        )
    text = str(document.text)
    words = len(text.split())
    if words < MIN_WORDS:
        raise ExtractionError(
            where,
            f"no article text found, only {words} word(s) outside the page's navigation (a page "
            "built by scripts?); the feed's summary can stand in",
        )
    if language is None:
        language = detect_language(text)
    return Article(
        url=url or "",
        canonical_url=canonical_url(url, declared) if url else "",
        title=document.title or None,
        author=document.author or None,
        published=parse_datetime(document.date),
        language=language,
        sitename=document.sitename or None,
        text=text,
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
