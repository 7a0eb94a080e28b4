"""Topic matching for newswatch: a Lucene-style query language evaluated on articles.

Pure Python (the query syntax is parsed by luqum); no I/O and no other project package.

    >>> matcher = TopicMatcher([Topic("nato-china", "NATO AND (China OR Beijing)")])
    >>> [m.topic for m in matcher.match("NATO’s warning to Beijing", "")]
    ['nato-china']

Query language: words, "phrases" (consecutive tokens), ``"w1 w2"~N`` (every word inside one
window of N consecutive tokens, any order; N below the word count counts as the word count),
trailing ``*`` wildcards (prefix of a token; also inside phrases), AND / OR / NOT (upper
case; ``and`` is a word), ``+required`` / ``-prohibited``, parentheses, boosts (``^2``,
ignored), and the fields ``title:``, ``text:``, ``source:`` (tokens of the outlet name or
host) and ``lang:`` (``lang:fr`` matches ``fr``, ``fr-CA``, ``fr_FR``; ``lang:f*`` a prefix).
Unscoped terms search the title and the text. Bare terms side by side are joined by the
default operator; with "OR", ``+`` terms are required and the other bare terms optional, as in
Lucene. Explicit ``a OR NOT b`` is plain boolean logic. A query that is only negative matches
every article without the excluded terms. Matching is on normalised tokens (NFKC, casefold,
accents removed; apostrophes, hyphens and other punctuation separate tokens).

With many topics, ``TopicMatcher`` first runs one Aho-Corasick automaton over the article to
pick the topics that could match (``matching.prefilter``); ``prefilter=False`` evaluates every
topic instead, with the same results.

Story grouping (``matching.stories``): ``story_signature(text)`` is a MinHash signature (a
tuple of ints, safe to store as JSON); ``StoryIndex`` finds the earlier article a new one is a
syndicated or republished copy of; ``similarity`` compares two signatures.
"""

from matching.document import Document
from matching.errors import QuerySyntaxError
from matching.matcher import Topic, TopicMatch, TopicMatcher, snippet_for
from matching.nodes import MatchedTerm
from matching.query import Query, parse_query
from matching.snippet import SNIPPET_LIMIT
from matching.stories import Signature, StoryIndex, similarity, story_signature
from matching.text import Token, tokenize

__all__ = [
    "SNIPPET_LIMIT",
    "Document",
    "MatchedTerm",
    "Query",
    "QuerySyntaxError",
    "Signature",
    "StoryIndex",
    "Token",
    "Topic",
    "TopicMatch",
    "TopicMatcher",
    "parse_query",
    "similarity",
    "snippet_for",
    "story_signature",
    "tokenize",
]
