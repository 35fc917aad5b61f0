"""The search page's result list, beyond the fused hits: repeats grouped into one result, the relevance gate,
a spelling suggestion from the index's own words, and facet counts.

- **Repeats** (`group_repeats`): the framework table repeats findings word for word under several values; the
  passages with the same normalised text (`passage_key`) become one result, the first (best) one, listing the
  other places in ``also``.
- **Relevance**: the gate of search.relevance, the same one the answer page uses.
- **Spelling** (`Vocabulary`): the words of the stored page texts (the catalog), with their counts. A query
  word the publications do not have is replaced by the closest word they do have (rapidfuzz, edit distance
  with swapped letters; ties go to the more frequent word), or, for a Dutch compound, by a known first part
  plus the closest known rest ("werkplekbegeleidng" -> "werkplek" + "begeleiding").
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kennisbank.search.compounds import MIN_PART
from kennisbank.search.thesaurus import Thesaurus, fold

_LETTERS = re.compile(r"[^\W\d_]+")
_WORDS = re.compile(r"\w+")

# words that are never worth correcting (function words; Dutch, and English for English questions)
STOPWORDS = frozenset(
    """
    de het een en of in op te van voor met aan bij uit over naar door tot om als dan dat die dit deze er is
    zijn was waren wordt worden werd kan kunnen moet moeten mag zal zullen heeft hebben had niet geen ook nog
    wel maar al zo hoe wat wie waar waarom wanneer welke welk hun hen ze zij hij je u we wij ik men meer veel
    zich the a an and or of in on to for with at by from is are be was were what how why which who does do
    """.split()
)


# -- repeats ------------------------------------------------------------------------------------------------

def passage_key(text: str) -> str:
    """What makes two passages "the same text": their words, case aside (punctuation, spacing and line breaks
    may differ)."""
    return " ".join(_WORDS.findall(text.casefold()))


def place(result: dict[str, Any]) -> dict[str, Any]:
    """Where a result stands: its passage id, page and publication (for a grouped repeat's ``also``)."""
    document = result["document"]
    return {"chunk_id": result["chunk_id"], "anchor": result.get("anchor"), "page": result["page"],
            "page_label": result.get("page_label"), "document": {"id": document["id"], "title": document["title"]},
            "citation_in_text": result.get("citation_in_text")}


def group_repeats(results: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per distinct text, in rank order, each with ``also`` (the other places of that text, in rank
    order); ranks are renumbered 1, 2, ..."""
    groups: dict[str, dict[str, Any]] = {}
    for result in results:
        key = passage_key(result["text"])
        if key in groups:
            groups[key]["also"].append(place(result))
        else:
            groups[key] = {**result, "also": []}
    out = list(groups.values())
    for rank, result in enumerate(out, start=1):
        result["rank"] = rank
    return out


# -- spelling -----------------------------------------------------------------------------------------------

MAX_EDIT = 2        # the largest edit distance of a correction
DICTIONARY_MAX = 50_000  # words a correction is chosen from
MIN_WORD = 5        # shorter query words are not corrected (too many words are one edit apart)


class Vocabulary:
    """The words of the publications (lower case), with their counts, and spelling suggestions from them."""

    def __init__(self, counts: Counter[str], thesaurus: Thesaurus | None = None):
        self.counts = counts
        self.thesaurus = thesaurus
        self._thesaurus_words: frozenset[str] | None = None
        # the words a correction may be: the most frequent ones of four letters or more, most frequent first
        # (`counts` keeps every word, to know which query words are known)
        self._by_length: dict[int, list[str]] = {}
        for word, _ in Counter({w: c for w, c in counts.items() if len(w) >= 4}).most_common(DICTIONARY_MAX):
            self._by_length.setdefault(len(word), []).append(word)

    @classmethod
    def from_texts(cls, texts: Iterable[str], thesaurus: Thesaurus | None = None) -> "Vocabulary":
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(w.casefold() for w in _LETTERS.findall(text) if len(w) >= 2)
        return cls(counts, thesaurus)

    def __contains__(self, word: str) -> bool:
        return word.casefold() in self.counts

    def _known_term(self, word: str) -> bool:
        """A word of the thesaurus (English or Dutch) is no typo."""
        if self.thesaurus is None:
            return False
        if self._thesaurus_words is None:
            self._thesaurus_words = frozenset(
                w for concept in self.thesaurus.concepts for term in (*concept.nl, *concept.en)
                for w in _LETTERS.findall(fold(term)))
        return word in self._thesaurus_words

    def _closest(self, word: str, max_edit: int) -> tuple[str, int] | None:
        # optimal string alignment distance: insertions, deletions, substitutions and swapped neighbours
        found = [f for length in range(len(word) - max_edit, len(word) + max_edit + 1)
                 for f in process.extract(word, self._by_length.get(length, ()), scorer=OSA.distance,
                                          score_cutoff=max_edit, limit=None)]
        if not found:
            return None
        term, distance, _ = min(found, key=lambda f: (f[1], -self.counts[f[0]]))
        return term, int(distance)

    def correct(self, word: str) -> str | None:
        """The word the publications probably mean by ``word`` (lower case), or None (known, or nothing close)."""
        lower = word.casefold()
        if len(lower) < MIN_WORD or lower in STOPWORDS or lower in self.counts or self._known_term(lower):
            return None
        max_edit = 1 if len(lower) < 7 else MAX_EDIT
        candidates: list[tuple[int, int, str]] = []  # (distance, whole word first, word)
        whole = self._closest(lower, max_edit)
        if whole:
            candidates.append((whole[1], 0, whole[0]))
        # a compound: a first part the publications have, the rest corrected ("werkplek" + "begeleidng")
        for cut in range(MIN_PART, len(lower) - MIN_PART + 1):
            head, tail = lower[:cut], lower[cut:]
            if head not in self.counts or len(tail) < MIN_WORD:
                continue
            rest = self._closest(tail, 1 if len(tail) < 7 else MAX_EDIT)
            if rest and rest[1] > 0:
                candidates.append((rest[1], 1, head + rest[0]))
        if not candidates:
            return None
        return min(candidates)[2]

    def suggest(self, query: str) -> str | None:
        """The query with its unknown words corrected, or None when there is nothing to correct."""
        changed = False
        pieces: list[str] = []
        cursor = 0
        for match in _LETTERS.finditer(query):
            fixed = self.correct(match.group())
            pieces.append(query[cursor:match.start()])
            if fixed is None:
                pieces.append(match.group())
            else:
                pieces.append(fixed)
                changed = True
            cursor = match.end()
        pieces.append(query[cursor:])
        return "".join(pieces) if changed else None
