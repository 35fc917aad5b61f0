"""Why a passage was found: which of its words match the query, by the analysis BM25 itself uses.

A word of a passage matches when BM25 would count it for the query: the same token after Qdrant Edge's Dutch
tokenising, stop-word removal and stemming (``leraren`` and ``leraar`` are one stem), or, for a Dutch compound,
one of its parts as search.compounds splits it for the index (``werkplekbegeleiders`` for ``begeleiders``).
There is no prefix or substring matching: ``samenstelling`` is no hit for ``samen`` unless the compound
splitter, and so the index, splits it that way. The thesaurus terms a query was expanded with count as query
words, as they do in the BM25 query.

The tokens are those of ``qdrant_edge.Bm25`` with the index's own configuration (search.embedders.BM25_CONFIG);
a word is compared by its token ids, so the highlighting can never disagree with what BM25 scored.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import qdrant_edge as qe

from kennisbank.search.compounds import default_splitter
from kennisbank.search.embedders import BM25_CONFIG

WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _bm25():
    return qe.Bm25(qe.Bm25Config(**BM25_CONFIG))


def _unaccented(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=100_000)
def word_tokens(word: str) -> frozenset[int]:
    """BM25's token ids of one word (its stem; empty for a stop word). A word with accents also counts in its
    accent-free spelling (``geïnvesteerd``/``geinvesteerd``), as people type it both ways."""
    tokens = set(_bm25().embed_query(word).indices)
    plain = _unaccented(word)
    if plain != word:
        tokens.update(_bm25().embed_query(plain).indices)
    return frozenset(tokens)


@lru_cache(maxsize=100_000)
def part_tokens(word: str) -> frozenset[int]:
    """The token ids of a compound's parts, as the index splits it (empty when it is no known compound)."""
    return frozenset(t for part in default_splitter().split(word) for t in word_tokens(part))


class QueryTerms:
    """The tokens of a query (its words and the thesaurus terms it was expanded with), to match words against."""

    def __init__(self, query: str, expansions: list[str] | tuple[str, ...] = ()):
        words = [w for w in WORD.findall(query or "") + [w for term in expansions for w in WORD.findall(term)]
                 if len(w) > 1 or w.isdigit()]
        self.words: frozenset[int] = frozenset(t for w in words for t in word_tokens(w))
        # a compound in the query also finds its parts, as the BM25 query holds them (search.embedders.bm25_text)
        self.parts: frozenset[int] = frozenset(t for w in words for t in part_tokens(w))

    def __bool__(self) -> bool:
        return bool(self.words or self.parts)

    def matches(self, word: str) -> bool:
        """True when BM25 counts ``word`` for the query: its stem is a query stem (or a part of a query compound),
        or it is a compound with a query word as one of its parts."""
        if len(word) < 2 and not word.isdigit():
            return False  # a lone letter ("b" of a tag in the query) explains nothing
        own = word_tokens(word)
        return bool(own & self.words or own & self.parts or part_tokens(word) & self.words)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every matching word of ``text``, in order; adjacent matches are not merged."""
        if not self or not text:
            return []
        return [(m.start(), m.end()) for m in WORD.finditer(text) if self.matches(m.group())]
