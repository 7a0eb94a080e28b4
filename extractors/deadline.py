"""A total time budget for one request, on top of httpx's per-operation timeouts.

httpx bounds each connect and each read, not the whole exchange: a server that sends one byte
every few seconds never trips a read timeout. :class:`Deadline` is the budget; every exchange gets
httpx timeouts clipped to what is left of it, and a :class:`Watchdog` shuts the connection's socket
down when the budget runs out while the body is still streaming, which wakes a blocked read.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

import httpx


class Deadline:
    """``seconds`` of budget, counted from the first :meth:`start` (not from creation).

    Starting late keeps the wait for a connection slot out of the budget: a request queued
    behind others for the same host has not begun yet.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end: float | None = None

    def start(self) -> None:
        if self._end is None:
            self._end = self._clock() + self.seconds

    def remaining(self) -> float:
        if self._end is None:
            return self.seconds
        return self._end - self._clock()

    def expired(self) -> bool:
        return self.remaining() <= 0


def clipped_timeout(base: httpx.Timeout, remaining: float) -> httpx.Timeout:
    """``base`` with every phase cut to ``remaining`` seconds (unset phases get exactly that)."""
    left = max(remaining, 0.001)

    def clip(value: float | None) -> float:
        return left if value is None else min(value, left)

    return httpx.Timeout(
        connect=clip(base.connect),
        read=clip(base.read),
        write=clip(base.write),
        pool=clip(base.pool),
    )


class Watchdog:
    """Shut down ``response``'s socket if the ``with`` block is still running after ``seconds``.

    The socket comes from httpcore's ``network_stream`` response extension. Shutting it down makes
    the blocked read fail at once; httpcore then discards the connection instead of pooling it.
    """

    def __init__(self, response: httpx.Response, seconds: float) -> None:
        self.fired = False
        self._response = response
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            sock = _socket_of(self._response)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _socket_of(response: httpx.Response) -> socket.socket | None:
    stream = response.extensions.get("network_stream")
    get_info = getattr(stream, "get_extra_info", None)
    if get_info is None:
        return None
    sock = get_info("socket")
    return sock if isinstance(sock, socket.socket) else None
