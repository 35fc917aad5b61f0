"""Mark the query's words in a passage, safely.

The passage is document text and must never become HTML. We find the matches on the raw text, then build the
output from escaped pieces of it with our own ``<mark>`` tags between them: every character of the document goes
through ``markupsafe.escape`` exactly once, and a query can never match inside an entity such as ``&amp;``.

Matching is case- and accent-insensitive (``geïnvesteerd`` matches ``geinvesteerd``) and forgiving about Dutch
inflection: a query word of four letters or more also marks words that start with its stem, with the usual
vowel doubling/undoubling, so ``leraar`` marks ``leraren`` and ``leraren`` marks ``leraar``.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

# Function words that would mark half of every passage. Dutch first, a few English ones for English queries.
STOPWORDS = frozenset(
    """
    de het een en of in op te van voor met aan bij uit over naar door tot om als dan dat die dit deze
    er is zijn was waren wordt worden werd kan kunnen moet moeten mag zal zullen heeft hebben had
    niet geen ook nog wel maar al zo hoe wat wie waar waarom wanneer welke welk hun hen ze zij hij
    je u we wij ik men meer veel zich
    the a an and or of in on to for with at by from is are be was were what how why which who
    """.split()
)

MIN_STEM = 4  # shorter query words only match whole words
_SUFFIXES = ("en", "es", "s", "e")  # plural and inflection endings we strip from a query word
_VOWELS = "aeiouy"


def fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free version of ``text`` and, for each of its characters, the index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            folded = ch.lower()
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        for c in folded:
            out.append(c)
            index.append(i)
    return "".join(out), index


def query_terms(query: str) -> list[str]:
    """The folded words of a query worth marking, in order, without duplicates and stopwords."""
    folded, _ = fold(query or "")
    terms: list[str] = []
    for word in re.findall(r"\w+", folded):
        if word in STOPWORDS or word in terms or (len(word) < 2 and not word.isdigit()):
            continue
        terms.append(word)
    return terms


def stems(term: str) -> set[str]:
    """Prefixes that a word must start with to count as a form of ``term`` (see module docstring)."""
    if len(term) < MIN_STEM or term.isdigit():
        return set()
    found = {term}
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= MIN_STEM:
            found.add(term[: -len(suffix)])
            break
    for stem in list(found):
        # leraar -> lerar (leraren); lerar -> leraar; lessen -> less -> les
        m = re.search(r"([^" + _VOWELS + r"])([" + _VOWELS + r"])\2([^" + _VOWELS + r"])$", stem)
        if m:
            found.add(stem[: m.start(2)] + m.group(2) + m.group(3))
        m = re.search(r"([^" + _VOWELS + r"])([" + _VOWELS + r"])([^" + _VOWELS + r"])$", stem)
        if m and stem != term:
            found.add(stem[: m.start(2)] + m.group(2) * 2 + m.group(3))
        if len(stem) > MIN_STEM and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
            found.add(stem[:-1])
    return {s for s in found if len(s) >= MIN_STEM}


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    whole = sorted({t for t in terms if not stems(t)}, key=len, reverse=True)
    prefixes = sorted({s for t in terms for s in stems(t)}, key=len, reverse=True)
    parts = []
    if prefixes:
        parts.append(r"(?<!\w)(?:" + "|".join(map(re.escape, prefixes)) + r")\w*")
    if whole:
        parts.append(r"(?<!\w)(?:" + "|".join(map(re.escape, whole)) + r")(?!\w)")
    return re.compile("|".join(parts)) if parts else None


def match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``text`` that match the query, in order."""
    pattern = _pattern(query_terms(query))
    if pattern is None or not text:
        return []
    folded, index = fold(text)
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(folded):
        if m.end() == m.start():
            continue
        start, end = index[m.start()], index[m.end() - 1] + 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def highlight(text: str | None, query: str | None) -> Markup:
    """``text`` escaped for HTML, with the query's words wrapped in ``<mark>``."""
    text = text or ""
    pieces: list[str] = []
    cursor = 0
    for start, end in match_spans(text, query or ""):
        pieces.append(escape(text[cursor:start]))
        pieces.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        cursor = end
    pieces.append(escape(text[cursor:]))
    return Markup("").join(pieces)
