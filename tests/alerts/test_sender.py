from __future__ import annotations

import base64
import hashlib
import logging
import threading
from datetime import UTC, datetime

import pytest

from alerts import AlertItem, AlertSender, Channel, ChannelConfigError, SendResult, render_alert
from tests.alerts.conftest import Receiver

SECRET = "s3cr3t-T0KEN"

ITEM = AlertItem(
    topic="ai-policy",
    title="EU passes the AI Act",
    url="https://news.example.com/eu-ai-act?id=42",
    source="Reuters",
    published=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    snippet="Lawmakers approved the **AI Act** on Tuesday.",
    also_reported_by=("AP",),
)


def test_send_delivers_rendered_alert(receiver: Receiver) -> None:
    channel = Channel.from_url(f"json://{receiver.base}/hook", ["ai"], name="ops-hook")
    sender = AlertSender([channel])
    fmt = sender.preferred_format("ops-hook")
    assert fmt == "text"
    title, body = render_alert(ITEM, fmt, max_body=sender.body_limit("ops-hook"))

    result = sender.send("ops-hook", title, body, fmt)

    assert result == SendResult("ops-hook", ok=True, error=None)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hook"
    assert request.headers["user-agent"] == "newswatch"
    assert request.body["title"] == "[ai-policy] EU passes the AI Act"
    message = request.body["message"]
    for expected in (
        "Reuters",
        "2024-05-01T12:00:00Z",
        "*AI Act*",
        ITEM.url,
        "also reported by: AP",
    ):
        assert expected in message


def test_markdown_body_reaches_receiver_unchanged(receiver: Receiver) -> None:
    sender = AlertSender([Channel.from_url(f"json://{receiver.base}/md", ["ai"], name="md")])
    title, body = render_alert(ITEM, "markdown")
    assert sender.send("md", title, body, "markdown").ok
    assert "**AI Act**" in receiver.requests[0].body["message"]
    assert f"<{ITEM.url}>" in receiver.requests[0].body["message"]


def test_send_goes_to_that_channel_only(receiver: Receiver) -> None:
    sender = AlertSender(
        [
            Channel.from_url(f"json://{receiver.base}/one", ["ai"], name="one"),
            Channel.from_url(f"json://{receiver.base}/two", ["ai"], name="two"),
        ]
    )
    assert sender.send("two", "t", "b", "text").ok
    assert sender.send("two", "t", "b", "text").ok
    assert [r.path for r in receiver.requests] == ["/two", "/two"]


def test_http_500_is_a_failed_result(receiver: Receiver) -> None:
    receiver.status = 500
    sender = AlertSender([Channel.from_url(f"json://{receiver.base}/hook", ["ai"], name="h")])

    result = sender.send("h", "t", "b", "text")

    assert result.ok is False
    assert result.channel_key == "h"
    assert result.error is not None
    assert f"HTTP 500 from json://{receiver.base}" in result.error
    assert len(receiver.requests) == 1


def test_refused_port_is_a_failed_result(refused_port: int) -> None:
    sender = AlertSender([Channel.from_url(f"json://127.0.0.1:{refused_port}/hook", ["ai"])])
    key = sender.channels[0].key

    result = sender.send(key, "t", "b", "text")

    assert result.ok is False
    assert result.error is not None
    assert f"json://127.0.0.1:{refused_port}" in result.error
    assert "connection" in result.error.lower()


def test_planted_secret_never_leaks(
    receiver: Receiver, refused_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"json://user:{SECRET}@{receiver.base}/hook?+X-Token={SECRET}"
    channel = Channel.from_url(url, ["ai"])
    refused = Channel.from_url(
        f"json://user:{SECRET}@127.0.0.1:{refused_port}/hook?+X-Token={SECRET}", ["ai"]
    )
    texts = [repr(channel), str(channel), f"{channel}", repr([channel, refused]), channel.key]

    sender = AlertSender([channel, refused])
    texts.append(repr(sender))
    title, body = render_alert(ITEM, "text")

    ok = sender.send(channel.key, title, body, "text")
    assert ok.ok
    # The secret was really used: the header and basic auth reached the receiver.
    assert receiver.requests[0].headers["x-token"] == SECRET
    basic = base64.b64encode(f"user:{SECRET}".encode()).decode()
    assert receiver.requests[0].headers["authorization"] == f"Basic {basic}"

    receiver.status = 500
    failed = sender.send(channel.key, title, body, "text")
    assert not failed.ok
    assert failed.error is not None
    assert f"HTTP 500 from json://{receiver.base}" in failed.error
    down = sender.send(refused.key, title, body, "text")
    assert not down.ok
    texts += [str(ok), repr(ok), str(failed), repr(failed), str(down), repr(down)]

    with pytest.raises(ChannelConfigError) as excinfo:
        AlertSender([Channel.from_url(f"notaservice://{SECRET}@x", ["ai"], name="bad")])
    texts.append(str(excinfo.value))
    with pytest.raises(ChannelConfigError) as excinfo:
        AlertSender([Channel.from_url(f"json://user:{SECRET}@", ["ai"])])
    texts.append(str(excinfo.value))

    for text in texts:
        assert SECRET not in text, text
    assert caplog.records, "expected Apprise to log something at DEBUG"
    assert any(r.name == "apprise" and r.levelno == logging.DEBUG for r in caplog.records)
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in record.getMessage()


def test_invalid_url_raises_naming_the_channel_without_secret() -> None:
    with pytest.raises(ChannelConfigError) as excinfo:
        AlertSender(
            [
                Channel.from_url("json://127.0.0.1:9/ok", ["ai"], name="fine"),
                Channel.from_url(f"notaservice://{SECRET}@x", ["ai"], name="broken"),
            ]
        )
    message = str(excinfo.value)
    assert "'broken'" in message
    assert "notaservice://x" in message
    assert "fine" not in message
    assert "Apprise" in message and "scheme" in message
    assert SECRET not in message
    assert excinfo.value.keys == ("broken",)


def test_config_errors_for_duplicates_and_multiple_urls() -> None:
    with pytest.raises(ChannelConfigError, match="unique"):
        AlertSender(
            [
                Channel.from_url("json://127.0.0.1:9/a", ["x"], name="same"),
                Channel.from_url("json://127.0.0.1:9/b", ["x"], name="same"),
            ]
        )
    with pytest.raises(ChannelConfigError, match="one channel per URL"):
        AlertSender([Channel.from_url("json://127.0.0.1:9/a, json://127.0.0.1:9/b", ["x"])])
    with pytest.raises(ChannelConfigError, match="empty"):
        AlertSender([Channel.from_url("  ", ["x"], name="blank")])


def test_channel_keys_and_repr() -> None:
    url = f"json://user:{SECRET}@127.0.0.1:9/hook"
    derived = Channel.from_url(url, ["ai", " policy ", ""])
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    assert derived.key == f"json://127.0.0.1:9#{digest}"
    assert derived.tags == frozenset({"ai", "policy"})
    assert Channel.from_url(url, "ai", name="team-chat").key == "team-chat"
    assert Channel.from_url(url, "ai", name="team-chat").tags == frozenset({"ai"})
    assert repr(derived) == (
        f"Channel(key='json://127.0.0.1:9#{digest}', url='json://127.0.0.1:9', "
        "tags=['ai', 'policy'])"
    )


def test_routing_formats_and_limits() -> None:
    sender = AlertSender(
        [
            Channel.from_url("json://127.0.0.1:9/a", ["ai", "all"], name="a"),
            Channel.from_url("tgram://123456:ABC-secret/chatid", ["crypto", "all"], name="tg"),
            Channel.from_url("json://127.0.0.1:9/c", ["sports"], name="c"),
        ]
    )
    assert [c.key for c in sender.channels_for(["ai"])] == ["a"]
    assert [c.key for c in sender.channels_for({"all", "sports"})] == ["a", "tg", "c"]
    assert [c.key for c in sender.channels_for("crypto")] == ["tg"]
    assert sender.channels_for([]) == []
    assert sender.preferred_format("a") == "text"
    assert sender.preferred_format("tg") == "html"
    assert sender.body_limit("a") == 32768
    assert sender.body_limit("tg") == 4096
    with pytest.raises(KeyError):
        sender.send("nope", "t", "b", "text")
    with pytest.raises(ValueError, match="unknown format"):
        sender.send("a", "t", "b", "rtf")


def test_concurrent_sends_keep_their_own_reasons(receiver: Receiver, refused_port: int) -> None:
    sender = AlertSender(
        [
            Channel.from_url(f"json://{receiver.base}/hook", ["ai"], name="up"),
            Channel.from_url(f"json://127.0.0.1:{refused_port}/hook", ["ai"], name="down"),
        ]
    )
    results: dict[str, list[SendResult]] = {"up": [], "down": []}

    def work(key: str) -> None:
        for _ in range(5):
            results[key].append(sender.send(key, "t", "b", "text"))

    threads = [threading.Thread(target=work, args=(key,)) for key in ("up", "down")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [r.ok for r in results["up"]] == [True] * 5
    assert all(r.error is None for r in results["up"])
    assert [r.ok for r in results["down"]] == [False] * 5
    for result in results["down"]:
        assert result.error is not None
        assert f"json://127.0.0.1:{refused_port}" in result.error
        assert receiver.base not in result.error
    assert len(receiver.requests) == 5
