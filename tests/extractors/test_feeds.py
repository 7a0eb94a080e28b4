"""Feed parsing: RSS/Atom through feedparser, JSON Feed, entry identity, links and dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from extractors import parse_feed

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
FEED_URL = "https://news.example.org/feeds/main.xml"


def rss(items: str, encoding: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>Example News</title><link>https://news.example.org/</link>{items}"
        "</channel></rss>"
    ).encode()


def test_rss_entry_identity_links_and_dates() -> None:
    data = rss(
        "<item><title>With guid</title><guid isPermaLink='false'>urn:story:1</guid>"
        "<link>/2024/story-1.html?utm_source=rss&amp;utm_medium=feed#comments</link>"
        "<pubDate>Sat, 01 Jun 2024 11:30:00 +0200</pubDate></item>"
        "<item><title>  Without\n guid  </title>"
        "<link>https://News.Example.org:443/2024/story-2.html?b=2&amp;a=1&amp;fbclid=X&amp;gclid=Y</link>"
        "</item>"
        "<item><title>From the future</title><link>/2024/story-3.html</link>"
        "<pubDate>Mon, 01 Jan 2046 00:00:00 GMT</pubDate></item>"
    )
    feed = parse_feed(data, FEED_URL, {"Content-Type": "application/rss+xml"}, now=NOW)
    assert feed.error is None and feed.warning is None and feed.version == "rss20"
    assert feed.title == "Example News"
    first, second, third = feed.entries
    assert first.guid == "urn:story:1"
    assert first.url == "https://news.example.org/2024/story-1.html"
    assert first.published == datetime(2024, 6, 1, 9, 30, tzinfo=UTC)
    assert not first.undated
    assert second.guid == second.url == "https://news.example.org/2024/story-2.html?a=1&b=2"
    assert second.title == "Without guid"
    assert (second.published, second.undated) == (NOW, True)
    assert third.published == NOW  # clamped: a feed cannot publish in the future


def test_atom_updated_only_and_naive_now() -> None:
    data = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:feed</id>
<updated>2024-05-30T10:00:00Z</updated>
<entry><id>tag:example.org,2024:1</id><title>Entry</title>
<link rel="alternate" href="entries/1"/><updated>2024-05-30T08:00:00-04:00</updated>
<author><name>Ada Writer</name></author><summary>Short</summary>
<content type="html">&lt;p&gt;The longer full content&lt;/p&gt;</content></entry></feed>"""
    feed = parse_feed(
        data, FEED_URL, {"content-type": "application/atom+xml"}, now=NOW.replace(tzinfo=None)
    )
    (entry,) = feed.entries
    assert entry.url == "https://news.example.org/feeds/entries/1"
    assert entry.guid == "tag:example.org,2024:1"
    assert entry.published == entry.updated == datetime(2024, 5, 30, 12, 0, tzinfo=UTC)
    assert entry.author == "Ada Writer"
    assert "longer full content" in entry.summary
    assert entry.published.tzinfo is UTC


def test_default_now_is_the_current_time() -> None:
    before = datetime.now(UTC)
    (entry,) = parse_feed(rss("<item><link>https://x.test/a</link></item>"), FEED_URL).entries
    assert before <= entry.published <= datetime.now(UTC) and entry.undated


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "JSON News",
    "home_page_url": "https://news.example.org/",
    "authors": [{"name": "Desk"}],
    "items": [
        {
            "id": "story-1",
            "url": "/2024/json-1.html?utm_campaign=x#top",
            "title": "First <JSON> story",
            "content_html": "<p>Full <b>HTML</b> body of the first story.</p>",
            "summary": "Short summary",
            "date_published": "2024-05-31T23:15:00+02:00",
            "date_modified": "2024-06-01T08:00:00Z",
            "authors": [{"name": "Ann"}, {"name": "Bo"}, {"url": "https://nameless"}],
        },
        {
            "id": 42,
            "external_url": "https://elsewhere.example.com/article",
            "content_text": "Plain text with <angle> brackets & ampersands",
            "author": {"name": "Old-style author"},
        },
        {
            "url": "https://news.example.org/2024/json-3.html",
            "date_published": "2099-01-01T00:00:00Z",
        },
        {"id": "no-link", "content_text": "an item without any url"},
        "not an object",
    ],
}


@pytest.mark.parametrize(
    "content_type",
    ["application/feed+json", "application/json; charset=utf-8", "text/plain", None],
)
def test_json_feed(content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    feed = parse_feed(json.dumps(JSON_FEED).encode(), FEED_URL, headers, now=NOW)
    assert feed.error is None and feed.version == "json11" and feed.title == "JSON News"
    assert feed.warning is not None and "2 JSON Feed item(s)" in feed.warning
    first, second, third = feed.entries
    assert first.guid == "story-1"
    assert first.url == "https://news.example.org/2024/json-1.html"
    assert first.title == "First <JSON> story"
    assert first.summary == "<p>Full <b>HTML</b> body of the first story.</p>"
    assert first.published == datetime(2024, 5, 31, 21, 15, tzinfo=UTC)
    assert first.updated == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
    assert first.author == "Ann, Bo"
    assert (second.guid, second.url) == ("42", "https://elsewhere.example.com/article")
    assert second.summary == "Plain text with &lt;angle&gt; brackets &amp; ampersands"
    assert second.author == "Old-style author" and second.title == ""
    assert (second.published, second.undated) == (NOW, True)
    assert third.guid == third.url == "https://news.example.org/2024/json-3.html"
    assert third.author == "Desk" and third.published == NOW


def test_json_feed_1_0_version_name() -> None:
    document = {"version": "https://jsonfeed.org/version/1", "items": []}
    feed = parse_feed(json.dumps(document).encode(), FEED_URL)
    assert (feed.error, feed.version, feed.entries) == (None, "json10", [])


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (b'{"hello": "world"}', "application/json", "without a JSON Feed 'items' list"),
        (b"[1, 2, 3]", "application/json", "not an object"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', None, "not valid JSON"),
        (b"{" * 100_000, "application/json", "not valid JSON"),
    ],
)
def test_json_that_is_not_a_feed(data: bytes, content_type: str | None, reason: str) -> None:
    feed = parse_feed(data, FEED_URL, {"content-type": content_type} if content_type else None)
    assert feed.entries == [] and feed.error is not None
    assert feed.error.startswith(FEED_URL + " is not a readable feed") and reason in feed.error


def test_json_feed_without_version_is_read_with_a_warning() -> None:
    data = json.dumps({"items": [{"id": "1", "url": "https://x.test/1"}]}).encode()
    feed = parse_feed(data, FEED_URL, {"content-type": "application/json"})
    assert [e.guid for e in feed.entries] == ["1"] and "no JSON Feed version" in (
        feed.warning or ""
    )


def test_xml_mislabelled_as_json_is_still_read() -> None:
    data = rss("<item><link>https://x.test/a</link></item>")
    feed = parse_feed(data, FEED_URL, {"content-type": "application/json"})
    assert [e.url for e in feed.entries] == ["https://x.test/a"]


def test_entries_without_a_usable_link_are_skipped() -> None:
    data = rss(
        "<item><title>no link</title><guid isPermaLink='false'>g</guid></item>"
        "<item><link>javascript:alert(1)</link></item>"
        "<item><link>https://x.test/ok</link></item>"
    )
    assert [e.url for e in parse_feed(data, FEED_URL).entries] == ["https://x.test/ok"]


def test_str_input_and_odd_now_timezones() -> None:
    data = rss("<item><link>https://x.test/a</link></item>").decode()
    plus_five = NOW.astimezone(timezone(timedelta(hours=5)))
    (entry,) = parse_feed(data, FEED_URL, now=plus_five).entries
    assert entry.published == NOW and entry.published.tzinfo is UTC


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("https://mirror.example.net/feeds/", "https://mirror.example.net/feeds/a.html"),
        ("/archive/", "https://news.example.org/archive/a.html"),
        ("javascript:alert(1)", "https://news.example.org/feeds/a.html"),
    ],
)
def test_content_location_is_the_base_for_relative_links(location: str, expected: str) -> None:
    data = rss("<item><link>a.html</link></item>")
    headers = {"Content-Location": location, "Content-Type": "application/rss+xml"}
    (entry,) = parse_feed(data, FEED_URL, headers).entries
    assert entry.url == expected
