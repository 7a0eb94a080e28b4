"""The one exception the matching package raises for bad queries."""

from __future__ import annotations

__all__ = ["QuerySyntaxError"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


class QuerySyntaxError(Exception):
    """A query that cannot be parsed or uses an unsupported construct.

    Attributes:
        query: the query string as given.
        position: 0-based character offset of the fault in ``query`` (``len(query)`` for a
            query that ends too early), or ``None`` when no single position is to blame.
        message: what is wrong, on one line, without the position or the topic.
        topic: the name of the topic whose query failed, when compiled through a Topic.
    """

    def __init__(
        self,
        message: str,
        query: str,
        position: int | None = None,
        topic: str | None = None,
    ) -> None:
        self.message = _one_line(message)
        self.query = query
        self.position = position
        self.topic = topic
        super().__init__(self._describe())

    def _describe(self) -> str:
        prefix = f"topic {self.topic!r}: " if self.topic is not None else ""
        where = f", position {self.position}" if self.position is not None else ""
        return f"{prefix}{self.message} (query {self.query!r}{where})"

    def __str__(self) -> str:
        return self._describe()

    def __reduce__(self) -> tuple[type[QuerySyntaxError], tuple[str, str, int | None, str | None]]:
        return (type(self), (self.message, self.query, self.position, self.topic))

    def with_topic(self, topic: str) -> QuerySyntaxError:
        """A copy of this error that names ``topic``."""
        return QuerySyntaxError(self.message, self.query, self.position, topic)

    def caret(self) -> str:
        """Two lines: the query, and a ``^`` under the faulty position (the end if unknown).

        Tabs, line breaks and other spacing in the query are shown as spaces, so the columns
        stay aligned.
        """
        shown = "".join(" " if c.isspace() else c for c in self.query)
        column = len(self.query) if self.position is None else self.position
        column = max(0, min(column, len(self.query)))
        return f"{shown}\n{' ' * column}^"
