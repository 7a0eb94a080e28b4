"""Pure formatting of one message that lists several alerts: a topic digest, or the alerts
folded together once a channel reached its hourly limit. Stories are grouped under their topic;
each line names the headline, the outlet(s) and the link. Web text is escaped as in
``render_alert``."""

from __future__ import annotations

from collections.abc import Sequence

from alerts.messages import FORMATS, AlertItem, Format, _clean, _escape, _link, _published


def render_summary(
    items: Sequence[AlertItem],
    fmt: Format,
    heading: str,
    max_body: int | None = None,
) -> tuple[str, str]:
    """``(title, body)`` listing ``items`` grouped by topic, in their order. When ``max_body``
    is given, whole lines are dropped from the end (never cut) and replaced by "... and N more"."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    topics = list(dict.fromkeys(item.topic for item in items))
    title = f"{_escape(_clean(heading), fmt)} ({len(items)} new)"
    lines: list[tuple[str, str]] = []  # (topic header or "", line)
    for topic in topics:
        for item in (i for i in items if i.topic == topic):
            outlets = ", ".join(_clean(o) for o in (item.source, *item.also_reported_by) if o)
            line = (
                f"{_escape(_clean(item.title), fmt)} ({_escape(outlets, fmt)}, "
                f"{_published(item.published)}) {_link(item.url, fmt)}"
            )
            lines.append((topic, line))

    def body_for(kept: int) -> str:
        parts: list[str] = []
        current = None
        for topic, line in lines[:kept]:
            if topic != current:
                current = topic
                header = f"[{_escape(_clean(topic), fmt)}]"
                parts.append(f"<b>{header}</b>" if fmt == "html" else header)
            parts.append(("- " if fmt != "html" else "• ") + line)
        if kept < len(lines):
            parts.append(f"... and {len(lines) - kept} more")
        joiner = "<br>\n" if fmt == "html" else ("  \n" if fmt == "markdown" else "\n")
        return joiner.join(parts)

    kept = len(lines)
    body = body_for(kept)
    while max_body is not None and len(body) > max_body and kept > 0:
        kept -= 1
        body = body_for(kept)
    return title, body
