"""Storage: SQLAlchemy models, idempotent writes, queries, the alert outbox and migrations.

Functions take a Session (or an Engine) argument; nothing here holds a global connection.
No Prefect here.
"""

from storage.db import (
    create_db_engine,
    current_revision,
    ensure_schema,
    head_revision,
    is_embedded,
    redact_database_url,
    session_factory,
    transaction,
    upgrade,
)
from storage.errors import DatabaseUnreachableError, SchemaOutOfDateError, StorageError
from storage.outbox import (
    AlertRow,
    PendingAlert,
    claim_alerts,
    count_by_status,
    list_alerts,
    mark_failed,
    mark_sent,
)
from storage.queries import (
    MatchRow,
    StoredArticle,
    count_articles,
    export_matches,
    iter_articles,
    list_matches,
    recent_signatures,
)
from storage.search import index_articles, search_articles
from storage.writes import (
    NewArticle,
    NewMatch,
    StoredBatch,
    StoredMatch,
    known_entries,
    prune_texts,
    record_poll,
    record_run,
    store_articles,
    store_matches,
    sync_feeds,
    sync_topics,
)

__all__ = [
    "AlertRow",
    "DatabaseUnreachableError",
    "MatchRow",
    "NewArticle",
    "NewMatch",
    "PendingAlert",
    "SchemaOutOfDateError",
    "StorageError",
    "StoredArticle",
    "StoredBatch",
    "StoredMatch",
    "claim_alerts",
    "count_articles",
    "count_by_status",
    "create_db_engine",
    "current_revision",
    "ensure_schema",
    "export_matches",
    "head_revision",
    "index_articles",
    "is_embedded",
    "iter_articles",
    "known_entries",
    "list_alerts",
    "list_matches",
    "mark_failed",
    "mark_sent",
    "prune_texts",
    "recent_signatures",
    "record_poll",
    "record_run",
    "redact_database_url",
    "search_articles",
    "session_factory",
    "store_articles",
    "store_matches",
    "sync_feeds",
    "sync_topics",
    "transaction",
    "upgrade",
]
