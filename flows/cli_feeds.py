"""`newswatch feeds add|remove|import|export|list`: the feeds of the config file.

The config file is the single source of truth for which feeds are polled; the database only
keeps their state (validators, failures, next poll). add, remove and import edit the file in
place (see flows/config_edit.py): comments, key order and quoting survive, the result is
validated before it is written, the write is atomic and the previous version is kept as
``<config>.bak``.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer
from pydantic import ValidationError

from flows.cli_common import (
    ConfigOption,
    FormatOption,
    UsageError,
    check_format,
    emit,
    err,
    open_store,
    out,
)
from flows.config_edit import (
    FeedEntry,
    add_feeds,
    read_config_text,
    remove_feed,
    save_config,
    url_key,
)
from flows.opml import OpmlError, OpmlFeed, clean_text, parse_opml, to_opml
from flows.settings import FeedSettings, Settings, load_settings

if TYPE_CHECKING:
    from storage import FeedHealth

feeds_app = typer.Typer(
    help="The feeds in the config file: add, remove, import and export OPML, list with health.",
    no_args_is_help=True,
)
PROGRESS_FROM = 25  # feeds in an OPML file before `feeds import` shows a progress bar
TagOption = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help="A tag for the feed (repeat for more); no '/' in tags."),
]


def http_url(url: str) -> str | None:
    """``url`` with its scheme in lower case when it is a valid http(s) feed URL, else None."""
    url = url.strip()
    scheme = urlsplit(url).scheme
    if scheme.lower() not in ("http", "https"):
        return None
    url = scheme.lower() + url[len(scheme) :]
    try:
        FeedSettings(url=url)
    except ValidationError:
        return None
    return url


def _settings(config: Path) -> Settings:
    if not config.exists():
        raise UsageError(
            f"{config}: config file not found; create one with `newswatch init` or pass --config"
        )
    return load_settings(config)


def _tags(values: list[str] | None) -> tuple[str, ...]:
    tags: dict[str, None] = {}
    for value in values or []:
        tag = clean_text(value)
        if tag is None:
            continue
        if "/" in tag:
            raise UsageError(f"--tag {value!r}: a tag cannot contain '/' (it separates folders)")
        tags[tag] = None
    return tuple(tags)


@feeds_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The feed's http(s) URL (RSS, Atom or JSON Feed).")],
    name: Annotated[str | None, typer.Option(help="Shown as the outlet.")] = None,
    tag: TagOption = None,
    config: ConfigOption = Path("newswatch.yaml"),
) -> None:
    """Add a feed to the config file.

    Comments and layout of the file are kept; the previous version is kept as <config>.bak.

    Example: newswatch feeds add https://feeds.bbci.co.uk/news/world/rss.xml --name "BBC World"
    --tag world --config newswatch.yaml
    """
    checked = http_url(url)
    if checked is None:
        raise UsageError(f"{url!r} is not an http(s) URL; give the feed's http:// or https:// URL")
    settings = _settings(config)
    same = next((f.url for f in settings.feeds if url_key(f.url) == url_key(checked)), None)
    if same is not None:
        raise UsageError(f"{same} is already a feed in {config}; nothing changed")
    text = read_config_text(config)
    entry = FeedEntry(checked, clean_text(name), _tags(tag))
    backup = save_config(config, text, add_feeds(text, [entry]))
    out.print(f"Added {checked} to {config} (previous version: {backup.name}).")


@feeds_app.command("remove")
def remove(
    url: Annotated[str, typer.Argument(help="The feed's URL, as `newswatch feeds list` shows.")],
    config: ConfigOption = Path("newswatch.yaml"),
) -> None:
    """Remove a feed from the config file.

    It is no longer polled; its stored articles and matches stay in the database.

    Example: newswatch feeds remove https://feeds.bbci.co.uk/news/world/rss.xml
    """
    settings = _settings(config)
    keys = [url_key(f.url) for f in settings.feeds]
    if url_key(url) not in keys:
        close = difflib.get_close_matches(url, [f.url for f in settings.feeds], n=1)
        hint = f"did you mean {close[0]}?" if close else "`newswatch feeds list` shows them"
        raise UsageError(f"{url} is not a feed in {config}; {hint}")
    index = keys.index(url_key(url))
    text = read_config_text(config)
    backup = save_config(config, text, remove_feed(text, index))
    out.print(
        f"Removed {settings.feeds[index].url} from {config} (previous version: {backup.name})."
    )


@feeds_app.command("import")
def import_opml(
    opml_file: Annotated[Path, typer.Argument(help="An OPML export of a feed reader.")],
    config: ConfigOption = Path("newswatch.yaml"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would be added; change nothing.")
    ] = False,
) -> None:
    """Add the feeds of an OPML file to the config file.

    Reads the exports of Feedly, Inoreader, NetNewsWire, Thunderbird and others. Folders
    become tags, one per level; feeds already in the config are left as they are.

    Example: newswatch feeds import subscriptions.opml --config newswatch.yaml
    """
    try:
        data = opml_file.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{opml_file}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{opml_file}: cannot read it: {exc.strerror}") from None
    try:
        found = parse_opml(data)
    except OpmlError as exc:
        raise UsageError(f"{opml_file}: not a valid OPML file: {exc}") from None
    settings = _settings(config)
    known = {url_key(f.url) for f in settings.feeds}
    entries: list[FeedEntry] = []
    present = 0
    skipped: list[str] = []
    with _progress(len(found), f"Importing {opml_file.name}") as advance:
        for feed in found:
            advance()
            checked = http_url(feed.url)
            if checked is None:
                skipped.append(feed.url)
            elif url_key(checked) in known:
                present += 1
            else:
                known.add(url_key(checked))
                entries.append(FeedEntry(checked, feed.name, feed.tags))
    for url in skipped:
        err.print(f"  skipped {url}: not an http(s) URL")
    summary = f"{len(entries)} added, {present} already present, {len(skipped)} skipped (not http)"
    if dry_run:
        out.print(f"Dry run, {config} unchanged: {summary.replace('added', 'to add', 1)}.")
        return
    if entries:
        text = read_config_text(config)
        backup = save_config(config, text, add_feeds(text, entries))
        summary += f"; {config} updated (previous version: {backup.name})"
    out.print(summary + ".")


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A progress bar on a terminal for long lists, nothing otherwise."""
    if total < PROGRESS_FROM or not out.is_terminal:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=out) as progress:
        task = progress.add_task(label, total=total)
        yield lambda: progress.advance(task)


@feeds_app.command("export")
def export_opml(
    config: ConfigOption = Path("newswatch.yaml"),
    title: Annotated[str, typer.Option(help="The OPML document's title.")] = "newswatch feeds",
) -> None:
    """Print the config's feeds as OPML 2.0.

    For a feed reader or another newswatch: a feed goes in the folder of its first tag, its
    other tags in the category attribute.

    Example: newswatch feeds export --config newswatch.yaml > newswatch-feeds.opml
    """
    settings = _settings(config)
    feeds = [OpmlFeed(f.url, f.name, tuple(f.tags)) for f in settings.feeds]
    text = to_opml(feeds, title=title, created=datetime.now(UTC))
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:  # the document says UTF-8, whatever the terminal's encoding
        sys.stdout.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()


@feeds_app.command("list")
def list_feeds(
    config: ConfigOption = Path("newswatch.yaml"),
    output_format: FormatOption = "table",
) -> None:
    """List the config's feeds, with their health when the database exists.

    Health: status, last success, consecutive failures, next poll, disabled, last error.
    In CSV, tags are separated by ";".

    Example: newswatch feeds list --config newswatch.yaml --format json
    """
    check_format(output_format)
    settings = _settings(config)
    health = _health(settings)
    records = [_record(f, health.get(f.url), output_format) for f in settings.feeds]
    columns = ("name", "url", "tags", "status", "last_success", "next_poll", "last_error")
    emit(records, output_format, columns, empty=f"No feeds in {config}; add one with feeds add.")


def _record(feed: FeedSettings, health: FeedHealth | None, fmt: str) -> dict[str, Any]:
    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    if health is None:
        status = "not polled yet"
    elif health.disabled:
        status = "disabled"
    elif health.consecutive_failures:
        status = f"failing ({health.consecutive_failures}x)"
    else:
        status = "ok" if health.last_success_at else "not polled yet"
    tags: list[str] | str = list(feed.tags)
    if fmt != "json":
        tags = (";" if fmt == "csv" else ", ").join(feed.tags)
    next_poll = when(health.next_poll_at) if health else None
    if fmt == "table" and health and not health.disabled and next_poll is None:
        next_poll = "next cycle"
    return {
        "url": feed.url,
        "name": feed.name,
        "tags": tags,
        "status": status,
        "last_success": when(health.last_success_at) if health else None,
        "consecutive_failures": health.consecutive_failures if health else None,
        "next_poll": next_poll,  # None: at the next cycle
        "disabled": health.disabled if health else None,
        "last_error": health.last_error if health else None,
    }


def _health(settings: Settings) -> dict[str, FeedHealth]:
    """Feed health by URL; empty when there is no database yet (none is created for this)."""
    from sqlalchemy.engine import make_url

    import storage

    url = make_url(settings.database)
    on_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_file and not Path(str(url.database)).is_file():
        return {}
    try:
        with open_store(settings.database) as sessions, sessions() as session:
            return {row.url: row for row in storage.feed_health(session)}
    except storage.StorageError as exc:
        err.print(f"newswatch: feed health not shown: {exc}")
        return {}
