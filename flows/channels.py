"""Alert channels from the settings: the config's ``notify:`` list plus an Apprise configuration
file (``notify_config:``). A channel URL may be a ``prefect-secret:NAME`` reference, resolved
only when a cycle runs (through the function passed in), so credentials never sit in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alerts import Channel, ChannelConfigError
from alerts.config import channels_from_apprise_config
from flows.settings import ConfigError, Settings

SECRET_PREFIX = "prefect-secret:"  # noqa: S105 - a reference prefix, not a password
SecretResolver = Callable[[str], str]


@dataclass(frozen=True)
class ChannelSpec:
    """A channel before its secrets are resolved: enough to route and to key the outbox."""

    key: str
    url: str  # an Apprise URL, or a prefect-secret:NAME reference
    tags: frozenset[str]
    max_per_hour: int | None = None

    @property
    def secret_name(self) -> str | None:
        return self.url.removeprefix(SECRET_PREFIX) if self.url.startswith(SECRET_PREFIX) else None


def channel_specs(settings: Settings) -> list[ChannelSpec]:
    specs = []
    for entry in settings.notify:
        if entry.url.startswith(SECRET_PREFIX):
            key = entry.name or entry.url  # "prefect-secret:NAME" is not itself a secret
            specs.append(ChannelSpec(key, entry.url, frozenset(entry.tags), entry.max_per_hour))
        else:
            channel = Channel.from_url(entry.url, entry.tags, name=entry.name)
            specs.append(ChannelSpec(channel.key, channel.url, channel.tags, entry.max_per_hour))
    for channel in apprise_file_channels(settings):
        specs.append(ChannelSpec(channel.key, channel.url, channel.tags))
    return specs


def apprise_file_channels(settings: Settings) -> list[Channel]:
    if not settings.notify_config:
        return []
    path = Path(settings.notify_config)
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"notify_config: cannot read {path}: {exc.strerror}") from None
    try:
        return channels_from_apprise_config(content, str(path))
    except ChannelConfigError as exc:
        raise ConfigError(f"notify_config: {exc}") from None


def hourly_limits(settings: Settings) -> dict[str, int]:
    """Channel key -> at most this many alerts an hour (channels without a limit are absent)."""
    return {s.key: s.max_per_hour for s in channel_specs(settings) if s.max_per_hour}


def topic_channel_keys(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Topic name -> keys of the channels its ``notify`` tags select (none: store only)."""
    specs = channel_specs(settings)
    return {t.name: tuple(s.key for s in specs if s.tags & set(t.notify)) for t in settings.topics}


def load_channels(settings: Settings, resolve_secret: SecretResolver | None) -> list[Channel]:
    """Channels ready to send, secrets resolved."""
    channels = []
    for spec in channel_specs(settings):
        url = spec.url
        if spec.secret_name is not None:
            if resolve_secret is None:
                raise ConfigError(
                    f"notify channel {spec.key!r} uses {spec.url}, which only a Prefect run can "
                    "resolve; run the cycle through `newswatch run` or a deployment"
                )
            url = resolve_secret(spec.secret_name)
        channels.append(Channel(key=spec.key, url=url, tags=spec.tags))
    return channels


def prefect_secret(name: str) -> str:
    """Read a Prefect Secret block; the error names the block, never its value."""
    from prefect.blocks.system import Secret

    try:
        block: Any = Secret.load(name)
        value = block.get()
    except ValueError:
        raise ConfigError(
            f"Prefect Secret block {name!r} not found; create it with "
            f"Secret(value='...').save({name!r}) or in the Prefect UI"
        ) from None
    return str(value)
