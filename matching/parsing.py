"""Run luqum's Lucene parser and turn every failure into a positioned QuerySyntaxError."""

from __future__ import annotations

import re
import threading
from typing import Any

from luqum.exceptions import IllegalCharacterError, ParseSyntaxError
from luqum.parser import lexer as _luqum_lexer
from luqum.parser import parser as _luqum_parser

from matching.errors import QuerySyntaxError

__all__ = ["parse_lucene"]

# PLY keeps parser state on the parser object, so parsing is serialised (queries are parsed
# once per cycle, never per article).
_PARSE_LOCK = threading.Lock()

_AT_POSITION = re.compile(r"at position (\d+)!?\Z")
_UNEXPECTED = re.compile(r"unexpected\s+'(.*)' at position \d+!\Z", re.DOTALL)
_OPERATORS = ("AND", "OR", "NOT", "TO")


def parse_lucene(query: str) -> Any:
    """The luqum tree of ``query``; raises QuerySyntaxError for anything luqum rejects."""
    if not query.strip():
        raise QuerySyntaxError("empty query", query, 0)
    try:
        with _PARSE_LOCK:
            return _luqum_parser.parse(query, lexer=_luqum_lexer.clone())
    except IllegalCharacterError as exc:
        raise _illegal_character(query, str(exc)) from None
    except ParseSyntaxError as exc:
        raise _syntax_error(query, str(exc)) from None
    except RecursionError:
        raise QuerySyntaxError("query is nested too deeply", query, None) from None
    except Exception as exc:  # luqum converts numbers inside parser actions (~N, ^N)
        raise _number_error(query, exc) from None


def _position(message: str) -> int | None:
    found = _AT_POSITION.search(message)
    return int(found.group(1)) if found else None


def _illegal_character(query: str, message: str) -> QuerySyntaxError:
    position = _position(message)
    char = query[position] if position is not None and position < len(query) else ""
    if char == '"':
        text = 'unterminated phrase: the opening " has no closing "'
    elif char == "/":
        text = "regular expressions (/.../) are not supported; escape a literal slash as \\/"
    elif char == "\\":
        text = "the escape character \\ must be followed by the character it escapes"
    elif char == "'":
        text = "a term cannot start with an apostrophe; quote the words as a phrase instead"
    else:
        text = f"unexpected character {char!r}"
    return QuerySyntaxError(text, query, position)


def _syntax_error(query: str, message: str) -> QuerySyntaxError:
    position = _position(message)
    if position is None:
        return _unexpected_end(query)
    found = _UNEXPECTED.search(message)
    culprit = found.group(1) if found else query[position : position + 1]
    if culprit == ")":
        text = "unbalanced parenthesis: ')' has no matching '('"
    elif culprit in _OPERATORS:
        text = f"operator {culprit} is missing an operand before it"
    elif culprit == ":":
        text = "a field name is missing before ':' (escape a literal colon as \\:)"
    else:
        text = f"unexpected {culprit!r}"
    return QuerySyntaxError(text, query, position)


def _unclosed_parenthesis(query: str) -> int | None:
    """Offset of the last '(' never closed, skipping phrases and escaped characters."""
    opened: list[int] = []
    in_phrase = False
    escaped = False
    for i, char in enumerate(query):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            in_phrase = not in_phrase
        elif in_phrase:
            continue
        elif char == "(":
            opened.append(i)
        elif char == ")" and opened:
            opened.pop()
    return opened[-1] if opened else None


def _unexpected_end(query: str) -> QuerySyntaxError:
    unclosed = _unclosed_parenthesis(query)
    words = query.split()
    last = words[-1] if words else ""
    if unclosed is not None:
        text = (
            f"unexpected end of query: the parenthesis opened at position {unclosed}"
            " is never closed"
        )
    elif last in ("AND", "OR", "NOT") or last.endswith(("+", "-")):
        text = f"unexpected end of query: {last!r} needs a term after it"
    elif last.endswith(":"):
        text = f"unexpected end of query: field {last!r} needs a term after it"
    elif last.endswith(("[", "{", "<", ">", "<=", ">=")) or "[" in query or "{" in query:
        text = "unexpected end of query: ranges are not supported"
    else:
        text = "unexpected end of query"
    return QuerySyntaxError(text, query, len(query))


def _number_error(query: str, exc: Exception) -> QuerySyntaxError:
    found = re.search(r"[~^][0-9.]*\.[0-9.]*", query)
    if found is not None:
        return QuerySyntaxError(
            f"{found.group()!r} is not a valid number: use a whole number such as ~10",
            query,
            found.start(),
        )
    return QuerySyntaxError(f"cannot parse query ({type(exc).__name__})", query, None)
