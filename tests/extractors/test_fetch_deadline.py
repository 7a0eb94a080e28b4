"""The total deadline of a request: slow bodies, stalls after headers, redirect chains."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from extractors import FetchError, FetchPolicy
from tests.extractors.servers import LoopbackServer, LoopFetcher, fetcher_for, reply


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of a test so that handlers still sleeping return."""
    event = threading.Event()
    yield event
    event.set()


def trickle(release: threading.Event, delay_headers: float = 0.0) -> object:
    def route(handler: BaseHTTPRequestHandler) -> None:
        release.wait(delay_headers)
        handler.send_response(200)
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        while not release.wait(0.05):
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return

    return route


def stall_after_headers(release: threading.Event, delay_headers: float) -> object:
    def route(handler: BaseHTTPRequestHandler) -> None:
        release.wait(delay_headers)
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"first bytes")
        handler.wfile.flush()
        release.wait(30)

    return route


def test_a_body_trickling_forever_is_cut_off(
    server: LoopbackServer, release: threading.Event
) -> None:
    """Every read gets a byte in time, so only the total deadline can stop this."""
    server.routes["/trickle"] = trickle(release)  # type: ignore[assignment]
    started = time.monotonic()
    with pytest.raises(
        FetchError, match=r"took longer than 1s in total \(network.timeout_seconds\)"
    ):
        fetcher_for(server, timeout_seconds=1.0).get(server.base + "/trickle")
    assert time.monotonic() - started < 3


def test_a_stall_after_slow_headers_ends_at_the_deadline(
    server: LoopbackServer, release: threading.Event
) -> None:
    """Headers after 0.6 s, then silence: the read timeout alone would stop at about 1.6 s
    (it was set to the 1 s left when the request began); the deadline stops it at 1 s."""
    server.routes["/stall"] = stall_after_headers(release, 0.6)  # type: ignore[assignment]
    policy = FetchPolicy(
        user_agent="t", allow_hosts=frozenset({server.host_port}), timeout_seconds=1.0
    )
    fetcher = LoopFetcher(policy, client=lambda: httpx.AsyncClient(timeout=httpx.Timeout(30.0)))
    started = time.monotonic()
    with pytest.raises(FetchError, match="timeout_seconds"):
        fetcher.get(server.base + "/stall", respect_robots=False)
    assert time.monotonic() - started < 1.45
    server.routes["/ok"] = reply(200, b"fine")
    assert fetcher.get(server.base + "/ok", respect_robots=False).body == b"fine"


def test_the_deadline_covers_every_redirect_hop(
    server: LoopbackServer, release: threading.Event
) -> None:
    def slow_redirect(handler: BaseHTTPRequestHandler) -> None:
        release.wait(0.6)
        reply(302, Location="/slow-target")(handler)

    def slow_target(handler: BaseHTTPRequestHandler) -> None:
        release.wait(0.6)
        reply(200, b"late")(handler)

    server.routes["/start"] = slow_redirect
    server.routes["/slow-target"] = slow_target
    with pytest.raises(FetchError, match="timeout_seconds"):
        fetcher_for(server, timeout_seconds=1.0).get(server.base + "/start")


def test_a_fast_response_is_untouched(server: LoopbackServer) -> None:
    server.routes["/page"] = reply(200, b"x" * 200_000)
    result = fetcher_for(server, timeout_seconds=2.0).get(server.base + "/page")
    assert result.body == b"x" * 200_000
