"""Connection limits of the Fetcher, observed from real loopback servers on three hosts."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest

from extractors import Fetcher, FetchPolicy, Politeness, make_client
from tests.extractors.servers import LoopbackServer, fetcher_for, reply


class InFlight:
    """Counts requests being served, per server and across all servers, and keeps the peaks."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.total_now = 0
        self.total_peak = 0

    def route(self, name: str, hold: float = 0.3):  # type: ignore[no-untyped-def]
        def slow(handler: BaseHTTPRequestHandler) -> None:
            with self.lock:
                self.now[name] = self.now.get(name, 0) + 1
                self.peak[name] = max(self.peak.get(name, 0), self.now[name])
                self.total_now += 1
                self.total_peak = max(self.total_peak, self.total_now)
            time.sleep(hold)
            with self.lock:
                self.now[name] -= 1
                self.total_now -= 1
            reply(200, b"ok")(handler)

        return slow


@pytest.fixture
def three_hosts() -> Iterator[list[LoopbackServer]]:
    with (
        LoopbackServer("127.0.0.1") as one,
        LoopbackServer("127.0.0.2") as two,
        LoopbackServer("127.0.0.3") as three,
    ):
        yield [one, two, three]


def hammer(servers: list[LoopbackServer], per_server: int, **policy: object) -> InFlight:
    counts = InFlight()
    for server in servers:
        server.routes["/slow"] = counts.route(server.host_port)
    fetcher = fetcher_for(*servers, respect_robots=False, **policy)
    urls = [server.base + "/slow" for server in servers for _ in range(per_server)]
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        bodies = list(pool.map(lambda url: fetcher.get(url).body, urls))
    assert bodies == [b"ok"] * len(urls)
    return counts


def test_at_most_two_requests_per_host_while_hosts_run_in_parallel(
    three_hosts: list[LoopbackServer],
) -> None:
    counts = hammer(three_hosts, per_server=6)
    assert counts.peak == {server.host_port: 2 for server in three_hosts}
    # the hosts did not wait for each other: more than one host's worth was in flight at once
    assert counts.total_peak > 2


def test_global_limit_caps_all_hosts_together(three_hosts: list[LoopbackServer]) -> None:
    counts = hammer(three_hosts, per_server=4, max_connections=3)
    assert counts.total_peak == 3
    assert all(peak <= 2 for peak in counts.peak.values())


def test_one_per_host_serialises_a_host(three_hosts: list[LoopbackServer]) -> None:
    counts = hammer(three_hosts[:1], per_server=4, max_per_host=1)
    assert counts.peak == {three_hosts[0].host_port: 1}


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_per_host=0"):
        fetcher_for(max_per_host=0)


def test_batches_on_separate_event_loops_share_the_limits(
    three_hosts: list[LoopbackServer],
) -> None:
    """Two batches of one cycle, each on its own event loop in its own thread (as Prefect runs
    two tasks at once), with one Politeness: the per-host limit holds across both."""
    counts = InFlight()
    for server in three_hosts:
        server.routes["/slow"] = counts.route(server.host_port)
    policy = FetchPolicy(
        user_agent="newswatch-test/1",
        allow_hosts=frozenset(s.host_port for s in three_hosts),
        respect_robots=False,
    )
    politeness = Politeness(policy)
    urls = [server.base + "/slow" for server in three_hosts for _ in range(4)]

    async def batch() -> list[bytes]:
        async with make_client(policy) as client:
            fetcher = Fetcher(policy, client, politeness=politeness)
            results = await asyncio.gather(*(fetcher.get(url) for url in urls))
        return [result.body for result in results]

    with ThreadPoolExecutor(max_workers=2) as pool:
        bodies = list(pool.map(lambda _: asyncio.run(batch()), range(2)))
    assert bodies == [[b"ok"] * len(urls)] * 2
    assert counts.peak == {server.host_port: 2 for server in three_hosts}
    assert counts.total_peak > 2
    assert politeness.limiter.in_use() == 0


def test_a_cancelled_waiter_gives_its_slot_back(three_hosts: list[LoopbackServer]) -> None:
    """Requests cut off by their deadline while queued for a host leave no slot taken."""
    server = three_hosts[0]
    counts = InFlight()
    server.routes["/slow"] = counts.route(server.host_port, hold=0.5)
    policy = FetchPolicy(
        user_agent="newswatch-test/1",
        allow_hosts=frozenset({server.host_port}),
        respect_robots=False,
        max_per_host=1,
    )
    politeness = Politeness(policy)

    async def batch() -> list[object]:
        async with make_client(policy) as client:
            fetcher = Fetcher(policy, client, politeness=politeness)
            waits = [asyncio.wait_for(fetcher.get(server.base + "/slow"), 0.2) for _ in range(3)]
            return await asyncio.gather(*waits, return_exceptions=True)

    outcomes = asyncio.run(batch())
    assert all(isinstance(outcome, TimeoutError) for outcome in outcomes)
    assert politeness.limiter.in_use() == 0
    assert politeness.limiter.in_use(server.host_port) == 0
