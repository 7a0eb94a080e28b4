"""The one home of HTTP in newswatch: bounded, polite fetching with an SSRF guard.

Everything that reads the network goes through :class:`Fetcher`. It is given an ``httpx.Client``
(so tests and callers decide transports and pools) and a :class:`FetchPolicy`, and it:

* follows redirects itself, so that every hop is checked by the address guard;
* refuses hosts that resolve to loopback, private, link-local, multicast, reserved or unspecified
  addresses unless the policy allows private targets or lists the host in ``allow_hosts``;
* streams the body and stops once the *decompressed* size passes ``max_bytes``;
* sends conditional-GET headers when given an ETag or Last-Modified value.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from extractors.errors import (
    BlockedAddressError,
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
)

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], Iterable[str]]
"""Turns (host, port) into the IP addresses a connection would use."""

PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the operating system, as httpx will when it connects."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class FetchPolicy:
    """Limits that apply to every request of one cycle."""

    user_agent: str
    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    allow_private: bool = False
    allow_hosts: frozenset[str] = frozenset()
    max_redirects: int = 5


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


def make_client(policy: FetchPolicy) -> httpx.Client:
    """A pooled client with the policy's timeouts and User-Agent; redirects are ours to follow."""
    return httpx.Client(
        timeout=httpx.Timeout(policy.timeout_seconds, connect=min(10.0, policy.timeout_seconds)),
        headers={"User-Agent": policy.user_agent},
        follow_redirects=False,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )


class Fetcher:
    """Fetch feeds and pages under a :class:`FetchPolicy`. Thread-safe; share one per cycle."""

    def __init__(
        self,
        policy: FetchPolicy,
        client: httpx.Client,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.policy = policy
        self.client = client
        self._resolve = resolver

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url``; raise a :class:`FetchError` subclass that names the URL on any failure."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        current = url
        permanent = True
        seen: set[str] = set()
        for _ in range(self.policy.max_redirects + 1):
            self.check_target(current)
            seen.add(current)
            status, response_headers, body = self._get_once(current, headers)
            if status in REDIRECTS and "location" in response_headers:
                permanent = permanent and status in PERMANENT_REDIRECTS
                current = urljoin(current, response_headers["location"])
                if current in seen:
                    raise FetchError(url, f"redirect loop at {current}; check the URL")
                continue
            if status >= 400:
                raise HTTPStatusError(url, status, _status_advice(status, response_headers))
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

    def check_target(self, url: str) -> None:
        """Raise :class:`BlockedAddressError` unless ``url`` may be fetched under the policy."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(url, f"unsupported scheme {parts.scheme!r}; use http or https")
        host = parts.hostname
        if not host:
            raise FetchError(url, "the URL has no host")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if self.policy.allow_private or _host_allowed(host, port, self.policy.allow_hosts):
            return
        try:
            addresses = list(self._resolve(host, port))
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

    def _get_once(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        limit = self.policy.max_bytes
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                declared = response_headers.get("content-length", "")
                encoded = response_headers.get("content-encoding", "identity")
                if declared.isdigit() and int(declared) > limit and encoded == "identity":
                    raise ResponseTooLargeError(
                        url, f"body of {declared} bytes exceeds network.max_bytes={limit}"
                    )
                buffer = bytearray()
                for chunk in response.iter_bytes():  # decoded: the cap applies after inflating
                    buffer += chunk
                    if len(buffer) > limit:
                        raise ResponseTooLargeError(
                            url,
                            f"body exceeds network.max_bytes={limit} after decompression; "
                            "raise the limit if this source is trusted",
                        )
                return response.status_code, response_headers, bytes(buffer)
        except httpx.TimeoutException:
            raise FetchError(
                url, f"timed out after {self.policy.timeout_seconds:g}s (network.timeout_seconds)"
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None


def _host_allowed(host: str, port: int, allow_hosts: frozenset[str]) -> bool:
    host = host.lower()
    return host in allow_hosts or f"{host}:{port}" in allow_hosts


def _status_advice(status: int, headers: dict[str, str]) -> str:
    if status == 404:
        return "HTTP 404 Not Found; the URL may have moved, check it in a browser"
    if status == 410:
        return "HTTP 410 Gone; the publisher removed it, remove the feed from the config"
    if status in (401, 403):
        return f"HTTP {status}; the site refuses this client (paywall or bot protection)"
    if status in (429, 503) and "retry-after" in headers:
        return f"HTTP {status}; the site asks to retry after {headers['retry-after']}"
    return f"HTTP {status} from the server"
