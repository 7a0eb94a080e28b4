"""URL normalisation: one canonical form per article, so the same story is stored once."""

from __future__ import annotations

from urllib.parse import urlsplit

from courlan import normalize_url


def canonical_url(url: str, declared: str | None = None) -> str:
    """Return the canonical form of an article URL.

    ``declared`` is the page's ``<link rel="canonical">``; it is trusted only when it points at the
    same host as ``url`` (a page must not be able to claim another site's article).
    Normalisation (courlan): lower-case scheme and host, default port dropped, query parameters
    sorted and known tracking parameters (utm_*, fbclid, ...) removed; the fragment is dropped too.
    """
    chosen = url
    if declared:
        target, source = urlsplit(declared), urlsplit(url)
        if target.scheme in ("http", "https") and target.netloc.lower() == source.netloc.lower():
            chosen = declared
    try:
        normalised = str(normalize_url(chosen, strict=False))
    except ValueError:
        normalised = chosen
    return normalised.split("#", 1)[0]


def host_of(url: str) -> str:
    """The host (with a non-default port) of ``url``, lower-cased; '' when it has none."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]
