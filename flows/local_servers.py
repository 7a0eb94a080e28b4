"""Two small loopback HTTP servers used by ``newswatch demo`` (and by the tests):

* :class:`SiteServer` serves a folder of pages and feeds, replacing ``{{BASE_URL}}`` with its own
  address, and answers conditional GETs with 304 like a well-behaved news site;
* :class:`WebhookReceiver` records every notification POSTed to it (Apprise ``json://``).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources.abc import Traversable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

PLACEHOLDER = "{{BASE_URL}}"
CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


class _QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 in a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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


class SiteServer(_Server):
    """Serve the files under ``root`` (a folder or package resource) at ``/<relative path>``."""

    def __init__(self, root: Traversable | Path, port: int = 0) -> None:
        self.root = root
        self.requests: list[str] = []
        server = self

        class Handler(_QuietHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.requests.append(path)
                body = server.render(path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                suffix = Path(path).suffix or ".html"
                self.send_header("Content-Type", CONTENT_TYPES.get(suffix) or _guess(path))
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler, port)

    def render(self, path: str) -> bytes | None:
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith("_") for p in parts):
            return None
        node: Traversable | Path = self.root
        for part in parts or ["index.html"]:
            node = node / part
        if node.is_dir():
            node = node / "index.html"
        if not node.is_file():
            return None
        return node.read_bytes().replace(PLACEHOLDER.encode(), self.base_url.encode())


def _guess(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


@dataclass
class Notification:
    path: str
    payload: dict[str, Any] = field(default_factory=dict)


class WebhookReceiver(_Server):
    """Record notifications POSTed to any path. ``status`` decides what the receiver answers."""

    def __init__(self, port: int = 0, status: Callable[[int], int] | None = None) -> None:
        self.notifications: list[Notification] = []
        self._lock = threading.Lock()
        self._status = status or (lambda _attempt: 200)
        self.attempts = 0
        receiver = self

        class Handler(_QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver._lock:
                    receiver.attempts += 1
                    status = receiver._status(receiver.attempts)
                    if status < 300:
                        try:
                            payload = json.loads(raw or b"{}")
                        except json.JSONDecodeError:
                            payload = {"raw": raw.decode("utf-8", "replace")}
                        receiver.notifications.append(Notification(self.path, payload))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(Handler, port)
