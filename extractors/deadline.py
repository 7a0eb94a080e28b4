"""A total time budget for one request, on top of httpx's per-operation timeouts.

httpx bounds each connect and each read, not the whole exchange: a server that sends one byte
every few seconds never trips a read timeout. :class:`Deadline` is the budget of one request,
redirects included; each exchange runs inside ``asyncio.timeout(deadline.remaining())``, which
cancels a read that is still waiting when the budget runs out.
"""

from __future__ import annotations

import time
from collections.abc import Callable


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
        return max(self._end - self._clock(), 0.0)

    def expired(self) -> bool:
        return self.remaining() <= 0
