"""Glyphs that TeX draws on top of each other or builds from pieces, read as the character the page shows.

pypdf reads a TeX maths font glyph by glyph. Some symbols are not one glyph:

overlays
    ``\\neq`` and ``\\notin`` are a negation slash drawn over "=" or "∈"; ``\\mapsto`` is a small bar drawn over
    the start of "→". In the font (Computer Modern's cmsy, Latin Modern, ...) that glyph has an advance width of 0,
    so the next glyph stands on the same place; pypdf gives both ("x⁄= y", "x↦→x3"). Here a glyph whose font
    names it ``negationslash`` and gives it no width, followed at its place by another glyph, is written as that
    glyph with U+0338 COMBINING LONG SOLIDUS OVERLAY, NFC-composed where Unicode has the character ("≠", "∉",
    "⊄", "≢"); a zero-width ``mapsto`` (TeX's mapstochar) before "→" is "↦", before "−→" (``\\longmapsto``) "⟼".
    Only glyphs the page draws on top of each other are composed; nothing else is changed.
brace pieces
    ``\\overbrace`` and ``\\underbrace`` draw four tips from the maths extension font (cmex:
    ``bracehtipdownleft`` ... ``bracehtipupright``, joined by drawn rules). pypdf knows no Unicode for them and
    gives the bare codes as letters ("z }| {" over, "| {z }" under). Four such glyphs of a font that names those
    codes so, one after another in the order of an over- or underbrace, carry no word: they are dropped.
extension pieces
    A tall bar is a stack of ``vextendsingle`` (or ``vextenddouble``) pieces of the extension font ("⏐⏐⏐⏐⏐"):
    a run of them in one piece is one bar ("|", "‖"). A big delimiter whose code pypdf gives bare
    (cmex's ``parenleftbig`` at code 0) is read by its name (``tex_delimiter``; ``ingest.layout.recover_glyphs``).

All rules read the font's own encoding and widths (``names_of``: code -> glyph name of a simple font without a
ToUnicode map) and the glyphs' places; nothing is known of a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from kennisbank.ingest.parse_scope import per_document

NEGATION_CHARS = frozenset("⁄/\u0338")  # what pypdf gives for the negation slash (U+2044 by its glyph list)
LONG_SOLIDUS = "\u0338"
MAPSTO = "↦"
BRACE_TIPS = ("bracehtipdownleft", "bracehtipdownright", "bracehtipupleft", "bracehtipupright")
OVER_BRACE = ("bracehtipdownleft", "bracehtipupright", "bracehtipupleft", "bracehtipdownright")  # z } | {
UNDER_BRACE = ("bracehtipupleft", "bracehtipdownright", "bracehtipdownleft", "bracehtipupright")  # | { z }
SAME_PLACE = 0.3  # font sizes: a glyph in the next piece stands on the overlay's place within this
_EXTENSION_RUNS = {"vextendsingle": (re.compile("⏐+"), "|"), "vextenddouble": (re.compile("‖{2,}"), "‖")}
_DELIMITER = re.compile(r"(paren|bracket|brace|angbracket|floor|ceiling|slash|backslash)(left|right)?"
                        r"(?:big|Big|bigg|Bigg)")
_DELIMITERS = {"parenleft": "(", "parenright": ")", "bracketleft": "[", "bracketright": "]", "braceleft": "{",
               "braceright": "}", "angbracketleft": "⟨", "angbracketright": "⟩", "floorleft": "⌊",
               "floorright": "⌋", "ceilingleft": "⌈", "ceilingright": "⌉", "slash": "/", "backslash": "\\"}

Piece = tuple  # (text, x, y, size, bold) as ingest.layout reads them


def tex_delimiter(name: str) -> str:
    """The character of a sized delimiter of a TeX extension font ("parenleftbig" -> "("), or ""."""
    found = _DELIMITER.fullmatch(name.lstrip("/"))
    return _DELIMITERS.get(found.group(1) + (found.group(2) or ""), "") if found else ""


class _Traits:
    """What a font's encoding and widths say: its zero-width overlay glyphs, its brace tips, its bar pieces."""

    def __init__(self, font: Any, names: dict[int, str]) -> None:
        widths = _widths(font)
        zero = {name for code, name in names.items() if widths.get(code) == 0}
        self.negation = "negationslash" in zero
        self.mapsto = bool({"mapsto", "mapstochar"} & zero)
        self.tips = {chr(code): name for code, name in names.items() if name in BRACE_TIPS and code >= 32}
        self.runs = [_EXTENSION_RUNS[name] for name in sorted(set(names.values()) & set(_EXTENSION_RUNS))]


def _widths(font: Any) -> dict[int, float]:
    try:
        first, widths = int(font.get("/FirstChar", 0)), font.get("/Widths")
        widths = widths.get_object() if hasattr(widths, "get_object") else widths
        return {first + at: float(width) for at, width in enumerate(widths or [])}
    except (TypeError, ValueError, AttributeError):
        return {}


_TRAITS: dict[int, tuple[Any, _Traits | None]] = per_document()


def _traits(font: Any, names_of: Callable[[Any], dict[int, str]]) -> _Traits | None:
    cached = _TRAITS.get(id(font))
    if cached is not None and cached[0] is font:
        return cached[1]
    traits = None
    if font is not None:
        try:
            names = names_of(font)
        except Exception:  # a broken font program: no evidence
            names = {}
        found = _Traits(font, names) if names else None
        traits = found if found and (found.negation or found.mapsto or found.tips or found.runs) else None
    if len(_TRAITS) > 256:
        _TRAITS.clear()
    _TRAITS[id(font)] = (font, traits)
    return traits


def compose_glyphs(pieces: Sequence[Piece], texts: list[str], fonts: Sequence[Any],
                   names_of: Callable[[Any], dict[int, str]]) -> list[str]:
    """``texts`` (each piece's text) with overlays composed, brace tips dropped and bar pieces joined (see the
    module docstring). ``names_of(font)``: the font's code -> glyph name (empty for a font with a ToUnicode map,
    whose text pypdf reads right)."""
    traits = [_traits(font, names_of) for font in fonts]
    if not any(traits):
        return texts
    out = list(texts)
    for number, trait in enumerate(traits):
        if trait is None:
            continue
        for pattern, single in trait.runs:
            out[number] = pattern.sub(single, out[number])
    for window in _drop_brace_tips(out, traits):
        _label_after(pieces, out, window)
    for number, trait in enumerate(traits):
        if trait is not None and (trait.negation or trait.mapsto):
            _overlays(pieces, out, number, trait)
    return out


def _drop_brace_tips(texts: list[str], traits: Sequence[_Traits | None]) -> list[list[tuple[int, int, str]]]:
    """Drop four brace tips standing one after another (spaces and line breaks between them aside) in the order
    of an over- or underbrace; returns the tips of each brace dropped (piece, place in its text, glyph name)."""
    slots = [(number, at, traits[number].tips[char])
             for number, text in enumerate(texts) if traits[number] is not None and traits[number].tips
             for at, char in enumerate(text) if char in traits[number].tips]
    if len(slots) < 4:
        return []
    # only tips with nothing but white space between them (in the texts of the pieces between) form a brace
    drop: set[tuple[int, int]] = set()
    windows = []
    start = 0
    while start + 4 <= len(slots):
        window = slots[start: start + 4]
        if tuple(name for _, _, name in window) in (OVER_BRACE, UNDER_BRACE) and _only_space_between(texts, window):
            drop.update((number, at) for number, at, _ in window)
            windows.append(window)
            start += 4
        else:
            start += 1
    for number in {number for number, _ in drop}:
        texts[number] = "".join(char for at, char in enumerate(texts[number]) if (number, at) not in drop)
    return windows


def _label_after(pieces: Sequence[Piece], texts: list[str], window: list[tuple[int, int, str]]) -> None:
    """An overbrace's label stands above the brace and comes before the braced expression in the PDF's order
    ("P ↦ genau ein Punkt LP ∩ H"): its text goes after the expression, where an underbrace's label already
    stands ("P ↦ LP ∩ H genau ein Punkt"). The label: the pieces right before the brace, above it and within
    its width; the expression: the pieces right after it, below it and within its width. Only the label's text
    moves; its line breaks stay (a line of a space, as the brace's line)."""
    if tuple(name for _, _, name in window) != OVER_BRACE:
        return
    first, last = window[0][0], window[-1][0]
    size = max(float(pieces[first][3] or 0), 1.0)
    left, right, height = pieces[first][1] - size, pieces[last][1] + 1.5 * size, pieces[first][2]
    reach = max(right - left, 3 * size)  # a label wider than its brace starts left of it, centred over it
    label = _run(pieces, texts, range(first - 1, -1, -1),
                 lambda p: height < p[2] <= height + 2 * size and left - reach <= p[1] <= right)
    below = _run(pieces, texts, range(last + 1, len(pieces)),
                 lambda p: height - 2 * size < p[2] < height and left <= p[1] <= right)
    if not label or not below:
        return
    words = " ".join("".join(texts[number] for number in reversed(label)).split())
    for number in label:
        texts[number] = " " + "".join(char for char in texts[number] if char == "\n")  # not an empty line
    end = texts[below[-1]]
    body = end.rstrip("\n")
    texts[below[-1]] = body + " " + words + end[len(body):]


def _run(pieces: Sequence[Piece], texts: list[str], order: range, fits: Callable[[Piece], bool]) -> list[int]:
    """The pieces in ``order`` that fit, up to the first one with a glyph that does not (white space and line
    breaks skipped)."""
    found = []
    for number in order:
        if not texts[number].strip():
            continue
        if not fits(pieces[number]):
            break
        found.append(number)
    return found


def _only_space_between(texts: list[str], window: list[tuple[int, int, str]]) -> bool:
    for (number, at, _), (next_number, next_at, _) in zip(window, window[1:]):
        if number == next_number:
            between = texts[number][at + 1: next_at]
        else:
            between = texts[number][at + 1:] + "".join(texts[number + 1: next_number]) + texts[next_number][:next_at]
        if between.strip():
            return False
    return True


def _overlays(pieces: Sequence[Piece], texts: list[str], number: int, trait: _Traits) -> None:
    """Compose the zero-width overlay glyphs of piece ``number`` with the glyph drawn at their place: the next
    character of the piece, or the first of the next piece when the overlay ends its piece and the next piece
    starts at its place (``_drawn_at``)."""
    text = texts[number]
    at = 0
    while at < len(text):
        char = text[at]
        negation, mapsto = trait.negation and char in NEGATION_CHARS, trait.mapsto and char == MAPSTO
        if not (negation or mapsto):
            at += 1
            continue
        if at + 1 < len(text) and not text[at + 1].isspace():
            composed, used = _compose(char, text[at + 1:], negation)
            if composed:
                text = text[:at] + composed + text[at + 1 + used:]
                texts[number] = text
        elif not text[at + 1:].strip() and number + 1 < len(texts):
            following = texts[number + 1]
            body = following.lstrip(" ")
            if body and _drawn_at(pieces, number, text[:at].strip() == "", following):
                composed, used = _compose(char, body, negation)
                if composed:
                    texts[number] = text[:at] + text[at + 1:]
                    lead = len(following) - len(body)
                    texts[number + 1] = following[:lead] + composed + body[used:]
                    return
        at += 1


def _compose(char: str, after: str, negation: bool) -> tuple[str, int]:
    """The character an overlay ``char`` makes with the glyphs at the start of ``after``, and how many of them
    it takes; ("", 0) when they make none."""
    if negation:
        base = after[0]
        if not (unicodedata.category(base).startswith(("S", "P")) or base.isalpha()):
            return "", 0
        return unicodedata.normalize("NFC", base + LONG_SOLIDUS), 1
    if after.startswith("→"):
        return MAPSTO, 1
    if after.startswith(("−→", "-→")):
        return "⟼", 2
    return "", 0


def _drawn_at(pieces: Sequence[Piece], number: int, alone: bool, following: str) -> bool:
    """Whether the next piece's first glyph stands where the zero-width overlay ending piece ``number`` stands:
    on its baseline, and at its place (an overlay alone in its piece: the pieces start within ``SAME_PLACE``
    font sizes) or right after the piece's other glyphs (pypdf saw no gap: the next text opens without a
    space, and the overlay takes no room)."""
    piece, other = pieces[number], pieces[number + 1]
    size = max(float(piece[3] or 0), float(other[3] or 0))
    if size <= 0 or abs(other[2] - piece[2]) > SAME_PLACE * size:
        return False
    if alone:
        return abs(other[1] - piece[1]) <= SAME_PLACE * size
    return not following[:1].isspace() and other[1] > piece[1]
