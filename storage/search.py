"""The full-text index behind `newswatch search`: it narrows the candidates, the exact matcher
decides. Tokens come in already normalised by the matcher's tokenizer, so the index and the
matcher agree on what a word is.

SQLite: a contentless FTS5 table ``article_search`` (rowid = article id). PostgreSQL: the
``articles.search_vector`` tsvector column with a GIN index. Both are created by migration 0003
and are not part of the ORM models (see ``SEARCH_OBJECTS``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, select, text
from sqlalchemy.orm import Session

from storage.models import Article
from storage.queries import StoredArticle, iter_articles

# Database objects outside the ORM models; schema comparisons skip them.
SEARCH_OBJECTS = frozenset(
    {
        "article_search",
        "article_search_config",
        "article_search_data",
        "article_search_docsize",
        "article_search_idx",
        "search_vector",
        "ix_articles_search_vector",
    }
)

Pattern = tuple[str, bool]  # (normalised token, is a prefix)
Condition = Sequence[Sequence[Pattern]]  # every clause needs one of its patterns


def index_articles(session: Session, items: Sequence[tuple[int, str]]) -> None:
    """Add (article id, normalised tokens) to the search index."""
    if not items:
        return
    rows = [{"id": article_id, "tokens": tokens} for article_id, tokens in items]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("INSERT INTO article_search (rowid, tokens) VALUES (:id, :tokens)"), rows
        )
    else:
        session.execute(
            text(
                "UPDATE articles SET search_vector = to_tsvector('simple', :tokens) WHERE id = :id"
            ),
            rows,
        )


def _fts5_query(condition: Condition) -> str:
    def pattern(p: Pattern) -> str:
        token = '"' + p[0].replace('"', '""') + '"'
        return token + "*" if p[1] else token

    return " AND ".join("(" + " OR ".join(pattern(p) for p in clause) + ")" for clause in condition)


def _tsquery(condition: Condition) -> str:
    def pattern(p: Pattern) -> str:
        token = "'" + p[0].replace("'", "''").replace("\\", "\\\\") + "'"
        return token + ":*" if p[1] else token

    return " & ".join("(" + " | ".join(pattern(p) for p in clause) + ")" for clause in condition)


def _candidates(session: Session, condition: Condition) -> Any:
    """A subquery of the ids the index selects; None when there is nothing to narrow on."""
    if not condition:
        return None
    if session.get_bind().dialect.name == "sqlite":
        return (
            text("SELECT rowid AS id FROM article_search WHERE article_search MATCH :q")
            .bindparams(bindparam("q", _fts5_query(condition)))
            .columns(id=Integer)
        )
    query = _tsquery(condition)
    return select(Article.id).where(
        text("articles.search_vector @@ to_tsquery('simple', :q)").bindparams(q=query)
    )


def search_articles(
    session: Session,
    condition: Condition,
    *,
    since: datetime | None = None,
    chunk: int = 500,
) -> Iterator[list[StoredArticle]]:
    """Stored articles that satisfy ``condition`` in the index, in chunks, newest id first.
    An empty condition selects every article (a query like ``NOT sport`` has no anchor)."""
    return iter_articles(
        session,
        since=since,
        chunk=chunk,
        newest_first=True,
        only_ids=_candidates(session, condition),
    )
