"""Hostile and broken sources, each served by a real loopback server next to a healthy feed in the
same cycle: the cycle completes, the fault is recorded on its feed, the healthy feed is fully
processed. Then feed health over several cycles: backoff, 410, moves, 304 loops, notices."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, update

import storage
from flows.local_servers import SiteServer, WebhookReceiver
from flows.pipeline import run_cycle
from flows.settings import load_settings
from storage.models import Article, Feed
from tests.extractors.servers import LoopbackServer, reply
from tests.helpers import demo_feeds, expected_matches, host_port, write_config

ARTICLE = (
    "<html lang='fr'><head><title>L’OTAN met en garde Pékin</title></head><body><nav>Accueil</nav>"
    "<article><h1>L’OTAN met en garde Pékin</h1>"
    + "<p>Le secrétaire général de l’OTAN a averti Pékin qu’une livraison d’armes à la Russie "
    "serait une erreur historique, a-t-il déclaré à la presse mercredi à Bruxelles.</p>"
    * 6
    + "</article></body></html>"
)


def rss(base: str, items: list[tuple[str, str]], summary: str = "") -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{summary}</description></item>"
        for title, link in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
        f"<link>{base}/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


class FaultServer(LoopbackServer):
    """A loopback server whose routes are set per path; ``release`` frees sleeping handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def reply(self, path: str, status: int = 200, body: bytes = b"", **headers: str) -> None:
        self.routes[path] = reply(status, body, **headers)


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with FaultServer() as server:
        try:
            yield server
        finally:
            server.release.set()


def feed_rows(config: Path) -> dict[str, Feed]:
    engine = storage.create_db_engine(load_settings(config).database)
    with storage.session_factory(engine)() as session:
        rows = {f.url: f for f in session.scalars(select(Feed))}
    engine.dispose()
    return rows


def test_every_fault_is_recorded_and_the_healthy_feed_is_processed(
    tmp_path: Path, site: SiteServer, faults: FaultServer
) -> None:
    b = faults.base
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
    )

    def sleepy(h: BaseHTTPRequestHandler) -> None:
        faults.release.wait(10)

    faults.routes["/timeout.xml"] = sleepy
    faults.reply("/500.xml", 500)
    faults.reply("/429.xml", 429, Retry_After="120")
    faults.reply("/404.xml", 404)
    faults.reply("/410.xml", 410)
    faults.reply("/loop-a.xml", 302, Location="/loop-b.xml")
    faults.reply("/loop-b.xml", 302, Location="/loop-a.xml")
    faults.reply(
        "/html.xml", 200, b"<html><body><h1>Welcome</h1></body></html>", Content_Type="text/html"
    )
    faults.reply(
        "/truncated.xml", 200, rss(b, [("A", f"{b}/a.html")])[:90], Content_Type="application/xml"
    )
    faults.reply("/huge.xml", 200, b"<rss>" + b" " * 3_000_000, Content_Type="application/xml")
    bomb = gzip.compress(b" " * 50_000_000, compresslevel=9)
    faults.reply("/bomb.xml", 200, bomb, Content_Encoding="gzip", Content_Type="application/xml")
    faults.reply("/lol.xml", 200, billion_laughs, Content_Type="application/xml")
    # page-level faults: the feed works, its article does not
    faults.reply(
        "/forbidden.xml",
        200,
        rss(b, [("Refused story", f"{b}/403.html")], "NATO warns Beijing over arms"),
    )
    faults.reply("/403.html", 403)
    faults.reply("/charset.xml", 200, rss(b, [("Charset story", f"{b}/latin.html")]))
    faults.reply(
        "/latin.html", 200, ARTICLE.encode("utf-8"), Content_Type="text/html; charset=iso-8859-1"
    )
    faults.reply(
        "/ssrf.xml",
        200,
        rss(
            b,
            [
                ("Inside job", "http://127.0.0.1:9/admin.html"),
                ("Metadata", f"{b}/to-metadata.html"),
            ],
            "a summary",
        ),
    )
    faults.reply("/to-metadata.html", 302, Location="http://169.254.169.254/latest/meta-data/")
    broken = {
        "/timeout.xml": "timed out",
        "/500.xml": "HTTP 500",
        "/429.xml": "429",
        "/404.xml": "404",
        "/410.xml": "410",
        "/loop-a.xml": "redirect loop",
        "/html.xml": "not a readable feed",
        "/truncated.xml": "not a readable feed",
        "/huge.xml": "max_bytes",
        "/bomb.xml": "max_bytes",
        "/lol.xml": "not a readable feed",
    }
    feeds = [{"url": b + path} for path in [*broken, "/forbidden.xml", "/charset.xml", "/ssrf.xml"]]
    config = write_config(
        tmp_path,
        feeds=feeds + demo_feeds(site.base_url),
        allow_hosts=[host_port(site.base_url), host_port(b)],
    )
    raw = yaml.safe_load(config.read_text())
    raw["network"] |= {"timeout_seconds": 1, "max_bytes": 1_000_000}
    config.write_text(yaml.safe_dump(raw))

    started = time.monotonic()
    report = run_cycle(load_settings(config))
    assert time.monotonic() - started < 120
    outcomes = {o.url: o for o in report.feeds}
    rows = feed_rows(config)
    for path, reason in broken.items():
        outcome = outcomes[b + path]
        assert outcome.status == "failed", (path, outcome)
        assert reason in outcome.errors[0], (path, outcome.errors)
        assert rows[b + path].consecutive_failures == 1 and reason in (
            rows[b + path].last_error or ""
        )
    assert rows[b + "/410.xml"].disabled
    assert rows[b + "/429.xml"].next_poll_at is not None
    assert rows[b + "/429.xml"].next_poll_at - datetime.now(UTC) > timedelta(seconds=100)
    # the healthy feeds were fully processed in the same cycle
    assert {m.url for m in report.matches} >= expected_matches(site.base_url)

    engine = storage.create_db_engine(load_settings(config).database)
    with storage.session_factory(engine)() as session:
        stored = {a.title: a for a in session.scalars(select(Article))}
    engine.dispose()
    refused = stored["Refused story"]
    assert refused.text_source == "feed" and "NATO warns Beijing" in (refused.text or "")
    assert "403" in " ".join(outcomes[b + "/forbidden.xml"].errors)
    assert "Pékin" in (stored["Charset story"].text or "")  # declared latin-1, really UTF-8
    ssrf_errors = " ".join(outcomes[b + "/ssrf.xml"].errors)
    assert "127.0.0.1" in ssrf_errors and "169.254.169.254" in ssrf_errors and "SSRF" in ssrf_errors
    assert stored["Inside job"].text_source == "feed"  # nothing fetched from the private address


def set_clock(config: Path, **values: object) -> None:
    engine = storage.create_db_engine(load_settings(config).database)
    with engine.begin() as connection:
        connection.execute(update(Feed).values(**values))
    engine.dispose()


def test_backoff_recovery_and_health_notices(
    tmp_path: Path, faults: FaultServer, receiver: WebhookReceiver
) -> None:
    b = faults.base
    faults.reply("/feed.xml", 500)
    config = write_config(
        tmp_path, feeds=[{"url": b + "/feed.xml", "name": "Flaky"}], allow_hosts=[host_port(b)]
    )
    raw = yaml.safe_load(config.read_text())
    raw["notify"] = [{"url": f"json://127.0.0.1:{receiver.port}/ops", "tags": ["ops"]}]
    config.write_text(yaml.safe_dump(raw))
    for _ in range(3):  # two failures, then a rest: the third cycle does not poll
        run_cycle(load_settings(config))
    assert faults.hits["/feed.xml"] == 2
    row = feed_rows(config)[b + "/feed.xml"]
    assert row.consecutive_failures == 2 and row.next_poll_at is not None
    assert receiver.notifications == []  # failing, but not for 24 hours yet
    set_clock(config, next_poll_at=None, failing_since=datetime.now(UTC) - timedelta(hours=25))
    run_cycle(load_settings(config))
    run_cycle(load_settings(config))  # still failing: no second notice
    notices = [n.payload["title"] for n in receiver.notifications]
    assert notices == ["[newswatch] feed failing: Flaky"]
    faults.reply("/feed.xml", 200, rss(b, [("Back", f"{b}/back.html")], "summary text"))
    set_clock(config, next_poll_at=None)
    recovered = run_cycle(load_settings(config))
    assert recovered.feeds[0].status == "ok"
    row = feed_rows(config)[b + "/feed.xml"]
    assert row.consecutive_failures == 0 and row.failing_since is None
    notices = [n.payload["title"] for n in receiver.notifications]
    assert notices == ["[newswatch] feed failing: Flaky", "[newswatch] feed recovered: Flaky"]


def test_gone_feed_is_disabled_and_announced_once(
    tmp_path: Path, faults: FaultServer, receiver: WebhookReceiver
) -> None:
    b = faults.base
    faults.reply("/gone.xml", 410)
    config = write_config(tmp_path, feeds=[{"url": b + "/gone.xml"}], allow_hosts=[host_port(b)])
    raw = yaml.safe_load(config.read_text())
    raw["notify"] = [{"url": f"json://127.0.0.1:{receiver.port}/ops", "tags": ["ops"]}]
    config.write_text(yaml.safe_dump(raw))
    first = run_cycle(load_settings(config))
    second = run_cycle(load_settings(config))
    assert first.feeds[0].status == "failed" and second.feeds[0].status == "skipped"
    assert faults.hits["/gone.xml"] == 1
    assert [n.payload["title"] for n in receiver.notifications] == [
        f"[newswatch] feed disabled: {b}/gone.xml"
    ]


def test_moved_feed_is_polled_at_its_new_address(tmp_path: Path, faults: FaultServer) -> None:
    b = faults.base
    faults.reply("/old.xml", 301, Location="/new.xml")
    faults.reply("/new.xml", 200, rss(b, [("Moved", f"{b}/m.html")], "moved summary"))
    config = write_config(tmp_path, feeds=[{"url": b + "/old.xml"}], allow_hosts=[host_port(b)])
    first = run_cycle(load_settings(config))
    assert "moved permanently" in (first.feeds[0].warning or "")
    run_cycle(load_settings(config))
    assert faults.hits["/old.xml"] == 1 and faults.hits["/new.xml"] == 2
    assert feed_rows(config)[b + "/old.xml"].current_url == b + "/new.xml"


def test_stuck_304_is_broken_by_a_full_fetch_and_same_body_is_not_parsed(
    tmp_path: Path, faults: FaultServer
) -> None:
    b = faults.base
    seen: list[str | None] = []
    body = rss(b, [("One", f"{b}/1.html")], "first summary")

    def stuck(h: BaseHTTPRequestHandler) -> None:
        seen.append(h.headers.get("If-None-Match"))
        if h.headers.get("If-None-Match"):
            h.send_response(304)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("ETag", '"forever"')
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    faults.routes["/stuck.xml"] = stuck
    config = write_config(tmp_path, feeds=[{"url": b + "/stuck.xml"}], allow_hosts=[host_port(b)])
    raw = yaml.safe_load(config.read_text())
    raw["network"]["full_fetch_every"] = 3
    config.write_text(yaml.safe_dump(raw))
    statuses = [run_cycle(load_settings(config)).feeds[0].status for _ in range(4)]
    # 1: nothing to validate yet; 2: conditional -> 304; 3: the third poll goes without
    # validators, gets the same body, which is not parsed again; 4: conditional again
    assert seen == [None, '"forever"', None, '"forever"']
    assert statuses == ["ok", "not_modified", "not_modified", "not_modified"]


def test_transient_failures_are_retried_inside_the_batch(
    tmp_path: Path, faults: FaultServer
) -> None:
    b = faults.base
    body = rss(b, [("Third time lucky", f"{b}/lucky.html")], "lucky summary")
    attempts: list[int] = []

    def flaky(h: BaseHTTPRequestHandler) -> None:
        attempts.append(1)
        status = 503 if len(attempts) < 3 else 200
        payload = b"" if status == 503 else body
        h.send_response(status)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    faults.routes["/flaky.xml"] = flaky
    faults.reply("/forbidden.xml", 403)
    config = write_config(
        tmp_path,
        feeds=[{"url": b + "/flaky.xml"}, {"url": b + "/forbidden.xml"}],
        allow_hosts=[host_port(b)],
    )
    raw = yaml.safe_load(config.read_text())
    raw["run"]["retry_delays"] = [0.1, 0.2]
    config.write_text(yaml.safe_dump(raw))
    report = run_cycle(load_settings(config))
    outcomes = {o.url.rsplit("/", 1)[1]: o for o in report.feeds}
    assert outcomes["flaky.xml"].status == "ok" and outcomes["flaky.xml"].retries == 2
    assert len(attempts) == 3 and report.counts()["new_articles"] == 1
    assert outcomes["forbidden.xml"].status == "failed" and outcomes["forbidden.xml"].retries == 0
    assert faults.hits["/forbidden.xml"] == 1  # a 403 is not retried
