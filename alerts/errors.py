"""Exceptions raised by the alerts package."""

from __future__ import annotations

__all__ = ["AlertsError", "ChannelConfigError"]


class AlertsError(Exception):
    """Base class for errors raised by ``alerts``."""


class ChannelConfigError(AlertsError, ValueError):
    """One or more notification channels are misconfigured.

    The message names each bad channel by its key and redacted URL and says what to fix;
    it never contains the URL's secrets. ``keys`` lists the offending channel keys.
    """

    def __init__(self, message: str, keys: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.keys = keys
