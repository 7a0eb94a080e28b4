"""Redaction of Apprise URLs and of text that may contain their secrets.

Everything here is pure string work (no Apprise import) and never raises on odd input:
Apprise URLs are often not valid RFC 3986 URLs (``tgram://123456:ABC-secret/chatid`` has a
"port" that is a token), so the parsing is deliberately lenient and errs towards hiding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, unquote_plus

__all__ = [
    "compile_secrets",
    "redact_url",
    "redact_urls_in_text",
    "scrub_text",
    "url_secrets",
]

MASK = "***"

_SCHEME_RE = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.\-]{0,31})://(.*)", re.DOTALL)
# Anything that looks like "scheme://..." inside free text (log lines, exception messages).
_URL_IN_TEXT_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,31}://[^\s'\"<>`]*")
_HOST_CHARS_RE = re.compile(r"[A-Za-z0-9._~\-]+")
_IPV6_RE = re.compile(r"\[[0-9A-Fa-f:.]+\]")
_PORT_RE = re.compile(r"[0-9]{1,5}")

# A host label without a dot this long is far more likely an Apprise token sitting in the
# host position (pushover://user@TOKEN, pbul://TOKEN) than a machine name, so it is masked.
_MAX_BARE_HOST = 16

# Apprise's own, non-secret URL options: their values are not treated as secrets when
# scrubbing text (all other query values are).
_PUBLIC_QUERY_KEYS = frozenset(
    {
        "format",
        "overflow",
        "retry",
        "wait",
        "optional",
        "method",
        "verify",
        "cto",
        "rto",
        "emojis",
        "tz",
        "store",
        "image",
        "mode",
        "priority",
        "lang",
        "footer",
        "avatar",
        "content",
        "preview",
        "silent",
        "detect",
        "mdv",
        "timestamp",
        "blocks",
        "batch",
        "discovery",
        "label",
    }
)
_AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "apikey"})
_MIN_SECRET_LEN = 3


def _split(url: str) -> tuple[str, str, str, str] | None:
    """(scheme, userinfo, hostport, rest) or None when there is no ``scheme://``."""
    match = _SCHEME_RE.fullmatch(url)
    if match is None:
        return None
    scheme, remainder = match.group(1).lower(), match.group(2)
    end = len(remainder)
    for sep in ("/", "?"):
        idx = remainder.find(sep)
        if idx != -1:
            end = min(end, idx)
    authority, rest = remainder[:end], remainder[end:]
    userinfo = ""
    if "@" in authority:
        # The last "@" ends the userinfo, so an "@" or "#" inside a password stays hidden.
        userinfo, _, authority = authority.rpartition("@")
    hostport, _, fragment = authority.partition("#")
    if fragment:
        rest = "#" + fragment + rest
    return scheme, userinfo, hostport, rest


def _split_hostport(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):
        close = hostport.find("]")
        if close == -1:
            return "", ""
        host, after = hostport[: close + 1], hostport[close + 1 :]
        return host, after[1:] if after.startswith(":") else ""
    host, _, port = hostport.partition(":")
    return host, port


def _is_public_host(host: str) -> bool:
    if _IPV6_RE.fullmatch(host):
        return True
    if not _HOST_CHARS_RE.fullmatch(host):
        return False
    return "." in host or len(host) < _MAX_BARE_HOST


def _shown_host(host: str) -> str:
    if not host:
        return ""
    if _is_public_host(host):
        return host.lower()
    if len(host) >= 2 and _HOST_CHARS_RE.fullmatch(host):
        return f"{host[0]}...{host[-1]}"
    return MASK


def redact_url(url: str) -> str:
    """Return ``scheme://host[:port]`` for an Apprise URL and nothing else.

    User, password, path, query and fragment are dropped; a port is kept only when it is
    numeric (so the token in ``tgram://123456:ABC-secret/...`` is dropped). A host that does
    not look like a machine name (a single label of 16+ characters, or odd characters) is
    abbreviated as ``a...z``, since some services put a token in the host position.
    Never raises; text that is not ``scheme://...`` comes back as ``"<unrecognised URL>"``.
    """
    text: object = url
    try:
        if not isinstance(text, str):
            return "<unrecognised URL>"
        parts = _split(text)
        if parts is None:
            return "<unrecognised URL>"
        scheme, _userinfo, hostport, _rest = parts
        host, port = _split_hostport(hostport.strip())
        shown = _shown_host(host)
        if shown and _PORT_RE.fullmatch(port):
            shown = f"{shown}:{port}"
        return f"{scheme}://{shown}"
    except Exception:  # pragma: no cover - defensive: redaction must never fail
        return "<unrecognised URL>"


def _variants(value: str) -> set[str]:
    return {value, unquote(value), unquote_plus(value)}


def url_secrets(url: str) -> frozenset[str]:
    """Substrings of ``url`` that must never show up in text we emit.

    User, password, a non-numeric "port", a masked host, token-like path segments (6+
    characters or containing a digit), the fragment and query values (except Apprise's
    public options such as ``format``), each both as written and percent-decoded. Very short
    values are left out (scrubbing them would mangle unrelated text and they protect
    nothing); ``redact_url`` hides them in URLs anyway.
    """
    found: set[str] = set()
    try:
        parts = _split(url)
        if parts is None:
            # Not scheme://...: the whole thing and its pieces are suspect.
            found |= _variants(url.strip())
            found.update(p for p in re.split(r"[\s/:@?&=#,;]+", url) if p)
        else:
            _scheme, userinfo, hostport, rest = parts
            if userinfo:
                found |= _variants(userinfo)
                user, _, password = userinfo.partition(":")
                for piece in (user, password, *userinfo.split(":")):
                    found |= _variants(piece)
            host, port = _split_hostport(hostport.strip())
            if host and not _is_public_host(host):
                found |= _variants(host)
            if port and not _PORT_RE.fullmatch(port):
                found |= _variants(port)
                found |= _variants(hostport)
            path, _, query = rest.partition("?")
            path, _, fragment = path.partition("#")
            query, _, qfragment = query.partition("#")
            for frag in (fragment, qfragment):
                if frag:
                    found |= _variants(frag)
            for segment in path.split("/"):
                # Path segments carry tokens (slack://T/B/TOKEN); plain words such as
                # "hook" or "api" are left alone.
                if len(segment) >= 6 or any(ch.isdigit() for ch in segment):
                    found |= _variants(segment)
            for pair in re.split(r"[&;]", query):
                key, _, value = pair.partition("=")
                key = unquote_plus(key)
                if not value:
                    continue
                bare = key.lstrip("+-:").lower()
                if key[:1] in "+-:" or bare not in _PUBLIC_QUERY_KEYS:
                    found |= _variants(value)
                    for word in unquote_plus(value).split():
                        # "Bearer abc123": the token part alone too.
                        if word.lower() not in _AUTH_SCHEMES:
                            found |= _variants(word)
    except Exception:  # pragma: no cover - defensive: then treat the whole URL as secret
        found.add(url)
    return frozenset(s for s in found if len(s.strip()) >= _MIN_SECRET_LEN and s == s.strip())


def compile_secrets(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any of ``secrets`` (longest first), or None when there are none."""
    ordered = sorted({s for s in secrets if s}, key=lambda s: (-len(s), s))
    if not ordered:
        return None
    return re.compile("|".join(re.escape(s) for s in ordered))


def redact_urls_in_text(text: str) -> str:
    """Replace every ``scheme://...`` in free text with its ``redact_url`` form."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        url = found.rstrip(".,;:!?)]}")
        return redact_url(url) + found[len(url) :]

    return _URL_IN_TEXT_RE.sub(replace, text)


def scrub_text(text: str, secrets: re.Pattern[str] | None) -> str:
    """Mask the known ``secrets`` in ``text`` and redact any URL in it."""
    if secrets is not None:
        text = secrets.sub(MASK, text)
    return redact_urls_in_text(text)
