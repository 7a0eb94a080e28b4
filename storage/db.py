"""Engines, sessions and schema migrations. The engine is created once per process by the caller
and passed in; nothing here keeps a global connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import DatabaseUnreachableError, SchemaOutOfDateError, StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def redact_database_url(url: str) -> str:
    """The URL with its password replaced by ***, safe for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def create_db_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL with psycopg 3), tuned for newswatch."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(
            f"database URL {redact_database_url(url)!r} is not valid; use sqlite:///path.db or "
            "postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any exception."""
    with factory() as session, session.begin():
        yield session


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise DatabaseUnreachableError(
            f"cannot connect to {redact_database_url(engine.url.render_as_string(False))}: "
            f"{_first_line(exc)}; check that the database is running and the URL is right"
        ) from None


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Apply every pending migration; return (revision before, revision after)."""
    before = current_revision(engine)
    migrate(engine, "upgrade", "head")
    return before, head_revision(engine)


def migrate(engine: Engine, direction: str, target: str) -> None:
    """Run Alembic ``upgrade``/``downgrade`` to ``target`` in one transaction.

    SQLite alters tables by copying them (batch mode); with foreign keys on, dropping the old
    copy would cascade-delete dependent rows, so they are off while migrating and checked after.
    """
    config = _alembic_config(engine)
    step = command.upgrade if direction == "upgrade" else command.downgrade
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config, target)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StorageError(f"migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def ensure_schema(engine: Engine, *, auto_upgrade: bool) -> None:
    """Make sure the schema is current; upgrade it when allowed, else say what to run."""
    current, head = current_revision(engine), head_revision(engine)
    if current == head:
        return
    if auto_upgrade:
        upgrade(engine)
        return
    shown = redact_database_url(engine.url.render_as_string(False))
    raise SchemaOutOfDateError(
        f"the database {shown} is at schema revision {current or 'none'}, this newswatch needs "
        f"{head}; run `newswatch db upgrade --config <your config>` first"
    )


def is_embedded(engine: Engine) -> bool:
    """True for SQLite, the embedded default that newswatch upgrades by itself."""
    return engine.dialect.name == "sqlite"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def analyze(engine: Engine) -> None:
    """Refresh the query planner's statistics (and let SQLite optimise its indexes)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA optimize")
            connection.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
