"""A slash with a width drawn over the glyph after it: a negated relation ("∉", "≠"), read as one character.

``ingest.tex_glyphs`` composes TeX's zero-width ``negationslash`` with the glyph drawn at its place. Some fonts
and macros set the negation as an ordinary slash glyph *with* a width, moved back over the relation by a kern
(a ``TJ`` shift) or drawn after it: ``\\notin`` set as "/" of the maths italic font and "∈" of the symbol font,
the slash's box inside the box of "∈". pypdf gives both glyphs apart ("z /∈ U"; "x /= y").

:class:`SlashPlaces` watches the text-showing operators in the same ``extract_text`` pass (like
``ingest.shifts``) and records, for each slash glyph ("/", "⁄"), its box across (from the font's widths and the
array's shifts) and the box of the glyph shown right after it in the same array, by the piece pypdf gives it in.
:func:`compose_slashes` then writes a slash whose box lies for at least ``OVERLAP`` of its width over the box of
the next glyph (on the same baseline) as that glyph with U+0338 COMBINING LONG SOLIDUS OVERLAY, NFC-composed, and
only where Unicode has one character for it ("∉", "≠", "⊄", "≢", "≮"): a fraction's slash ("1/2") or a path's
("and/or") stands beside its neighbours and is never touched. Nothing else is changed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from kennisbank.ingest.shifts import FontState, _glyphs, _mult

SLASHES = frozenset("/⁄")
LONG_SOLIDUS = "\u0338"
OVERLAP = 0.5  # share of the slash's width that lies over the next glyph
SAME_LINE = 0.3  # font sizes: the next glyph's baseline lies within this of the slash's

Box = tuple[float, float, float]  # x0, x1, y of a glyph in page space
Piece = tuple  # (text, x, y, size, bold) as ingest.layout reads them


class SlashPlaces(FontState):
    """The boxes of the slash glyphs shown, by the piece pypdf gives them in (``found[i]``: for each slash of
    piece ``i`` in order, its box and the box of the glyph after it in the same array, or None)."""

    def __init__(self, resources: Callable[[], Any], to_page: Callable[[], Any]) -> None:
        super().__init__(resources)
        self._to_page = to_page
        self.pieces = 0
        self.found: dict[int, list[tuple[Box, Box | None]]] = {}
        self.broken: set[int] = set()  # pieces with a slash whose place could not be measured
        # the arrays shown, by piece, measured only for the pieces whose text has a slash (``resolve``): most
        # pages have none, and measuring every array cost a seventh of a PDF's parse
        self.records: dict[int, list[tuple[list, list[float], Any, float]]] = {}

    def flushed(self) -> None:
        self.pieces += 1

    def before(self, operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        try:
            if operator == b"Tf" and len(operands) >= 2:
                self.set_font(operands)
            elif operator == b"TJ" and operands and isinstance(operands[0], list):
                self._keep(list(operands[0]), cm, tm)
            elif operator == b"Tj" and operands:
                self._keep([operands[0]], cm, tm)
        except Exception:  # a malformed operand or font: no evidence for this piece
            self.broken.add(self.pieces)

    def _keep(self, items: list, cm: Any, tm: Any) -> None:
        # only kept here: the font's widths and the matrix are worked out in ``resolve``, for the few pieces
        # with a slash (pypdf changes ``tm`` in place, so a copy is kept)
        self.records.setdefault(self.pieces, []).append((items, list(cm), list(tm), self._to_page(), self._font,
                                                         self._size))

    def resolve(self, numbers: Sequence[int]) -> None:
        """Measure the slashes of these pieces into ``found`` (a piece that cannot be measured: ``broken``)."""
        for number in numbers:
            for items, cm, tm, to_page, font_dict, size in self.records.pop(number, []):
                try:
                    font = self.metrics_of(font_dict)
                    if font is None or size <= 0:
                        continue
                    m = _mult([float(v) for v in tm], [float(v) for v in cm])
                    if to_page is not None:
                        m = _mult(m, to_page)
                    self._record(items, m, font, size, number)
                except Exception:  # a malformed operand or font: no evidence for this piece
                    self.broken.add(number)

    def _record(self, items: list, m: list[float], font: Any, size: float, number: int) -> None:
        if abs(m[1]) > 1e-6 * abs(m[0]) or m[0] <= 0:
            return  # rotated or mirrored text
        glyphs: list[tuple[str, float, float]] = []  # character, start and end in text space from the array's start
        advance = 0.0
        for item in items:
            if isinstance(item, (int, float)):
                advance -= float(item) / 1000 * size
                continue
            if not isinstance(item, (str, bytes)):
                return
            for shown, width in _glyphs(item, font):
                end = advance + width * size / 1000
                glyphs.append((shown, advance, end))
                advance = end
        found = self.found.setdefault(number, [])
        for at, (shown, start, end) in enumerate(glyphs):
            if shown not in SLASHES:
                continue
            box = (m[4] + m[0] * start, m[4] + m[0] * end, m[5])
            after = next(((m[4] + m[0] * s, m[4] + m[0] * e, m[5]) for c, s, e in glyphs[at + 1:] if c.strip()), None)
            found.append((box, after))


def compose_slashes(pieces: Sequence[Piece], texts: list[str], places: SlashPlaces,
                    width_of: Callable[[int, str], float]) -> list[str]:
    """``texts`` with each slash drawn over the next glyph composed with it (see the module docstring).
    ``width_of(i, s)``: the width in points of ``s`` set in piece ``i``'s font and size."""
    out = list(texts)
    places.resolve([number for number, text in enumerate(texts) if any(char in SLASHES for char in text)])
    for number, slashes in places.found.items():
        if number in places.broken or number >= len(out) or not slashes:
            continue
        text = out[number]
        at_slashes = [at for at, char in enumerate(text) if char in SLASHES]
        if len(at_slashes) != len(slashes) or text != pieces[number][0]:
            continue  # the text is not pypdf's glyph for glyph: no safe mapping of the slashes
        size = max(float(pieces[number][3] or 0), 1.0)
        for at, (box, after) in reversed(list(zip(at_slashes, slashes))):
            rest = text[at + 1:]
            if after is not None and rest[:1].strip():  # the next glyph in the same array, no space between
                if _over(box, after, size):
                    composed = _negated(rest[0])
                    if composed:
                        text = text[:at] + composed + text[at + 2:]
                continue
            if after is None and not rest.strip() and number + 1 < len(out):
                following = out[number + 1]
                body = following.lstrip(" ")
                other = pieces[number + 1]
                if not body[:1].strip() or following != other[0]:
                    continue
                first = other[1] + width_of(number + 1, following[: len(following) - len(body)])
                next_box = (first, first + width_of(number + 1, body[0]), other[2])
                composed = _negated(body[0])
                if composed and _over(box, next_box, size):
                    text = text[:at] + rest
                    lead = len(following) - len(body)
                    out[number + 1] = following[:lead] + composed + body[1:]
        out[number] = text
    return out


def _over(slash: Box, glyph: Box, size: float) -> bool:
    """Whether the slash's box lies for at least ``OVERLAP`` of its width over the glyph's, on its baseline."""
    width = slash[1] - slash[0]
    if width <= 0 or glyph[1] <= glyph[0] or abs(slash[2] - glyph[2]) > SAME_LINE * size:
        return False
    return min(slash[1], glyph[1]) - max(slash[0], glyph[0]) >= OVERLAP * width


def _negated(base: str) -> str:
    """The one character Unicode has for ``base`` with a long solidus over it ("∈" -> "∉"), or ""."""
    composed = unicodedata.normalize("NFC", base + LONG_SOLIDUS)
    return composed if len(composed) == 1 else ""
