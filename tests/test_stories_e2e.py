"""Three outlets publish the same wire story (the labelled copies in tests/fixtures/stories):
the cycle groups them into one story, sends one alert, and the alert names the other outlets;
so do two workers that store the copies at the same time."""

from __future__ import annotations

import html
import json
from pathlib import Path

from sqlalchemy import func, select

import storage
from flows.demo import demo_topic
from flows.local_servers import SiteServer, WebhookReceiver
from flows.pipeline import deliver, open_cycle, process_batch, run_cycle
from flows.settings import load_settings
from matching import Topic, TopicMatcher
from storage.models import Alert, Article, Story
from tests.helpers import host_port, write_config

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "stories" / "stories.json"


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def build_outlets(folder: Path, copies: list[dict[str, str]]) -> None:
    for copy in copies:
        outlet = folder / slug(copy["outlet"])
        outlet.mkdir(parents=True, exist_ok=True)
        paragraphs = "".join(
            f"<p>{html.escape(p)}</p>" for p in copy["text"].split("\n") if p.strip()
        )
        (outlet / "story.html").write_text(
            f"<html lang='en'><head><title>{html.escape(copy['title'])}</title></head><body>"
            f"<nav><a href='/'>{html.escape(copy['outlet'])}</a></nav><article><h1>"
            f"{html.escape(copy['title'])}</h1>{paragraphs}</article></body></html>"
        )
        (outlet / "rss.xml").write_text(
            "<?xml version='1.0'?><rss version='2.0'><channel>"
            f"<title>{html.escape(copy['outlet'])}</title><link>{{{{BASE_URL}}}}/</link>"
            "<description>d</description><item>"
            f"<title>{html.escape(copy['title'])}</title>"
            f"<link>{{{{BASE_URL}}}}/{slug(copy['outlet'])}/story.html</link>"
            f"<guid>{copy['id']}</guid><pubDate>Wed, 22 Feb 2023 10:00:00 GMT</pubDate>"
            "</item></channel></rss>"
        )


def outlet_feeds(base_url: str, copies: list[dict[str, str]]) -> list[dict[str, str]]:
    """The feed of each copy's outlet, as built by ``build_outlets``, for the config."""
    return [{"url": f"{base_url}/{slug(c['outlet'])}/rss.xml", "name": c["outlet"]} for c in copies]


def wire_copies() -> list[dict[str, str]]:
    """Three copies of one wire story, each matching the demo topic."""
    articles = json.loads(FIXTURES.read_text())
    topic = TopicMatcher([Topic("t", demo_topic()["query"])])
    copies = [a for a in articles if a["story"] == "a-signs-china-may-arm-russia"][:3]
    assert len(copies) == 3 and all(topic.match(c["title"], c["text"]) for c in copies)
    return copies


def test_syndicated_copies_make_one_alert_naming_the_other_outlets(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    copies = wire_copies()
    site_dir = tmp_path / "site"
    build_outlets(site_dir, copies)
    with SiteServer(site_dir) as site:
        config = write_config(
            tmp_path,
            feeds=outlet_feeds(site.base_url, copies),
            hook_url=f"json://127.0.0.1:{receiver.port}/hook",
            allow_hosts=[host_port(site.base_url)],
        )
        report = run_cycle(load_settings(config))
    assert len(report.matches) == 3  # every copy is stored and matched...
    assert len(receiver.notifications) == 1  # ...but the story is alerted once
    body = receiver.notifications[0].payload["message"]
    alerted = next(c for c in copies if c["title"] in receiver.notifications[0].payload["title"])
    others = [c["outlet"] for c in copies if c is not alerted]
    assert "also reported by" in body.lower()
    assert (
        all(outlet in body for outlet in others) and alerted["outlet"] not in body.split("also")[-1]
    )


def test_copies_stored_by_two_workers_at_once_join_one_story(
    tmp_path: Path, receiver: WebhookReceiver, database_url: str
) -> None:
    """Two cycles, as two worker processes open them, both start before either stores: each
    has its own story index, loaded when nothing was stored yet. The one that stores second
    must still find the first one's copy (the database's story lock, then a catch-up read)."""
    copies = wire_copies()
    build_outlets(tmp_path / "site", copies)
    engine = storage.create_db_engine(database_url)
    storage.upgrade(engine)
    with SiteServer(tmp_path / "site") as site:
        feeds = outlet_feeds(site.base_url, copies)
        workers = []
        for name, share in (("one", feeds[:1]), ("two", feeds[1:])):
            (tmp_path / name).mkdir()
            config = write_config(
                tmp_path / name,
                feeds=share,
                hook_url=f"json://127.0.0.1:{receiver.port}/hook",
                allow_hosts=[host_port(site.base_url)],
                database=database_url,
            )
            workers.append(load_settings(config))
        with open_cycle(workers[0]) as one, open_cycle(workers[1]) as two:
            stored = process_batch(one, workers[0].feeds) + process_batch(two, workers[1].feeds)
            assert [o.errors for o in stored] == [[], [], []]
            deliver(one)
            deliver(two)
    with storage.session_factory(engine)() as session:
        articles = session.scalar(select(func.count()).select_from(Article))
        stories = session.scalar(select(func.count()).select_from(Story))
        alerts = session.scalar(select(func.count()).select_from(Alert))
    engine.dispose()
    assert (articles, stories, alerts) == (3, 1, 1)
    assert len(receiver.notifications) == 1
