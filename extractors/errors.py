"""Errors raised by the extractors package.

    ExtractorError                 base class; every message names the URL and says what to do
    ├── FetchError                 the page or feed could not be fetched
    │   ├── BlockedAddressError    the target resolves to a private address (SSRF guard)
    │   ├── ResponseTooLargeError  the body passed network.max_bytes (after decompression)
    │   └── HTTPStatusError        the server answered with an error status
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


class ExtractionError(ExtractorError):
    """The page holds no main text that the extractor could find."""
