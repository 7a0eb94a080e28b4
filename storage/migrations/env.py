"""Alembic environment: runs on the connection newswatch hands over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from storage.models import Base
from storage.search import SEARCH_OBJECTS


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """Leave the search index (created by raw SQL in migration 0003) out of autogenerate."""
    return name not in SEARCH_OBJECTS


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
