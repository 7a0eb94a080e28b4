"""OPML subscription lists: read the exports of common feed readers, write OPML 2.0.

Pure functions on text. Folders become tags, one tag per nesting level: a feed inside the
folder "Europe" inside the folder "News" gets the tags ``("News", "Europe")``, and a single
folder titled "News/Europe" (how some readers flatten nested folders) gives the same tags. A
feed listed in two folders is returned once with the tags of both, and the path segments of a
``category`` attribute ("/Defence,/Long reads") are tags too. ``to_opml`` puts each feed in the
folder of its first tag and lists the others in ``category``, so ``parse_opml(to_opml(feeds))``
gives the same feeds and tags back (grouped by folder, so the order may differ). Tags must
therefore not contain "/".

Parsing is safe without defusedxml: expat is driven directly and any entity declaration
(billion laughs, external entities) is refused. Quirks tolerated: missing or odd ``type``
attributes, lower-case ``xmlurl``, ``category`` attributes (their path segments become tags),
double-escaped titles (``&amp;amp;``), and, when the file is not well-formed, bare ``&``,
HTML-only entities (``&eacute;``) and raw ``<`` in attribute values.
"""

from __future__ import annotations

import codecs
import html
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html.entities import html5
from xml.etree import ElementTree as ET


class OpmlError(Exception):
    """The text is not an OPML subscription list; the message says where and why."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    name: str | None = None
    tags: tuple[str, ...] = ()
    html_url: str | None = field(default=None, compare=False)


# characters XML 1.0 cannot carry, even escaped
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_BARE_AMP = re.compile(r"&(?!#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_SKIP = re.compile(r"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)", re.DOTALL)
_ATTRIBUTE = re.compile(r"""(=\s*)("[^"]*"|'[^']*')""")
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_FEED_TYPES = {"rss", "atom", "feed", "rdf"}


def clean_text(value: str | None) -> str | None:
    """A title as shown: entities left by double escaping decoded, whitespace collapsed,
    characters XML cannot carry dropped; None when nothing is left."""
    if value is None:
        return None
    value = _ENTITY.sub(lambda m: html.unescape(m.group(0)), value)
    value = " ".join(_NOT_XML.sub("", value).split())
    return value or None


def split_tags(value: str) -> list[str]:
    """The tags of one folder title or category path: its "/"-separated segments."""
    return [part for part in (clean_text(p) for p in value.split("/")) if part]


def parse_opml(source: str | bytes) -> list[OpmlFeed]:
    """The feeds of an OPML document, in document order, each once (tags merged)."""
    try:
        root = _parse_xml(source)
    except OpmlError as strict:
        text = _decode(source) if isinstance(source, bytes) else source
        repaired = _repair(text)
        if repaired == text:
            raise
        try:
            root = _parse_xml(repaired)
        except OpmlError:
            raise strict from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"the root element is <{root.tag}>, not <opml>: not an OPML file")
    body = next((child for child in root if child.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError("no <body> element: not an OPML subscription list")
    found: dict[str, OpmlFeed] = {}
    _walk(body, (), found)
    return list(found.values())


def _walk(node: ET.Element, folder: tuple[str, ...], found: dict[str, OpmlFeed]) -> None:
    for child in node:
        if child.tag.lower() != "outline":
            continue
        attrs = {key.lower(): value for key, value in child.attrib.items()}
        kind = attrs.get("type", "").strip().lower()
        url = attrs.get("xmlurl") or (attrs.get("url", "") if kind in _FEED_TYPES else "")
        url = url.strip()
        title = clean_text(attrs.get("text")) or clean_text(attrs.get("title"))
        if not url:  # a folder
            _walk(child, _merge(folder, split_tags(title or "")), found)
            continue
        url = _unfeed(url)
        tags = list(folder)
        for path in attrs.get("category", "").split(","):
            tags += split_tags(path)
        html_url = (attrs.get("htmlurl") or "").strip() or None
        shown = (attrs.get("text") or attrs.get("title") or "").strip()
        name = None if title == url or shown in (url, attrs.get("xmlurl", "").strip()) else title
        feed = OpmlFeed(url, name, _merge((), tags), html_url)
        known = found.get(url)
        if known is not None:
            feed = OpmlFeed(
                url,
                known.name or feed.name,
                _merge(known.tags, feed.tags),
                known.html_url or feed.html_url,
            )
        found[url] = feed
        _walk(child, folder, found)  # a feed with children: odd, but keep what it holds


def _merge(first: tuple[str, ...], more: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *more)))


def _unfeed(url: str) -> str:
    """``feed://host/x`` and ``feed:https://host/x``, as some readers export, as http(s)."""
    if url.lower().startswith("feed:"):
        rest = url[5:]
        return rest if rest.lower().startswith(("http://", "https://")) else "http:" + rest
    return url


def _parse_xml(source: str | bytes) -> ET.Element:
    builder = ET.TreeBuilder()
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_: object) -> int:
        raise OpmlError("the document declares XML entities, which are refused (unsafe)")

    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = lambda tag, attrs: builder.start(tag, attrs)
    parser.EndElementHandler = lambda tag: builder.end(tag)
    try:
        parser.Parse(source, True)
    except xml.parsers.expat.ExpatError as exc:
        reason = xml.parsers.expat.ErrorString(exc.code)
        raise OpmlError(
            f"not well-formed XML ({reason}) at line {exc.lineno}, column {exc.offset + 1}"
        ) from None
    return builder.close()


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    declared = _DECLARED.match(data.removeprefix(codecs.BOM_UTF8))
    candidates = [declared.group(1).decode("ascii")] if declared else []
    for encoding in (*candidates, "utf-8-sig"):
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def _repair(text: str) -> str:
    """Fix what hand-made and broken exports get wrong, outside comments and CDATA."""
    parts = _SKIP.split(text)
    for index in range(0, len(parts), 2):
        part = _BARE_AMP.sub("&amp;", parts[index])
        part = _ENTITY.sub(_xml_entity, part)
        parts[index] = _ATTRIBUTE.sub(lambda m: m.group(1) + m.group(2).replace("<", "&lt;"), part)
    return "".join(parts)


def _xml_entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#") or name in _XML_ENTITIES:
        return match.group(0)
    value = html5.get(name + ";")
    if value is None:
        return "&amp;" + name + ";"
    return "".join(f"&#{ord(char)};" for char in value)


def to_opml(
    feeds: list[OpmlFeed], title: str = "newswatch feeds", created: datetime | None = None
) -> str:
    """OPML 2.0 text: untagged feeds at the top level, each tagged feed in the folder of its
    first tag with its other tags in a ``category`` attribute ("/tag2,/tag3"), the layout
    feed readers with one folder level import best. A later tag holding a comma (which
    ``category`` cannot carry) is written as a nested folder instead, with the tags before
    it. Characters XML cannot carry are dropped."""
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = _NOT_XML.sub("", title)
    if created is not None:
        ET.SubElement(head, "dateCreated").text = format_datetime(created)
    body = ET.SubElement(opml, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for feed in feeds:
        tags = [_NOT_XML.sub("", tag) for tag in dict.fromkeys(feed.tags)]
        depth = max([1] + [i + 1 for i, tag in enumerate(tags) if "," in tag])
        path = tuple(tags[:depth])
        for level in range(1, len(path) + 1):
            if path[:level] not in folders:
                label = path[level - 1]
                folders[path[:level]] = ET.SubElement(
                    folders[path[: level - 1]], "outline", text=label, title=label
                )
        parent = folders[path]
        name = _NOT_XML.sub("", feed.name or "") or feed.url
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": _NOT_XML.sub("", feed.url)}
        if feed.html_url:
            attrs["htmlUrl"] = _NOT_XML.sub("", feed.html_url)
        if tags[depth:]:
            attrs["category"] = ",".join("/" + tag for tag in tags[depth:])
        ET.SubElement(parent, "outline", attrs)
    ET.indent(opml, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(opml, "unicode") + "\n"
