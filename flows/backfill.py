"""Running a new or changed topic over the articles already stored (plain functions, used by
`newswatch topics backfill` with a progress bar and by the `backfill-topic` flow with a progress
artifact)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import storage
from flows.cycle import Routing
from flows.ingest import new_matches
from flows.settings import ConfigError, Settings, TopicSettings
from matching import Topic, TopicMatcher

Progress = Callable[[int, int], None]  # (articles done, articles in all)


@dataclass(frozen=True)
class BackfillResult:
    checked: int
    found: int
    new: int


def find_topic(settings: Settings, name: str) -> TopicSettings:
    topic = next((t for t in settings.topics if t.name == name), None)
    if topic is None:
        known = ", ".join(t.name for t in settings.topics) or "none"
        raise ConfigError(f"no topic named {name!r} in the config (topics: {known})")
    return topic


def backfill_topic(
    settings: Settings,
    name: str,
    *,
    since: datetime | None = None,
    queue_alerts: bool = False,
    progress: Progress | None = None,
) -> BackfillResult:
    """Match topic ``name`` against every stored article (since ``since``), store new matches,
    and queue their alerts only when asked. Reports progress after each chunk."""
    topic = find_topic(settings, name)
    matcher = TopicMatcher([Topic(topic.name, topic.query, topic.default_operator)])
    engine = storage.create_db_engine(settings.database)
    found = new = done = 0
    try:
        storage.ensure_schema(engine, auto_upgrade=storage.is_embedded(engine))
        sessions = storage.session_factory(engine)
        with storage.transaction(sessions) as session:
            topic_ids = storage.sync_topics(session, [(topic.name, topic.query)])
            total = storage.count_articles(session, since=since)
        routing = Routing.build(settings, topic_ids)
        if progress:
            progress(0, total)
        with sessions() as reader:
            for chunk in storage.iter_articles(reader, since=since):
                rows = [
                    (a.id, a.story_id, match)
                    for a in chunk
                    for match in new_matches(
                        matcher.match(a.title, a.text, source=a.source, lang=a.language), routing
                    )
                ]
                found += len(rows)
                with storage.transaction(sessions) as session:
                    new += storage.store_matches(session, rows, queue_alerts=queue_alerts)
                done += len(chunk)
                if progress:
                    progress(done, total)
    finally:
        engine.dispose()
    return BackfillResult(checked=done, found=found, new=new)
