"""Hostile and broken feeds come back as data (entries, a warning or an error), never raise."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors import ParsedFeed, parse_feed

URL = "https://news.example.org/feed.xml"
NOW = datetime(2024, 6, 1, tzinfo=UTC)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://news.example.org/a</link><description>&lol9;</description></item>
</channel></rss>"""

GOOD = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Café des Nouvelles</title>
<item><title>Première histoire — « déjà vu »</title><link>https://news.example.org/1</link>
<description>Le café était très chaud.</description></item>
<item><title>Deuxième histoire</title><link>https://news.example.org/2</link></item>
</channel></rss>""".encode()


def test_billion_laughs_is_not_expanded() -> None:
    feed = parse_feed(BILLION_LAUGHS, URL, {"content-type": "application/rss+xml"}, now=NOW)
    assert isinstance(feed, ParsedFeed)
    assert all(len(e.title) + len(e.summary) < 10_000 for e in feed.entries)
    assert len(feed.title or "") < 10_000
    assert feed.error or feed.warning  # flagged as malformed, whatever was recovered


def test_truncated_xml_keeps_complete_entries_with_a_warning() -> None:
    cut = GOOD[: GOOD.index(b"<item><title>Deuxi") + 20]
    feed = parse_feed(cut, URL, {"content-type": "application/rss+xml"})
    assert [e.url for e in feed.entries] == ["https://news.example.org/1"]
    assert feed.error is None and feed.warning is not None


def test_truncated_xml_without_entries_is_an_error() -> None:
    feed = parse_feed(GOOD[:120], URL, {"content-type": "application/rss+xml"})
    assert feed.entries == [] and feed.error is not None and URL in feed.error


def test_html_served_as_a_feed_is_an_error() -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body><h1>News</h1></body></html>"
    for content_type in ("text/html; charset=utf-8", "application/rss+xml", None):
        feed = parse_feed(page, URL, {"content-type": content_type} if content_type else None)
        assert feed.entries == [] and "an HTML page, not a feed" in (feed.error or "")


def test_utf8_declared_as_latin1_reads_correctly() -> None:
    feed = parse_feed(GOOD, URL, {"content-type": "application/rss+xml; charset=iso-8859-1"})
    assert feed.error is None
    assert feed.title == "Café des Nouvelles"
    assert feed.entries[0].title == "Première histoire — « déjà vu »"
    assert "très chaud" in feed.entries[0].summary


def test_utf8_with_a_latin1_xml_declaration_still_returns_entries() -> None:
    data = GOOD.replace(b'encoding="utf-8"', b'encoding="ISO-8859-1"')
    feed = parse_feed(data, URL)
    assert len(feed.entries) == 2 and feed.error is None


def test_empty_and_garbage_are_errors() -> None:
    for data in (b"", b"   \n", b"\x00\xff\xfe garbage \x00", b"just some words"):
        feed = parse_feed(data, URL)
        assert feed.entries == [] and feed.error is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.sampled_from([GOOD, BILLION_LAUGHS]).flatmap(
            lambda doc: st.integers(0, len(doc)).map(lambda n: doc[:n])
        ),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.text(max_size=20)
            | st.sampled_from(["https://jsonfeed.org/version/1.1", "https://x.test/a", "/rel"]),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.sampled_from(["version", "items", "id", "url", "title", "date_published"]),
                    inner,
                    max_size=5,
                )
            ),
            max_leaves=20,
        ).map(lambda value: json.dumps(value).encode()),
    ),
    content_type=st.sampled_from(
        [None, "application/rss+xml", "text/html", "application/json", "application/feed+json"]
    ),
)
def test_parse_feed_never_raises(data: bytes, content_type: str | None) -> None:
    feed = parse_feed(data, URL, {"content-type": content_type} if content_type else None)
    assert isinstance(feed, ParsedFeed)
    assert not (feed.error or "").startswith(URL + ": internal error")
    for entry in feed.entries:
        assert entry.url.startswith(("http://", "https://"))
        assert entry.published is not None and entry.published.tzinfo is UTC
