"""Everything newswatch reads from the web: HTTP fetching, feed parsing, article extraction.

Pure functions take content (``parse_feed(data, url)``, ``extract_article(html, url)``); the only
network code is :class:`extractors.fetch.Fetcher`. No Prefect here.
"""

from extractors.articles import Article, extract_article, fragment_text
from extractors.errors import (
    BlockedAddressError,
    ExtractionError,
    ExtractorError,
    FetchError,
    GoneError,
    HTTPStatusError,
    ResponseTooLargeError,
    RetryLaterError,
    RobotsDisallowedError,
)
from extractors.feeds import FeedEntry, ParsedFeed, parse_feed
from extractors.fetch import Fetcher, FetchPolicy, FetchResult, Politeness, fetch_once, make_client
from extractors.statuses import parse_retry_after
from extractors.urls import canonical_url, host_of

__all__ = [
    "Article",
    "BlockedAddressError",
    "ExtractionError",
    "ExtractorError",
    "FeedEntry",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "GoneError",
    "HTTPStatusError",
    "ParsedFeed",
    "Politeness",
    "ResponseTooLargeError",
    "RetryLaterError",
    "RobotsDisallowedError",
    "canonical_url",
    "extract_article",
    "fetch_once",
    "fragment_text",
    "host_of",
    "make_client",
    "parse_feed",
    "parse_retry_after",
]
