"""Alert formatting and delivery for newswatch.

Pure formatting: one alert in :mod:`alerts.messages`, digests and folded alerts in
:mod:`alerts.summary`, feed-health notices in :mod:`alerts.health`. The only Apprise call is in
:mod:`alerts.sender`; channels from an Apprise configuration file come from :mod:`alerts.config`;
URL redaction lives in :mod:`alerts.redact`. This package imports no other project package, no
Prefect and no database code.
"""

from alerts.errors import AlertsError, ChannelConfigError
from alerts.health import render_feed_notice
from alerts.messages import AlertItem, Format, render_alert
from alerts.redact import redact_url
from alerts.sender import AlertSender, Channel, SendResult
from alerts.summary import render_summary

__all__ = [
    "AlertItem",
    "AlertSender",
    "AlertsError",
    "Channel",
    "ChannelConfigError",
    "Format",
    "SendResult",
    "redact_url",
    "render_alert",
    "render_feed_notice",
    "render_summary",
]
