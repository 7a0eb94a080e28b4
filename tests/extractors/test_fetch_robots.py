"""robots.txt for article pages, against real loopback servers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest

from extractors import RobotsDisallowedError
from extractors.robots import parse_robots
from tests.extractors.servers import LoopbackServer, fetcher_for, reply

ROBOTS = b"""# our rules
User-agent: *
Disallow: /private/
Allow: /private/open/

User-agent: otherbot
Disallow: /
"""


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        for path in ("/public", "/private/secret", "/private/open/page", "/feed.xml"):
            server.routes[path] = reply(200, b"page " + path.encode())
        yield server


def test_disallowed_page_is_refused_and_allowed_ones_fetched(site: LoopbackServer) -> None:
    site.routes["/robots.txt"] = reply(200, ROBOTS, Content_Type="text/plain")
    fetcher = fetcher_for(site)
    assert fetcher.get(site.base + "/public").body == b"page /public"
    with pytest.raises(RobotsDisallowedError) as info:
        fetcher.get(site.base + "/private/secret")
    message = str(info.value)
    assert message.startswith(site.base + "/private/secret: ")
    assert site.base + "/robots.txt disallows" in message and "newswatch-test/1" in message
    assert site.hits.get("/private/secret") is None  # refused before asking for the page
    # the longest matching rule wins, as RFC 9309 says
    assert fetcher.get(site.base + "/private/open/page").status == 200


def test_robots_is_fetched_once_per_site_for_the_fetchers_lifetime(site: LoopbackServer) -> None:
    site.routes["/robots.txt"] = reply(200, ROBOTS)
    fetcher = fetcher_for(site)
    urls = [site.base + "/public"] * 8 + [site.base + "/private/open/page"] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: fetcher.get(url).status, urls))
    assert statuses == [200] * 16
    assert site.hits["/robots.txt"] == 1
    fetcher_for(site).get(site.base + "/public")  # a new Fetcher (next cycle) asks again
    assert site.hits["/robots.txt"] == 2


def test_feeds_and_policy_can_skip_robots(site: LoopbackServer) -> None:
    site.routes["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /\n")
    fetcher = fetcher_for(site)
    assert fetcher.get(site.base + "/feed.xml", respect_robots=False).status == 200
    assert "/robots.txt" not in site.hits
    with pytest.raises(RobotsDisallowedError):
        fetcher.get(site.base + "/public")
    relaxed = fetcher_for(site, respect_robots=False)
    assert relaxed.get(site.base + "/private/secret").status == 200
    assert site.hits["/robots.txt"] == 1


def test_a_group_for_our_user_agent_applies(site: LoopbackServer) -> None:
    site.routes["/robots.txt"] = reply(
        200, b"User-agent: newswatch-test\nDisallow: /\n\nUser-agent: *\nDisallow:\n"
    )
    with pytest.raises(RobotsDisallowedError):
        fetcher_for(site).get(site.base + "/public")


def test_a_redirect_into_a_disallowed_path_is_refused(site: LoopbackServer) -> None:
    site.routes["/robots.txt"] = reply(200, ROBOTS)
    site.routes["/go"] = reply(302, Location="/private/secret")
    with pytest.raises(RobotsDisallowedError, match="/private/secret"):
        fetcher_for(site).get(site.base + "/go")
    assert "/private/secret" not in site.hits


@pytest.mark.parametrize("status", [404, 401, 403, 500, 503])
def test_missing_or_failing_robots_allows_everything(site: LoopbackServer, status: int) -> None:
    site.routes["/robots.txt"] = reply(status, b"User-agent: *\nDisallow: /\n")
    assert fetcher_for(site).get(site.base + "/private/secret").status == 200


def test_oversized_robots_is_ignored(site: LoopbackServer) -> None:
    """The size cap applies to robots.txt too: too large means unreadable, so allowed."""
    site.routes["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /\n" + b"#" * 5_000)
    assert fetcher_for(site, max_bytes=2_000).get(site.base + "/public").body == b"page /public"


def test_slow_robots_is_ignored(site: LoopbackServer) -> None:
    release = threading.Event()

    def slow(handler: BaseHTTPRequestHandler) -> None:
        release.wait(5)
        reply(200, b"User-agent: *\nDisallow: /\n")(handler)

    site.routes["/robots.txt"] = slow
    try:
        assert fetcher_for(site, timeout_seconds=0.5).get(site.base + "/public").status == 200
    finally:
        release.set()


def test_robots_goes_through_the_ssrf_guard(site: LoopbackServer) -> None:
    """robots.txt redirects to a host the guard does not admit: it is never contacted, and the
    unreadable robots.txt allows everything."""
    with LoopbackServer("127.0.0.2") as elsewhere:
        elsewhere.routes["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /\n")
        site.routes["/robots.txt"] = reply(301, Location=elsewhere.base + "/robots.txt")
        assert fetcher_for(site).get(site.base + "/public").status == 200
        assert elsewhere.hits == {}


def test_parse_robots_prefers_the_longest_match_and_allow_on_ties() -> None:
    rules = parse_robots(
        b"\xef\xbb\xbfUser-agent: *\nDisallow: /\nAllow: /news/\nDisallow: /news/drafts/\n"
        b"Allow: /same\nDisallow: /same\n",
    )
    assert rules.can_fetch("http://x.test/news/story", "newswatch")
    assert not rules.can_fetch("http://x.test/news/drafts/1", "newswatch")
    assert not rules.can_fetch("http://x.test/about", "newswatch")
    assert rules.can_fetch("http://x.test/same", "newswatch")


def test_wildcards_in_paths_are_understood(site: LoopbackServer) -> None:
    """``*`` matches any characters and ``$`` anchors the end (RFC 9309 section 2.2.3)."""
    site.routes["/robots.txt"] = reply(
        200, b"User-agent: *\nDisallow: /*?print=\nDisallow: /*.pdf$\n"
    )
    for path in ("/news/story.pdf", "/news/story.pdfx", "/news/story"):
        site.routes[path] = reply(200, b"page")
    fetcher = fetcher_for(site)
    for refused in ("/news/story.pdf", "/news/story?print=1"):
        with pytest.raises(RobotsDisallowedError):
            fetcher.get(site.base + refused)
    for allowed in ("/news/story.pdfx", "/news/story"):
        assert fetcher.get(site.base + allowed).status == 200
    assert "/news/story.pdf" not in site.hits and "/news/story?print=1" not in site.hits
