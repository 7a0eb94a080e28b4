"""Channels from an Apprise configuration file (Apprise's own YAML or TEXT format, with tags),
so that existing Apprise users bring their file as it is. Takes the file's content, not a path."""

from __future__ import annotations

import apprise

from alerts.errors import ChannelConfigError
from alerts.sender import Channel


def channels_from_apprise_config(content: str, source: str) -> list[Channel]:
    """Parse ``content`` (YAML or TEXT, detected by Apprise) into channels; ``source`` names the
    file in error messages. Channel keys are derived from the URLs (see ``Channel.from_url``)."""
    config = apprise.AppriseConfig()
    if not config.add_config(content):
        raise ChannelConfigError(
            f"{source}: not a readable Apprise configuration (YAML or TEXT); check its syntax "
            "against the Apprise documentation"
        )
    channels: list[Channel] = []
    for server in config.servers():
        url: str = server.url(privacy=False)  # type: ignore[no-untyped-call]
        channels.append(Channel.from_url(url, tags=sorted(str(tag) for tag in server.tags)))
    if not channels:
        raise ChannelConfigError(f"{source}: the Apprise configuration defines no usable URL")
    return channels
