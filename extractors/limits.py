"""Connection limits shared by every event loop that fetches for one cycle.

A cycle polls its feeds in batches; each batch runs its own asyncio event loop (in the thread
of its task) and the batches may run at the same time. :class:`ConnectionLimiter` bounds the
requests in flight across all of them: at most ``total`` for the cycle and at most ``per_host``
per ``host:port``, so that a feed with a hundred new articles does not open a hundred
connections to one publisher, whichever batches its feeds landed in.

``asyncio.Semaphore`` belongs to one event loop, so the counts live behind a thread lock and a
waiting coroutine is woken through its own loop (``call_soon_threadsafe``).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Waiter:
    host_key: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None] = field(repr=False)
    granted: bool = False


class ConnectionLimiter:
    """Hands out request slots: at most ``total`` at once, at most ``per_host`` per host:port.

    Each host's waiters are served in arrival order, and a waiter whose host is full does not
    hold up waiters for other hosts: requests to quiet hosts keep flowing past a busy one. A
    release looks only at the hosts that have waiters, so thousands of queued requests for one
    busy host cost nothing per release.
    """

    def __init__(self, total: int, per_host: int) -> None:
        if total < 1 or per_host < 1:
            raise ValueError(
                f"connection limits must be at least 1 (max_connections={total}, "
                f"max_per_host={per_host})"
            )
        self.total = total
        self.per_host = per_host
        self._lock = threading.Lock()
        self._in_use = 0
        self._per_host: dict[str, int] = {}
        # hosts with queued waiters, oldest queue first (a dict keeps insertion order)
        self._queues: dict[str, deque[_Waiter]] = {}

    @asynccontextmanager
    async def slot(self, host_key: str) -> AsyncIterator[None]:
        """Hold one slot for ``host_key`` (``host:port``) and one of the cycle's slots."""
        await self._acquire(host_key)
        try:
            yield
        finally:
            self._release(host_key)

    def in_use(self, host_key: str | None = None) -> int:
        """Slots held now, for one host or in total."""
        with self._lock:
            return self._in_use if host_key is None else self._per_host.get(host_key, 0)

    async def _acquire(self, host_key: str) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            if host_key not in self._queues and self._has_room(host_key):
                self._take(host_key)
                return
            waiter = _Waiter(host_key, loop, loop.create_future())
            self._queues.setdefault(host_key, deque()).append(waiter)
        try:
            await waiter.future
        except BaseException:  # cancelled (a deadline, a shutdown): give back what we got
            with self._lock:
                if not waiter.granted:
                    queue = self._queues[host_key]
                    queue.remove(waiter)
                    if not queue:
                        del self._queues[host_key]
                    raise
            self._release(host_key)
            raise

    def _release(self, host_key: str) -> None:
        with self._lock:
            self._in_use -= 1
            left = self._per_host[host_key] - 1
            if left:
                self._per_host[host_key] = left
            else:
                del self._per_host[host_key]
            granted = self._grant_waiting()
        for waiter in granted:
            try:
                waiter.loop.call_soon_threadsafe(_wake, waiter.future)
            except RuntimeError:  # its event loop is closed: nobody will use the slot
                self._release(waiter.host_key)

    def _grant_waiting(self) -> list[_Waiter]:
        """Hand free slots to queued waiters whose host has room (call with the lock held)."""
        granted: list[_Waiter] = []
        for host_key in list(self._queues):
            if self._in_use >= self.total:
                break
            queue = self._queues[host_key]
            while queue and self._has_room(host_key):
                waiter = queue.popleft()
                self._take(host_key)
                waiter.granted = True
                granted.append(waiter)
            if not queue:
                del self._queues[host_key]
        return granted

    def _has_room(self, host_key: str) -> bool:
        return self._in_use < self.total and self._per_host.get(host_key, 0) < self.per_host

    def _take(self, host_key: str) -> None:
        self._in_use += 1
        self._per_host[host_key] = self._per_host.get(host_key, 0) + 1


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
