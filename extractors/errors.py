"""Errors raised by the extractors package.

    ExtractorError                 base class; every message names the URL and says what to do
    ├── FetchError                 the page or feed could not be fetched
    │   ├── BlockedAddressError    the target resolves to a private address (SSRF guard)
    │   ├── ResponseTooLargeError  the body passed network.max_bytes (after decompression)
    │   ├── RobotsDisallowedError  the site's robots.txt asks crawlers like us to stay away
    │   └── HTTPStatusError        the server answered with an error status
    │       ├── RetryLaterError    429 or 503: come back later (``retry_after_seconds``)
    │       └── GoneError          410: removed for good
    └── ExtractionError            the page was fetched but holds no article text

Feed parsing never raises: a broken feed comes back as ``ParsedFeed.error``.
"""

from __future__ import annotations


class ExtractorError(Exception):
    """Base class for extractor errors; carries the URL it is about."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message


class FetchError(ExtractorError):
    """The resource could not be fetched (network error, timeout, redirect loop)."""


class BlockedAddressError(FetchError):
    """The host resolves to a loopback, private, link-local, multicast or unspecified address."""


class ResponseTooLargeError(FetchError):
    """The decompressed body exceeded the configured limit."""


class HTTPStatusError(FetchError):
    """The server answered with a 4xx or 5xx status."""

    def __init__(self, url: str, status: int, message: str) -> None:
        super().__init__(url, message)
        self.status = status


class RetryLaterError(HTTPStatusError):
    """HTTP 429 or 503: the server is overloaded or rate-limits us and asks us to come back.

    ``retry_after_seconds`` is the delay its Retry-After header asks for (a number of seconds or an
    HTTP date, converted to seconds from now), or None when it gave none we could read.
    """

    def __init__(
        self, url: str, status: int, message: str, retry_after_seconds: float | None
    ) -> None:
        super().__init__(url, status, message)
        self.retry_after_seconds = retry_after_seconds


class GoneError(HTTPStatusError):
    """HTTP 410: the publisher removed the resource on purpose; asking again will not help."""


class RobotsDisallowedError(FetchError):
    """The site's robots.txt disallows this URL for our User-Agent."""


class ExtractionError(ExtractorError):
    """The page holds no main text that the extractor could find."""
