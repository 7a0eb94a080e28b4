"""Pure formatting of one alert: no I/O, no Apprise.

``render_alert`` turns an :class:`AlertItem` into ``(title, body)`` in plain text, Markdown
or HTML. Text that comes from the web (headline, outlet, snippet, other outlets) is treated
as hostile: whitespace is collapsed to single spaces (no injected line breaks), and it is
HTML-escaped for ``html`` and backslash-escaped for ``markdown`` so that markup or links in
it arrive inert. Matched terms in the snippet are written ``**like this**`` by the matcher
and rendered as bold in each format.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

__all__ = ["FORMATS", "AlertItem", "Format", "render_alert"]

Format = Literal["text", "markdown", "html"]
FORMATS: tuple[Format, ...] = get_args(Format)

ELLIPSIS = "…"
_MARK_RE = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
# CommonMark punctuation that can start markup anywhere in a line. "." and "-" are left
# alone except at the start of a line (lists), which keeps prose readable when a service
# shows the Markdown source.
_MD_SPECIAL = frozenset("\\`*_{}[]()<>#!|~")
_MD_LINE_START_RE = re.compile(r"([-+=])|(\d+)([.)])")
_URL_UNSAFE_RE = re.compile(r"[\x00-\x20\x7f<>\"`]")
_LINKABLE_RE = re.compile(r"https?://[^/?#\s]+.*", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class AlertItem:
    """What the flow hands over for one alert; plain data."""

    topic: str
    title: str  # article headline
    url: str  # canonical article URL
    source: str  # outlet name
    published: datetime | None  # aware UTC, or None when unknown
    snippet: str  # match snippet; matched terms are marked **like this**
    also_reported_by: tuple[str, ...] = ()


def _clean(text: str) -> str:
    """Collapse all whitespace (including newlines) to single spaces."""
    return " ".join(text.split())


def _md_escape(text: str) -> str:
    out = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)
    match = _MD_LINE_START_RE.match(out)
    if match is not None:
        if match.group(1):
            out = "\\" + out
        else:
            digits = match.group(2)
            out = f"{digits}\\{out[len(digits) :]}"
    return out


def _escape(text: str, fmt: Format) -> str:
    if fmt == "html":
        return html.escape(text, quote=True)
    if fmt == "markdown":
        return _md_escape(text)
    return text


def _bold(text: str, fmt: Format) -> str:
    if fmt == "html":
        return f"<b>{html.escape(text, quote=True)}</b>"
    if fmt == "markdown":
        return f"**{_md_escape(text)}**"
    return f"*{text}*"


def _published(value: datetime | None) -> str:
    if value is None:
        return "date unknown"
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)  # documented: naive means UTC
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _safe_url(url: str) -> str:
    """The URL with whitespace, control characters and ``<>"` `` percent-encoded."""
    return _URL_UNSAFE_RE.sub(lambda m: f"%{ord(m.group(0)):02X}", url.strip())


def _link(url: str, fmt: Format) -> str:
    safe = _safe_url(url)
    linkable = _LINKABLE_RE.fullmatch(safe) is not None
    if fmt == "html":
        shown = html.escape(safe, quote=True)
        return f'<a href="{shown}">{shown}</a>' if linkable else shown
    if fmt == "markdown":
        return f"<{safe}>" if linkable else _md_escape(safe)
    return safe


Segment = tuple[str, bool]  # (text, is_marked_term)


def _segments(snippet: str) -> list[Segment]:
    text = _clean(snippet)
    out: list[Segment] = []
    pos = 0
    for match in _MARK_RE.finditer(text):
        term = match.group(1)
        if not term.strip():
            continue  # "** **" is not a term; the stars stay literal text
        if match.start() > pos:
            out.append((text[pos : match.start()], False))
        out.append((term, True))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def _render_segments(segments: list[Segment], fmt: Format) -> str:
    return "".join(_bold(t, fmt) if marked else _escape(t, fmt) for t, marked in segments)


def _cut_points(segments: list[Segment]) -> list[int]:
    """Character offsets (into the plain snippet text) where it may be cut: anywhere in
    unmarked text, only before or after a marked term."""
    points: list[int] = []
    offset = 0
    for text, marked in segments:
        if marked:
            points.append(offset)
        else:
            points.extend(range(offset, offset + len(text)))
        offset += len(text)
    points.append(offset)
    return sorted(set(points))


def _prefix(segments: list[Segment], length: int) -> list[Segment]:
    out: list[Segment] = []
    remaining = length
    for text, marked in segments:
        if remaining <= 0:
            break
        if len(text) <= remaining:
            out.append((text, marked))
        else:
            out.append((text[:remaining], marked))  # only unmarked text is ever split
        remaining -= len(text)
    return out


def _back_to_word(segments: list[Segment], length: int) -> int:
    """Move a cut that falls inside a word back to the preceding space, if that space
    lies in the same run of unmarked text."""
    full = "".join(t for t, _ in segments)
    if length <= 0 or length >= len(full) or full[length].isspace() or full[length - 1].isspace():
        return length
    offset = 0
    for text, marked in segments:
        end = offset + len(text)
        if offset < length < end:
            if marked:
                return length  # cannot happen: marked terms are never split
            space = text.rfind(" ", 0, length - offset)
            return offset + space if space > 0 else length
        offset = end
    return length


def _trimmed(segments: list[Segment], length: int) -> list[Segment]:
    kept = _prefix(segments, length)
    # Drop trailing whitespace so the ellipsis sits against the last word.
    while kept:
        text, marked = kept[-1]
        stripped = text.rstrip()
        if stripped:
            kept[-1] = (stripped, marked)
            break
        kept.pop()
    return [*kept, (ELLIPSIS, False)]


def _assemble(
    fmt: Format,
    outlet: str,
    published: str,
    snippet: str,
    also: str,
    link: str,
) -> str:
    head = [f"Source: {outlet}", f"Published: {published}"]
    blocks: list[list[str]] = [head]
    if snippet:
        blocks.append([snippet])
    tail = [also] if also else []
    if fmt == "markdown":
        # Markdown needs a blank line (or two trailing spaces) to break a line.
        if tail:
            blocks.append(tail)
        blocks.append([link])
        return "\n\n".join("  \n".join(block) for block in blocks)
    blocks.append([*tail, link])
    if fmt == "html":
        return "<br>\n<br>\n".join("<br>\n".join(block) for block in blocks)
    return "\n\n".join("\n".join(block) for block in blocks)


def render_alert(
    item: AlertItem,
    fmt: Format,
    max_body: int | None = None,
) -> tuple[str, str]:
    """Render ``item`` as ``(title, body)`` in ``fmt`` ("text", "markdown" or "html").

    Title: ``[topic] headline``. Body: outlet, published time (UTC ISO 8601 such as
    ``2024-05-01T12:00:00Z``, or ``date unknown``; a naive datetime is taken as UTC), the
    snippet with matched terms in bold (``**x**`` Markdown, ``<b>x</b>`` HTML, ``*x*`` text),
    ``also reported by: A, B`` when there are other outlets, and the link.

    ``max_body``: when the body would be longer, only the snippet is shortened (at a word
    boundary where possible, never inside a marked term or a tag, ending in "…") or dropped.
    The link and the other lines are never cut, so if they alone exceed ``max_body`` the
    body is returned without snippet and is still longer than ``max_body``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if max_body is not None and (isinstance(max_body, bool) or max_body < 0):
        raise ValueError(f"max_body must be a non-negative int or None, got {max_body!r}")

    topic = _escape(_clean(item.topic), fmt)
    headline = _escape(_clean(item.title), fmt)
    title = f"[{topic}] {headline}" if topic else headline

    outlets = [_clean(o) for o in item.also_reported_by if _clean(o)]
    also = f"also reported by: {_escape(', '.join(outlets), fmt)}" if outlets else ""

    def body_with(snippet: str) -> str:
        return _assemble(
            fmt,
            outlet=_escape(_clean(item.source), fmt) or "unknown outlet",
            published=_published(item.published),
            snippet=snippet,
            also=also,
            link=_link(item.url, fmt),
        )

    segments = _segments(item.snippet)
    body = body_with(_render_segments(segments, fmt))
    if max_body is None or len(body) <= max_body:
        return title, body

    bare = body_with("")
    if len(bare) >= max_body:
        return title, bare

    # Largest cut point whose rendering fits; rendered length grows with the cut.
    points = _cut_points(segments)
    lo, hi, best = 1, len(points) - 1, -1
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = body_with(_render_segments(_trimmed(segments, points[mid]), fmt))
        if len(candidate) <= max_body:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    if best == -1:
        return title, bare
    for cut in (_back_to_word(segments, points[best]), points[best]):
        kept = _trimmed(segments, cut)
        if not any(text.strip() for text, _ in kept[:-1]):
            continue  # nothing but the ellipsis would be left
        trimmed = body_with(_render_segments(kept, fmt))
        if len(trimmed) <= max_body:
            return title, trimmed
    return title, bare
