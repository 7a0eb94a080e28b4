"""stories and feed health

Adds stories (copies of one story across outlets share one), each article's story and
near-duplicate signature, alerts keyed by story instead of article, and the feed-health columns
(body hash, polls since the last unconditional fetch, failing since, last health notice).
Existing articles each become their own story.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("representative_article_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["representative_article_id"],
            ["articles.id"],
            name="fk_stories_representative_article",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("story_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("signature", sa.JSON(), nullable=True))
        batch.create_index("ix_articles_story_id", ["story_id"], unique=False)
        batch.create_foreign_key(
            "fk_articles_story", "stories", ["story_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("body_hash", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("polls_since_full", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("health_notice", sa.String(length=16), nullable=True))

    # Every existing article becomes the only copy of its own story.
    op.execute(
        "INSERT INTO stories (first_seen_at, representative_article_id) "
        "SELECT fetched_at, id FROM articles ORDER BY id"
    )
    op.execute(
        "UPDATE articles SET story_id = (SELECT s.id FROM stories s "
        "WHERE s.representative_article_id = articles.id)"
    )

    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("story_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE alerts SET story_id = (SELECT a.story_id FROM articles a "
        "WHERE a.id = alerts.article_id)"
    )
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("story_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("uq_alert_topic_article_channel", type_="unique")
        batch.create_unique_constraint(
            "uq_alert_topic_story_channel", ["topic_id", "story_id", "channel"]
        )
        batch.create_foreign_key(
            "fk_alerts_story", "stories", ["story_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("fk_alerts_story", type_="foreignkey")
        batch.drop_constraint("uq_alert_topic_story_channel", type_="unique")
        batch.create_unique_constraint(
            "uq_alert_topic_article_channel", ["topic_id", "article_id", "channel"]
        )
        batch.drop_column("story_id")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("health_notice")
        batch.drop_column("failing_since")
        batch.drop_column("polls_since_full")
        batch.drop_column("body_hash")
    with op.batch_alter_table("articles") as batch:
        batch.drop_constraint("fk_articles_story", type_="foreignkey")
        batch.drop_index("ix_articles_story_id")
        batch.drop_column("signature")
        batch.drop_column("story_id")
    op.drop_table("stories")
