"""The one home of HTTP in newswatch: bounded, polite fetching with an SSRF guard.

Everything that reads the network goes through :class:`Fetcher`, a coroutine API on an
``httpx.AsyncClient`` (so callers decide transports and pools) under a :class:`FetchPolicy`. It:

* follows redirects itself, so that every hop is checked by the address guard;
* refuses hosts that resolve to loopback, private, link-local, multicast, reserved or unspecified
  addresses unless the policy allows private targets or lists the host in ``allow_hosts``; plain
  http connects to the very address it checked, so a host cannot "rebind" to a private address
  between the check and the connection (over https the certificate check already ties the
  connection to the host name);
* keeps at most ``max_connections`` requests in flight, and ``max_per_host`` per host:port,
  counted across every Fetcher that shares one :class:`Politeness` (one cycle's batches);
* gives each request a total deadline of ``timeout_seconds`` (all hops, body included) on top of
  the client's connect and read timeouts;
* streams the body and stops once the *decompressed* size passes ``max_bytes``;
* sends conditional-GET headers when given an ETag or Last-Modified value;
* checks robots.txt before fetching a page (not a feed: callers pass ``respect_robots=False``);
* turns error statuses into errors that say what to do (429/503 carry Retry-After).

:func:`fetch_once` is the synchronous door for one-off fetches (the CLI's ``--url`` options).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from extractors.deadline import Deadline
from extractors.errors import (
    BlockedAddressError,
    FetchError,
    ResponseTooLargeError,
    RobotsDisallowedError,
)
from extractors.limits import ConnectionLimiter
from extractors.robots import ROBOTS_MAX_BYTES, RobotsCache, robots_url
from extractors.statuses import status_error

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], Awaitable[Iterable[str]]]
"""Turns (host, port) into the IP addresses a connection would use."""

PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the operating system, as httpx will when it connects."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class FetchPolicy:
    """Limits that apply to every request of one cycle.

    ``timeout_seconds`` is the total budget of one request, from its first byte sent to the last
    body byte received, redirects included (the wait for a free connection slot is not counted);
    connecting alone may take at most 10 s of it. ``max_connections`` and ``max_per_host``
    (per host:port) bound the requests in flight across all Fetchers sharing one Politeness.
    ``respect_robots=False`` skips robots.txt for every request.
    """

    user_agent: str
    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    allow_private: bool = False
    allow_hosts: frozenset[str] = frozenset()
    max_redirects: int = 5
    max_connections: int = 32
    max_per_host: int = 2
    respect_robots: bool = True


@dataclass(frozen=True)
class FetchResult:
    """What came back for one URL, after redirects."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    permanent_redirect: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def make_client(policy: FetchPolicy) -> httpx.AsyncClient:
    """A pooled client with the policy's timeouts and User-Agent; redirects are ours to follow.

    An ``AsyncClient`` keeps its connections on the event loop that opened them: use one per
    loop (per batch), inside ``async with``.
    """
    return httpx.AsyncClient(
        timeout=httpx.Timeout(policy.timeout_seconds, connect=min(10.0, policy.timeout_seconds)),
        headers={"User-Agent": policy.user_agent},
        follow_redirects=False,
        limits=httpx.Limits(
            max_connections=policy.max_connections,
            max_keepalive_connections=min(16, policy.max_connections),
        ),
    )


class Politeness:
    """What the Fetchers of one cycle share, whichever event loop each runs in: the connection
    limits (:class:`ConnectionLimiter`) and the robots.txt answers (:class:`RobotsCache`)."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.limiter = ConnectionLimiter(policy.max_connections, policy.max_per_host)
        self.robots = RobotsCache(policy.user_agent)


class Fetcher:
    """Fetch feeds and pages under a :class:`FetchPolicy`, on one event loop's client.

    Give the Fetchers of one cycle the same ``politeness`` so that their connection limits and
    robots.txt cache are shared; without one, the Fetcher has its own.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        client: httpx.AsyncClient,
        *,
        politeness: Politeness | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.policy = policy
        self.client = client
        self.politeness = politeness or Politeness(policy)
        self._resolve = resolver

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        respect_robots: bool = True,
    ) -> FetchResult:
        """GET ``url``; raise a :class:`FetchError` subclass that names the URL on any failure.

        With ``respect_robots`` (and ``FetchPolicy.respect_robots``) every hop is first checked
        against its site's robots.txt: :class:`RobotsDisallowedError` when it is disallowed. Feeds
        are meant to be polled, so callers fetch them with ``respect_robots=False``.
        Error statuses raise :class:`HTTPStatusError`; 429 and 503 raise its subclass
        :class:`RetryLaterError` (with ``retry_after_seconds``), 410 raises :class:`GoneError`.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        robots = respect_robots and self.policy.respect_robots
        return await self._follow(url, headers, robots=robots, limit=self.policy.max_bytes)

    async def check_target(self, url: str) -> str | None:
        """Raise :class:`BlockedAddressError` unless ``url`` may be fetched under the policy.

        Returns the checked address to connect to, or None when the policy admits the host
        without resolving it (``allow_private``, ``allow_hosts``).
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(url, f"unsupported scheme {parts.scheme!r}; use http or https")
        host = parts.hostname
        if not host:
            raise FetchError(url, "the URL has no host")
        try:
            port = _port(parts.scheme, parts.port)
        except ValueError:
            raise FetchError(url, "the URL has an invalid port; check the URL") from None
        if self.policy.allow_private or _host_allowed(host, port, self.policy.allow_hosts):
            return None
        try:
            addresses = list(await self._resolve(host, port))
        except OSError as exc:
            raise FetchError(url, f"cannot resolve {host}: {exc}") from None
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise BlockedAddressError(
                    url,
                    f"{host} resolves to the non-public address {ip}; refused by the SSRF guard "
                    "(set network.allow_private: true, or list the host in network.allow_hosts, "
                    "to fetch from private networks)",
                )
        if not addresses:
            raise FetchError(url, f"{host} resolves to no address; check the URL")
        return addresses[0]

    async def _follow(
        self, url: str, headers: dict[str, str], *, robots: bool, limit: int
    ) -> FetchResult:
        deadline = Deadline(self.policy.timeout_seconds)
        current = url
        permanent = True
        seen: set[str] = set()
        for _ in range(self.policy.max_redirects + 1):
            address = await self.check_target(current)
            if robots and not await self.politeness.robots.allowed(current, self._fetch_robots):
                raise RobotsDisallowedError(
                    url,
                    f"{robots_url(current)} disallows {current} for the User-Agent "
                    f"{self.policy.user_agent!r}; the site asks crawlers to stay away, so use "
                    "the feed's summary or ask the publisher",
                )
            seen.add(current)
            status, response_headers, body = await self._exchange(
                current, address, headers, deadline, limit
            )
            if status in REDIRECTS and "location" in response_headers:
                permanent = permanent and status in PERMANENT_REDIRECTS
                current = urljoin(current, response_headers["location"])
                if current in seen:
                    raise FetchError(url, f"redirect loop at {current}; check the URL")
                continue
            if status >= 400:
                raise status_error(url, status, response_headers)
            return FetchResult(
                url=url,
                final_url=current,
                status=status,
                headers=response_headers,
                body=body,
                permanent_redirect=permanent and current != url,
            )
        raise FetchError(
            url, f"more than {self.policy.max_redirects} redirects; check the URL in a browser"
        )

    async def _fetch_robots(self, location: str) -> bytes:
        """robots.txt through the same guarded path (no robots check of its own, smaller cap)."""
        limit = min(self.policy.max_bytes, ROBOTS_MAX_BYTES)
        result = await self._follow(location, {"Accept": "text/plain"}, robots=False, limit=limit)
        return result.body

    async def _exchange(
        self, url: str, address: str | None, headers: dict[str, str], deadline: Deadline, limit: int
    ) -> tuple[int, dict[str, str], bytes]:
        """One request and its whole body, inside a connection slot and the request's deadline.

        Plain http with an ``address`` (the one the guard checked) connects to that address, with
        the URL's host in the Host header. https is not pinned: its certificate is checked against
        the URL's host, and pooled connections stay per host name.
        """
        parts = urlsplit(url)
        target = url
        if address is not None and parts.scheme == "http":
            target, host_header = _pinned(url, address)
            headers = {**headers, **host_header}
        host_key = f"{(parts.hostname or '').lower()}:{_port(parts.scheme, parts.port)}"
        async with self.politeness.limiter.slot(host_key):
            deadline.start()
            if deadline.expired():
                raise self._too_slow(url)
            try:
                async with asyncio.timeout(deadline.remaining()):
                    async with self.client.stream("GET", target, headers=headers) as response:
                        body = await self._read_body(url, response, limit)
                        return response.status_code, _lower_keys(response.headers), body
            except TimeoutError:
                raise self._too_slow(url) from None
            except httpx.TimeoutException:
                raise FetchError(
                    url,
                    f"timed out after {self.policy.timeout_seconds:g}s (network.timeout_seconds)",
                ) from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"{type(exc).__name__}: {exc}") from None

    async def _read_body(self, url: str, response: httpx.Response, limit: int) -> bytes:
        declared = response.headers.get("content-length", "")
        encoded = response.headers.get("content-encoding", "identity")
        if declared.isdigit() and int(declared) > limit and encoded == "identity":
            raise ResponseTooLargeError(
                url, f"body of {declared} bytes exceeds network.max_bytes={limit}"
            )
        buffer = bytearray()
        async for chunk in response.aiter_bytes():  # decoded: the cap applies after inflating
            buffer += chunk
            if len(buffer) > limit:
                raise ResponseTooLargeError(
                    url,
                    f"body exceeds network.max_bytes={limit} after decompression; "
                    "raise the limit if this source is trusted",
                )
        return bytes(buffer)

    def _too_slow(self, url: str) -> FetchError:
        return FetchError(
            url,
            f"timed out: took longer than {self.policy.timeout_seconds:g}s in total "
            "(network.timeout_seconds); the server is slow or stalled, try again later",
        )


def _host_allowed(host: str, port: int, allow_hosts: frozenset[str]) -> bool:
    host = host.lower()
    return host in allow_hosts or f"{host}:{port}" in allow_hosts


def _pinned(url: str, address: str) -> tuple[str, dict[str, str]]:
    """``url`` with its host replaced by ``address``, and the Host header it must carry."""
    parts = urlsplit(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    ip = address.split("%", 1)[0]
    literal = f"[{ip}]" if ":" in ip else ip
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return parts._replace(netloc=netloc).geturl(), {"Host": hostport}


def _port(scheme: str, port: int | None) -> int:
    return port or (443 if scheme == "https" else 80)


def _lower_keys(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def fetch_once(
    policy: FetchPolicy, url: str, *, accept: str | None = None, respect_robots: bool = True
) -> FetchResult:
    """GET one URL from synchronous code, on a fresh client and event loop (the CLI's ``--url``
    options); see :meth:`Fetcher.get`."""

    async def fetch() -> FetchResult:
        async with make_client(policy) as client:
            fetcher = Fetcher(policy, client)
            return await fetcher.get(url, accept=accept, respect_robots=respect_robots)

    return asyncio.run(fetch())
