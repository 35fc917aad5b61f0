"""Show a passage safely: its line breaks and lists kept, the words that made it match marked.

The passage is document text and must never become HTML. Matches are found on the raw text, then the output
is built from escaped pieces of it with our own tags between them: every character of the document goes
through ``markupsafe.escape`` exactly once, and a query can never match inside an entity such as ``&amp;``.

Which words match is decided by search.terms.QueryTerms: the analysis BM25 uses (Qdrant Edge's Dutch stemmer
and stop words, the index's compound parts) over the query and the thesaurus terms it was expanded with. So
``leraren`` marks ``Leraren`` and ``lerarenopleiding`` (a compound part), but ``samen`` does not mark
``samenstelling`` unless the index splits it that way.

A passage's lines stay lines; a run of bullet lines (``• ...``, ``- ...``) becomes a list, a run of numbered
lines (``1. ...``, ``a) ...``) a numbered list. Each item keeps its own marker as text (the text is verbatim).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from kennisbank.search.terms import QueryTerms

_BULLET = re.compile(r"^\s*[•\-–—*▪◦●]\s+\S")
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}|[a-zA-Z])[.)]\s+\S")


def terms_of(query: str | QueryTerms | None) -> QueryTerms:
    return query if isinstance(query, QueryTerms) else QueryTerms(query or "")


def match_spans(text: str, query: str | QueryTerms | None) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``text`` that match the query, in order."""
    return terms_of(query).spans(text or "")


def highlight(text: str | None, query: str | QueryTerms | None) -> Markup:
    """``text`` escaped for HTML, with the matching words wrapped in ``<mark>``."""
    text = text or ""
    pieces: list[str] = []
    cursor = 0
    for start, end in match_spans(text, query):
        pieces.append(escape(text[cursor:start]))
        pieces.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        cursor = end
    pieces.append(escape(text[cursor:]))
    return Markup("").join(pieces)


def line_kind(line: str) -> str:
    """``bullet``, ``number`` or ``text``: what a line of a passage is."""
    if _BULLET.match(line):
        return "bullet"
    if _NUMBERED.match(line):
        return "number"
    return "text"


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """The passage as (kind, lines) runs: consecutive lines of one kind together; blank lines end a run."""
    out: list[tuple[str, list[str]]] = []
    for line in (text or "").split("\n"):
        if not line.strip():
            if out and out[-1][1]:
                out.append(("text", []))
            continue
        kind = line_kind(line)
        if out and out[-1][0] == kind and (kind != "text" or out[-1][1]):
            out[-1][1].append(line)
        elif out and not out[-1][1]:
            out[-1] = (kind, [line])
        else:
            out.append((kind, [line]))
    return [(kind, lines) for kind, lines in out if lines]


def passage(text: str | None, query: str | QueryTerms | None = None) -> Markup:
    """A passage as HTML for a ``<blockquote>``: paragraphs with their line breaks, lists as lists, matching
    words marked. Nothing is added to or left out of the words of the text."""
    terms = terms_of(query)
    html: list[Markup] = []
    for kind, lines in blocks(text or ""):
        if kind == "text":
            html.append(Markup("<p>") + Markup("<br>").join(highlight(line, terms) for line in lines)
                        + Markup("</p>"))
        else:
            tag = "ul" if kind == "bullet" else "ol"
            items = Markup("").join(Markup("<li>") + highlight(line.strip(), terms) + Markup("</li>") for line in lines)
            html.append(Markup(f'<{tag} class="passage-items">') + items + Markup(f"</{tag}>"))
    return Markup("").join(html)
