"""Connection limits shared by every thread that uses one Fetcher.

Two counting semaphores bound the requests in flight: one for the whole Fetcher
(``FetchPolicy.max_connections``) and one per ``host:port`` (``FetchPolicy.max_per_host``), so that
a feed with a hundred new articles does not open a hundred connections to one publisher.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ConnectionLimiter:
    """Hands out request slots: at most ``total`` at once, at most ``per_host`` per host:port."""

    def __init__(self, total: int, per_host: int) -> None:
        if total < 1 or per_host < 1:
            raise ValueError(
                f"connection limits must be at least 1 (max_connections={total}, "
                f"max_per_host={per_host})"
            )
        self.total = total
        self.per_host = per_host
        self._global = threading.BoundedSemaphore(total)
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, host_key: str) -> Iterator[None]:
        """Hold one slot for ``host_key`` (``host:port``) and one global slot.

        The host slot is taken first: a thread queued behind a busy host holds no global slot, so
        requests to other hosts keep flowing. Both orders are fixed, so there is no deadlock.
        """
        host = self._host_semaphore(host_key)
        with host, self._global:
            yield

    def _host_semaphore(self, host_key: str) -> threading.BoundedSemaphore:
        with self._lock:
            semaphore = self._hosts.get(host_key)
            if semaphore is None:
                semaphore = self._hosts[host_key] = threading.BoundedSemaphore(self.per_host)
            return semaphore
