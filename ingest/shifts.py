"""Text runs that a ``TJ`` array places apart by its shifts, with their own places.

PowerPoint's and Word's "Print to PDF" often write a whole table row, or a row of column headers, as one ``TJ``
array: the cells' glyph strings with a large shift between them ("class" -1332 "name" -927 "sex" ...). pypdf
gives such an array as one text piece with a space at each shift ("Walton female 29 0 0 24160") and only the
place where the array starts, so ``ingest.layout`` cannot see where the cells stand: a table on a slide came out
as its rows run together. :class:`ShiftedRuns` watches the text-showing operators in the same ``extract_text``
pass (``visitor_operand_before``, like ``ingest.markers``) and records, for an array with a shift of at least
``RUN_GAP`` ems, its runs (the glyphs between such shifts) and where each run starts, from the font's widths
(pypdf's own ``Font``: the same widths pypdf uses to put its spaces). ``split_runs`` then cuts pypdf's piece at
those runs: each run a piece with its own place. Nothing is added or removed: the parts joined are the piece's
text; when the runs do not line up with pypdf's text exactly (letters without spaces), the piece stays whole.
"""

from __future__ import annotations

from typing import Any, Callable

from pypdf._text_extraction import get_text_operands
from pypdf.generic._font import Font

from kennisbank.ingest.parse_scope import per_document

RUN_GAP = 0.8  # ems: an array with a shift this large is cut into its words (a word space is 0.25-0.35 em)
WORD_SHIFT = 0.1  # ems: inside such an array, a shift this large parts two words, like a space glyph (kerns are smaller)
_ORIENTATIONS = (0, 90, 180, 270)

Run = tuple[str, float]  # the run's characters (as pypdf decodes them), its start x in page space


def _mult(m: list[float], n: list[float]) -> list[float]:
    return [
        m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5],
    ]


_NAMED: dict[tuple[int, Any], tuple[Any, Any]] = per_document()  # (id(resources), name) -> (resources, font)


def font_named(resources: Any, name: Any) -> Any:
    """The font dictionary that ``name`` (a ``Tf`` operand) stands for in ``resources`` (a page's or a form
    XObject's), or None; cached for the document (the watchers of ``read_page`` ask for it at every ``Tf``)."""
    key = (id(resources), name)
    cached = _NAMED.get(key)
    if cached is None or cached[0] is not resources:
        fonts = (resources or {}).get("/Font") or {}
        font = fonts.get(name) if hasattr(fonts, "get") else None
        cached = _NAMED[key] = (resources, font.get_object() if font is not None else None)
    return cached[1]


class FontState:
    """The font and size in force in a pypdf ``extract_text`` pass (``Tf``), and the font's widths for measuring
    the glyphs of a text array (``metrics``: None for a Type 3 font or none), cached per font. The watchers of the
    text-showing operators (``ShiftedRuns``, ``ingest.overstrike.SlashPlaces``) read it."""

    def __init__(self, resources: Callable[[], Any]) -> None:
        self._resources = resources  # the resources in force (the page's or a form XObject's)
        self._font: Any = None
        self._size = 0.0
        self._fonts: dict[int, tuple[Any, Any]] = {}

    def set_font(self, operands: Any) -> None:
        """Take the font and size of a ``Tf`` operator."""
        self._font = font_named(self._resources(), operands[0])
        self._size = float(operands[1])

    def _metrics(self) -> Any:
        return self.metrics_of(self._font)

    def metrics_of(self, font: Any) -> Any:
        """The widths of ``font`` (a font dictionary of the resources), cached; None for a Type 3 font or none."""
        cached = self._fonts.get(id(font))
        if cached is None or cached[0] is not font:
            metrics = None
            if font is not None and font.get("/Subtype") != "/Type3":
                metrics = Font.from_font_resource(font)
            cached = self._fonts[id(font)] = (font, metrics)
        return cached[1]


class ShiftedRuns(FontState):
    """The runs of ``TJ`` arrays with large shifts, by the piece pypdf will give them in.

    ``read_page`` calls :meth:`before` from pypdf's ``visitor_operand_before`` and :meth:`flushed` for every
    piece its text visitor receives; ``found[i]`` lists the arrays shown inside piece ``i`` (an array without a
    large shift counts too, as None, so a piece made of several arrays is never cut by the runs of one).
    """

    def __init__(self, resources: Callable[[], Any], to_page: Callable[[], Any]) -> None:
        super().__init__(resources)
        self._to_page = to_page  # the form XObject's matrix to the page, or None
        self.pieces = 0
        self.found: dict[int, list[list[Run] | None]] = {}

    def flushed(self) -> None:
        self.pieces += 1

    def before(self, operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        try:
            if operator == b"Tf" and len(operands) >= 2:
                self.set_font(operands)
            elif operator == b"TJ" and operands:
                self.found.setdefault(self.pieces, []).append(self._runs(operands[0], cm, tm))
            elif operator in (b"Tj", b"'", b'"'):
                self.found.setdefault(self.pieces, []).append(None)
        except Exception:  # a malformed operand or font: that array is not cut
            self.found.setdefault(self.pieces, []).append(None)

    def _runs(self, items: Any, cm: Any, tm: Any) -> list[Run] | None:
        if not isinstance(items, list) or not any(
                isinstance(item, (int, float)) and -float(item) >= 1000 * RUN_GAP for item in items):
            return None
        font = self._metrics()
        if font is None or self._size <= 0:
            return None
        m = _mult([float(v) for v in tm], [float(v) for v in cm])
        to_page = self._to_page()
        if to_page is not None:
            m = _mult(m, to_page)
        if abs(m[1]) > 1e-6 * abs(m[0]) or m[0] <= 0:
            return None  # rotated or mirrored text: left whole
        runs: list[Run] = []
        text, start, advance = "", 0.0, 0.0  # advance in text space units from the array's start
        apart = False  # the next glyph starts a run: after a shift or a space glyph
        for item in items:
            if isinstance(item, (int, float)):
                shift = -float(item) / 1000 * self._size
                apart = apart or -float(item) >= 1000 * WORD_SHIFT
                advance += shift
                continue
            if not isinstance(item, (str, bytes)):
                return None
            for shown, width in _glyphs(item, font):
                if apart and text.strip() and shown.strip():
                    runs.append((text, start))
                    text = ""
                if not text:
                    start = advance
                apart = apart or not shown.strip()
                if shown.strip():
                    apart = False
                text += shown
                advance += width * self._size / 1000
        if text:
            runs.append((text, start))
        if len(runs) < 2:
            return None
        return [(run, m[4] + m[0] * offset) for run, offset in runs]


def _glyphs(item: Any, font: Any) -> list[tuple[str, float]]:
    """The characters of one string of an array as pypdf decodes them, each with its width (thousandths of an
    em), as ``pypdf._text_extraction.get_text_operands`` measures them."""
    raw, _is_str, _width = get_text_operands([item], [1, 0, 0, 1, 0, 0], [1, 0, 0, 1, 0, 0], font, _ORIENTATIONS)
    measured = "".join(chr(byte) for byte in item) if not isinstance(font.encoding, str) else raw
    if len(measured) != len(raw):
        raise ValueError("characters and codes differ")
    return [(font.character_map.get(char, char),
             font.space_width if code == font.space_char else font.get_text_width(code))
            for char, code in zip(raw, measured)]


def split_runs(part: str, runs: list[Run]) -> list[tuple[str, float]] | None:
    """``part`` (pypdf's text of one array) cut where its runs start, each with the run's x; None when the
    runs' characters are not the part's (spaces aside)."""
    if "".join(run for run, _ in runs).replace(" ", "") != part.replace(" ", "") or not part.strip():
        return None
    out: list[tuple[str, float]] = []
    pos = 0
    for index, (run, x) in enumerate(runs):
        letters = len(run.replace(" ", ""))
        if not letters:
            return None
        begin = pos
        if index:  # pypdf's space before the run stays with the run before it
            while pos < len(part) and part[pos] == " ":
                pos += 1
            out[-1] = (out[-1][0] + part[begin:pos], out[-1][1])
            begin = pos
        seen = 0
        while pos < len(part) and seen < letters:
            if part[pos] != " ":
                seen += 1
            pos += 1
        if index == len(runs) - 1:
            pos = len(part)
        out.append((part[begin:pos], x))
    if "".join(text for text, _ in out) != part:
        return None
    return out
