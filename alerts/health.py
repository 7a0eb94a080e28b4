"""Pure formatting of feed-health notices: a feed failing for long, disabled, or recovered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from alerts.messages import FORMATS, Format, _clean, _escape, _link, _published

NoticeKind = Literal["failing", "disabled", "recovered"]

_HEADLINES = {
    "failing": "feed failing",
    "disabled": "feed disabled",
    "recovered": "feed recovered",
}
_ADVICE = {
    "failing": "newswatch keeps retrying with a growing pause; check the URL in a browser.",
    "disabled": "newswatch stopped polling it; remove it from the config or fix its URL.",
    "recovered": "It works again; nothing to do.",
}


def render_feed_notice(
    kind: NoticeKind,
    *,
    name: str | None,
    url: str,
    failures: int,
    failing_since: datetime | None,
    last_error: str | None,
    fmt: Format,
) -> tuple[str, str]:
    """``(title, body)`` of one feed-health notice in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    label = _escape(_clean(name or url), fmt)
    title = f"[newswatch] {_HEADLINES[kind]}: {label}"
    lines = [f"Feed: {_link(url, fmt)}"]
    if kind != "recovered":
        lines.append(f"Failing since: {_published(failing_since)} ({failures} failed polls)")
        if last_error:
            lines.append(f"Last error: {_escape(_clean(last_error), fmt)}")
    lines.append(_ADVICE[kind])
    joiner = "<br>\n" if fmt == "html" else ("  \n" if fmt == "markdown" else "\n")
    return title, joiner.join(lines)
