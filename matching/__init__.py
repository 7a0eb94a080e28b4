"""Topic matching for newswatch: a Lucene-style query language evaluated on articles.

Pure Python (the query syntax is parsed by luqum); no I/O and no other project package.

    >>> matcher = TopicMatcher([Topic("nato-china", "NATO AND (China OR Beijing)")])
    >>> [m.topic for m in matcher.match("NATO’s warning to Beijing", "")]
    ['nato-china']
"""

from matching.document import Document
from matching.errors import QuerySyntaxError
from matching.matcher import Topic, TopicMatch, TopicMatcher, snippet_for
from matching.nodes import MatchedTerm
from matching.query import Query, parse_query
from matching.snippet import SNIPPET_LIMIT
from matching.text import Token, tokenize

__all__ = [
    "SNIPPET_LIMIT",
    "Document",
    "MatchedTerm",
    "Query",
    "QuerySyntaxError",
    "Token",
    "Topic",
    "TopicMatch",
    "TopicMatcher",
    "parse_query",
    "snippet_for",
    "tokenize",
]
