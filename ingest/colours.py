"""The fill colour text is shown in, from the same pypdf ``extract_text`` pass that gives the text.

A Word thesis sets its headings apart by colour as much as by font: a blue italic objective ("De applicatie
behaalt een goede GPU-performance ... rond de 60 FPS.") over a paragraph in black, a grey glossary term
("Framework") over its definition, both in the body's size and face. pypdf gives no colour, so
:class:`FillColours` watches the colour operators in the same pass (``visitor_operand_before``, like
``ingest.markers``): ``g``, ``rg``, ``k`` (gray, RGB, CMYK), ``cs`` with ``sc``/``scn`` (the colour space's
components), and ``q``/``Q`` (the graphics state's stack). Each text-showing operator counts its characters
for the colour in force, and every piece pypdf gives the text visitor gets the colour of most of its
characters (``found``). :func:`line_colours` gives each line of ``ingest.layout`` the colour of most of its
letters (``Line.colour``). Nothing in the text changes; the colour is only evidence for the layout's
headings (``ingest.layout._find_headings``).
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

Colour = tuple[float, ...]  # RGB in 0..1, rounded (a gray g is (g, g, g)); () when not known (a pattern)
BLACK: Colour = (0.0, 0.0, 0.0)
_SHOW = frozenset({b"Tj", b"TJ", b"'", b'"'})
COLOUR_OPERATORS = frozenset({b"g", b"rg", b"k", b"sc", b"scn", b"cs", b"q", b"Q", *_SHOW})  # what before() reads
_WATCHED = COLOUR_OPERATORS
MAX_STACK = 64  # a content stream that never restores its state keeps at most this many saved colours


@functools.lru_cache(maxsize=1024)  # a page sets the same few colours again and again
def _rgb(values: tuple[float, ...]) -> Colour:
    """A colour of 1 (gray), 3 (RGB) or 4 (CMYK) components as RGB, rounded to two decimals."""
    if len(values) == 1:
        rgb = (values[0],) * 3
    elif len(values) == 3:
        rgb = tuple(values)
    elif len(values) == 4:
        c, m, y, k = values
        rgb = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    else:
        return ()
    return tuple(round(min(1.0, max(0.0, v)), 2) for v in rgb)


class FillColours:
    """The fill colour of each text piece of a page, by the piece pypdf will give it in.

    ``read_page`` calls :meth:`before` from pypdf's ``visitor_operand_before`` and :meth:`flushed` for every
    piece its text visitor receives; ``found[i]`` is the colour of most characters of piece ``i``.
    """

    def __init__(self) -> None:
        self.colour: Colour = BLACK
        self._stack: list[Colour] = []
        self._shown: Counter = Counter()  # characters shown per colour since pypdf last gave a piece
        self.pieces = 0
        self.found: dict[int, Colour] = {}

    def flushed(self) -> None:
        self.found[self.pieces] = self._shown.most_common(1)[0][0] if self._shown else self.colour
        self.pieces += 1
        self._shown.clear()

    def before(self, operator: bytes, operands: Any, _cm: Any = None, _tm: Any = None) -> None:
        if operator not in _WATCHED:
            return
        try:
            if operator in _SHOW:
                self._shown[self.colour] += _length(operator, operands)
            elif operator in (b"g", b"rg", b"k"):
                self.colour = _rgb(tuple(float(v) for v in operands))
            elif operator in (b"sc", b"scn"):
                numbers = tuple(float(v) for v in operands if isinstance(v, (int, float)))
                self.colour = _rgb(numbers) if len(numbers) == len(operands) else ()
            elif operator == b"cs":
                self.colour = BLACK  # a new colour space starts at its initial colour (black for the device spaces)
            elif operator == b"q":
                if len(self._stack) < MAX_STACK:
                    self._stack.append(self.colour)
            elif operator == b"Q" and self._stack:
                self.colour = self._stack.pop()
        except (TypeError, ValueError):  # a malformed operand: the colour is not known
            self.colour = ()


def _length(operator: bytes, operands: Any) -> int:
    """How many characters (bytes) a text-showing operator shows; 1 when it cannot tell."""
    try:
        if operator == b"TJ":
            return sum(len(item) for item in operands[0] if isinstance(item, (str, bytes))) or 1
        text = operands[-1]
        return len(text) if isinstance(text, (str, bytes)) else 1
    except (TypeError, IndexError):
        return 1


ONE_COLOUR = 0.9  # a line is in one colour when at least this share of its letters has it


def line_colours(lines: list[Any], colour_of: dict[int, Colour]) -> None:
    """Set ``colour`` of each line: the colour of (nearly) all its letters, ``ONE_COLOUR``; () for a line in
    several colours (a link inside a sentence); lines without letters keep None. ``colour_of`` maps the id of
    each piece tuple of ``Line.pieces`` to its colour."""
    for line in lines:
        letters: Counter = Counter()
        for piece in line.pieces or []:
            colour = colour_of.get(id(piece))
            if colour is not None:
                letters[colour] += len(piece[0].strip())
        total = sum(letters.values())
        if total:
            colour, count = letters.most_common(1)[0]
            line.colour = colour if count >= ONE_COLOUR * total else ()


def body_colour(lines: list[Any], body_size: float) -> Colour | None:
    """The colour of most letters of the body text: lines in the body size (within half a point) in one colour;
    None when there are none."""
    letters: Counter = Counter()
    for line in lines:
        if line.colour and abs(line.size - body_size) < 0.5:
            letters[line.colour] += len(line.text)
    return letters.most_common(1)[0][0] if letters else None
