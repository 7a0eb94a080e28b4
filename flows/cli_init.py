"""`newswatch init`: write a commented starter newswatch.yaml."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import Annotated

import typer

from flows.cli_common import UsageError, out
from flows.config_edit import atomic_write
from flows.settings import parse_settings

CONFIG_NAME = "newswatch.yaml"

# Real, public feeds of institutions and major outlets (English, German and French
# newsrooms); the topic's query has French words, so a French-language feed is included.
STARTER = """\
# newswatch configuration, written by `newswatch init`. Edit it freely: `newswatch feeds
# add|remove|import` change only the feeds: list and keep your comments. The README's
# "Monitor your own topic" describes every key; unknown keys are reported as errors.

# Where articles, matches and feed state are kept. A relative SQLite path is relative to this
# file. For a team or several workers: postgresql+psycopg://user@host/newswatch
database: sqlite:///newswatch.db

# How pages and feeds are fetched.
network:
  timeout_seconds: 20
  respect_robots: true              # robots.txt is honoured for article pages
  allow_private: false              # refuse loopback/private addresses (SSRF guard)
  # Say who you are to the sites you poll:
  # user_agent: "newswatch (+mailto:you@example.org)"

# The feeds to poll (RSS, Atom or JSON Feed). `name` is shown as the outlet; `tags` group
# feeds and become folders in `newswatch feeds export` (OPML).
# Add more with: newswatch feeds add URL --name NAME --tag TAG
feeds:
  # institutions
  - url: https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml
    name: NATO
    tags: [institutions]
  - url: https://news.un.org/feed/subscribe/en/news/all/rss.xml
    name: UN News
    tags: [institutions]
  # international newsrooms
  - url: https://feeds.bbci.co.uk/news/world/rss.xml
    name: BBC World
    tags: [outlets]
  - url: https://rss.dw.com/rdf/rss-en-world
    name: Deutsche Welle
    tags: [outlets]
  - url: https://www.france24.com/fr/rss
    name: France 24
    tags: [outlets, french]

# What to look for. A query is Lucene-like (AND, OR, NOT, "a phrase", prefix*, title:word)
# and is matched against each new article's title and text, ignoring case and accents.
# Try one first: newswatch topics test 'QUERY' --url https://...
topics:
  - name: nato-china-arms
    query: >-
      (NATO OR OTAN OR Stoltenberg) AND (China OR Chine OR Beijing OR Pékin)
      AND (weapons OR arms OR armes OR "lethal aid")
    # Tags of the channels to alert (see notify: below). With none, matches are stored and
    # listed by `newswatch matches`, and nobody is alerted.
    notify: []
    mode: immediate                 # or digest: one message per channel on digest_cron
    # digest_cron: "0 8 * * *"
    # timezone: Europe/Brussels

# Where alerts go: any Apprise URL (Slack, Telegram, e-mail, ntfy, webhooks, ...). Keep
# secrets in the environment: ${VAR} references are expanded when the file is loaded.
# Then set `notify: [team]` on the topic above, and try it: newswatch alerts test
notify: []
# notify:
#   - url: tgram://${TELEGRAM_BOT_TOKEN}/${TELEGRAM_CHAT_ID}
#     tags: [team, ops]
#     name: team-telegram
#     max_per_hour: 20              # beyond this, alerts are folded into one summary

# Feed health: channels with this tag hear when a feed has failed for this long, and when
# it recovers.
health:
  notify_tag: ops
  failing_after_hours: 24
"""


def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder for newswatch.yaml (created when missing).")
    ] = Path(),
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite an existing newswatch.yaml (kept as .bak)."),
    ] = False,
) -> None:
    """Write a commented starter newswatch.yaml.

    It holds example feeds of institutions and newsrooms, one topic, and an alert channel to
    fill in; it refuses to overwrite an existing file without --force.

    Example: newswatch init my-watch && newswatch run --config my-watch/newswatch.yaml
    """
    path = directory / CONFIG_NAME
    if path.is_dir():
        raise UsageError(f"{path} is a directory; choose another folder")
    if path.exists() and not force:
        raise UsageError(
            f"{path} already exists; nothing written. Use --force to replace it "
            f"(the old file is kept as {CONFIG_NAME}.bak)"
        )
    starter = parse_settings(STARTER, source=path)  # the starter itself must always load
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if path.exists():
            shutil.copy2(path, path.with_name(CONFIG_NAME + ".bak"))
        atomic_write(path, STARTER)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    shown = shlex.quote(str(path))
    topics = ", ".join(t.name for t in starter.topics)
    out.print(f"Wrote {path}: {len(starter.feeds)} example feeds, topic {topics}, no channel yet.")
    out.print("Next:")
    out.print(f"  newswatch topics check --config {shown}    # check the topic queries")
    out.print(f"  newswatch run --config {shown}             # poll the feeds once")
    out.print(f"  newswatch matches --config {shown}         # what matched")
