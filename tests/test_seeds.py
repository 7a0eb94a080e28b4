"""The five real source articles of the story (../shared/seeds), wrapped by this test into pages
with navigation, a sidebar and comments, served with an RSS feed on loopback and run through a
whole cycle: every one must match the demo's NATO-China topic."""

from __future__ import annotations

import html
from pathlib import Path

from flows.local_servers import SiteServer
from flows.pipeline import run_cycle
from flows.settings import load_settings
from tests.helpers import host_port, write_config

SIDEBAR_MARK = "Sidebar: harbour cranes return to service after the winter storms"
COMMENT_MARK = "Comment: my allotment tomatoes did better this year than ever"


def page(title: str, body: str) -> str:
    paragraphs = "\n".join(
        f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n") if p.strip()
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | Seed Review</title></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<div class="layout"><main><article><h1>{html.escape(title)}</h1>
<div class="byline">By the seed desk</div>
{paragraphs}
</article>
<section id="comments"><h2>Comments</h2><div class="comment"><p>{COMMENT_MARK}</p></div></section>
</main><aside class="sidebar"><h3>Most read</h3><ul><li><a href="/x">{SIDEBAR_MARK}</a></li></ul></aside></div>
<footer>© Seed Review</footer></body></html>"""


def build_site(folder: Path, seeds: list[Path]) -> None:
    items = []
    for n, seed in enumerate(seeds):
        lines = seed.read_text(encoding="utf-8").split("\n", 1)
        title, body = lines[0].strip(), lines[1] if len(lines) > 1 else ""
        (folder / f"seed-{n}.html").write_text(page(title, body), encoding="utf-8")
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{{{{BASE_URL}}}}/seed-{n}.html</link>"
            f"<guid>seed-{n}</guid><pubDate>Thu, 0{n + 1} Feb 2024 10:00:00 GMT</pubDate></item>"
        )
    (folder / "rss.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Seeds</title>'
        f"<link>{{{{BASE_URL}}}}/</link><description>seed articles</description>{''.join(items)}"
        "</channel></rss>",
        encoding="utf-8",
    )


def test_all_five_seed_articles_match_the_demo_topic(tmp_path: Path, seeds: list[Path]) -> None:
    assert len(seeds) == 5
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    build_site(site_dir, seeds)
    with SiteServer(site_dir) as site:
        config = write_config(
            tmp_path,
            feeds=[{"url": site.base_url + "/rss.xml", "name": "Seed Review"}],
            allow_hosts=[host_port(site.base_url)],
        )
        report = run_cycle(load_settings(config))
    assert report.feeds[0].errors == []
    matched = sorted(m.url.rsplit("/", 1)[-1] for m in report.matches)
    assert matched == [f"seed-{n}.html" for n in range(5)]


def test_seed_pages_extract_without_sidebar_or_comments(seeds: list[Path]) -> None:
    from extractors import extract_article

    for seed in seeds:
        title, body = seed.read_text(encoding="utf-8").split("\n", 1)
        article = extract_article(page(title.strip(), body), "https://seed.example/a.html")
        assert SIDEBAR_MARK not in article.text and COMMENT_MARK not in article.text
        first = next(p.strip() for p in body.split("\n") if len(p.strip()) > 60)
        assert " ".join(first.split())[:60] in " ".join(article.text.split())
