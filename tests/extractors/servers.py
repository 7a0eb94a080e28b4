"""Loopback HTTP servers for the extractor tests: routes are plain functions of the handler."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Coroutine
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from extractors import Fetcher, FetchPolicy, FetchResult, make_client
from extractors.fetch import Resolver, system_resolver

Route = Callable[[BaseHTTPRequestHandler], None]
T = TypeVar("T")


class LoopbackServer:
    """A threading HTTP server on ``host`` (any 127.x address) with a dict of routes.

    Unknown paths answer 404. ``hits`` counts requests per path.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.hits[self.path] = server.hits.get(self.path, 0) + 1
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                else:
                    route(self)

            def log_message(self, *args: object) -> None:
                pass

        class QuietServer(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that give up on purpose (deadlines, size caps) are not errors

        self._httpd = QuietServer((host, 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def host_port(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    @property
    def base(self) -> str:
        return f"http://{self.host_port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def reply(status: int, body: bytes = b"", **headers: str) -> Route:
    """A route answering ``status`` with ``body``; header names use ``_`` for ``-``."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


class LoopFetcher:
    """The real :class:`Fetcher` on an event loop of its own (a daemon thread), so synchronous
    tests can call ``get`` from any thread: concurrent calls run as concurrent coroutines on
    that one loop, like the feeds of one batch. The loop stops when the object is collected."""

    def __init__(
        self,
        policy: FetchPolicy,
        client: Callable[[], httpx.AsyncClient] | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        self._loop = loop

        async def open_fetcher() -> Fetcher:
            return Fetcher(policy, (client or (lambda: make_client(policy)))(), resolver=resolver)

        self.fetcher = self._run(open_fetcher())
        weakref.finalize(self, _shut_down, loop, self.fetcher.client)

    def get(self, url: str, **options: Any) -> FetchResult:
        return self._run(self.fetcher.get(url, **options))

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()


def _shut_down(loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient) -> None:
    if loop.is_running():
        asyncio.run_coroutine_threadsafe(client.aclose(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)


def fetcher_for(*servers: LoopbackServer, **policy: object) -> LoopFetcher:
    """A Fetcher whose SSRF guard admits exactly these servers."""
    settings = FetchPolicy(
        user_agent="newswatch-test/1",
        allow_hosts=frozenset(s.host_port for s in servers),
        **policy,  # type: ignore[arg-type]
    )
    return LoopFetcher(settings)
