"""Loopback HTTP servers for the extractor tests: routes are plain functions of the handler."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

from extractors import Fetcher, FetchPolicy, make_client

Route = Callable[[BaseHTTPRequestHandler], None]


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


def fetcher_for(*servers: LoopbackServer, **policy: object) -> Fetcher:
    """A Fetcher whose SSRF guard admits exactly these servers."""
    settings = FetchPolicy(
        user_agent="newswatch-test/1",
        allow_hosts=frozenset(s.host_port for s in servers),
        **policy,  # type: ignore[arg-type]
    )
    return Fetcher(settings, make_client(settings))
