"""Pieces every `newswatch` command shares: consoles, options, output formats, the store."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

# markup is off: titles and snippets from the web contain [brackets] that are not rich tags.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="Path to newswatch.yaml.", show_default=True)
]


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


def parse_since(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--since {value!r} is not an ISO date; use e.g. 2024-06-01 or 2024-06-01T08:00+00:00"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


FORMATS = ("table", "json", "csv")
FormatOption = Annotated[
    str, typer.Option("--format", help="table, json (one object per line) or csv.")
]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def emit(
    records: list[dict[str, Any]],
    fmt: str,
    columns: tuple[str, ...],
    empty: str = "Nothing to show.",
) -> None:
    """Print records as a table for people, or JSON lines / CSV for scripts."""
    if fmt == "json":
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(records[0]) if records else list(columns))
        writer.writeheader()
        writer.writerows(records)
        sys.stdout.write(buffer.getvalue())
    elif records:
        print_table(records, columns)
    else:
        out.print(empty)


def print_table(records: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    table = Table(show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(*(str(record.get(c) or "") for c in columns))
    out.print(table)


@contextmanager
def open_store(settings_database: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured database, schema checked (SQLite upgraded by itself)."""
    import storage

    engine = storage.create_db_engine(settings_database)
    try:
        storage.ensure_schema(engine, auto_upgrade=storage.is_embedded(engine))
        yield storage.session_factory(engine)
    finally:
        engine.dispose()
