"""Alert formatting and delivery for newswatch.

Pure formatting lives in :mod:`alerts.messages`, the only Apprise call in
:mod:`alerts.sender`, URL redaction in :mod:`alerts.redact`, digests and folded alerts in :mod:`alerts.summary`,
channels from an Apprise configuration file in :mod:`alerts.config`. This package imports no other
project package, no Prefect and no database code.
"""

from alerts.errors import AlertsError, ChannelConfigError
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
    "render_summary",
]
