"""The one place that talks to Apprise.

A :class:`Channel` is one Apprise URL plus routing tags and a stable, non-secret key. An
:class:`AlertSender` checks every channel URL with Apprise once, keeps one ``apprise.Apprise``
per channel, and sends to one channel at a time, turning every delivery failure into a
:class:`SendResult` whose error text carries no secret from the URL.

Apprise logs generously, and some of what it logs holds secrets (at DEBUG it prints loaded
URLs with ``+Header=value`` query parts in clear). Creating an ``AlertSender`` therefore
installs a scrubbing filter on the ``apprise`` and ``urllib3`` loggers: every record they
emit has the known channel secrets masked and any ``scheme://...`` reduced to
``redact_url`` form before any handler sees it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import apprise

from alerts.errors import ChannelConfigError
from alerts.messages import FORMATS
from alerts.redact import compile_secrets, redact_url, scrub_text, url_secrets

__all__ = ["AlertSender", "Channel", "SendResult"]

log = logging.getLogger(__name__)

_APPRISE_LOGGER = "apprise"
_SCRUBBED_LOGGERS = (
    _APPRISE_LOGGER,
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)
_STATUS_RE = re.compile(r"\berror=(\d{3})\b")
_ERRNO_RE = re.compile(r"\[Errno -?\d+\] [^'\"()\]\\]+")
_MAX_ERROR = 600


@dataclass(frozen=True, repr=False)
class Channel:
    """One notification target.

    ``key`` is stable and not secret (used in the outbox). ``url`` is the Apprise URL and may
    hold secrets: it is never shown by ``repr``/``str`` (they show ``redact_url(url)``).
    Note that ``dataclasses.asdict``/``astuple`` and pickling do include it.
    """

    key: str
    url: str = field(repr=False)
    tags: frozenset[str] = frozenset()

    @classmethod
    def from_url(cls, url: str, tags: Iterable[str] = (), name: str | None = None) -> Channel:
        """Build a channel; the key is ``name`` when given, otherwise
        ``scheme://host[:port]#<first 8 hex of sha256(url)>``."""
        if isinstance(tags, str):
            tags = (tags,)
        clean_tags = frozenset(t.strip() for t in tags if t and t.strip())
        if name is not None and name.strip():
            key = name.strip()
        else:
            digest = hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:8]
            key = f"{redact_url(url)}#{digest}"
        return cls(key=key, url=url, tags=clean_tags)

    def __repr__(self) -> str:
        return (
            f"Channel(key={self.key!r}, url={redact_url(self.url)!r}, tags={sorted(self.tags)!r})"
        )

    __str__ = __repr__


@dataclass(frozen=True)
class SendResult:
    """Outcome of one send. ``error`` is a human-readable reason with secrets removed."""

    channel_key: str
    ok: bool
    error: str | None = None


class _SecretScrubber(logging.Filter):
    """Logger filter that masks registered secrets and redacts URLs in every record."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def register(self, secrets: Iterable[str]) -> None:
        with self._lock:
            new = set(secrets) - self._secrets
            if new:
                self._secrets |= new
                self._pattern = compile_secrets(self._secrets)

    def scrub(self, text: str) -> str:
        return scrub_text(text, self._pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg!s} (log arguments could not be formatted)"
        if record.exc_info:
            message = f"{message}\n{logging.Formatter().formatException(record.exc_info)}"
        elif record.exc_text:
            message = f"{message}\n{record.exc_text}"
        record.msg = self.scrub(message)
        record.args = None
        record.exc_info = None
        record.exc_text = None
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


_SCRUBBER = _SecretScrubber()
_INSTALL_LOCK = threading.Lock()


def _install_scrubber() -> None:
    with _INSTALL_LOCK:
        for name in _SCRUBBED_LOGGERS:
            logger = logging.getLogger(name)
            if _SCRUBBER not in logger.filters:
                logger.addFilter(_SCRUBBER)


class _Capture(logging.Handler):
    """Collects the (already scrubbed) Apprise records emitted by the current thread."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self._thread = threading.get_ident()
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self._thread:
            self.records.append((record.levelno, record.getMessage()))

    def messages(self, min_level: int = logging.WARNING) -> list[str]:
        seen: list[str] = []
        for level, message in self.records:
            if level >= min_level and message not in seen:
                seen.append(message)
        return seen


@contextmanager
def _capture_apprise_logs() -> Iterator[_Capture]:
    logger = logging.getLogger(_APPRISE_LOGGER)
    handler = _Capture()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _shorten(text: str) -> str:
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"


@dataclass
class _Target:
    channel: Channel
    app: apprise.Apprise
    secrets: re.Pattern[str] | None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def scrub(self, text: str) -> str:
        # The global filter already scrubbed log records; this also covers exception text.
        return _SCRUBBER.scrub(scrub_text(text, self.secrets))


class AlertSender:
    """Sends rendered alerts to configured channels through Apprise.

    Thread-safe: sends to the same channel are serialised, different channels may be used
    from different threads at once.
    """

    def __init__(self, channels: Sequence[Channel], app_id: str = "newswatch") -> None:
        channels = tuple(channels)
        for channel in channels:
            if not isinstance(channel, Channel):
                raise TypeError(f"expected Channel, got {type(channel).__name__}")
        # Before Apprise sees any URL: it logs loaded URLs (with some secrets) at DEBUG.
        _install_scrubber()
        for channel in channels:
            _SCRUBBER.register(url_secrets(channel.url))

        problems: list[str] = []
        bad_keys: list[str] = []
        seen: set[str] = set()
        targets: dict[str, _Target] = {}
        for channel in channels:
            shown = f"channel {channel.key!r} ({redact_url(channel.url)})"
            if not channel.key.strip():
                problems.append(f"{shown}: the key is empty; give the channel a name")
                bad_keys.append(channel.key)
                continue
            if channel.key in seen:
                problems.append(
                    f"{shown}: the key is used by another channel; names must be unique"
                )
                bad_keys.append(channel.key)
                continue
            seen.add(channel.key)
            target, problem = self._build(channel, app_id)
            if target is None:
                problems.append(f"{shown}: {problem}")
                bad_keys.append(channel.key)
            else:
                targets[channel.key] = target
        if problems:
            raise ChannelConfigError(
                "Invalid alert channel configuration (secrets in the URLs are not shown):\n- "
                + "\n- ".join(problems),
                keys=tuple(bad_keys),
            )
        self._targets = targets
        self._channels = tuple(t.channel for t in targets.values())

    @staticmethod
    def _build(channel: Channel, app_id: str) -> tuple[_Target | None, str]:
        secrets = compile_secrets(url_secrets(channel.url))
        url = channel.url.strip() if isinstance(channel.url, str) else ""
        if not url:
            return None, "the URL is empty; set an Apprise URL such as json://host/path"
        asset = apprise.AppriseAsset(app_id=app_id, async_mode=False, storage_mode="memory")
        app = apprise.Apprise(asset=asset)
        with _capture_apprise_logs() as captured:
            try:
                added = bool(app.add(url))
            except Warning:
                raise  # a warning turned into an error (-W error) is not a config problem
            except Exception as exc:  # a plugin raising on odd input is a config problem too
                captured.records.append((logging.ERROR, f"{type(exc).__name__}: {exc}"))
                added = False
        target = _Target(channel=channel, app=app, secrets=secrets)
        if not added or len(app) == 0:
            reasons = "; ".join(target.scrub(m) for m in captured.messages())
            return None, (
                "Apprise cannot use this URL"
                + (f" ({reasons})" if reasons else "")
                + ". Check that the scheme is a supported Apprise service and that the parts"
                " it requires (host, tokens, ids) are present and percent-encoded"
                " (see the Apprise wiki for the service's URL format)."
            )
        if len(app) != 1:
            return None, f"the URL holds {len(app)} Apprise URLs; configure one channel per URL"
        return target, ""

    @property
    def channels(self) -> tuple[Channel, ...]:
        """All channels, in configuration order."""
        return self._channels

    def __repr__(self) -> str:
        return f"AlertSender(channels={[c.key for c in self._channels]!r})"

    def channels_for(self, tags: Iterable[str]) -> list[Channel]:
        """Channels (in configuration order) sharing at least one tag with ``tags``."""
        wanted = frozenset((tags,) if isinstance(tags, str) else tags)
        return [c for c in self._channels if c.tags & wanted]

    def _target(self, channel_key: str) -> _Target:
        try:
            return self._targets[channel_key]
        except KeyError:
            raise KeyError(f"no alert channel with key {channel_key!r}") from None

    def preferred_format(self, channel_key: str) -> Literal["text", "markdown", "html"]:
        """The format the channel's Apprise plugin natively takes (``notify_format``)."""
        plugin = self._target(channel_key).app[0]
        value = getattr(plugin.notify_format, "value", plugin.notify_format)
        for fmt in FORMATS:
            if value == fmt:
                return fmt
        return "text"

    def body_limit(self, channel_key: str) -> int | None:
        """The plugin's ``body_maxlen`` in characters, or None when it has no limit.

        Services without a title field (``title_maxlen == 0``, e.g. Telegram) get the title
        prepended to the body by Apprise, so leave room for it.
        """
        limit = getattr(self._target(channel_key).app[0], "body_maxlen", None)
        return limit if isinstance(limit, int) and limit > 0 else None

    def send(self, channel_key: str, title: str, body: str, fmt: str) -> SendResult:
        """Send once to that channel only. Delivery failures never raise: they come back as
        ``SendResult(ok=False, error=...)``. An unknown ``channel_key`` raises ``KeyError``
        and an unknown ``fmt`` raises ``ValueError`` (caller bugs, not delivery failures).
        """
        target = self._target(channel_key)
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        shown = redact_url(target.channel.url)
        with target.lock, _capture_apprise_logs() as captured:
            try:
                outcome = target.app.notify(
                    body=body,
                    title=title,
                    body_format=apprise.NotifyFormat(fmt),
                )
            except Exception as exc:
                detail = target.scrub(f"Apprise raised {type(exc).__name__}: {exc}")
                error = _shorten(f"delivery to {shown} failed: {detail}")
                log.warning("alert to channel %r failed: %s", channel_key, error)
                return SendResult(channel_key, ok=False, error=error)
        if outcome:
            log.debug("alert sent to channel %r", channel_key)
            return SendResult(channel_key, ok=True, error=None)
        problems = [target.scrub(m) for m in captured.messages(logging.WARNING)]
        chatter = [target.scrub(m) for m in captured.messages(logging.NOTSET)]
        error = _shorten(self._reason(shown, problems, chatter))
        log.warning("alert to channel %r failed: %s", channel_key, error)
        return SendResult(channel_key, ok=False, error=error)

    @staticmethod
    def _reason(shown: str, problems: list[str], chatter: list[str]) -> str:
        """Failure text from the redacted URL ``shown``, Apprise's scrubbed WARNING+
        messages (``problems``) and all its scrubbed messages (``chatter``)."""
        text = " ".join(problems)
        status = _STATUS_RE.search(text)
        if status is not None:
            head = f"HTTP {status.group(1)} from {shown}"
        elif "connection error" in text.lower():
            head = f"connection to {shown} failed"
        else:
            head = f"delivery to {shown} failed"
        details = list(problems)
        for message in chatter:
            errno = _ERRNO_RE.search(message)
            if errno is not None and errno.group(0).strip() not in text:
                details.append(errno.group(0).strip())
                break
        if not details:
            details.append("Apprise reported failure without a reason (is its logging off?)")
        return f"{head}: {'; '.join(details)}"
