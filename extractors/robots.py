"""robots.txt for article pages, parsed with Protego and cached per site.

One :class:`RobotsCache` lives as long as one monitoring cycle, so each site's
robots.txt is fetched at most once per cycle, through the Fetcher's own guarded path (SSRF guard,
connection limits, timeouts, a size cap). A robots.txt that is missing (4xx) or cannot be read
(5xx, timeout, refused, too large, unparsable) allows everything: it says nothing against us
(Scrapy's robots.txt middleware does the same).

Protego follows RFC 9309: the group for our User-Agent or else ``*``, the longest matching rule
wins with Allow winning a tie, and ``*`` and ``$`` in paths are wildcards
(``Disallow: /*?print=`` and ``Disallow: /*.pdf$`` mean what they say).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from protego import Protego

from extractors.errors import FetchError

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024
"""Read at most this much of a robots.txt (RFC 9309 asks crawlers to parse at least 500 KiB)."""

RobotsFetch = Callable[[str], Awaitable[bytes]]
"""GET a robots.txt URL and return its body; raise a FetchError on any failure or error status."""

Rules = Protego | None
"""A site's parsed robots.txt; None means "everything allowed"."""


def robots_url(url: str) -> str:
    """The robots.txt that governs ``url``: same scheme, host and port, path ``/robots.txt``."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1].lower()
    return f"{parts.scheme.lower()}://{netloc}/robots.txt"


class RobotsCache:
    """Answers "may ``user_agent`` fetch this URL?" for every site, one robots.txt each.

    Shared by the event loops of one cycle's batches: the first coroutine to ask about a site
    fetches its robots.txt (with the ``fetch`` it passes, bound to its own loop's client) and
    every other asker, in any loop, awaits that one answer.
    """

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent
        self._rules: dict[str, Rules] = {}
        self._loading: dict[str, concurrent.futures.Future[Rules]] = {}
        self._lock = threading.Lock()

    async def allowed(self, url: str, fetch: RobotsFetch) -> bool:
        """True when the site's robots.txt lets our User-Agent fetch ``url``."""
        rules = await self.rules_for(robots_url(url), fetch)
        return rules is None or bool(rules.can_fetch(url, self.user_agent))

    async def rules_for(self, location: str, fetch: RobotsFetch) -> Rules:
        """The parsed robots.txt at ``location``, fetched at most once per cache."""
        with self._lock:
            if location in self._rules:
                return self._rules[location]
            pending = self._loading.get(location)
            owner = pending is None
            if pending is None:
                pending = self._loading[location] = concurrent.futures.Future()
        if not owner:
            return await asyncio.wrap_future(pending)
        try:
            rules = await self._load(location, fetch)
        except BaseException:  # cancelled while loading: the waiters go ahead, nothing cached
            with self._lock:
                self._loading.pop(location, None)
            pending.set_result(None)
            raise
        with self._lock:
            self._rules[location] = rules
            self._loading.pop(location, None)
        pending.set_result(rules)
        return rules

    async def _load(self, location: str, fetch: RobotsFetch) -> Rules:
        try:
            body = await fetch(location)
        except FetchError as exc:
            log.info("robots.txt not used, everything allowed: %s", exc)
            return None
        try:
            return parse_robots(body)
        except Exception as exc:  # a robots.txt we cannot read says nothing against us
            log.info("robots.txt at %s unreadable (%s); everything allowed", location, exc)
            return None


def parse_robots(body: bytes) -> Protego:
    """Parse a robots.txt body (UTF-8, a byte-order mark allowed, bad bytes replaced)."""
    return Protego.parse(body.decode("utf-8-sig", errors="replace"))
