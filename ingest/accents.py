"""An accent that TeX's maths sets over a letter (\\tilde X, \\dot x, \\bar a), written after its letter: "X̃".

TeX draws the accent as a glyph of its own (the spacing tilde "˜" of cmr, the dot "˙", ...) placed over the
letter; pypdf gives it before the letter ("p : ˜" + "X"), and the normalisation of every stored page (NFKC)
turns the spacing accent into a space and a combining mark, so the page read "p : ̃X →X": a mark on a space, in
front of its letter. :func:`accents_over_letters` finds a piece that ends in a spacing accent, with the next
piece opening with a letter right under it (the accent's middle over the letter's box, the accent's baseline on
or above the letter's), and writes the accent as its combining mark after that letter ("X̃", as an overline is
written "M̅"). A space pypdf put between an opening bracket and the accent, where the letter follows the bracket
without a gap (a move of the pen, no glyph), goes: "( ˜" + "x" is "(x̃". After a letter pypdf's space stays
("id ˜" + "X" is "id X̃"): the word check compares with pypdf's words, and "idX" would be a join. No glyph is added or lost: the accent only changes its form and place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

Piece = tuple  # (text, x, y, size, bold) as ingest.layout reads them
Place = tuple[float, float, float, int, int]
OPENING = "([{⟨|"  # a space pypdf writes after one of these before an accent is never the page's

# spacing accents (as TeX's fonts give them) and the combining mark each is
COMBINING = {"˜": "\u0303", "¨": "\u0308", "´": "\u0301", "¯": "\u0304", "˙": "\u0307", "˚": "\u030a",
             "˘": "\u0306", "ˇ": "\u030c", "ˆ": "\u0302"}


def accents_over_letters(pieces: Sequence[Piece], texts: list[str], width_of: Callable[[int, str], float],
                         places: dict[int, list[Place]]) -> list[str]:
    """``texts`` with each spacing accent set over the next piece's first letter written after that letter as
    its combining mark (see the module docstring)."""
    out = list(texts)
    for number in range(len(pieces) - 1):
        text, following = out[number], out[number + 1]
        body = text.rstrip(" ")
        accent = body[-1:]
        if accent not in COMBINING or text != pieces[number][0] or following != pieces[number + 1][0]:
            continue
        letter = following[:1]
        if not letter.isalpha() or unicodedata.combining(following[1:2] or " "):
            continue
        before = body[:-1]
        size = pieces[number + 1][3]
        lx, ly = pieces[number + 1][1], pieces[number + 1][2]
        if size <= 0:
            continue
        # where the glyphs before the accent end, when they are in its own piece ("( ˜")
        end = pieces[number][1] + width_of(number, before.rstrip()) if before.strip() else None
        shows = places.get(number)
        if shows and len(shows) >= 2 and shows[-1][4] == 1:
            ax, ay = shows[-1][0], shows[-1][1]
        elif not before.strip():
            ax, ay = pieces[number][1], pieces[number][2]
        elif end is not None and abs(lx - end) <= 0.3 * size:
            ax, ay = lx, ly  # one array "( ˜": the letter starts where "(" ends, so the accent stands over it
        else:
            continue  # where the accent stands is not known
        if not ly - 0.05 * size <= ay <= ly + size:
            continue
        middle = ax + width_of(number, accent) / 2
        if not lx - 0.1 * size <= middle <= lx + width_of(number + 1, letter) + 0.25 * size:
            continue
        if before.endswith(" ") and end is not None and lx - end < 0.1 * size and before.rstrip()[-1] in OPENING:
            before = before.rstrip(" ")  # pypdf's space for the accent's move: the letter follows without a gap
        glued = before[-1:] if before else (out[number - 1][-1:] if number else "")
        if glued.isalnum():
            before += " "  # NFKC gave the raw page a space here (" ̃"): the words on either side stay apart
        out[number] = before
        out[number + 1] = letter + COMBINING[accent] + following[1:]
    return out
