"""Edit the ``feeds:`` list of a newswatch.yaml without disturbing the rest of the file.

The config file is the single source of truth for feeds, and people comment it, order it and
quote it their own way, so edits are surgical. ruamel.yaml's round-trip loader locates the
``feeds:`` block and each entry (line numbers), a new entry is rendered by ruamel.yaml in the
indentation the list already uses and spliced in after the last entry, and a removed entry's
own lines are cut out: every other byte of the file, comments included, stays as it was.
Comment lines above a removed entry are kept (they may head a group of feeds). Files whose
``feeds:`` is not a plain block list (flow style, odd layouts) are edited through a ruamel.yaml
round-trip dump instead. Either way the result is loaded again and must equal the intended
data before it is validated with the project's settings and written atomically, with a
``.bak`` copy of the previous version.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from flows.settings import ConfigError, parse_settings


@dataclass(frozen=True)
class FeedEntry:
    url: str
    name: str | None = None
    tags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"url": self.url}
        if self.name:
            entry["name"] = self.name
        if self.tags:
            entry["tags"] = list(self.tags)
        return entry


def url_key(url: str) -> str:
    """What makes two feed URLs the same feed: scheme and host compared without case."""
    parts = urlsplit(url.strip())
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def add_feeds(text: str, entries: list[FeedEntry]) -> str:
    """The config text with ``entries`` appended to ``feeds:`` (created when missing)."""
    if not entries:
        return text
    expected = _plain(text)
    expected["feeds"] = [*(expected.get("feeds") or []), *(e.as_dict() for e in entries)]

    def append(feeds: CommentedSeq) -> None:
        feeds.extend(_entry_node(entry) for entry in entries)

    return _edited(text, expected, _splice_add(text, entries), append)


def remove_feed(text: str, index: int) -> str:
    """The config text without the ``index``-th entry of ``feeds:``."""
    expected = _plain(text)
    expected["feeds"] = [f for i, f in enumerate(expected.get("feeds") or []) if i != index]

    def delete(feeds: CommentedSeq) -> None:
        del feeds[index]

    return _edited(text, expected, _splice_remove(text, index), delete)


def save_config(path: Path, before: str, after: str) -> Path:
    """Validate ``after`` as a newswatch config, then replace the file atomically, keeping
    the previous version as ``<name>.bak``. Refuses when the file changed since ``before``
    was read. Returns the backup's path."""
    parse_settings(after, source=path)  # raises ConfigError naming the key
    target = path.resolve()  # a symlinked config stays a symlink
    if read_config_text(target) != before:
        raise ConfigError(f"{path} changed while it was being edited; nothing written, try again")
    backup = target.with_name(target.name + ".bak")
    shutil.copy2(target, backup)
    atomic_write(target, after, mode=stat.S_IMODE(target.stat().st_mode))
    return backup


def read_config_text(path: Path) -> str:
    """The file's text with its line endings as they are (CRLF files stay CRLF)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found; create one with `newswatch init`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None


def atomic_write(path: Path, text: str, mode: int | None = None) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``:
    readers see the old file or the new one, never half of one."""
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp_path = Path(temporary)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        temp_path.chmod(mode)
        temp_path.replace(path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # make the rename durable where directories can sync
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


# --- internals -------------------------------------------------------------------------------

_KEY_LINE = re.compile(r"^(feeds[ \t]*:)((?:[ \t]*(?:\[[ \t]*\]|null|~))?)([ \t]*(?:#.*)?)$")


def _plain(text: str) -> dict[str, Any]:
    """The data as the settings loader sees it (PyYAML, YAML 1.1)."""
    data = yaml.safe_load(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("the config must be a mapping of keys (database, feeds, ...)")
    return data


def _edited(
    text: str,
    expected: dict[str, Any],
    spliced: str | None,
    mutate: Callable[[CommentedSeq], None],
) -> str:
    if spliced is not None:
        try:
            if _plain(spliced) == expected:
                return spliced
        except (yaml.YAMLError, ConfigError):
            pass  # the splice went wrong: fall back to a round-trip dump
    dumped = _dump_edit(text, mutate)
    if _plain(dumped) != expected:
        raise ConfigError("could not edit feeds: safely in this file; please edit it by hand")
    return dumped


def _yaml() -> YAML:
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096  # never fold long lines
    return rt


def _load_rt(text: str) -> CommentedMap | None:
    try:
        data = _yaml().load(text)
    except RuamelError:
        return None
    return data if isinstance(data, CommentedMap) else None


def _scalar(value: str) -> str:
    """``value`` as ruamel.yaml should write it so that PyYAML (YAML 1.1, the settings
    loader) reads the same string back: ``yes``, ``on``, ``1:30`` or ``0o17`` get quoted."""
    try:
        same = yaml.safe_load(value) == value
    except yaml.YAMLError:
        same = False
    return value if same else DoubleQuotedScalarString(value)


def _entry_node(entry: FeedEntry) -> CommentedMap:
    node = CommentedMap()
    node["url"] = _scalar(entry.url)
    if entry.name:
        node["name"] = _scalar(entry.name)
    if entry.tags:
        tags = CommentedSeq(_scalar(tag) for tag in entry.tags)
        tags.fa.set_flow_style()
        node["tags"] = tags
    return node


def _render(entry: FeedEntry, dash: int, content: int, newline: str) -> list[str]:
    rt = _yaml()
    rt.indent(mapping=2, sequence=2, offset=0)
    buffer = io.StringIO()
    rt.dump(CommentedSeq([_entry_node(entry)]), buffer)
    first, *rest = buffer.getvalue().splitlines()
    lines = [" " * dash + "-" + " " * (content - dash - 1) + first[2:]]
    lines += [" " * content + line[2:] for line in rest]
    return [line + newline for line in lines]


_LIST_START = re.compile(
    r"^( *)[^ \r\n#-][^\r\n]*:[ \t]*(?:#[^\r\n]*)?\r?\n( *)-( +)\S", re.MULTILINE
)


def _guess_columns(text: str) -> tuple[int, int]:
    """Dash and content columns for a new top-level list, as the file's first list has them
    relative to its key; 2 and 4 (the README's layout) when the file has no list."""
    match = _LIST_START.search(text)
    if match is None or len(match.group(2)) < len(match.group(1)):
        return 2, 4
    dash = len(match.group(2)) - len(match.group(1))
    return dash, dash + 1 + len(match.group(3))


def _columns(line: str) -> tuple[int, int] | None:
    dash = len(line) - len(line.lstrip(" "))
    if line[dash : dash + 1] != "-":
        return None
    after = line[dash + 1 :]
    gap = len(after) - len(after.lstrip(" "))
    return dash, dash + 1 + (gap or 1)


def _last_content_line(lines: list[str], start: int, bound: int) -> int:
    """Index after the last line in [start, bound) that is neither blank nor a comment."""
    for index in range(bound - 1, start - 1, -1):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            return index + 1
    return start


def _block_bound(root: CommentedMap, lines: list[str]) -> int:
    keys = list(root)
    position = keys.index("feeds")
    return root.lc.key(keys[position + 1])[0] if position + 1 < len(keys) else len(lines)


def _block_feeds(text: str) -> tuple[CommentedMap, CommentedSeq, list[str]] | None:
    root = _load_rt(text)
    if root is None or "feeds" not in root:
        return None
    feeds = root["feeds"]
    if not isinstance(feeds, CommentedSeq) or not feeds or feeds.fa.flow_style():
        return None
    return root, feeds, text.splitlines(keepends=True)


def _before_topics(root: CommentedMap | None, lines: list[str]) -> int:
    """Where a new ``feeds:`` key goes: above ``topics:`` and the comments heading it, or last."""
    if root is None or "topics" not in root:
        return len(lines)
    at = int(root.lc.key("topics")[0])
    while at > 0 and lines[at - 1].lstrip().startswith("#"):
        at -= 1
    return at


def _newline(text: str) -> str:
    return "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"


def _splice_add(text: str, entries: list[FeedEntry]) -> str | None:
    newline = _newline(text)
    found = _block_feeds(text)
    if found is not None:
        root, feeds, lines = found
        columns = _columns(lines[feeds.lc.item(0)[0]])
        if columns is None:
            return None
        at = _last_content_line(lines, root.lc.key("feeds")[0], _block_bound(root, lines))
    else:
        loaded = _load_rt(text)
        lines = text.splitlines(keepends=True)
        columns = _guess_columns(text)
        if loaded is None and _plain(text):
            return None
        if loaded is None or "feeds" not in loaded:  # no key yet (or only comments)
            at = _before_topics(loaded, lines)
            if at > 0 and not lines[at - 1].endswith("\n"):
                lines[at - 1] += newline
            lines.insert(at, "feeds:" + newline)
            at += 1
        else:  # `feeds:` with nothing, null or []
            key_line = loaded.lc.key("feeds")[0]
            match = _KEY_LINE.match(lines[key_line].rstrip("\r\n"))
            if match is None or loaded["feeds"]:
                return None
            lines[key_line] = match.group(1) + match.group(3) + newline
            at = key_line + 1
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += newline
    lines[at:at] = [line for entry in entries for line in _render(entry, *columns, newline)]
    return "".join(lines)


def _splice_remove(text: str, index: int) -> str | None:
    found = _block_feeds(text)
    if found is None or not 0 <= index < len(found[1]):
        return None
    root, feeds, lines = found
    start = feeds.lc.item(index)[0]
    if _columns(lines[start]) is None:
        return None
    bound = feeds.lc.item(index + 1)[0] if index + 1 < len(feeds) else _block_bound(root, lines)
    del lines[start : _last_content_line(lines, start, bound)]
    if len(feeds) == 1:  # the list is now empty: say so, or `feeds:` would mean null
        key_line = root.lc.key("feeds")[0]
        ending = lines[key_line][len(lines[key_line].rstrip("\r\n")) :]
        match = _KEY_LINE.match(lines[key_line].rstrip("\r\n"))
        if match is None:
            return None
        lines[key_line] = match.group(1) + " []" + match.group(3) + ending
    return "".join(lines)


def _dump_edit(text: str, mutate: Callable[[CommentedSeq], None]) -> str:
    """The fallback: a ruamel.yaml round trip (comments and quoting kept, layout mostly)."""
    rt = _yaml()
    dash, content = _guess_columns(text)
    rt.indent(mapping=2, sequence=content, offset=dash)
    try:
        data = rt.load(text)
    except RuamelError as exc:
        raise ConfigError(f"cannot edit this file: {exc}") from None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ConfigError("the config must be a mapping of keys (database, feeds, ...)")
    feeds = data.get("feeds")
    if not isinstance(feeds, CommentedSeq):
        feeds = CommentedSeq()
        if "feeds" in data:
            data["feeds"] = feeds
        else:
            keys = list(data)
            data.insert(keys.index("topics") if "topics" in keys else len(keys), "feeds", feeds)
    mutate(feeds)
    if not feeds:
        feeds.fa.set_flow_style()
    else:
        feeds.fa.set_block_style()
    buffer = io.StringIO()
    rt.dump(data, buffer)
    result = buffer.getvalue()
    return result.replace("\n", "\r\n") if _newline(text) == "\r\n" else result
