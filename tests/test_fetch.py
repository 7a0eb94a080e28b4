"""The HTTP edge on real loopback servers: SSRF guard, redirects, size caps, conditional GET."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from extractors import (
    BlockedAddressError,
    FetchError,
    FetchPolicy,
    HTTPStatusError,
    ResponseTooLargeError,
)
from tests.extractors.servers import LoopbackServer, LoopFetcher, Route, reply

Routes = dict[str, Route]


@pytest.fixture
def server() -> Iterator[tuple[str, Routes]]:
    with LoopbackServer() as loopback:
        yield loopback.base, loopback.routes


def fetcher(base: str, **policy: object) -> LoopFetcher:
    host = base.removeprefix("http://")
    settings = FetchPolicy(user_agent="newswatch-test/1", allow_hosts=frozenset({host}), **policy)  # type: ignore[arg-type]
    return LoopFetcher(settings)


def test_guard_refuses_loopback_unless_admitted(server: tuple[str, Routes]) -> None:
    base, routes = server
    routes["/feed"] = reply(200, b"<rss/>")
    guarded = FetchPolicy(user_agent="t")
    with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1") as info:
        LoopFetcher(guarded).get(base + "/feed")
    assert "allow_private" in str(info.value)
    assert fetcher(base).get(base + "/feed").body == b"<rss/>"


@pytest.mark.parametrize(
    "address",
    ["10.1.2.3", "169.254.169.254", "192.168.0.1", "::1", "fe80::1", "224.0.0.1", "0.0.0.0"],
)
def test_guard_checks_resolved_addresses(address: str) -> None:
    """A public-looking name that resolves to a private address is refused before connecting."""
    policy = FetchPolicy(user_agent="t")

    async def resolve(host: str, port: int) -> list[str]:
        return [address]

    guard = LoopFetcher(policy, resolver=resolve)
    with pytest.raises(BlockedAddressError, match="SSRF"):
        guard.get("http://news.example.org/feed.xml")


def test_http_connects_to_the_address_the_guard_checked() -> None:
    """DNS rebinding: the guard is told "public address", while the system resolver would say
    127.0.0.1. The request must go to the checked address, never to the loopback server."""
    with LoopbackServer() as loopback:
        loopback.routes["/page"] = reply(200, b"internal")
        port = loopback.base.rsplit(":", 1)[1]

        async def public_then_rebound(host: str, port: int) -> list[str]:
            return ["1.1.1.1"]  # public; no internet here, so connecting to it fails

        guarded = LoopFetcher(
            FetchPolicy(user_agent="t", timeout_seconds=2), resolver=public_then_rebound
        )
        with pytest.raises(FetchError, match=f"http://localhost:{port}/page"):
            guarded.get(f"http://localhost:{port}/page")
        assert loopback.hits == {}


def test_the_pinned_request_keeps_the_host_header() -> None:
    """What reaches the network for a guarded http URL: a connection to the checked address, the
    URL's host in the Host header. httpx's MockTransport stands in for the internet, which this
    machine cannot reach."""
    seen: list[httpx.Request] = []

    def internet(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"story")

    async def resolve(host: str, port: int) -> list[str]:
        return {"news.example.org": ["2606:4700::6810:84e5"], "wire.example": ["1.1.1.1"]}[host]

    policy = FetchPolicy(user_agent="t", respect_robots=False)
    guarded = LoopFetcher(
        policy,
        client=lambda: httpx.AsyncClient(transport=httpx.MockTransport(internet)),
        resolver=resolve,
    )
    assert guarded.get("http://news.example.org/a?b=1").body == b"story"
    assert guarded.get("http://user:pw@wire.example:8080/x").final_url.endswith("/x")
    assert [str(r.url) for r in seen] == [
        "http://[2606:4700::6810:84e5]/a?b=1",
        "http://user:pw@1.1.1.1:8080/x",
    ]
    assert [r.headers["Host"] for r in seen] == ["news.example.org", "wire.example:8080"]


def test_guard_rechecks_every_redirect_hop(server: tuple[str, Routes]) -> None:
    base, routes = server
    routes["/feed"] = reply(302, Location="http://169.254.169.254/latest/meta-data/")
    with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254"):
        fetcher(base).get(base + "/feed")


def test_redirects_followed_and_permanent_ones_reported(server: tuple[str, Routes]) -> None:
    base, routes = server
    routes["/old"] = reply(301, Location="/new")
    routes["/new"] = reply(200, b"ok")
    routes["/temp"] = reply(302, Location="/new")
    moved = fetcher(base).get(base + "/old")
    assert (moved.final_url, moved.body, moved.permanent_redirect) == (base + "/new", b"ok", True)
    assert fetcher(base).get(base + "/temp").permanent_redirect is False


def test_redirect_loop_is_an_error(server: tuple[str, Routes]) -> None:
    base, routes = server
    routes["/a"] = reply(302, Location="/b")
    routes["/b"] = reply(302, Location="/a")
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher(base).get(base + "/a")


def test_body_over_max_bytes_is_refused(server: tuple[str, Routes]) -> None:
    base, routes = server
    routes["/big"] = reply(200, b"x" * 50_000)
    with pytest.raises(ResponseTooLargeError, match="max_bytes"):
        fetcher(base, max_bytes=10_000).get(base + "/big")


def test_gzip_bomb_is_stopped_on_the_decompressed_size(server: tuple[str, Routes]) -> None:
    base, routes = server
    bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
    assert len(bomb) < 50_000
    routes["/bomb"] = reply(200, bomb, Content_Encoding="gzip")
    with pytest.raises(ResponseTooLargeError, match="after decompression"):
        fetcher(base, max_bytes=1_000_000).get(base + "/bomb")


def test_conditional_get_sends_validators(server: tuple[str, Routes]) -> None:
    base, routes = server
    seen: list[tuple[str | None, str | None]] = []

    def feed(handler: BaseHTTPRequestHandler) -> None:
        seen.append(
            (handler.headers.get("If-None-Match"), handler.headers.get("If-Modified-Since"))
        )
        if handler.headers.get("If-None-Match") == '"v1"':
            reply(304)(handler)
        else:
            reply(200, b"<rss/>", ETag='"v1"', Last_Modified="Wed, 22 Feb 2023 09:00:00 GMT")(
                handler
            )

    routes["/feed"] = feed
    first = fetcher(base).get(base + "/feed")
    assert (first.etag, first.last_modified) == ('"v1"', "Wed, 22 Feb 2023 09:00:00 GMT")
    second = fetcher(base).get(base + "/feed", etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.body == b""
    assert seen == [(None, None), ('"v1"', "Wed, 22 Feb 2023 09:00:00 GMT")]


@pytest.mark.parametrize(("status", "advice"), [(404, "moved"), (410, "Gone"), (403, "refuses")])
def test_error_statuses_name_the_url(server: tuple[str, Routes], status: int, advice: str) -> None:
    base, routes = server
    routes["/x"] = reply(status)
    with pytest.raises(HTTPStatusError, match=advice) as info:
        fetcher(base).get(base + "/x")
    assert info.value.status == status and str(info.value).startswith(base + "/x: ")


def test_read_timeout_names_the_setting(server: tuple[str, Routes]) -> None:
    base, routes = server
    release = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        release.wait(5)
        reply(200, b"late")(handler)

    routes["/slow"] = slow
    try:
        with pytest.raises(FetchError, match="timeout_seconds"):
            fetcher(base, timeout_seconds=0.3).get(base + "/slow")
    finally:
        release.set()


def test_user_agent_is_sent(server: tuple[str, Routes]) -> None:
    base, routes = server
    agents: list[str | None] = []

    def page(handler: BaseHTTPRequestHandler) -> None:
        agents.append(handler.headers.get("User-Agent"))
        reply(200, b"ok")(handler)

    routes["/ua"] = page
    fetcher(base).get(base + "/ua")
    assert agents == ["newswatch-test/1"]
