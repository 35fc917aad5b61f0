"""Word spaces in monospaced text decided on the font's grid (code listings, issue 13).

LaTeX's ``listings`` (and Beamer's listings) place a listing's glyphs one by one in a ``TJ`` array: every glyph
of a monospaced font has the same advance (the *cell*, 0.525 em in TeX's typewriter fonts), and the array's
shifts put each token on the listing's column grid. Inside a word the shifts are small (0.07-0.1 em), between
two tokens that touch in the source ("Some" and "<T>", "value" and ";") they are a little larger (0.14-0.22 em,
where the grid rounds a token's box), and a real space is a whole empty cell or more (0.7 em and up). pypdf
writes a space at every shift above about 0.1 em, so a listing came out as "public class Some <T > : Option <T >",
"this . value = value ;" where the page shows ``Some<T> : Option<T>`` and ``this.value = value;``.

In a monospaced font the grid tells a space from none: two glyphs stand apart by a word space only when the gap
between them is at least half a cell (``HALF_CELL``); anything less is the grid's rounding. :class:`GridSpaces`
watches the text-showing operators in the same ``extract_text`` pass as ``ingest.shifts`` and ``ingest.markers``
(``visitor_operand_before``) and, for each ``TJ`` array in a monospaced font, writes its text as pypdf decodes
its glyphs (space glyphs kept) with a space only at such gaps. ``respaced`` puts that text in place of pypdf's
piece only when the two have the same characters apart from spaces: nothing is added or removed but spaces
inside one array, and only where the glyph positions say so.

A font is monospaced when all glyphs it lists have one advance width (``/Widths``, or ``/W`` of a composite
font; a Type 3 font's widths through its ``/FontMatrix``: dvips' bitmap fonts have no name to go by), or when its
name or ``/Flags`` say so (``layout._is_mono``'s test), then its most common width is the cell.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable

from pypdf._text_extraction import get_text_operands
from pypdf.generic._font import Font

from kennisbank.ingest.parse_scope import per_document
from kennisbank.ingest.shifts import font_named

HALF_CELL = 0.5  # of a cell: a gap this wide between two glyphs of a monospaced array is a word space
MIN_GLYPHS = 5  # a font that lists fewer glyphs tells nothing by its equal widths
_ORIENTATIONS = (0, 90, 180, 270)
# monospaced by name (Courier, Latin Modern Mono, Consolas, DejaVu Sans Mono, TeX typewriter CMTT10): as layout._MONO
_MONO_NAME = re.compile(r"mono|courier|consol|menlo|typewriter|inconsolata|sourcecode|[+/](?:cm|ec|lm|tc)tt\d",
                        re.IGNORECASE)


def _widths(font: Any) -> tuple[list[float], float]:
    """The advance widths a font lists (glyphs of width 0 left out: codes a subset does not hold) and the factor
    that turns them into thousandths of an em."""
    subtype = font.get("/Subtype")
    if subtype == "/Type0":
        descendant = font["/DescendantFonts"][0].get_object()
        listed: list[float] = []
        spec = list(descendant.get("/W") or [])
        index = 0
        while index < len(spec):  # c [w1 w2 ...]  or  c_first c_last w
            if index + 1 < len(spec) and isinstance(spec[index + 1], list):
                listed += [float(w) for w in spec[index + 1]]
                index += 2
            elif index + 2 < len(spec):
                count = int(spec[index + 1]) - int(spec[index]) + 1
                listed += [float(spec[index + 2])] * max(0, min(count, 256))
                index += 3
            else:
                break
        return [w for w in listed if w > 0], 1.0
    scale = 1.0
    if subtype == "/Type3":
        matrix = font.get("/FontMatrix") or [0.001]
        scale = float(matrix[0]) * 1000
    return [float(w) for w in (font.get("/Widths") or []) if float(w) > 0], scale


def cell_width(font: Any) -> float | None:
    """The cell of a monospaced font in thousandths of an em (the advance every glyph has), None for a
    proportional font or one that says too little."""
    try:
        if font is None:
            return None
        widths, scale = _widths(font)
        if not widths or scale <= 0:
            return None
        common, count = Counter(widths).most_common(1)[0]
        if count == len(widths) and count >= MIN_GLYPHS:
            return common * scale
        if _named_mono(font) and count * 2 > len(widths):
            return common * scale
    except Exception:  # a broken font dictionary: no grid
        return None
    return None


def _named_mono(font: Any) -> bool:
    if _MONO_NAME.search(str(font.get("/BaseFont", ""))):
        return True
    for each in [font, *[f.get_object() for f in font.get("/DescendantFonts", [])]]:
        descriptor = each.get("/FontDescriptor")
        if descriptor is not None and int(descriptor.get_object().get("/Flags", 0)) & 1:
            return True
    return False


_UNMADE = object()
_FONTS: dict[int, list[Any]] = per_document()  # id(font) -> [font, cell, pypdf's Font (or _UNMADE), scale]


class GridSpaces:
    """The text of each ``TJ`` array in a monospaced font with its spaces placed by the grid, by the piece pypdf
    will give it in.

    ``read_page`` calls :meth:`before` from pypdf's ``visitor_operand_before`` and :meth:`flushed` for every
    piece its text visitor receives; ``found[i]`` lists what was shown inside piece ``i``: per array its text,
    or None (another operator or font: such a piece is left as pypdf gives it).
    """

    def __init__(self, resources: Callable[[], Any]) -> None:
        self._resources = resources
        self._font: Any = None
        self.pieces = 0
        self.found: dict[int, list[str | None]] = {}
        self._shown: dict[int, list[tuple[Any, Any] | None]] = {}  # per piece, per array: its items and font

    def flushed(self) -> None:
        self.pieces += 1

    def before(self, operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        try:
            if operator == b"Tf" and operands:
                self._font = font_named(self._resources(), operands[0])
            elif operator == b"TJ" and operands:
                text = self._text(operands[0])
                self._shown.setdefault(self.pieces, []).append((operands[0], self._font))
                self.found.setdefault(self.pieces, []).append(text)
            elif operator in (b"Tj", b"'", b'"'):
                self._shown.setdefault(self.pieces, []).append(None)
                self.found.setdefault(self.pieces, []).append(None)
        except Exception:  # a malformed operand or font: that piece stays as pypdf gives it
            self._shown.setdefault(self.pieces, []).append(None)
            self.found.setdefault(self.pieces, []).append(None)

    def advances(self, piece: int) -> list[tuple[float, float | None] | None]:
        """Per array shown in ``piece``: how far it moves the pen (ems: its glyphs' widths and its shifts) with
        its font's cell (None for a proportional font); None for another operator or what cannot be measured.
        Measured when asked (only beside monospaced text)."""
        out: list[tuple[float, float | None] | None] = []
        for shown in self._shown.get(piece, []):
            if shown is None:
                out.append(None)
                continue
            items, font = shown
            current, self._font = self._font, font
            try:
                out.append(self._advance(items))
            except Exception:  # a font pypdf cannot measure: no end known
                out.append(None)
            finally:
                self._font = current
        return out

    def _grid(self) -> tuple[float | None, Any]:
        cell, metrics, _scale = self._font_data(metrics_needed=False)
        return cell, (self._font_data()[1] if cell else None)

    def _font_data(self, metrics_needed: bool = True) -> tuple[float | None, Any, float]:
        """The current font's cell, pypdf's ``Font`` (its widths; made only when needed) and the factor to
        thousandths of an em, kept across pages (``_FONTS``)."""
        font = self._font
        cached = _FONTS.get(id(font))
        if cached is None or cached[0] is not font:
            if len(_FONTS) > 256:
                _FONTS.clear()
            scale = 1.0
            if font is not None and font.get("/Subtype") == "/Type3":  # widths in glyph space
                scale = float((font.get("/FontMatrix") or [0.001])[0]) * 1000
            cached = _FONTS[id(font)] = [font, cell_width(font), _UNMADE, scale]
        if metrics_needed and cached[2] is _UNMADE:
            cached[2] = Font.from_font_resource(font) if font is not None else None
        return cached[1], (None if cached[2] is _UNMADE else cached[2]), cached[3]

    def _advance(self, items: Any) -> tuple[float, float | None] | None:
        """How far an array moves the pen, in ems (its glyphs' widths and its shifts), with its font's cell."""
        cell, metrics, scale = self._font_data()
        if metrics is None or not isinstance(items, list):
            return None
        total = 0.0
        for item in items:
            if isinstance(item, (int, float)):
                total -= float(item)
                continue
            if not isinstance(item, (str, bytes)):
                return None
            codes = get_text_operands([item], [1, 0, 0, 1, 0, 0], [1, 0, 0, 1, 0, 0], metrics, _ORIENTATIONS)[0]
            measured = "".join(chr(byte) for byte in _raw_bytes(item)) if not isinstance(metrics.encoding, str) else codes
            total += sum(metrics.get_text_width(code) for code in measured) * scale
        return total / 1000, cell

    def _text(self, items: Any) -> str | None:
        cell, metrics = self._grid()
        if not cell or metrics is None or not isinstance(items, list):
            return None
        out: list[str] = []
        gap = 0.0
        for item in items:
            if isinstance(item, (int, float)):
                gap -= float(item)
                continue
            if not isinstance(item, (str, bytes)):
                return None
            shown = get_text_operands([item], [1, 0, 0, 1, 0, 0], [1, 0, 0, 1, 0, 0], metrics, _ORIENTATIONS)[0]
            shown = "".join(metrics.character_map.get(char, char) for char in shown) if isinstance(shown, str) else ""
            if not shown:
                continue
            if out and gap >= HALF_CELL * cell and not out[-1].endswith(" ") and not shown.startswith(" "):
                out.append(" ")
            out.append(shown)
            gap = 0.0
        return "".join(out)


def _raw_bytes(item: Any) -> bytes:
    original = getattr(item, "original_bytes", None)
    if original is not None:
        return bytes(original)
    return bytes(item) if isinstance(item, bytes) else str(item).encode("latin-1")


def respaced(text: str, arrays: list[str | None] | None) -> str | None:
    """pypdf's ``text`` of one piece written with the grid's spaces, or None: when the piece is not exactly one
    array in a monospaced font, or the array's characters (spaces aside) are not the piece's."""
    if not arrays or len(arrays) != 1 or arrays[0] is None or "\n" in text.strip():
        return None
    body = text.strip()
    grid = arrays[0].strip()
    if not body or grid == body or grid.replace(" ", "") != body.replace(" ", ""):
        return None
    start = text.index(body[0])
    return text[:start] + grid + text[start + len(body):]
