"""HTTP error statuses turned into errors that say what to do, including Retry-After."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus

from extractors.errors import GoneError, HTTPStatusError, RetryLaterError

RETRY_LATER_STATUSES = frozenset({429, 503})


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a Retry-After header value, or None when it has none we read.

    RFC 9110 allows a non-negative number of seconds (``120``) or an HTTP date
    (``Wed, 21 Oct 2015 07:28:00 GMT``); a date in the past means "now" (0 seconds).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)  # the RFC says digits only; servers also send "1.5" and "120.0"
    except ValueError:
        pass
    else:
        return abs(seconds) if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" or no zone: HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - _utc_now(now)).total_seconds())


def status_error(
    url: str, status: int, headers: dict[str, str], now: datetime | None = None
) -> HTTPStatusError:
    """The error for an HTTP error ``status`` on ``url``; ``headers`` are lower-cased."""
    if status in RETRY_LATER_STATUSES:
        delay = parse_retry_after(headers.get("retry-after"), now)
        return RetryLaterError(url, status, _retry_message(status, delay, now), delay)
    if status == 410:
        return GoneError(
            url, status, "HTTP 410 Gone; the publisher removed it, remove the feed from the config"
        )
    return HTTPStatusError(url, status, _advice(status))


def _utc_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _reason(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _retry_message(status: int, delay: float | None, now: datetime | None) -> str:
    head = _reason(status)
    if delay is None:
        return f"{head}; the server is busy or rate-limiting, retry on a later cycle"
    try:
        at = datetime.fromtimestamp(_utc_now(now).timestamp() + delay, UTC)
    except (OverflowError, OSError, ValueError):
        return f"{head}; the site asks to retry in {delay:g} s"
    return f"{head}; the site asks to retry in {delay:g} s, not before {at:%Y-%m-%d %H:%M:%S} UTC"


def _advice(status: int) -> str:
    if status == 404:
        return "HTTP 404 Not Found; the URL may have moved, check it in a browser"
    if status in (401, 403):
        return f"HTTP {status}; the site refuses this client (paywall or bot protection)"
    return f"{_reason(status)} from the server"
