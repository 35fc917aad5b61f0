"""A subscript and a superscript set on top of each other after one symbol, written in one linear order.

TeX sets ``f_0^{-1}`` as "f" with the raised "−1" and the lowered "0" both right after it, starting at the same
place across (the subscript stacked under the superscript). pypdf gives the glyphs in the order drawn, the
superscript first, and where the two are in one font it even merges them into one piece with a space ("1 0"):
the page read "f−1 0 (V)", and "φ◦φ−1" + a line " i" for φ∘φ_i^{-1} (the subscript goes back to the left, so
``ingest.layout`` starts a new line with it). :func:`stacked_scripts` finds, right after a symbol, a run of
smaller pieces of which some stand above the symbol's baseline and some below it, the lower run starting where
the upper one starts (within a third of the symbol's size), and writes them after the symbol as
``_{0}^{−1}``: TeX's own linear form, the notation ``ingest.maths.operator_limits`` writes a sum's limits in
("∑_{i=0}^{n}"). Only the marks "_{", "}^{", "}" are added and the two scripts put in that order; no glyph is
added or lost. A superscript alone stays as it is ("f−1(U)", "x2": superscripts are plain digits after NFKC), as
does a subscript followed by a superscript further right (x_i then ², set apart, read in order).

Where pypdf merged shows of one font into one piece, ``places`` (``ingest.markers.ShownNumbers.places``: each
show's x, y, size, the characters shown before it in the piece and its length) gives each show its own place.
"""

from __future__ import annotations

from collections.abc import Sequence

Piece = tuple  # (text, x, y, size, bold) as ingest.layout reads them
Box = tuple[float, float, float, float]
Place = tuple[float, float, float, int, int]

THIN = 1.5  # points: a fraction rule is a line at most this high
SCRIPT_SIZE = 0.85  # a script is set smaller than this share of its symbol's size
RAISED = 0.1  # a superscript's baseline stands this share of the symbol's size above the symbol's, or more
LOWERED = 0.05  # a subscript's this share below it, or more
STACKED = 0.35  # symbol sizes: the lower script starts this close (across) to where the upper one starts
MAX_PIECES = 8  # pieces of one pair of scripts


def _parts(text: str, piece: Piece, places: list[Place] | None) -> list[tuple[str, float, float]] | None:
    """A script piece as (characters, x, y) parts: one part, or one a show where pypdf merged several shows
    (their characters, spaces aside, must be the piece's); None when they do not line up."""
    if not places or len(places) < 2:
        return [(text.strip(), piece[1], piece[2])]
    if sum(place[4] for place in places) != len(text.replace(" ", "")):
        return None
    parts: list[tuple[str, float, float]] = []
    body = text.replace(" ", "")
    at = 0
    for x, y, _size, _before, count in places:
        parts.append((body[at: at + count], x, y))
        at += count
    return parts


def stacked_scripts(pieces: Sequence[Piece], texts: list[str], places: dict[int, list[Place]],
                    boxes: Sequence[Box] = ()) -> tuple[list[str], set[int]]:
    """``texts`` (each piece's text) with every pair of stacked scripts written "_{sub}^{sup}" right after its
    symbol (see the module docstring), and the pieces whose scripts moved there: they stay on their symbol's line
    (a subscript going back to the left under its superscript does not start a line). A drawn rule between the
    two is a fraction's (∂x over ∂v): left to the fraction rules."""
    rules = [box for box in boxes if box[3] - box[1] <= THIN and box[2] > box[0]]
    moved: set[int] = set()
    out = list(texts)
    count = len(pieces)
    number = 0
    while number < count - 2:
        base = number
        number += 1
        text = out[base]
        _, bx, by, bsize = pieces[base][:4]
        if bsize <= 0 or not text.strip() or text[-1:].isspace() or "\n" in text:
            continue
        group: list[int] = []
        parts: list[tuple[str, float, float, int]] = []  # characters, x, y, piece
        tail = ""  # text another rule wrote after the last script (a brace's label moved after its expression)
        for at in range(base + 1, min(count, base + 1 + MAX_PIECES)):
            piece_text, raw = out[at], pieces[at][0]
            size = pieces[at][3]
            if (len(piece_text) > len(raw) and piece_text.startswith(raw) and "\n" not in raw
                    and piece_text[len(raw)].isspace()):
                piece_text, tail = raw, piece_text[len(raw):]
            if (not piece_text.strip() or not 0 < size <= SCRIPT_SIZE * bsize or "\n" in piece_text.rstrip("\n")
                    or len(piece_text.split()) != len(raw.split())
                    or len("".join(piece_text.split())) != len("".join(raw.split()))):
                break  # not a script, or a piece that another rule has written into
            found = _parts(piece_text.rstrip("\n"), pieces[at], places.get(at))
            if found is None or any(not _side(y, by, bsize) for _t, _x, y in found):
                break
            group.append(at)
            parts.extend((part, x, y, at) for part, x, y in found)
            if piece_text.endswith("\n") or tail:
                break
        if group and out[group[-1]] == pieces[group[-1]][0] or not group:
            tail = ""
        if not parts or parts[0][1] < bx:
            continue
        sides = [_side(y, by, bsize) for _t, _x, y, _at in parts]
        turn = next((at for at in range(1, len(sides)) if sides[at] != sides[0]), None)
        if turn is None or any(side != sides[turn] for side in sides[turn:]):
            continue  # one script alone, or more than two runs: read in order
        if abs(parts[turn][1] - parts[0][1]) > STACKED * bsize:
            continue  # the second script is set after the first, not under or over it
        first = [part for part, *_ in parts[:turn]]
        second = [part for part, *_ in parts[turn:]]
        sub, sup = (first, second) if sides[0] == "low" else (second, first)
        sub_text, sup_text = "".join(sub).strip(), "".join(sup).strip()
        if not sub_text or not sup_text:
            continue
        low, high = min(y for *_r, y, _at in parts), max(y for *_r, y, _at in parts)
        left, right = min(x for _t, x, _y, _at in parts), max(x for _t, x, _y, _at in parts)
        if any(low < (rule[1] + rule[3]) / 2 < high and rule[0] < right and rule[2] > left
               for rule in rules):
            continue
        home = group[0]  # the scripts are glued to their symbol: pypdf's space before the first is no space
        ends = {at: "\n" * (out[at].count("\n") - (tail.count("\n") if at == group[-1] else 0)) for at in group}
        for at in group:
            out[at] = ends[at]
        out[home] = f"_{{{sub_text}}}^{{{sup_text}}}" + out[home]
        out[group[-1]] += tail
        moved.update(group[1:])
        number = group[-1] + 1
    return out, moved


def _side(y: float, base_y: float, size: float) -> str | None:
    """"high" for a script above the symbol's baseline, "low" below it, None on it."""
    if y >= base_y + RAISED * size:
        return "high"
    if y <= base_y - LOWERED * size:
        return "low"
    return None
