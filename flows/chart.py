"""A small PNG chart of matches per topic per day, embedded in the run's markdown artifact (the
Prefect UI strips inline SVG but shows a base64 PNG)."""

from __future__ import annotations

import base64
import io
from datetime import date, timedelta


def matches_per_day_png(counts: list[tuple[str, str, int]], days: int, today: date) -> bytes:
    """Bars of matches per day over the last ``days`` days, one colour per topic."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    axis = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    labels = [d.isoformat() for d in axis]
    topics = sorted({topic for topic, _, _ in counts})
    figure, ax = plt.subplots(figsize=(6.4, 2.4), dpi=80)
    bottom = [0] * len(axis)
    for topic in topics:
        per_day = {day: n for name, day, n in counts if name == topic}
        heights = [per_day.get(label, 0) for label in labels]
        ax.bar(range(len(axis)), heights, bottom=bottom, label=topic, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_title(f"Matches per day, last {days} days", fontsize=9)
    ax.set_xticks([0, len(axis) // 2, len(axis) - 1])
    ax.set_xticklabels([labels[0], labels[len(axis) // 2], labels[-1]], fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    if topics:
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def markdown_image(png: bytes, alt: str) -> str:
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"
