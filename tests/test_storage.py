"""Storage on a real SQLite file and on the real local PostgreSQL: migrations, idempotent writes,
concurrent writers, the outbox claim."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

import storage
from storage.models import Alert, Article, Feed, Match


@pytest.fixture
def engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = storage.create_db_engine(database_url)
    storage.upgrade(engine)
    yield engine
    engine.dispose()


def article(
    n: int, *, topic_id: int | None = None, channels: tuple[str, ...] = ()
) -> storage.NewArticle:
    matches = (
        (storage.NewMatch(topic_id, [{"term": "nato"}], f"snippet {n}", channels),)
        if topic_id
        else ()
    )
    return storage.NewArticle(
        canonical_url=f"https://news.example.org/a/{n}",
        guid=f"guid-{n}",
        title=f"Article {n}",
        text=f"text of article {n}",
        text_source="page",
        published_at=datetime(2024, 7, 10, 12, n % 60, tzinfo=UTC),
        matches=matches,
    )


def setup_feed_and_topic(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with storage.transaction(storage.session_factory(engine)) as session:
        feeds = storage.sync_feeds(session, [("https://news.example.org/rss", "Example News")])
        topics = storage.sync_topics(session, [("nato-china-arms", "NATO AND China")])
    return feeds["https://news.example.org/rss"], topics["nato-china-arms"]


def test_migrations_create_the_schema_and_are_current(engine) -> None:  # type: ignore[no-untyped-def]
    tables = set(inspect(engine).get_table_names())
    assert {"feeds", "articles", "topics", "matches", "alerts", "runs"} <= tables
    assert storage.current_revision(engine) == storage.head_revision(engine)
    storage.ensure_schema(engine, auto_upgrade=False)  # does not raise


def test_out_of_date_schema_says_what_to_run(database_url: str) -> None:
    engine = storage.create_db_engine(database_url)
    try:
        with pytest.raises(storage.SchemaOutOfDateError, match="newswatch db upgrade"):
            storage.ensure_schema(engine, auto_upgrade=False)
    finally:
        engine.dispose()


def test_writes_are_idempotent(engine) -> None:  # type: ignore[no-untyped-def]
    feed_id, topic_id = setup_feed_and_topic(engine)
    batch = [article(1, topic_id=topic_id, channels=("team",)), article(2)]
    sessions = storage.session_factory(engine)
    with storage.transaction(sessions) as session:
        first = storage.store_articles(session, feed_id, batch)
    with storage.transaction(sessions) as session:
        again = storage.store_articles(session, feed_id, batch)
    assert (first.new_articles, len(first.matches)) == (2, 1)
    assert (again.new_articles, again.matches) == (0, [])
    with sessions() as session:
        counts = [
            session.scalar(select(func.count()).select_from(t)) for t in (Article, Match, Alert)
        ]
    assert counts == [2, 1, 1]


def test_two_writers_at_once_store_each_item_once(engine) -> None:  # type: ignore[no-untyped-def]
    feed_id, topic_id = setup_feed_and_topic(engine)
    batch = [article(n, topic_id=topic_id, channels=("team",)) for n in range(40)]
    sessions = storage.session_factory(engine)
    results: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write() -> None:
        try:
            start.wait()
            with storage.transaction(sessions) as session:
                results.append(storage.store_articles(session, feed_id, batch).new_articles)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [0, 40]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 40


def test_the_story_lock_admits_one_transaction_at_a_time(engine) -> None:  # type: ignore[no-untyped-def]
    """A second transaction asking for the story lock waits until the first one ends, and then
    sees what the first one stored (so its story index can catch up)."""
    sessions = storage.session_factory(engine)
    with storage.transaction(sessions) as session:
        feed_ids = storage.sync_feeds(session, [("https://news.example.org/rss", "News")])
    acquired = threading.Event()
    seen: list[int] = []

    def second_worker() -> None:
        with storage.transaction(sessions) as session:
            storage.lock_stories(session)
            acquired.set()
            since = datetime.now(UTC) - timedelta(days=1)
            seen.extend(i for i, _, _ in storage.recent_signatures(session, since=since))

    with storage.transaction(sessions) as first:
        storage.lock_stories(first)
        copy = article(1)
        stored = storage.store_articles(
            first, feed_ids["https://news.example.org/rss"], [replace(copy, signature=[1, 2])]
        )
        assert stored.new_articles == 1
        waiter = threading.Thread(target=second_worker)
        waiter.start()
        assert not acquired.wait(1.0)  # still waiting while the first transaction is open
    waiter.join(30)
    assert acquired.is_set() and len(seen) == 1


def test_known_entries_by_guid_and_url(engine) -> None:  # type: ignore[no-untyped-def]
    feed_id, _ = setup_feed_and_topic(engine)
    sessions = storage.session_factory(engine)
    with storage.transaction(sessions) as session:
        storage.store_articles(session, feed_id, [article(1)])
    with sessions() as session:
        known = storage.known_entries(
            session, feed_id, ["guid-1", "guid-9"], ["https://news.example.org/a/1", "https://x/9"]
        )
    assert known == {"guid-1", "https://news.example.org/a/1"}


def test_record_poll_tracks_health_and_validators(engine) -> None:  # type: ignore[no-untyped-def]
    feed_id, _ = setup_feed_and_topic(engine)
    sessions = storage.session_factory(engine)
    for _ in range(2):
        with storage.transaction(sessions) as session:
            storage.record_failure(session, feed_id, error="HTTP 500")
    with sessions() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        assert (feed.consecutive_failures, feed.last_error) == (2, "HTTP 500")
    with storage.transaction(sessions) as session:
        storage.record_success(session, feed_id, etag='"v2"', last_modified="yesterday")
    with sessions() as session:
        feed = session.get(Feed, feed_id)
        assert feed is not None
        assert (feed.consecutive_failures, feed.last_error, feed.etag) == (0, None, '"v2"')
        assert feed.last_success_at is not None and feed.last_success_at.tzinfo is not None


def test_outbox_claims_are_exclusive_and_retries_back_off(engine) -> None:  # type: ignore[no-untyped-def]
    feed_id, topic_id = setup_feed_and_topic(engine)
    sessions = storage.session_factory(engine)
    with storage.transaction(sessions) as session:
        storage.store_articles(
            session, feed_id, [article(1, topic_id=topic_id, channels=("a", "b"))]
        )
    with storage.transaction(sessions) as session:
        claimed = storage.claim_alerts(session)
    with storage.transaction(sessions) as session:
        assert storage.claim_alerts(session) == []  # already claimed by the first worker
    assert sorted(a.channel for a in claimed) == ["a", "b"]
    assert claimed[0].title == "Article 1" and claimed[0].source == "Example News"
    with storage.transaction(sessions) as session:
        storage.mark_sent(session, claimed[0].id)
        status = storage.mark_failed(session, claimed[1].id, "HTTP 500", attempts=1)
    assert status == "pending"
    with storage.transaction(sessions) as session:
        assert storage.claim_alerts(session) == []  # the retry is not due yet
        later = storage.claim_alerts(session, now=datetime.now(UTC) + timedelta(minutes=2))
    assert [a.id for a in later] == [claimed[1].id]
    with sessions() as session:
        assert storage.count_by_status(session) == {"sent": 1, "sending": 1}


def test_a_dead_workers_claim_expires(engine) -> None:  # type: ignore[no-untyped-def]
    feed_id, topic_id = setup_feed_and_topic(engine)
    sessions = storage.session_factory(engine)
    with storage.transaction(sessions) as session:
        storage.store_articles(session, feed_id, [article(1, topic_id=topic_id, channels=("a",))])
        assert len(storage.claim_alerts(session)) == 1
    with storage.transaction(sessions) as session:
        assert storage.claim_alerts(session) == []
        again = storage.claim_alerts(session, now=datetime.now(UTC) + timedelta(minutes=11))
    assert len(again) == 1 and again[0].attempts == 2


def test_sqlite_pragmas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = storage.create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        values = [
            connection.execute(text(f"PRAGMA {p}")).scalar()
            for p in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
    engine.dispose()
    assert values == ["wal", 1, 30000]


def test_unreachable_database_message_hides_the_password() -> None:
    engine = storage.create_db_engine("postgresql+psycopg://nw:hunter2@127.0.0.1:1/nowhere")
    with pytest.raises(storage.DatabaseUnreachableError) as info:
        storage.current_revision(engine)
    assert "hunter2" not in str(info.value) and "127.0.0.1:1" in str(info.value)


def test_migrations_match_the_models(engine) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base
    from storage.search import SEARCH_OBJECTS

    def include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        return name not in SEARCH_OBJECTS

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_empty_and_back(database_url: str) -> None:
    engine = storage.create_db_engine(database_url)
    try:
        storage.upgrade(engine)
        storage.db.migrate(engine, "downgrade", "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        storage.upgrade(engine)
        assert storage.current_revision(engine) == storage.head_revision(engine)
    finally:
        engine.dispose()


def test_upgrade_keeps_existing_alerts(database_url: str) -> None:
    """Data written at revision 0001 survives 0002: each article becomes its own story."""
    engine = storage.create_db_engine(database_url)
    try:
        storage.db.migrate(engine, "upgrade", "0001")
        now = datetime.now(UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO feeds (id, url, consecutive_failures, disabled, created_at) VALUES (1, 'https://f.example/rss', 0, false, :t)"
                ),
                {"t": now},
            )
            connection.execute(
                text(
                    "INSERT INTO topics (id, name, query, query_hash, created_at) VALUES (1, 't', 'x', 'h', :t)"
                ),
                {"t": now},
            )
            for n in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO articles (id, canonical_url, guid, feed_id, title, fetched_at, text_source, content_hash) VALUES (:n, :u, :u, 1, 'T', :t, 'page', 'h')"
                    ),
                    {"n": n, "u": f"https://f.example/{n}", "t": now},
                )
                connection.execute(
                    text(
                        "INSERT INTO alerts (topic_id, article_id, channel, status, attempts, next_attempt_at, created_at) VALUES (1, :n, 'c', 'pending', 0, :t, :t)"
                    ),
                    {"n": n, "t": now},
                )
        storage.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT a.article_id, a.story_id, r.story_id FROM alerts a JOIN articles r ON r.id = a.article_id ORDER BY a.article_id"
                )
            ).all()
        assert len(rows) == 2 and all(
            alert_story == article_story for _, alert_story, article_story in rows
        )
        assert rows[0][1] != rows[1][1]
    finally:
        engine.dispose()


def test_copies_of_a_story_share_it_and_alert_once(engine) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    sessions = storage.session_factory(engine)
    with storage.transaction(sessions) as session:
        feeds = storage.sync_feeds(
            session,
            [
                ("https://a.example/rss", "Outlet A"),
                ("https://b.example/rss", "Outlet B"),
                ("https://c.example/rss", "Outlet C"),
            ],
        )
        topic_id = storage.sync_topics(session, [("t", "NATO")])["t"]
    a, b, c = feeds.values()
    first = article(1, topic_id=topic_id, channels=("team",))
    copy_in_batch = dataclasses.replace(
        article(2, topic_id=topic_id, channels=("team",)), same_story_as=first.canonical_url
    )
    other = article(3, topic_id=topic_id, channels=("team",))
    with storage.transaction(sessions) as session:
        stored_a = storage.store_articles(session, a, [first, copy_in_batch, other])
    later_copy = dataclasses.replace(
        article(4, topic_id=topic_id, channels=("team",)), same_story_as=first.canonical_url
    )
    with storage.transaction(sessions) as session:
        stored_b = storage.store_articles(session, b, [later_copy])
    dangling = dataclasses.replace(
        article(5, topic_id=topic_id, channels=("team",)), same_story_as="https://gone.example/x"
    )
    with storage.transaction(sessions) as session:
        stored_c = storage.store_articles(session, c, [dangling])
    stories = {
        m.canonical_url.rsplit("/", 1)[1]: m.story_id
        for m in stored_a.matches + stored_b.matches + stored_c.matches
    }
    assert stories["1"] == stories["2"] == stories["4"]
    assert len({stories["1"], stories["3"], stories["5"]}) == 3
    with storage.transaction(sessions) as session:
        pending = storage.claim_alerts(session)
    assert len(pending) == 3  # one per story, not per copy
    first_alert = next(p for p in pending if p.url == first.canonical_url)
    assert first_alert.also_reported_by == ("Outlet B",)  # the same-outlet copy is not listed
