"""Content checks for the bundled demo news site (flows/demo_site).

The demo serves three fictional outlets from a loopback server. These tests read the static
files directly (no server), substitute the {{BASE_URL}} placeholder, and check that:

* trafilatura extracts each article's headline and main text, and none of the sidebar or
  reader-comment text (comments excluded), on all three page templates;
* a plain evaluation of the demo topic query on the extracted title + text gives the
  expectation recorded in site.json (including the near-misses and the pages whose only
  mention of the topic sits in a sidebar or in the comments);
* the feeds parse cleanly and list every article with the right title, link and date;
* the pages carry consistent metadata, and every internal link points at a bundled file.
"""

from __future__ import annotations

import calendar
import io
import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import pytest
import trafilatura

SITE = Path(__file__).resolve().parents[1] / "flows" / "demo_site"
PLACEHOLDER = "{{BASE_URL}}"
BASE = "http://127.0.0.1:8000"
MANIFEST: dict[str, Any] = json.loads((SITE / "site.json").read_text(encoding="utf-8"))
OUTLETS: dict[str, dict[str, Any]] = {o["slug"]: o for o in MANIFEST["outlets"]}
ARTICLES: list[dict[str, Any]] = MANIFEST["articles"]

# (NATO OR OTAN OR Stoltenberg) AND (China OR Chine OR Beijing OR Pékin)
#   AND (weapons OR arms OR armes OR "lethal aid")
TOPIC_QUERY: list[list[tuple[str, ...]]] = [
    [("nato",), ("otan",), ("stoltenberg",)],
    [("china",), ("chine",), ("beijing",), ("pekin",)],
    [("weapons",), ("arms",), ("armes",), ("lethal", "aid")],
]


# ----------------------------------------------------------------------------- helpers
def tokenize(text: str) -> list[str]:
    """Lowercase, strip accents (NFKD), split on anything that is not a letter or digit."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", folded)


def has_term(tokens: list[str], term: tuple[str, ...]) -> bool:
    n = len(term)
    return any(tuple(tokens[i : i + n]) == term for i in range(len(tokens) - n + 1))


def matches_topic(text: str) -> bool:
    tokens = tokenize(text)
    return all(any(has_term(tokens, term) for term in group) for group in TOPIC_QUERY)


def squash(text: str) -> str:
    return " ".join(text.split())


def article_url(path: str) -> str:
    return BASE + path


def read_served(rel_path: str) -> str:
    """A bundled file as the demo server would send it (placeholder replaced)."""
    raw = (SITE / rel_path.lstrip("/")).read_text(encoding="utf-8")
    return raw.replace(PLACEHOLDER, BASE)


def text_blocks(elements: list[Any], min_len: int = 20) -> list[str]:
    """Leaf-level text blocks (link texts, paragraphs, comment bodies) under the elements."""
    blocks = []
    for root in elements:
        for el in root.iter():
            if not isinstance(el.tag, str) or len(el):
                continue
            text = squash(el.text_content())
            if len(text) >= min_len:
                blocks.append(text)
    return blocks


_EXTRACTED: dict[str, Any] = {}


def extract(article: dict[str, Any]) -> Any:
    path = article["path"]
    if path not in _EXTRACTED:
        _EXTRACTED[path] = trafilatura.bare_extraction(
            read_served(path),
            url=article_url(path),
            with_metadata=True,
            include_comments=False,
        )
    return _EXTRACTED[path]


def page(article: dict[str, Any]) -> Any:
    return lxml.html.fromstring(read_served(article["path"]))


def ids(articles: list[dict[str, Any]]) -> list[str]:
    return [a["path"] for a in articles]


# ----------------------------------------------------------------------------- manifest
def test_manifest_covers_the_required_cases() -> None:
    assert len(ARTICLES) >= 12
    assert len({a["path"] for a in ARTICLES}) == len(ARTICLES)
    hits = [a for a in ARTICLES if a["matches_topic"]]
    misses = [a for a in ARTICLES if not a["matches_topic"]]
    assert len(hits) >= 5
    assert len(misses) >= 5
    assert {a["outlet"] for a in hits} == set(OUTLETS)
    assert {a["published"][:4] for a in hits} >= {"2023", "2024"}
    assert any(a["language"] == "fr" for a in hits)
    formats = {f["format"] for o in OUTLETS.values() for f in o["feeds"]}
    assert {"rss2", "atom1"} <= formats
    for a in ARTICLES:
        assert a["outlet"] in OUTLETS
        assert a["path"].startswith(f"/{a['outlet']}/{a['published'][:4]}/")
        assert a["path"].endswith(".html")
        assert a["why"].strip()


def test_manifest_has_boilerplate_only_fixtures() -> None:
    """At least one page mentions the topic only in its sidebar, one only in its comments."""
    sidebar_only, comments_only = [], []
    for a in ARTICLES:
        if a["matches_topic"]:
            continue
        sel = OUTLETS[a["outlet"]]["template"]
        tree = page(a)
        sidebar_text = " ".join(el.text_content() for el in tree.xpath(sel["sidebar"]))
        comments_text = " ".join(el.text_content() for el in tree.xpath(sel["comments"]))
        if matches_topic(sidebar_text) and not matches_topic(comments_text):
            sidebar_only.append(a["path"])
        if matches_topic(comments_text):
            comments_only.append(a["path"])
    assert sidebar_only, "no non-matching page carries the topic in its sidebar only"
    assert comments_only, "no non-matching page carries the topic in its comments"


def test_topic_helper() -> None:
    assert matches_topic("NATO’s chief warned China over weapons")
    assert matches_topic("L’OTAN met en garde Pékin contre les livraisons d’armes")
    assert matches_topic("Stoltenberg: no LETHAL AID from Beijing")
    assert not matches_topic("NATO warns China over lethal support and aid")  # phrase broken
    assert not matches_topic("NATO warns Chinatown about firearms")  # whole tokens only
    assert not matches_topic("NATO and China discuss trade")


# ----------------------------------------------------------------------------- extraction
@pytest.mark.parametrize("article", ARTICLES, ids=ids(ARTICLES))
def test_extraction_and_topic_expectation(article: dict[str, Any]) -> None:
    doc = extract(article)
    assert doc is not None, "trafilatura extracted nothing"
    assert doc.title == article["title"]
    text = squash(doc.text or "")

    sel = OUTLETS[article["outlet"]]["template"]
    tree = page(article)
    first_para = squash(tree.xpath(sel["body_paragraphs"])[0].text_content())
    first_sentence = re.split(r"(?<=[.!?])\s", first_para, maxsplit=1)[0]
    assert first_sentence in text

    # Nothing from the sidebar or the reader comments may leak into the main text.
    for sample in OUTLETS[article["outlet"]]["boilerplate_samples"]:
        assert sample in squash(tree.text_content()), f"sample not on page: {sample!r}"
        assert sample not in text
    sidebar = tree.xpath(sel["sidebar"])
    comments = tree.xpath(sel["comments"])
    assert sidebar and comments
    for block in text_blocks(sidebar) + text_blocks(comments):
        assert block not in text, f"boilerplate leaked into main text: {block!r}"

    combined = f"{doc.title}\n{doc.text}"
    assert matches_topic(combined) is article["matches_topic"], article["why"]

    absent = set(article.get("absent_tokens", []))
    assert not absent & set(tokenize(combined)), article["why"]

    if article.get("topic_only_in_boilerplate"):
        # The page as a whole does mention the topic: only the extraction keeps it out.
        assert not article["matches_topic"]
        assert matches_topic(tree.text_content())


@pytest.mark.parametrize("article", ARTICLES, ids=ids(ARTICLES))
def test_comments_are_recognised_as_comments(article: dict[str, Any]) -> None:
    """trafilatura sees each template's comment section as comments, so it is the
    include_comments=False setting (not a quirk of the markup) that keeps them out."""
    doc = trafilatura.bare_extraction(
        read_served(article["path"]),
        url=article_url(article["path"]),
        with_metadata=True,
        include_comments=True,
    )
    assert doc is not None
    comments = squash(doc.comments or "")
    sel = OUTLETS[article["outlet"]]["template"]
    tree = page(article)
    blocks = [squash(el.text_content()) for el in tree.xpath(sel["comment_texts"])]
    assert blocks
    for block in blocks:
        assert block in comments
    with_comments = f"{doc.title}\n{doc.text}\n{doc.comments}"
    if matches_topic(" ".join(blocks)):
        assert matches_topic(with_comments)


# ----------------------------------------------------------------------------- page markup
@pytest.mark.parametrize("article", ARTICLES, ids=ids(ARTICLES))
def test_page_metadata_and_structure(article: dict[str, Any]) -> None:
    outlet = OUTLETS[article["outlet"]]
    sel = outlet["template"]
    tree = page(article)
    url = article_url(article["path"])

    assert tree.get("lang", "").split("-")[0] == article["language"]
    h1 = tree.xpath("//h1")
    assert len(h1) == 1
    assert squash(h1[0].text_content()) == article["title"]
    assert tree.xpath("string(//title)").startswith(article["title"])

    def meta(attr: str, name: str) -> list[str]:
        return [str(v) for v in tree.xpath(f"//meta[@{attr}='{name}']/@content")]

    assert meta("property", "og:title") == [article["title"]]
    assert meta("property", "og:site_name") == [outlet["name"]]
    assert meta("property", "og:url") == [url]
    assert meta("property", "article:published_time") == [article["published"]]
    assert meta("name", "author") == [article["author"]]
    assert tree.xpath("//link[@rel='canonical']/@href") == [url]
    assert tree.xpath(sel["published_time"]) == [article["published"]]
    assert article["author"] in squash(tree.text_content())
    datetime.fromisoformat(article["published"])  # valid ISO 8601 with offset

    paragraphs = [squash(p.text_content()) for p in tree.xpath(sel["body_paragraphs"])]
    words = sum(len(p.split()) for p in paragraphs)
    assert len(paragraphs) >= 5
    assert 250 <= words <= 600, words

    assert tree.xpath("//header//nav//a"), "no site navigation"
    assert tree.xpath("//footer")
    assert tree.xpath(sel["sidebar"] + "//a")
    assert 2 <= len(tree.xpath(sel["comment_texts"])) <= 4


@pytest.mark.parametrize("slug", sorted(OUTLETS))
def test_homepage_links_every_article(slug: str) -> None:
    tree = lxml.html.fromstring(read_served(OUTLETS[slug]["homepage"]))
    links = set(tree.xpath("//main//a/@href"))
    for a in ARTICLES:
        if a["outlet"] == slug:
            assert article_url(a["path"]) in links


# ----------------------------------------------------------------------------- feeds
FEEDS = [(slug, f) for slug, o in OUTLETS.items() for f in o["feeds"]]


@pytest.mark.parametrize(("slug", "feed"), FEEDS, ids=[f["path"] for _, f in FEEDS])
def test_feed_lists_every_article(slug: str, feed: dict[str, str]) -> None:
    data = read_served(feed["path"]).encode("utf-8")
    parsed = feedparser.parse(io.BytesIO(data))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == {"rss2": "rss20", "atom1": "atom10"}[feed["format"]]
    self_links = [lk.href for lk in parsed.feed.get("links", []) if lk.get("rel") == "self"]
    assert self_links == [BASE + feed["path"]]

    by_link = {entry.link: entry for entry in parsed.entries}
    assert len(by_link) == len(parsed.entries)
    ids_ = [entry.id for entry in parsed.entries]
    assert all(ids_) and len(set(ids_)) == len(ids_)

    expected = [a for a in ARTICLES if a["outlet"] == slug]
    assert sorted(by_link) == sorted(article_url(a["path"]) for a in expected)
    for a in expected:
        entry = by_link[article_url(a["path"])]
        assert entry.title == a["title"]
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        assert calendar.timegm(stamp) == datetime.fromisoformat(a["published"]).timestamp()
        assert entry.get("author") == a["author"]
        summary = squash(entry.get("summary", ""))
        assert 1 <= summary.count(". ") + 1 <= 3 and len(summary) > 40


# ----------------------------------------------------------------------------- links
def bundled_files() -> list[Path]:
    return sorted(p for p in SITE.rglob("*") if p.suffix in {".html", ".xml"})


def test_every_absolute_url_uses_the_placeholder_and_resolves() -> None:
    url_attr = re.compile(r"""(?:href|src|action)="([^"]*)\"""")
    xml_link = re.compile(r"<(?:link|guid[^>]*)>([^<]+)</")
    for file in bundled_files():
        raw = file.read_text(encoding="utf-8")
        assert "127.0.0.1" not in raw and "localhost" not in raw
        urls = url_attr.findall(raw) + xml_link.findall(raw)
        assert urls, file
        for url in urls:
            assert url.startswith(PLACEHOLDER + "/"), f"{file.name}: {url}"
            target = url[len(PLACEHOLDER) :].split("#")[0].split("?")[0].lstrip("/")
            resolved = SITE / target
            if not target or target.endswith("/"):
                resolved = resolved / "index.html"
            assert resolved.is_file(), f"{file.name}: dead link {url}"
