"""Alert delivery against real receivers on loopback: retries, a killed process, e-mail over
SMTP (aiosmtpd) and MQTT through the local Mosquitto broker."""

from __future__ import annotations

import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

import storage
from alerts import AlertItem, AlertSender, Channel, render_alert
from flows.local_servers import SiteServer, WebhookReceiver
from flows.pipeline import run_cycle
from flows.settings import load_settings
from storage.models import Alert
from tests.helpers import demo_feeds, expected_matches, host_port, write_config

ONE_STORY = {
    "name": "no-proof",
    "query": 'title:"no proof" AND "lethal aid"',
    "notify": ["team"],
}


def time_passes(config: Path, minutes: int) -> None:
    """Move the outbox's clock forward: due retries and expired claims, as if time had passed."""
    engine = storage.create_db_engine(load_settings(config).database)
    earlier = datetime.now(UTC) - timedelta(minutes=minutes)
    with engine.begin() as connection:
        connection.execute(
            update(Alert).where(Alert.status == "pending").values(next_attempt_at=earlier)
        )
        connection.execute(
            update(Alert).where(Alert.status == "sending").values(claimed_at=earlier)
        )
    engine.dispose()


def test_a_receiver_failing_twice_gets_the_alert_once_later(
    tmp_path: Path, site: SiteServer
) -> None:
    with WebhookReceiver(status=lambda attempt: 500 if attempt <= 2 else 200) as flaky:
        config = write_config(
            tmp_path,
            feeds=demo_feeds(site.base_url),
            hook_url=f"json://127.0.0.1:{flaky.port}/hook",
            allow_hosts=[host_port(site.base_url)],
            topics=[ONE_STORY],
        )
        first = run_cycle(load_settings(config))
        assert len(first.matches) == 1 and first.delivery.retrying == 1
        too_soon = run_cycle(load_settings(config))
        assert too_soon.delivery.retrying == 0 and flaky.attempts == 1  # backoff: not due yet
        time_passes(config, minutes=2)
        second = run_cycle(load_settings(config))
        assert second.delivery.retrying == 1 and flaky.attempts == 2
        time_passes(config, minutes=10)
        third = run_cycle(load_settings(config))
        assert third.delivery.sent == 1
        time_passes(config, minutes=60)
        run_cycle(load_settings(config))
    assert flaky.attempts == 3 and len(flaky.notifications) == 1


CYCLE = """
import sys
from flows.pipeline import run_cycle
from flows.settings import load_settings
run_cycle(load_settings(sys.argv[1]))
"""


def test_a_killed_process_loses_and_duplicates_nothing(tmp_path: Path, site: SiteServer) -> None:
    """SIGKILL while the first alert is in flight: the next cycle sends every other alert once;
    the one in flight (never acknowledged) is sent once its claim expires."""
    in_flight, release = threading.Event(), threading.Event()

    def status(attempt: int) -> int:
        if attempt == 1:
            in_flight.set()
            release.wait(30)
            return 599  # the sender is dead by now: this one was never acknowledged
        return 200

    with WebhookReceiver(status=status) as hook:
        config = write_config(
            tmp_path,
            feeds=demo_feeds(site.base_url),
            hook_url=f"json://127.0.0.1:{hook.port}/hook",
            allow_hosts=[host_port(site.base_url)],
        )
        worker = subprocess.Popen([sys.executable, "-c", CYCLE, str(config)])
        try:
            assert in_flight.wait(120), "the worker never started sending"
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(30)
        finally:
            release.set()
        expected = expected_matches(site.base_url)
        after_crash = run_cycle(load_settings(config))
        assert after_crash.delivery.sent == len(expected) - 1
        time_passes(config, minutes=11)  # the dead worker's claim expires
        last = run_cycle(load_settings(config))
        assert last.delivery.sent == 1
    bodies = [n.payload["message"] for n in hook.notifications]
    assert sorted(url for url in expected for body in bodies if url in body) == sorted(expected)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ITEM = AlertItem(
    topic="nato-china-arms",
    title="NATO chief warns Beijing over arms for Moscow",
    url="https://northgate.example/2024/warning.html",
    source="The Northgate Courier",
    published=datetime(2024, 2, 15, 17, 45, tzinfo=UTC),
    snippet="the **NATO** chief said **Beijing** must not send **weapons**",
)


def test_email_through_a_loopback_smtp_server() -> None:
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            received.append(envelope.content)  # type: ignore[attr-defined]
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        url = f"mailto://127.0.0.1:{port}?to=analyst@example.org&from=newswatch@example.org&mode=insecure"
        sender = AlertSender([Channel.from_url(url, ["team"], name="mail")])
        fmt = sender.preferred_format("mail")
        title, body = render_alert(ITEM, fmt, max_body=sender.body_limit("mail"))
        result = sender.send("mail", title, body, fmt)
    finally:
        controller.stop()
    assert result.ok, result.error
    message = email.message_from_bytes(received[0])
    assert message["Subject"] == "[nato-china-arms] NATO chief warns Beijing over arms for Moscow"
    parts = [p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()]
    assert any("The Northgate Courier" in p and ITEM.url in p for p in parts)


def test_mqtt_through_the_local_broker() -> None:
    paho = pytest.importorskip("paho.mqtt.client")
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=2).close()
    except OSError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no MQTT broker on 127.0.0.1:1883 ({exc})")
    topic = f"newswatch/test/{os.getpid()}-{time.monotonic_ns()}"
    got: list[str] = []
    subscribed = threading.Event()
    client = paho.Client(paho.CallbackAPIVersion.VERSION2)
    client.on_connect = lambda c, *_: c.subscribe(topic)
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_message = lambda c, u, msg: got.append(msg.payload.decode())
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        assert subscribed.wait(10)
        sender = AlertSender(
            [Channel.from_url(f"mqtt://127.0.0.1:1883/{topic}", ["team"], name="mqtt")]
        )
        fmt = sender.preferred_format("mqtt")
        title, body = render_alert(ITEM, fmt)
        assert sender.send("mqtt", title, body, fmt).ok
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        client.loop_stop()
        client.disconnect()
    assert got and ITEM.url in got[0] and "NATO" in got[0]


def test_alerts_for_the_run_are_json_serialisable(
    tmp_path: Path, site: SiteServer, receiver: WebhookReceiver
) -> None:
    config = write_config(
        tmp_path,
        feeds=demo_feeds(site.base_url),
        hook_url=f"json://127.0.0.1:{receiver.port}/hook",
        allow_hosts=[host_port(site.base_url)],
    )
    report = run_cycle(load_settings(config))
    assert json.loads(json.dumps(report.as_dict()))["counts"]["alerts_sent"] == len(
        receiver.notifications
    )
