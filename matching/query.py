"""Parse a Lucene-style query with luqum and compile it into an evaluable tree."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain
from operator import itemgetter
from typing import Any

from luqum.tree import (
    AndOperation,
    BaseGroup,
    Boost,
    Fuzzy,
    Not,
    OrOperation,
    Phrase,
    Plus,
    Prohibit,
    Proximity,
    Range,
    Regex,
    SearchField,
    UnknownOperation,
    Word,
)
from luqum.tree import From as OpenFrom
from luqum.tree import To as OpenTo

from matching import nodes
from matching.document import Document, FieldName, Pattern
from matching.errors import QuerySyntaxError
from matching.nodes import FieldOccurrences, MatchedTerm, Node, Occurrences
from matching.parsing import parse_lucene
from matching.text import tokenize

__all__ = ["SUPPORTED", "Query", "parse_query"]

SUPPORTED = (
    'supported: words, "phrases", "word word"~N proximity, trailing * wildcards (weapon*), '
    "AND, OR, NOT, +required, -prohibited, parentheses, and the fields title:, text:, "
    "source:, lang:"
)

_SCOPES: dict[str, tuple[FieldName, ...]] = {
    "title": ("title",),
    "text": ("text",),
    "source": ("source",),
}
_DEFAULT_SCOPE: tuple[FieldName, ...] = ("title", "text")
_TITLE, _TEXT = itemgetter(0), itemgetter(1)  # the parts of an Occurrences
_LANG_CODE = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


class Query:
    """A compiled query; evaluate it with ``matches`` (or ``evaluate`` on a Document)."""

    __slots__ = ("_root", "default_operator", "string")

    def __init__(self, string: str, root: Node, default_operator: str) -> None:
        self.string = string
        self.default_operator = default_operator
        self._root = root

    def __repr__(self) -> str:
        return f"Query({self.string!r}, default_operator={self.default_operator!r})"

    def __str__(self) -> str:
        return self.string

    @property
    def root(self) -> Node:
        """The compiled tree (read it, do not change it)."""
        return self._root

    def matches(
        self,
        title: str | None = "",
        text: str | None = "",
        source: str | None = None,
        lang: str | None = None,
    ) -> bool:
        """Whether an article with this title, text, outlet and language code matches."""
        return self.evaluate(Document(title, text, source, lang))

    def evaluate(self, document: Document) -> bool:
        """Whether an already tokenised document matches."""
        return self._root.evaluate(document)

    def matched_terms(self, document: Document) -> tuple[MatchedTerm, ...]:
        """Occurrences of the positive terms that satisfied the query, title first, then by
        offset; empty when the document does not match."""
        return self.terms_if_matched(document) or ()

    def terms_if_matched(self, document: Document) -> tuple[MatchedTerm, ...] | None:
        """``matched_terms`` when the document matches, else None (a query of only negative
        terms matches with no terms)."""
        found = self.terms_by_field_if_matched(document)
        return None if found is None else found[0] + found[1]

    def terms_by_field_if_matched(self, document: Document) -> Occurrences | None:
        """``terms_if_matched`` split by field: the title's occurrences and the text's, each
        in reading order (by start, end and term)."""
        if not self._root.evaluate(document):
            return None
        found: list[Occurrences] = []
        self._root.collect(document, found)
        if len(found) == 1:
            return found[0]
        if not found:
            return nodes.NO_OCCURRENCES
        return _merged(map(_TITLE, found)), _merged(map(_TEXT, found))


def _merged(parts: Iterable[FieldOccurrences]) -> FieldOccurrences:
    """Several leaves' occurrences in one field, merged into reading order."""
    found = [part for part in parts if part]
    if len(found) <= 1:
        return found[0] if found else ()
    return nodes.in_order(chain.from_iterable(found))


def parse_query(query: str, default_operator: str = "AND") -> Query:
    """Compile ``query``; raises QuerySyntaxError (and nothing else) when it is not valid.

    ``default_operator`` ("AND" or "OR") joins bare terms written side by side.
    """
    if not isinstance(query, str):
        raise QuerySyntaxError(f"query must be a string, not {type(query).__name__}", "", None)
    operator = default_operator.upper() if isinstance(default_operator, str) else ""
    if operator not in ("AND", "OR"):
        raise QuerySyntaxError(
            f"default_operator must be 'AND' or 'OR', not {default_operator!r}", query, None
        )
    tree = parse_lucene(query)
    try:
        root = _Compiler(query, operator == "AND").compile(tree, None)
    except RecursionError:
        raise QuerySyntaxError("query is nested too deeply", query, None) from None
    return Query(query, root, operator)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value, flags=re.DOTALL)


class _Compiler:
    def __init__(self, query: str, implicit_and: bool) -> None:
        self.query = query
        self.implicit_and = implicit_and

    def error(self, message: str, item: Any) -> QuerySyntaxError:
        position = getattr(item, "pos", None)
        return QuerySyntaxError(message, self.query, position)

    def compile(self, item: Any, scope: str | None) -> Node:
        if isinstance(item, BaseGroup | Boost):  # boosts only affect ranking: ignored
            return self.compile(item.expr, scope)
        if isinstance(item, SearchField):
            return self.search_field(item, scope)
        if isinstance(item, AndOperation):
            return nodes.And(tuple(self.compile(op, scope) for op in item.operands))
        if isinstance(item, OrOperation):
            return nodes.Or(tuple(self.compile(op, scope) for op in item.operands))
        if isinstance(item, UnknownOperation):
            return self.implicit(item, scope)
        if isinstance(item, Not | Prohibit):
            child = self.compile(item.a, scope)
            return child.child if isinstance(child, nodes.Not) else nodes.Not(child)
        if isinstance(item, Plus):
            return self.compile(item.a, scope)
        if isinstance(item, Word | Phrase | Proximity):
            return self.term(item, scope)
        if isinstance(item, Fuzzy):
            raise self.error(f"fuzzy matching (term~N) is not supported; {SUPPORTED}", item)
        if isinstance(item, Range | OpenFrom | OpenTo):
            raise self.error(f"ranges are not supported; {SUPPORTED}", item)
        if isinstance(item, Regex):
            raise self.error(f"regular expressions are not supported; {SUPPORTED}", item)
        raise self.error(f"unsupported construct {str(item)!r}; {SUPPORTED}", item)

    def search_field(self, item: Any, scope: str | None) -> Node:
        name = _unescape(str(item.name)).casefold()
        if name not in _SCOPES and name != "lang":
            raise self.error(
                f"unknown field {item.name!r}: the fields are title, text, source and lang "
                "(escape a literal colon as \\:)",
                item,
            )
        if scope is not None:
            raise self.error(f"field {item.name!r} cannot be nested inside field {scope!r}", item)
        return self.compile(item.expr, name)

    def implicit(self, item: Any, scope: str | None) -> Node:
        must: list[Node] = []
        should: list[Node] = []
        must_not: list[Node] = []
        for operand in item.operands:
            if isinstance(operand, Not | Prohibit):
                must_not.append(self.compile(operand.a, scope))
            elif isinstance(operand, Plus):
                must.append(self.compile(operand.a, scope))
            elif self.implicit_and:
                must.append(self.compile(operand, scope))
            else:
                should.append(self.compile(operand, scope))
        if not should and not must_not:
            return nodes.And(tuple(must))
        if not must and not must_not:
            return nodes.Or(tuple(should))
        return nodes.Bool(tuple(must), tuple(should), tuple(must_not))

    def term(self, item: Any, scope: str | None) -> Node:
        if scope == "lang":
            return self.lang(item)
        fields = _SCOPES[scope] if scope is not None else _DEFAULT_SCOPE
        if isinstance(item, Word):
            return nodes.TermLeaf(self.word_patterns(item), fields)
        if isinstance(item, Phrase):
            return nodes.TermLeaf(self.phrase_patterns(item), fields)
        if not isinstance(item.term, Phrase):  # pragma: no cover - luqum only builds these
            raise self.error(f"proximity applies to a quoted phrase; {SUPPORTED}", item)
        patterns = self.phrase_patterns(item.term)
        if len(patterns) == 1:
            return nodes.TermLeaf(patterns, fields)
        window = max(int(item.degree), len(patterns))
        return nodes.ProximityLeaf(patterns, window, fields)

    def word_patterns(self, item: Any) -> tuple[Pattern, ...]:
        raw = str(item.value)
        plain: list[str] = []
        wildcards: list[tuple[int, str]] = []
        escaped = False
        for offset, char in enumerate(raw):
            if escaped:
                plain.append(char)
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in "*?":
                wildcards.append((offset, char))
                plain.append(char)
            else:
                plain.append(char)
        text = "".join(plain)
        is_prefix = False
        for offset, char in wildcards:
            at = item.pos + offset if isinstance(item.pos, int) else None
            if char == "?":
                raise QuerySyntaxError(
                    "the single-character wildcard ? is not supported (escape it as \\?); "
                    + SUPPORTED,
                    self.query,
                    at,
                )
            if offset != len(raw) - 1:
                raise QuerySyntaxError(
                    f"only a trailing * wildcard is supported, as in weapon*; {SUPPORTED}",
                    self.query,
                    at,
                )
            text = text[:-1]
            is_prefix = True
        tokens = tokenize(text)
        if not tokens:
            if is_prefix and not text:
                raise self.error("a lone * is not supported: give a prefix, as in weapon*", item)
            raise self.error(f"term {raw!r} has no letters or digits to match", item)
        if is_prefix and tokens[-1].end != len(text):
            raise self.error("the * wildcard must directly follow a letter or digit", item)
        patterns: list[Pattern] = [(t.norm, False) for t in tokens]
        if is_prefix:
            patterns[-1] = (patterns[-1][0], True)
        return tuple(patterns)

    def phrase_patterns(self, item: Any) -> tuple[Pattern, ...]:
        """Phrase words; a ``*`` right after a word makes it a prefix (``"weapon* sales"``)."""
        text = _unescape(str(item.value)[1:-1])
        tokens = tokenize(text)
        if not tokens:
            raise self.error(f"phrase {item.value!s} has no letters or digits to match", item)
        patterns: list[Pattern] = []
        for i, token in enumerate(tokens):
            last_part = i + 1 == len(tokens) or tokens[i + 1].start != token.start
            is_prefix = last_part and text[token.end : token.end + 1] == "*"
            patterns.append((token.norm, is_prefix))
        return tuple(patterns)

    def lang(self, item: Any) -> Node:
        if isinstance(item, Proximity):
            raise self.error("lang: takes a language code such as lang:fr, not a proximity", item)
        raw = str(item.value)
        value = _unescape(raw[1:-1] if isinstance(item, Phrase) else raw).strip()
        is_prefix = value.endswith("*")
        code = value.rstrip("*").casefold().replace("_", "-")
        if not _LANG_CODE.fullmatch(code) or "*" in code:
            raise self.error(
                f"lang: takes a language code such as lang:fr or lang:en-GB, not {raw!r}", item
            )
        return nodes.LangLeaf(code, is_prefix)
