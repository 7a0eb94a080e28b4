"""The one typed settings object, built once from the YAML config file and passed down.

Unknown keys and bad values are errors that name the key (``topics[0].query: ...``). Relative
SQLite paths are resolved against the config file's folder, so a cycle finds the same database
whatever directory a scheduler starts it in. ``${ENV_VAR}`` references in notification URLs and
the database URL are expanded at load time; NEWSWATCH_DATABASE_URL overrides ``database``.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from matching import QuerySyntaxError, parse_query

try:
    VERSION = version("newswatch")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0.0.0"

DEFAULT_USER_AGENT = f"newswatch/{VERSION} (+https://github.com/newswatch/newswatch)"
ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(Exception):
    """The config file is missing or invalid. The message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkSettings(_Strict):
    allow_private: bool = False
    allow_hosts: list[str] = Field(default_factory=list)
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 20.0
    max_bytes: Annotated[int, Field(ge=1024)] = 5_000_000
    user_agent: Annotated[str, Field(min_length=1)] = DEFAULT_USER_AGENT
    respect_robots: bool = True  # for article pages; feeds are meant to be polled
    max_connections: Annotated[int, Field(ge=1, le=512)] = 32
    max_per_host: Annotated[int, Field(ge=1, le=64)] = 2
    # servers that answer 304 forever: every Nth poll of a feed goes without validators
    full_fetch_every: Annotated[int, Field(ge=1)] = 12


class RunSettings(_Strict):
    """How a cycle spreads its work."""

    # feeds per Prefect task (grouped by host); a task polls its feeds concurrently
    batch_size: Annotated[int, Field(ge=1, le=1000)] = 20
    feeds_at_once: Annotated[int, Field(ge=1, le=256)] = 8  # feeds polled at once per task
    # processes for article extraction (CPU-bound); 0 = one per core, 1 = in the process itself
    extract_processes: Annotated[int, Field(ge=0, le=64)] = 0
    # a feed whose fetch fails transiently (timeout, 5xx) is tried again after these pauses,
    # inside its batch; then it waits for the next cycle (with backoff)
    retry_delays: list[Annotated[float, Field(ge=0, le=60)]] = Field(
        default_factory=lambda: [2.0, 6.0]
    )
    # only this share of the feeds: shard i of n (e.g. [0, 2] and [1, 2] on two workers)
    shard: tuple[int, int] | None = None

    @field_validator("shard")
    @classmethod
    def _shard_in_range(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and not (value[1] >= 1 and 0 <= value[0] < value[1]):
            raise ValueError("shard is [index, count] with 0 <= index < count, e.g. [0, 2]")
        return value


class HealthSettings(_Strict):
    """When a failing feed is rested and when someone is told."""

    notify_tag: str = "ops"  # channels with this tag get feed-health notices
    failing_after_hours: Annotated[float, Field(gt=0)] = 24.0
    backoff_minutes: Annotated[float, Field(gt=0)] = 5.0
    max_backoff_hours: Annotated[float, Field(gt=0)] = 6.0


class FeedSettings(_Strict):
    url: Annotated[str, Field(pattern=r"^https?://[^\s/]+", max_length=2048)]
    name: str | None = None
    tags: list[str] = Field(default_factory=list)  # e.g. OPML folders; for people, not routing


class TopicSettings(_Strict):
    name: Annotated[str, Field(pattern=r"^[\w][\w .-]{0,199}$")]
    query: Annotated[str, Field(min_length=1)]
    notify: list[str] = Field(default_factory=list)
    default_operator: Literal["AND", "OR"] = "AND"
    # immediate: one alert per story as it arrives; digest: one message per channel on a cron
    mode: Literal["immediate", "digest"] = "immediate"
    digest_cron: str = "0 8 * * *"
    timezone: str = "UTC"

    @field_validator("digest_cron")
    @classmethod
    def _cron_parses(cls, value: str) -> str:
        from cronsim import CronSim, CronSimError

        try:
            CronSim(value, datetime.now(UTC))
        except CronSimError as exc:
            raise ValueError(f"not a cron expression ({exc}); e.g. '0 8 * * *' for 08:00") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use e.g. UTC or Europe/Brussels"
            ) from None
        return value

    @field_validator("query")
    @classmethod
    def _query_parses(cls, value: str) -> str:
        try:
            parse_query(value)
        except QuerySyntaxError as exc:
            raise ValueError(f"{exc}\n{exc.caret()}") from None
        return value


class NotifySettings(_Strict):
    url: Annotated[str, Field(min_length=3)]
    tags: list[str] = Field(default_factory=list)
    name: str | None = None
    # at most this many alerts an hour; the rest are folded into one summary message
    max_per_hour: Annotated[int, Field(ge=1)] | None = None

    def __repr__(self) -> str:  # the URL may hold a token
        return (
            f"NotifySettings(name={self.name!r}, tags={self.tags!r}, "
            f"max_per_hour={self.max_per_hour!r}, url=<redacted>)"
        )


class Settings(_Strict):
    database: str = "sqlite:///newswatch.db"
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    feeds: list[FeedSettings] = Field(default_factory=list)
    topics: list[TopicSettings] = Field(default_factory=list)
    notify: list[NotifySettings] = Field(default_factory=list)
    # an Apprise configuration file (YAML or TEXT), relative to this config file
    notify_config: str | None = None

    @field_validator("database")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError:
            raise ValueError(
                "not a database URL; use sqlite:///newswatch.db or postgresql+psycopg://user@host/db"
            ) from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend!r}; use sqlite or postgresql")
        return value

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        for kind, names in (
            ("feeds", [f.url for f in self.feeds]),
            ("topics", [t.name for t in self.topics]),
        ):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            if duplicates:
                raise ValueError(f"{kind}: duplicate entries {', '.join(duplicates)}")
        return self


def load_settings(path: str | Path) -> Settings:
    """Read and validate the config file at ``path``; raise :class:`ConfigError` on any fault."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found; create one (see README, or run `newswatch demo` "
            "for a working example)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    return parse_settings(text, source=path)


def parse_settings(text: str, source: Path) -> Settings:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{source}: YAML syntax error{where}: {problem}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: the config must be a mapping of keys (database, feeds, ...)")
    raw = _expand_env(raw, source)
    if os.environ.get("NEWSWATCH_DATABASE_URL"):
        raw["database"] = os.environ["NEWSWATCH_DATABASE_URL"]
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe_validation(exc, source)) from None
    settings = settings.model_copy(
        update={
            "database": _resolve_sqlite(settings.database, source),
            "notify_config": (
                str((source.resolve().parent / settings.notify_config).resolve())
                if settings.notify_config
                else None
            ),
        }
    )
    _check_topic_tags(settings, source)
    return settings


def _check_topic_tags(settings: Settings, source: Path) -> None:
    from flows.channels import channel_specs

    known_tags = {tag for spec in channel_specs(settings) for tag in spec.tags}
    for index, topic in enumerate(settings.topics):
        unknown = sorted(set(topic.notify) - known_tags)
        if unknown:
            raise ConfigError(
                f"{source}: topics[{index}].notify: tag(s) {', '.join(unknown)} of topic "
                f"{topic.name!r} are on no channel (notify: or notify_config:); add the tag to "
                "a channel or remove it from the topic"
            )


def _expand_env(raw: dict[str, Any], source: Path) -> dict[str, Any]:
    def expand(value: str, key: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(
                    f"{source}: {key} refers to ${{{name}}}, which is not set in the environment; "
                    "export it before running newswatch"
                )
            return os.environ[name]

        return ENV_REFERENCE.sub(substitute, value)

    if isinstance(raw.get("database"), str):
        raw["database"] = expand(raw["database"], "database")
    channels = raw.get("notify")
    if isinstance(channels, list):
        for index, channel in enumerate(channels):
            if isinstance(channel, dict) and isinstance(channel.get("url"), str):
                channel["url"] = expand(channel["url"], f"notify[{index}].url")
    return raw


def _resolve_sqlite(url: str, source: Path) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return url
    if parsed.database == ":memory:" or Path(parsed.database).is_absolute():
        return url
    absolute = (source.resolve().parent / parsed.database).resolve()
    return parsed.set(database=str(absolute)).render_as_string(hide_password=False)


def _describe_validation(exc: ValidationError, source: Path) -> str:
    lines = [f"{source}: invalid config"]
    for error in exc.errors():
        key = _key_path(error["loc"])
        if error["type"] == "extra_forbidden":
            lines.append(f"  {key}: unknown key; check its spelling against the README")
        else:
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"  {key or '(top level)'}: {message}")
    return "\n".join(lines)


def _key_path(location: tuple[int | str, ...]) -> str:
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key
