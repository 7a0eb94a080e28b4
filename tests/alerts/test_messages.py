from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts import AlertItem, render_alert

URL = "https://news.example.com/2024/05/eu-ai-act_passes?id=42&ref=feed"


def make_item(**overrides: object) -> AlertItem:
    fields: dict[str, object] = {
        "topic": "ai-policy",
        "title": "EU passes the AI Act",
        "url": URL,
        "source": "Reuters",
        "published": datetime(2024, 5, 1, 12, 30, 5, tzinfo=UTC),
        "snippet": "Lawmakers in Brussels approved the **AI Act** on Tuesday, "
        "setting rules for **general-purpose models** across the union.",
        "also_reported_by": (),
    }
    fields.update(overrides)
    return AlertItem(**fields)  # type: ignore[arg-type]


def unescaped_double_stars(text: str) -> int:
    return len(re.findall(r"(?<!\\)\*\*", text))


def html_tags_balanced(text: str) -> bool:
    stack: list[str] = []
    for closing, name in re.findall(r"<(/?)([a-zA-Z]+)[^<>]*>", text):
        if name.lower() == "br":
            continue
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    leftover = re.sub(r"<(/?)([a-zA-Z]+)[^<>]*>", "", text)
    return not stack and "<" not in leftover and ">" not in leftover


def test_text_format() -> None:
    title, body = render_alert(make_item(), "text")
    assert title == "[ai-policy] EU passes the AI Act"
    assert "Reuters" in body
    assert "2024-05-01T12:30:05Z" in body
    assert "approved the *AI Act* on Tuesday" in body
    assert "*general-purpose models*" in body
    assert "**" not in body
    assert body.rstrip().endswith(URL)
    assert "also reported by" not in body


def test_markdown_format() -> None:
    title, body = render_alert(make_item(also_reported_by=("AP", "BBC News")), "markdown")
    assert title == "[ai-policy] EU passes the AI Act"
    assert "approved the **AI Act** on Tuesday" in body
    assert "**general-purpose models**" in body
    assert "also reported by: AP, BBC News" in body
    assert f"<{URL}>" in body
    assert unescaped_double_stars(body) % 2 == 0


def test_html_format() -> None:
    title, body = render_alert(make_item(also_reported_by=("AP",)), "html")
    assert title == "[ai-policy] EU passes the AI Act"
    assert "approved the <b>AI Act</b> on Tuesday" in body
    assert "also reported by: AP" in body
    escaped = URL.replace("&", "&amp;")
    assert f'<a href="{escaped}">{escaped}</a>' in body
    assert html_tags_balanced(body)


def test_published_unknown_and_converted_to_utc() -> None:
    assert "date unknown" in render_alert(make_item(published=None), "text")[1]
    cet = timezone(timedelta(hours=2))
    _, body = render_alert(make_item(published=datetime(2024, 5, 1, 14, 0, tzinfo=cet)), "text")
    assert "2024-05-01T12:00:00Z" in body


def test_html_escapes_script_in_headline_outlet_and_snippet() -> None:
    item = make_item(
        title="Breaking <script>alert(1)</script> news",
        source="Evil <img src=x onerror=alert(1)>",
        snippet="before <b>not ours</b> **term** after",
    )
    title, body = render_alert(item, "html")
    assert "<script>" not in title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title
    assert "<img" not in body
    assert "&lt;b&gt;not ours&lt;/b&gt;" in body
    assert "<b>term</b>" in body
    assert html_tags_balanced(body)


def test_markdown_escapes_links_in_headline_and_snippet() -> None:
    item = make_item(
        title="Read this [click](http://evil.example) now",
        snippet="see ![img](http://evil.example/x.png) and **term** _here_",
    )
    title, body = render_alert(item, "markdown")
    assert "[click](" not in title
    assert "\\[click\\]\\(http://evil.example\\)" in title
    assert "![img](" not in body
    assert "\\_here\\_" in body
    assert "**term**" in body


def test_markdown_neutralises_line_start_markup_and_newlines() -> None:
    item = make_item(title="# Heading\n\n- item", source="1. Outlet", snippet="- not a list")
    title, body = render_alert(item, "markdown")
    assert "\n" not in title
    # Newlines are collapsed, so "- item" is no longer at a line start; "#" is escaped anyway.
    assert title == "[ai-policy] \\# Heading - item"
    assert "Source: 1\\. Outlet" in body
    assert "\n\\- not a list" in body  # the snippet does start a line: escaped


def test_unbalanced_marker_in_snippet_stays_literal() -> None:
    item = make_item(snippet="a ** stray marker and **term**")
    _, md = render_alert(item, "markdown")
    assert unescaped_double_stars(md) == 2
    _, html_body = render_alert(item, "html")
    assert html_body.count("<b>") == 1
    assert html_tags_balanced(html_body)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_trimming_keeps_link_and_balance(fmt: str) -> None:
    item = make_item(also_reported_by=("AP",), snippet="x " * 5 + "**AI Act** " + "word " * 60)
    _, full = render_alert(item, fmt)  # type: ignore[arg-type]
    _, bare = render_alert(make_item(also_reported_by=("AP",), snippet=""), fmt)  # type: ignore[arg-type]
    for limit in range(len(bare), len(full) + 1, 3):
        _, body = render_alert(item, fmt, max_body=limit)  # type: ignore[arg-type]
        assert len(body) <= limit
        assert URL.replace("&", "&amp;") in body if fmt == "html" else URL in body
        assert "also reported by: AP" in body
        if fmt == "markdown":
            assert unescaped_double_stars(body) % 2 == 0
        if fmt == "html":
            assert html_tags_balanced(body)
    _, untouched = render_alert(item, fmt, max_body=len(full))  # type: ignore[arg-type]
    assert untouched == full


def test_trimming_never_splits_a_marked_term() -> None:
    item = make_item(snippet="The **European Parliament** voted today on the new rules for AI.")
    _, full = render_alert(item, "markdown")
    for cut in range(1, 70):
        _, body = render_alert(item, "markdown", max_body=len(full) - cut)
        assert "**European Parliament**" in body or "European" not in body
        assert unescaped_double_stars(body) % 2 == 0


def test_trimming_cannot_shorten_below_the_fixed_parts() -> None:
    item = make_item()
    _, body = render_alert(item, "text", max_body=10)
    assert URL in body  # the link is never cut, even though the body is now too long
    assert "AI Act" not in body


def test_trim_to_exact_word_boundary() -> None:
    item = make_item(snippet="alpha beta gamma delta")
    _, bare = render_alert(make_item(snippet=""), "text")
    _, body = render_alert(item, "text", max_body=len(bare) + len("\n\nalpha beta gam…"))
    assert "alpha beta…" in body


def test_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render_alert(make_item(), "rtf")  # type: ignore[arg-type]


_web_text = st.lists(
    st.sampled_from([*"ab *_[]()<>&#!`\\-.\n", "**", "<b>", "</b>", "http://x.y", "word "]),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    title=_web_text,
    snippet=_web_text,
    source=_web_text,
    fmt=st.sampled_from(["text", "markdown", "html"]),
    slack=st.integers(min_value=0, max_value=120),
)
def test_trimming_properties(title: str, snippet: str, source: str, fmt: str, slack: int) -> None:
    item = make_item(title=title, snippet=snippet, source=source)
    _, bare = render_alert(make_item(title=title, snippet="", source=source), fmt)  # type: ignore[arg-type]
    limit = len(bare) + slack
    _, body = render_alert(item, fmt, max_body=limit)  # type: ignore[arg-type]
    assert len(body) <= limit
    if fmt == "html":
        assert html_tags_balanced(body)
        assert URL.replace("&", "&amp;") in body
    else:
        assert URL in body
    if fmt == "markdown":
        assert unescaped_double_stars(body) % 2 == 0
