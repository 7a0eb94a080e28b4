"""search index

A full-text index over each article's normalised tokens (the matcher's own tokenizer, computed
by newswatch when the article is stored), used by `newswatch search` to narrow candidates before
the exact matcher runs. SQLite: a contentless FTS5 table keyed by article id. PostgreSQL: a
tsvector column with a GIN index. Articles stored before this revision are indexed from their
lower-cased title and text, an approximation the exact matcher corrects.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE article_search USING fts5("
            "tokens, content='', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO article_search (rowid, tokens) "
            "SELECT id, lower(title || ' ' || coalesce(text, '')) FROM articles"
        )
    else:
        op.execute("ALTER TABLE articles ADD COLUMN search_vector tsvector")
        op.execute(
            "UPDATE articles SET search_vector = "
            "to_tsvector('simple', lower(title || ' ' || coalesce(text, '')))"
        )
        op.execute(
            "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE article_search")
    else:
        op.execute("DROP INDEX ix_articles_search_vector")
        op.execute("ALTER TABLE articles DROP COLUMN search_vector")
