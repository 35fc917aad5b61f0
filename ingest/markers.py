"""Note markers that pypdf glues into the text around them.

A word processor often sets a footnote marker by moving the text matrix (``Tm``) up and scaling it down, with
no new font (``Tf``). pypdf then keeps the marker in the same text piece as the words around it
("IC-opnames.4 Het OMT") and gives the visitor only the size and place of the piece's start, so
``ingest.layout`` cannot see that the "4" is smaller and raised. :class:`ShownNumbers` watches the
text-showing operators in the same ``extract_text`` pass (``visitor_operand_before``) and records each number
shown in a smaller size above the baseline of the text shown before it; :func:`split_piece` then cuts such a
number out of its piece as a piece of its own, with its own size and height, so that the marker rule of
``ingest.layout`` applies to it like to a marker that pypdf gave apart. Nothing is added or removed: the
three parts joined are the piece's text.
"""

from __future__ import annotations

import math
import re
from typing import Any

RAISED = 0.15  # a marker's baseline stands at least this share of the text's size above the text's baseline
SMALLER = 0.85  # ... and its size is less than this share of the text's size
_NUMBER = re.compile(r"\d{1,3}")

Shown = tuple[str, float, float, float, int]  # number, x, y, size (page space), characters shown before it


def _mult(m: list[float], n: list[float]) -> list[float]:
    return [
        m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _strings(operator: bytes, operands: Any) -> str | None:
    """The characters of a ``Tj`` or ``TJ`` operator, a byte a character (a number in a simple font is its
    digits), else None."""
    if operator == b"Tj":
        items = list(operands[:1])
    elif operator == b"TJ" and operands:
        items = list(operands[0]) if isinstance(operands[0], list) else []
    else:
        return None
    texts = [item.decode("latin-1") if isinstance(item, bytes) else item for item in items
             if isinstance(item, (str, bytes))]
    return "".join(texts) if texts else None


class ShownNumbers:
    """Numbers shown smaller and raised above the text before them, by the piece pypdf will give them in.

    ``read_page`` calls :meth:`before` from pypdf's ``visitor_operand_before`` and :meth:`flushed` for every
    piece its text visitor receives; ``found[i]`` are the raised numbers inside piece ``i``.
    """

    def __init__(self, to_page: Any = None) -> None:
        self._to_page = to_page  # a callable giving the form XObject's matrix to the page, or None
        self._font_size = 0.0
        self._text: tuple[float, float] | None = None  # size and baseline of the last text shown (page space)
        self._shown = 0  # characters shown since pypdf last gave a piece
        self.pieces = 0
        self.found: dict[int, list[Shown]] = {}
        # every show of a piece: x, y, size (page space), characters shown before it in the piece, characters
        # shown (``ingest.scripts`` reads where pypdf merged a superscript and the subscript under it)
        self.places: dict[int, list[tuple[float, float, float, int, int]]] = {}

    def flushed(self) -> None:
        self.pieces += 1
        self._shown = 0

    def before(self, operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        try:
            if operator == b"Tf" and len(operands) >= 2:
                self._font_size = float(operands[1])
            elif operator == b"BT":
                self._text = None
            elif operator in (b"Tj", b"TJ"):
                self._show(operator, operands, cm, tm)
        except (TypeError, ValueError, IndexError):  # a malformed operand: nothing recorded
            pass

    def _show(self, operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        text = _strings(operator, operands)
        if text is None:
            self._text = None
            return
        m = _mult([float(v) for v in tm], [float(v) for v in cm])
        to_page = self._to_page() if self._to_page else None
        if to_page is not None:
            m = _mult(m, to_page)
        size = self._font_size * (math.hypot(m[2], m[3]) or 1.0)
        stripped = text.strip()
        before = self._text
        self.places.setdefault(self.pieces, []).append((m[4], m[5], size, self._shown, len(text)))
        if (
            stripped and _NUMBER.fullmatch(stripped) and before is not None and 0 < size < SMALLER * before[0]
            and m[5] > before[1] + RAISED * before[0]
        ):
            self.found.setdefault(self.pieces, []).append((stripped, m[4], m[5], size, self._shown))
        elif stripped:
            self._text = (size, m[5])
        self._shown += len(text)


def split_piece(text: str, shown: list[Shown], offset: int) -> list[tuple[str, Shown | None]]:
    """``text`` (a part of a piece that starts ``offset`` characters into it) cut around the raised numbers
    of ``shown``: (part, None) for the piece's own text, (number, its place) for a raised number. A number is
    cut out only where it stands alone (not inside a longer number) at about the place it was shown."""
    cuts: list[tuple[int, Shown]] = []
    for item in shown:
        number, expected = item[0], item[4] - offset
        # after a digit only at the very place it was shown ("ISO/IEC 25010" + raised "4": the note marker stays
        # glued, "250104", until ``ingest.layout`` finds the page's note 4; a number is never cut out of another)
        places = [
            match.start() for match in re.finditer(re.escape(number), text)
            if (match.start() == 0 or not text[match.start() - 1].isdigit() or match.start() == expected)
            and (match.end() == len(text) or not text[match.end()].isdigit())
            and abs(match.start() - expected) <= 3 + expected // 10
        ]
        if places:
            cuts.append((min(places, key=lambda p: abs(p - expected)), item))
    parts: list[tuple[str, Shown | None]] = []
    start = 0
    for place, item in sorted(cuts):
        if place < start:
            continue
        if text[start:place]:
            parts.append((text[start:place], None))
        parts.append((item[0], item))
        start = place + len(item[0])
    if text[start:]:
        parts.append((text[start:], None))
    return parts
