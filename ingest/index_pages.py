"""The index of a book or thesis (Stichwortverzeichnis, Register, Index, Trefwoordenlijst): one entry a line.

An index page is a list of entries, "term, page numbers" ("Abschluss, 3", "Gauß-Krümmung, 92, 91–94"), cross
references ("Aktion, siehe Gruppenoperation") and head terms with their sub-entries under them ("Abbildung" over
"affine, 107", "stetige, 9"), mostly in two or three columns. pypdf gives the columns one after the other
(``ingest.layout`` keeps its order), but reflowed as prose the entries run together into one soup line
("Dimension, 34 diskret, 53 Doppelverhältnis, 83"). Here an *index* is a run of at least ``MIN_ENTRIES``
entry lines, where entry lines are at least ``ENTRY_SHARE`` of the run's lines and the others are head terms
(a few words, no closing punctuation) or the page numbers of a wrapped entry ("61"). A list of sentences, a
table's rows or a reference list has no such run.

Like a code listing (``ingest.code``), the cleaner (``ingest.cleaning``) keeps each line of an index on a line
of its own, the index a block of its own; the splitter (``ingest.chunking``) packs it apart from the text
around it as passages of kind ``index``. Nothing is added or removed: only line breaks are kept where the PDF
has them.
"""

from __future__ import annotations

import re

from kennisbank.ingest.code import code_spans

MIN_ENTRIES = 8
ENTRY_SHARE = 0.6
HEAD_WORDS = 5
_PAGE = r"(?:\d{1,4}|[ivxlc]{1,7})"  # an arabic or a roman page number ("Torus, iii, 5, 38")
_PAGES = rf"{_PAGE}(?:\s*[–-]\s*{_PAGE})?(?:\s*ff?\.?)?"
_ENTRY = re.compile(
    rf"[^\W\d_][^,]{{0,79}},\s*(?:{_PAGES}(?:\s*,\s*{_PAGES})*"
    r"|(?:siehe|s\.|see|zie|voir|vgl\.|cf\.)(?:\s+(?:auch|also|ook|aussi))?\s+\S.{0,60})",
    re.IGNORECASE,
)
_NUMBERS = re.compile(rf"{_PAGES}(?:\s*,\s*{_PAGES})*")
_CLOSING = re.compile(r"[.:;!?]$")  # a head term may end in "," (an entry wrapped before its page numbers)


def entry_kind(line: str) -> str:
    """"entry" (a term with page numbers or a cross reference), "numbers" (a wrapped entry's page numbers),
    "head" (a head term: a few words, no closing punctuation) or "other"."""
    text = " ".join(line.split())
    if _ENTRY.fullmatch(text):
        return "entry"
    if _NUMBERS.fullmatch(text):
        return "numbers"
    if len(text.split()) <= HEAD_WORDS and len(text) <= 60 and not _CLOSING.search(text) and text[:1].isalpha():
        return "head"
    return "other"


def index_lines(lines: list[str]) -> list[tuple[int, int]]:
    """The indexes among a page's lines: (first, last) line index of each, last included. Blank lines are
    skipped over."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    kinds = [entry_kind(lines[index]) for index in filled]
    runs: list[tuple[int, int]] = []
    position = 0
    while position < len(filled):
        if kinds[position] == "other":
            position += 1
            continue
        end = position
        while end + 1 < len(filled) and kinds[end + 1] != "other":
            end += 1
        start = position
        while start < end and kinds[start] == "head" and kinds[start + 1] == "head":
            start += 1  # the index's own heading ("Stichwortverzeichnis") over a head term: not an entry
        entries = sum(1 for kind in kinds[start:end + 1] if kind == "entry")
        if entries >= MIN_ENTRIES and entries >= ENTRY_SHARE * (end - start + 1):
            runs.append((filled[start], filled[end]))
        position = end + 1
    return runs


def _index_stretches(text: str) -> list[tuple[int, int, bool]]:
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    spans: list[tuple[int, int, bool]] = []
    cursor = 0
    for first, last in index_lines(text.split("\n")):
        if lines[first][0] > cursor:
            spans.append((cursor, lines[first][0], False))
        spans.append((lines[first][0], lines[last][1], True))
        cursor = lines[last][1]
    if cursor < len(text) or not spans:
        spans.append((cursor, len(text), False))
    return spans


def structured_spans(text: str) -> list[tuple[int, int]]:
    """Cut a page's cleaned text into stretches of code listing (``ingest.code``), of index and of other text;
    they cover the text, each packed on its own by the splitter."""
    out: list[tuple[int, int]] = []
    for start, end, code in code_spans(text):
        if code:
            out.append((start, end))
            continue
        out += [(start + s, start + e) for s, e, _index in _index_stretches(text[start:end]) if e > s]
    return out


def is_index_passage(text: str) -> bool:
    """A passage that is a part of an index (as ``structured_spans`` cuts them out): all of its lines (at least
    two) entries, page numbers or head terms, most of them entries (a paragraph is one line after the cleaner)."""
    lines = [line for line in text.split("\n") if line.strip()]
    kinds = [entry_kind(line) for line in lines]
    entries = kinds.count("entry")
    return len(lines) >= 2 and "other" not in kinds and entries >= 2 and entries >= ENTRY_SHARE * len(lines)
