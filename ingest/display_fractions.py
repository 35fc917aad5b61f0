"""Fractions set at full size, numerator over a drawn rule over the denominator, written linearly: "t/r".

``ingest.maths.linear_fractions`` writes the small fractions of running text ("1/2"). A display fraction
(``\\frac`` in a displayed formula, or ``\\dfrac``) is set in the text's own size: "cos" + "t" over a rule over
"r" read "cos t r", "κ(t) = 1 r", "diagn(m, 1 m,..., 1)" for diag(m, 1/m, ..., 1). pypdf often merges the
numerator or the denominator into the piece beside it when the font is the same (") = 1", "r,r"), so the glyphs
are looked at show by show (``places``: ``ingest.markers.ShownNumbers.places``, each show's x, y, size and
length). A run of shows right above a thin drawn rule (their baseline ``NUM_LOW``-``NUM_HIGH`` sizes above it)
followed in the content stream by a run right below it (``DEN_LOW``-``DEN_HIGH`` sizes under it), both within
the rule's ends, each centred on the rule, the wider of the two as wide as the rule (TeX makes the rule as wide
as the wider part), is a fraction. It is written "numerator/denominator": the slash takes the place of pypdf's
space before the denominator; a side with more than one term (a space or a sign in it: "n + 1") is put in
parentheses, "(n + 1)/2", so that the slash binds what the rule binds. Nothing else is added, no glyph lost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

Piece = tuple  # (text, x, y, size, bold) as ingest.layout reads them
Place = tuple[float, float, float, int, int]
Box = tuple[float, float, float, float]

THIN = 1.5  # points: a fraction rule is a line at most this high
NUM_LOW, NUM_HIGH = 0.3, 1.6  # sizes: the numerator's baseline this far above the rule (an underline is lower)
DEN_LOW, DEN_HIGH = 0.4, 2.2  # sizes: the denominator's baseline this far under it
EDGE = 0.3  # sizes: a part may reach this far past the rule's ends
CENTRED = 0.4  # sizes: a part's middle lies this close to the rule's middle
MAX_PARTS = 12  # shows of a numerator or a denominator
MAX_CHARS = 30
FENCES = "|‖⟨⟩"  # signs that enclose one term (|x|, ‖x‖): no second term

Show = tuple[int, int, int, float, float, float]  # piece, start, end (in the piece's text), x, y, size


def _shows(number: int, text: str, piece: Piece, places: list[Place] | None) -> list[Show] | None:
    """The glyph runs of a piece, one a show where pypdf merged several (their characters, spaces aside, must be
    the piece's), else the piece's glyphs as one run; None when they do not line up."""
    _, x, y, size = piece[:4]
    if not places or len(places) < 2:
        body = text.strip()
        if not body:
            return []
        start = len(text) - len(text.lstrip())
        return [(number, start, start + len(body), x, y, size)]
    if sum(place[4] for place in places) != sum(1 for char in text if char != " "):
        return None
    out: list[Show] = []
    at = 0
    for px, py, psize, _before, count in places:
        while at < len(text) and text[at] == " ":
            at += 1
        start, seen = at, 0
        while at < len(text) and seen < count:
            if text[at] != " ":
                seen += 1
            at += 1
        if count and text[start:at].strip():
            out.append((number, start, at, px, py, psize))
    return out


def display_fractions(pieces: Sequence[Piece], texts: list[str], width_of: Callable[[int, str], float],
                      boxes: Sequence[Box], places: dict[int, list[Place]]) -> list[str]:
    """``texts`` (each piece's text) with each fraction of numerator, rule and denominator written
    "numerator/denominator" (see the module docstring)."""
    rules = [box for box in boxes if box[3] - box[1] <= THIN and box[2] > box[0]]
    if not rules:
        return texts
    out = list(texts)
    shows: list[Show] = []
    for number, (piece, text) in enumerate(zip(pieces, texts)):
        if "\n" in text.strip("\n") or not text.strip():
            continue
        raw = piece[0]
        if "".join(text.split()) != "".join(raw.split()) and len("".join(text.split())) != len("".join(raw.split())):
            continue  # another rule wrote into this piece (a fraction written, a label moved)
        found = _shows(number, text.rstrip("\n"), piece, places.get(number))
        if found:
            shows.extend(found)
    if len(shows) < 2:
        return texts
    edits: dict[int, list[tuple[int, str, int]]] = {}  # piece -> (position, text to put there, chars to drop)
    used: set[int] = set()
    for rule in rules:
        middle_y, left, right = (rule[1] + rule[3]) / 2, rule[0], rule[2]
        for first, show in enumerate(shows):
            if first in used or not _over(show, middle_y, left, right, width_of, texts):
                continue
            numerator = _run(shows, first, lambda s: _over(s, middle_y, left, right, width_of, texts))
            if not numerator:
                continue
            after = numerator[-1] + 1
            if after >= len(shows) or after in used:
                continue
            denominator = _run(shows, after, lambda s: _under(s, middle_y, left, right, width_of, texts))
            if not denominator or not _fits(shows, numerator, denominator, left, right, width_of, texts):
                continue
            top = [shows[at] for at in numerator]
            bottom = [shows[at] for at in denominator]
            top_text, bottom_text = _text(top, texts), _text(bottom, texts)
            if (bottom_text.startswith("/") or len(top_text) > MAX_CHARS or len(bottom_text) > MAX_CHARS
                    or top_text.endswith("/")):
                continue
            used.update(numerator + denominator)
            den = bottom[0]
            # the slash replaces pypdf's spaces right before the denominator (in its piece)
            text = texts[den[0]]
            gap = den[1] - len(text[: den[1]].rstrip(" "))
            if den[1] == gap and den[0] > 0:  # the denominator opens its piece: pypdf's space may end the one before
                before = out[den[0] - 1]
                trail = len(before) - len(before.rstrip(" "))
                if trail and before.strip():
                    edits.setdefault(den[0] - 1, []).append((len(before) - trail, "", trail))
            open_top, open_bottom = _compound(top_text), _compound(bottom_text)
            edits.setdefault(den[0], []).append((den[1] - gap, "/" + ("(" if open_bottom else ""), gap))
            if open_bottom:
                end = bottom[-1]
                edits.setdefault(end[0], []).append((end[2], ")", 0))
            if open_top:
                start, end = top[0], top[-1]
                edits.setdefault(start[0], []).append((start[1], "(", 0))
                edits.setdefault(end[0], []).append((end[2], ")", 0))
            break
    for number, changes in edits.items():
        text = out[number]
        for position, insert, drop in sorted(changes, key=lambda change: change[0], reverse=True):
            text = text[:position] + insert + text[position + drop:]
        out[number] = text
    return out


def _width(show: Show, texts: list[str], width_of: Callable[[int, str], float]) -> float:
    return width_of(show[0], texts[show[0]][show[1]: show[2]])


def _over(show: Show, middle_y: float, left: float, right: float, width_of: Callable[[int, str], float],
          texts: list[str]) -> bool:
    size = show[5]
    return (size > 0 and NUM_LOW * size <= show[4] - middle_y <= NUM_HIGH * size
            and left - EDGE * size <= show[3] and show[3] + _width(show, texts, width_of) <= right + EDGE * size)


def _under(show: Show, middle_y: float, left: float, right: float, width_of: Callable[[int, str], float],
           texts: list[str]) -> bool:
    size = show[5]
    return (size > 0 and DEN_LOW * size <= middle_y - show[4] <= DEN_HIGH * size
            and left - EDGE * size <= show[3] and show[3] + _width(show, texts, width_of) <= right + EDGE * size)


def _run(shows: list[Show], start: int, belongs: Callable[[Show], bool]) -> list[int]:
    """The shows from ``start`` on that belong (on one baseline, at most ``MAX_PARTS``); [] when the first does
    not."""
    found: list[int] = []
    for at in range(start, min(len(shows), start + MAX_PARTS + 1)):
        show = shows[at]
        if not belongs(show) or (found and abs(show[4] - shows[found[0]][4]) > 0.15 * show[5]):
            break
        found.append(at)
    return found if len(found) <= MAX_PARTS else []


def _fits(shows: list[Show], numerator: list[int], denominator: list[int], left: float, right: float,
          width_of: Callable[[int, str], float], texts: list[str]) -> bool:
    """Whether both parts are centred on the rule and the wider is as wide as the rule."""
    middle = (left + right) / 2
    size = max(shows[at][5] for at in numerator + denominator)
    spans = []
    for run in (numerator, denominator):
        start = min(shows[at][3] for at in run)
        end = max(shows[at][3] + _width(shows[at], texts, width_of) for at in run)
        if abs((start + end) / 2 - middle) > CENTRED * size:
            return False
        spans.append(end - start)
    return abs(max(spans) - (right - left)) <= 0.6 * size


def _text(run: list[Show], texts: list[str]) -> str:
    """The text from the run's first glyph to its last, as the pieces give it (pypdf's spaces between)."""
    first, last = run[0], run[-1]
    if first[0] == last[0]:
        return texts[first[0]][first[1]: last[2]]
    middle = "".join(texts[number] for number in range(first[0] + 1, last[0]))
    return texts[first[0]][first[1]:] + middle + texts[last[0]][: last[2]]


def _compound(text: str) -> bool:
    """Whether a numerator or denominator has more than one term: a binary sign between glyphs ("n + 1", "a−b";
    a leading minus of "−1" is one term, a fence |x| is one) or a space between two letters or digits (a product
    "2P R"; "N !" is one term)."""
    body = text.strip()
    if any((unicodedata.category(char) == "Sm" and char not in FENCES) or char in "+-−·" for char in body[1:]):
        return True
    return any(body[at] == " " and body[at - 1].isalnum() and body[at + 1].isalnum() for at in range(1, len(body) - 1))
