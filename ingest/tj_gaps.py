"""Word spaces pypdf leaves out of a TJ array (issue 13): pypdf writes a space for a shift in a ``TJ`` array
when the shift is wider than half the space of the font it last saw set by ``Tf``; after a figure whose labels
were set in a symbol font (TeX's CMSY8, no space glyph: pypdf takes a wide space) and a ``Q`` that restores the
text font, that width stays and a caption's word shifts (a third of an em) read as no space:
"Abbildung4.13:DieDreiecke" for "Abbildung 4.13: Die Dreiecke".

Here the page's ``TJ`` arrays of simple fonts give the evidence: two strings separated by a shift of at least
``WORD_GAP`` thousandths of an em (also over consecutive arrays of one text object with only colour operators
between them, a leading shift in the second) are two words. Where a visitor text holds the two strings glued
(the letters of both, printable ASCII only, as the array shows them), a space goes between them. Positive
evidence only: a space is added only where the page shifts the pen by a word gap, never taken out."""

from __future__ import annotations

import re
from typing import Any

from pypdf.generic import ContentStream

WORD_GAP = 200  # thousandths of an em: TeX's narrowest justified word space is 0.22 em, letter kerning < 0.1 em
_LONG_RUN = re.compile(r"\S{15,}")  # a text with no space over this many characters may have lost its spaces
_KEEP_RUN = frozenset({b"g", b"G", b"rg", b"RG", b"k", b"K", b"cs", b"CS", b"sc", b"scn", b"SC", b"SCN"})


def _shown(item: Any) -> str | None:
    raw = bytes(item.original_bytes if hasattr(item, "original_bytes") else item)
    text = raw.decode("latin-1")
    return text if all(32 < ord(char) < 127 for char in text) else None


def word_gaps(page: Any) -> list[tuple[str, str]]:
    """Pairs (left, right) of strings a TJ array of a simple font shows with a word gap between them; a string
    with a byte outside printable ASCII breaks the pair (its character is not known here: no pair)."""
    resources = page.get("/Resources") or {}
    fonts = resources.get("/Font") or {}
    pairs: list[tuple[str, str]] = []
    simple = True
    last: str | None = None  # the last string shown in this text object, while no operator moved the pen
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"TJ" and operands and simple:
            gap = 0.0
            for item in operands[0]:
                if isinstance(item, (int, float)):
                    gap -= float(item)
                    continue
                text = _shown(item)
                if text == "":
                    continue  # "<>": an empty string, the shift before it goes on counting
                if text is not None and last and gap >= WORD_GAP:
                    pairs.append((last, text))
                last, gap = text, 0.0
            if gap:
                last = None  # a shift at the array's end: the next array's first string is not its neighbour
        elif operator in _KEEP_RUN:
            continue
        else:
            if operator == b"Tf" and operands:
                font = fonts.get(operands[0]) if hasattr(fonts, "get") else None
                font = font.get_object() if font is not None else None
                simple = font is not None and font.get("/Subtype") != "/Type0"
            last = None
    return pairs


def spaced_by_gaps(page: Any, texts: list[str]) -> list[str]:
    """The visitor ``texts`` with a space between two strings a TJ array sets a word gap apart where pypdf
    glued them (``word_gaps``). Only texts with a run of 15 or more characters without a space are looked at."""
    if not any(_LONG_RUN.search(text) for text in texts):
        return texts
    try:
        pairs = word_gaps(page)
    except Exception:  # a content stream pypdf could read as text but not as operations: leave the text
        return texts
    if not pairs:
        return texts
    return [_LONG_RUN.sub(lambda match: _spaced_run(match.group(), pairs), text) for text in texts]


def _spaced_run(run: str, pairs: list[tuple[str, str]]) -> str:
    """One run of 15 or more characters without a space, with a space between each glued pair whose left string
    starts at the run's start, after a space already put in, or after a mark (":", "("); never in a link."""
    if "/" in run or "@" in run or "www." in run.lower():
        return run
    for left, right in pairs:
        glued = left + right
        at = run.find(glued)
        while at >= 0:
            if at == 0 or run[at - 1] == " " or not run[at - 1].isalnum() or not left[0].isalnum():
                run = run[: at + len(left)] + " " + run[at + len(left):]
            at = run.find(glued, at + len(glued) + 1)
    return run
