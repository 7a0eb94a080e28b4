"""Error statuses: Retry-After on 429/503, 410 Gone, messages that name the URL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors import (
    GoneError,
    HTTPStatusError,
    RetryLaterError,
    parse_retry_after,
)
from tests.extractors.servers import LoopbackServer, fetcher_for, reply

NOW = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


def test_429_with_seconds(server: LoopbackServer) -> None:
    server.routes["/feed"] = reply(429, Retry_After="120")
    with pytest.raises(RetryLaterError) as info:
        fetcher_for(server).get(server.base + "/feed")
    error = info.value
    assert isinstance(error, HTTPStatusError) and error.status == 429
    assert error.retry_after_seconds == 120.0
    assert str(error).startswith(server.base + "/feed: HTTP 429 Too Many Requests")
    assert "retry in 120 s, not before" in str(error)


def test_503_with_an_http_date(server: LoopbackServer) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    server.routes["/page"] = reply(503, Retry_After=format_datetime(when, usegmt=True))
    with pytest.raises(RetryLaterError) as info:
        fetcher_for(server).get(server.base + "/page")
    assert info.value.status == 503
    assert info.value.retry_after_seconds is not None
    assert 80 <= info.value.retry_after_seconds <= 91
    assert when.strftime("%Y-%m-%d %H:%M") in str(info.value)


def test_503_without_retry_after(server: LoopbackServer) -> None:
    server.routes["/page"] = reply(503)
    with pytest.raises(RetryLaterError, match="retry on a later cycle") as info:
        fetcher_for(server).get(server.base + "/page")
    assert info.value.retry_after_seconds is None


def test_410_is_gone(server: LoopbackServer) -> None:
    server.routes["/feed"] = reply(410)
    with pytest.raises(GoneError, match="remove the feed") as info:
        fetcher_for(server).get(server.base + "/feed")
    assert isinstance(info.value, HTTPStatusError) and info.value.status == 410
    assert str(info.value).startswith(server.base + "/feed: ")


def test_other_statuses_stay_plain(server: LoopbackServer) -> None:
    server.routes["/x"] = reply(500)
    with pytest.raises(HTTPStatusError, match="HTTP 500 Internal Server Error") as info:
        fetcher_for(server).get(server.base + "/x")
    assert type(info.value) is HTTPStatusError


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Wed, 01 May 2024 10:01:00 GMT", 60.0),
        ("Wed, 01 May 2024 09:00:00 GMT", 0.0),  # in the past: now
        ("Wed, 01 May 2024 12:00:00 +0200", 0.0),  # 10:00 UTC
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("1e999", None),
        ("Wed, 32 May 2024 10:01:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


@given(st.text(max_size=60))
def test_parse_retry_after_never_raises(value: str) -> None:
    seconds = parse_retry_after(value, now=NOW)
    assert seconds is None or seconds >= 0
