"""The language of a page: what it declares, else what py3langid detects in its text.

Detection reads only the first :data:`DETECT_CHARS` characters of the extracted text: the language
of a news article is settled within a few paragraphs, and the cost grows with the length (about
1 ms for 2,000 characters, against 20-40 ms for extracting the page).
"""

from __future__ import annotations

import threading
from typing import Any

from lxml.html import HtmlElement

DETECT_CHARS = 2000
MIN_LETTERS = 40
"""Shorter texts are not classified: a headline alone is too little evidence."""
MIN_CONFIDENCE = 0.5
"""Normalised probability below which the detected language is not reported."""

UNDETERMINED = frozenset({"und", "mul", "zxx", "mis"})
"""ISO 639 codes for "undetermined", "multiple", "no linguistic content", "uncoded"."""

_identifier: Any = None
_identifier_lock = threading.Lock()


def declared_language(tree: HtmlElement) -> str | None:
    """The primary language subtag the page declares (``<html lang>``, ``xml:lang`` or
    ``<meta http-equiv="content-language">``), lower-cased; None when it declares none."""
    candidates = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        tree.xpath(
            "string(//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')"
            "='content-language']/@content)"
        ),
    ]
    for value in candidates:
        code = language_code(value if isinstance(value, str) else None)
        if code:
            return code
    return None


def language_code(value: str | None) -> str | None:
    """``en-GB`` → ``en``, ``de_AT`` → ``de``; None for anything that is not a language tag."""
    if not value:
        return None
    code = value.strip().split(",", 1)[0].split("-", 1)[0].split("_", 1)[0].lower()
    if not (code.isascii() and code.isalpha() and 2 <= len(code) <= 3) or code in UNDETERMINED:
        return None
    return code


def detect_language(text: str, limit: int | None = DETECT_CHARS) -> str | None:
    """The ISO 639-1 code py3langid finds in the first ``limit`` characters of ``text`` (all of
    it when ``limit`` is None), or None when unsure."""
    sample = text if limit is None else text[:limit]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    language, confidence = _get_identifier().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    return str(language)


def _get_identifier() -> Any:
    """py3langid's model, loaded once (about half a second) on first use, with normalised
    probabilities so that :data:`MIN_CONFIDENCE` means something."""
    global _identifier
    with _identifier_lock:
        if _identifier is None:
            from py3langid.langid import (  # type: ignore[import-untyped, unused-ignore]
                MODEL_FILE,
                LanguageIdentifier,
            )

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier
