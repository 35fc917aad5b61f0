"""Where text sits on a PDF page: lines with position and font size, and what each line is.

pypdf stays the parser. Its ``extract_text(visitor_text=...)`` reports every piece of text it emits together
with the text matrix, the transformation matrix and the font size in force; the pieces, concatenated, are
exactly ``extract_text()``'s output (checked on every real PDF of the test suite, tests/ingest/test_real_pdfs.py). This module splits
that stream at its line breaks, so every :class:`Line` has the very text pypdf gives plus where it stands
(baseline ``y`` and ``x`` in points, page space) and its font size (the size times the matrix scale, the
size a reader sees). No other extractor is used: on the real PDFs pypdf loses no text that another reader
would give; a scan without a text layer stays refused (``parsing``: ``no_text_layer``).

On these lines, over the whole document:

running lines
    A line whose text, with digits, roman numbers and month names as wildcards, stands at the same place
    (``SAME_HEIGHT`` points, ``SAME_X`` of the width) on at least 3 pages and ``REPEAT_SHARE`` of the pages
    ("N/M", "Pagina N van M", "title 12", a print date, the lines of a slide's navigation bar or sidebar);
    or one of the ``EDGE_LINES`` outermost lines (in the outer ``EDGE_SHARE`` of the page height) that carries the page's printed
    number as its first or last word ("8 1.2. METRISCHE RÄUME") or is only a page number.
footnotes
    At the bottom of a page (below the body, above a running footer), a run of lines in a smaller font than
    the document's body text whose first line starts with a note number. They are kept apart from the body
    text, and their numbers stay markers. On a page in two columns the foot of each column is looked at (a
    paper's note stands under the left column, beside the right column's text); a note numbered with a full stop
    ("0. Code disponible ...", like a list item) counts only under a drawn footnote rule.
note markers
    A short run of digits in a smaller font raised above the baseline of its line (a superscript), or in a
    much smaller font glued to the word before it, is a footnote marker; it is written as "[n]" so that it is never glued to the word before it
    ("partnerschappen1" -> "partnerschappen[1]"). Digits after a single letter (x², an exponent) are left, and so is a fraction's
    numerator (½, a 1 stacked over a 2: ``ingest.maths``, which also writes a bar drawn over a symbol as U+0305).
contents lines
    Lines of a table of contents (text, dot leaders, a page number) are not body text.
build slides
    In a landscape deck, a slide whose lines all reappear on the next slide is a step of a build: its text
    is dropped, the last step is kept.
headings
    Short body lines in a font at least ``HEADING_SIZE`` times the body size, or bold in the body size (where
    bold is emphasis: at most ``BOLD_SHARE`` of the body text), that read as a heading (a section number or
    list label first is allowed: "5.1 De app", "a. Noodzaak"); short lines in the body font set apart by
    space alone (a paragraph's space above, the usual line space below, a longer paragraph under them); and
    the bold title a paragraph opens with ("Limites de l'évaluation automatique. Plusieurs ..."). Their level
    is the rank of their look in the document: size, then bold, lettered, spaced and run-in below, then the
    depth of the section number ("3.3.1" under "3.3"). In a slide
    deck a slide's heading is its title: its first line in the slide's largest font. Passages carry the path of the headings above them (``ingest.chunking``).
printed page numbers
    The PDF's ``/PageLabels`` when it has them; otherwise the number printed at the page edges, when the
    document prints numbers that follow the page order (an offset that at least 3 pages and 30% agree on).

All rules are general: they use positions, sizes and repetition within one document, nothing of a file.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from fontTools.agl import toUnicode
from fontTools.cffLib import CFFFontSet
from pypdf.generic import ArrayObject, ContentStream, NameObject, StreamObject
from pypdf.generic._font import Font

from kennisbank.ingest.accents import accents_over_letters
from kennisbank.ingest.cleaning import hyphen_join
from kennisbank.ingest.code import listing_lines
from kennisbank.ingest.colours import COLOUR_OPERATORS, Colour, FillColours, body_colour, line_colours
from kennisbank.ingest.display_fractions import display_fractions
from kennisbank.ingest.drawings import Drawings
from kennisbank.ingest.glyphs import type3_ligatures, type3_quotes
from kennisbank.ingest.letter_notes import mark_letter_notes, note_letters
from kennisbank.ingest.markers import ShownNumbers, split_piece
from kennisbank.ingest.maths import (exponents_not_notes, fraction_numerator, linear_fractions, operator_limits,
                                     overlined_texts)
from kennisbank.ingest.monospace import HALF_CELL, GridSpaces
from kennisbank.ingest.monospace import respaced as grid_respaced
from kennisbank.ingest.note_numbers import bracket_margin_note_numbers
from kennisbank.ingest.overstrike import SlashPlaces, compose_slashes
from kennisbank.ingest.parse_scope import per_document
from kennisbank.ingest.script_notes import notes_after_letters
from kennisbank.ingest.scripts import stacked_scripts
from kennisbank.ingest.shifts import ShiftedRuns, split_runs
from kennisbank.ingest.small_print import mark_small_print
from kennisbank.ingest.tex_glyphs import compose_glyphs, tex_delimiter
from kennisbank.ingest.tj_gaps import WATCHED as WATCHED_BY_GAPS
from kennisbank.ingest.tj_gaps import WordGaps, spaced_by_gaps, spaced_pieces

EDGE_LINES = 3  # lines at the top and at the bottom of a page that may be a running line
EDGE_SHARE = 0.2  # ... if they stand in this outer share of the page height
MIN_REPEAT_PAGES = 3
REPEAT_SHARE = 0.2
SAME_HEIGHT = 6.0  # points: a running line stands at the same height on every page, within this
SAME_X = 0.06  # ... and at the same place across, within this share of the page width
NOTE_SIZE = 0.92  # footnote text is smaller than this share of the body size
NOTE_ZONE = 0.5  # footnotes stand in the lower half of the page
MARKER_SIZE = 0.85  # a superscript marker is smaller than this share of its line's size
SMALL_MARKER_SIZE = 0.75  # ... and one glued to a word without a visible rise, smaller than this share
LOWERED = 0.1  # a piece whose baseline is this share of its line's size below the line's is a subscript
LABEL_VOTES = 0.3
HEADING_SIZE = 1.08  # a heading's font is at least this much larger than the body text's
HEADING_LEVELS = 9
BOLD_SHARE = 0.4  # bold marks headings only where at most this share of the body text is bold
RUN_ON_LINES = 6  # lines below a heading's line looked at for the end of a sentence it runs on into

_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"\b(?=[ivxlc]+\b)c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})\b")
_MONTHS = re.compile(
    r"\b(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|january|february|march|may|june|july|august|october"
    r"|januar|februar|märz|juni|juli|oktober|dezember"
    r"|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    r"|jan|feb|mrt|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec)\b\.?"
)
_PAGE_NUMBER = re.compile(
    r"[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?"
    r"|(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
    r"|(?:pagina|page|seite|blz\.?|pag\.?|p\.)\s*\d{1,4}(?:\s*(?:van|of|von|sur|/)\s*\d{1,4})?"
    r"|\d{1,4}\s*(?:/|van|of|von|sur)\s*\d{1,4}"
)
_NOTE_START = re.compile(r"\s*(?:\[\d{1,3}\]|\d{1,3}(?=\s*[^\d\s.,:/%-])|[*∗†‡])")
_NUMBERED_NOTE = re.compile(r"\s*\d{1,3}\.\s+(?=[^\W\d_])")  # "0. Code disponible ...": a note under a rule
_MARKER = re.compile(r"\d{1,3}(?:[,–-]\d{1,3})*")
_CONTENTS = re.compile(r"(?:\.\s?){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})\s*$|…{2,}\s*\d{1,4}\s*$", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
# bold by name ("Medi": the bold of URW's Times clone NimbusRomNo9L), or a TeX bold face (Computer Modern / EC / Latin Modern "bx": CMBX10, SFBX1095, LMRoman10-Bold)
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|[-,_]medi(?:um)?|[+/](?:cm|sf|ec|tc|lm)bx|[+/]cmb\d",
                   re.IGNORECASE)
# italic or oblique by name ("TimesNewRomanPS-ItalicMT", "Calibri-LightItalic", URW's "ReguItal"), or a TeX italic
# or slanted face (CMTI10, SFTI1095, CMSL10)
_ITALIC = re.compile(r"ital|oblique|[+/](?:cm|sf|ec|tc|lm)(?:ti|sl|bxti)\d", re.IGNORECASE)
# monospaced by name (Courier, Latin Modern Mono, Consolas, DejaVu Sans Mono, TeX typewriter CMTT10)
_MONO = re.compile(r"mono|courier|consol|menlo|typewriter|inconsolata|sourcecode|[+/](?:cm|ec|lm|tc)tt\d",
                   re.IGNORECASE)
Piece = tuple[str, float, float, float, bool]  # text, x, y, size, bold


@dataclass
class Line:
    """One line of a page: its text, baseline ``y`` and start ``x`` (points, page space), font size, role."""

    text: str
    raw: str = ""  # pypdf's text of the line (``text`` writes note markers as "[n]")
    x: float = 0.0
    y: float = 0.0
    size: float = 0.0
    role: str = "body"  # body, running, footnote, contents, figure, table, glyphs (no glyph left: read_page), small_print
    positioned: bool = False  # False when pypdf gave no position for any of its pieces
    markers: int = 0  # footnote markers written as "[n]"
    joined: bool = False  # pypdf's text has no line break before this line (see _starts_new_line)
    bold: bool = False  # most of its letters are in a bold font
    heading: bool = False  # a line of a heading (see _find_headings): it never runs into a paragraph
    italic: bool = False  # most of its letters are in an italic or oblique font (see _styled_heading)
    mono: bool = False  # most of its letters are in a monospaced font (see _label_line)
    face: str = ""  # the font family of most of its letters (see _face, _styled_heading)
    pieces: list[Piece] | None = None  # pypdf's pieces of the line, with their places (ingest.tables reads cells)
    right: float = 0.0  # where the line ends (points): its last piece's x plus its width by the font's widths
    ends: list[float] | None = None  # where each of its pieces ends, likewise (ingest.slides splits a line at gaps)
    runs: tuple[list[Piece], list[float]] | None = None  # pieces and ends with TJ arrays cut at their shifts (ingest.shifts)
    colour: Colour | None = None  # the fill colour of most of its letters (ingest.colours; None: no pieces)


@dataclass
class PageLayout:
    """The lines of one page in pypdf's order; ``number`` counts from 1, ``label`` is the printed number."""

    number: int
    lines: list[Line]
    height: float = 0.0
    width: float = 0.0
    bottom: float = 0.0
    label: str | None = None
    build_step: bool = False  # a step of a slide build whose text reappears on the next slide
    headings: list[tuple[int, str]] | None = None  # (level, text) of the body's headings, in order
    drawings: list[tuple[float, float, float, float]] | None = None  # painted boxes (ingest.drawings)
    marks: list[tuple[float, float, float, float]] | None = None  # placed images and forms (ingest.drawings)

    def text(self, role: str = "body") -> str:
        """The lines of one role, joined by line breaks."""
        return "\n".join(line.text for line in self.lines if line.role == role)

    def raw_text(self) -> str:
        """pypdf's text of the whole page: ``page.extract_text()``."""
        return "".join(("" if index == 0 or line.joined else "\n") + line.raw for index, line in enumerate(self.lines))

    def rel_y(self, line: Line) -> float:
        return (line.y - self.bottom) / self.height if self.height else 0.5


@dataclass
class LayoutStats:
    running_lines: int = 0
    footnote_lines: int = 0
    footnotes: int = 0
    markers: int = 0
    contents_lines: int = 0
    build_slides: int = 0
    labels_from: str = "none"  # "PageLabels", "printed" or "none"
    slides: bool = False  # most pages are landscape: a slide deck, each page stands alone
    headings: int = 0
    small_print_lines: int = 0  # a letterhead's small print at a page's foot (ingest.small_print)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- Reading lines ---------------------------------------------------------------------------------------


def _mult(m: list[float], n: list[float]) -> list[float]:
    return [
        m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5],
    ]


class SharedContents:
    """A page's content stream parsed once and shared by the passes that read its operators.

    pypdf's ``extract_text`` parses ``/Contents`` into a new ``ContentStream(contents, pdf, "bytes")`` on every
    call unless ``/Contents`` already is a ``ContentStream`` (``pypdf._text_extraction._get_content_stream_for_text``).
    :meth:`extract_text` puts that very ``ContentStream`` in the page for the call and takes the original entry
    back after it, so the page is as before and :meth:`operations` gives the operators pypdf parsed, without a
    second parse (``respace_letters``). A page pypdf would not build a stream for is left to pypdf as it is.
    """

    def __init__(self, page: Any) -> None:
        self._page = page
        self._content: ContentStream | None = None
        raw = None
        try:
            raw = page.raw_get("/Contents") if "/Contents" in page else None
            if raw is not None and isinstance(raw.get_object(), (ArrayObject, StreamObject)):
                self._content = ContentStream(raw.get_object(), page.pdf, "bytes")  # as pypdf builds it
        except Exception:  # pypdf meets the same trouble in extract_text and deals with it there
            self._content = None
        self._raw = raw if self._content is not None else None

    def extract_text(self, **options: Any) -> str:
        """``page.extract_text(**options)`` on the shared stream."""
        if self._content is None:
            return self._page.extract_text(**options)
        self._page[NameObject("/Contents")] = self._content
        try:
            return self._page.extract_text(**options)
        finally:
            self._page[NameObject("/Contents")] = self._raw

    def operations(self) -> list:
        """The page's operators (parsed by :meth:`extract_text`, or here when it was not called)."""
        if self._content is None:
            return ContentStream(self._page.get_contents(), self._page.pdf).operations
        return self._content.operations


# the operators the text watchers of ``read_page`` act on (ingest.markers, shifts, overstrike, monospace): a font
# set, a text object begun, a text shown; they pass over every other operator
_TEXT_OPERATORS = frozenset({b"Tf", b"BT", b"TJ", b"Tj", b"'", b'"'})


def read_page(page: Any, number: int) -> PageLayout:
    """The lines of one pypdf page; ``"\\n".join`` of their raw texts is ``page.extract_text()``."""
    pieces: list[Piece] = []
    recovered: list[str] = []  # each piece's text with glyphs recovered from its font (see recover_glyphs)
    widths: list[float] = []  # each piece's horizontal scale: its text's width in ems times this is its width

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text:
            return
        numbers.flushed()
        runs.flushed()
        slashes.flushed()
        grid.flushed()
        colours.flushed()
        gaps.flushed()
        recovered.append(text)
        fonts.append(font)
        try:
            m = _mult([float(v) for v in tm], [float(v) for v in cm])
            if drawings.to_page is not None:  # text of a form XObject: pypdf gives it in the form's space
                m = _mult(m, drawings.to_page)
            scale = math.hypot(m[2], m[3]) or 1.0
            pieces.append((text, m[4], m[5], float(size or 0) * scale, _is_bold(font)))
            widths.append(float(size or 0) * (math.hypot(m[0], m[1]) or scale))
        except (TypeError, ValueError, IndexError):
            pieces.append((text, 0.0, 0.0, 0.0, False))
            widths.append(0.0)

    def before(operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        drawings.before(operator, operands, cm, tm)
        if operator in _TEXT_OPERATORS:  # the text watchers read only these (most operators draw or move)
            numbers.before(operator, operands, cm, tm)
            runs.before(operator, operands, cm, tm)
            slashes.before(operator, operands, cm, tm)
            grid.before(operator, operands, cm, tm)
        if operator in COLOUR_OPERATORS:  # only these (no call for every operator)
            colours.before(operator, operands)
        if operator in WATCHED_BY_GAPS:
            gaps.before(operator, operands)

    fonts: list[Any] = []
    drawings = Drawings(page.get("/Resources"))  # what the page draws, in the same pass (ingest.figures reads it)
    numbers = ShownNumbers(lambda: drawings.to_page)  # raised numbers glued into a piece (ingest.markers)
    runs = ShiftedRuns(lambda: drawings.resources, lambda: drawings.to_page)  # cells of one TJ (ingest.shifts)
    slashes = SlashPlaces(lambda: drawings.resources, lambda: drawings.to_page)  # "/" drawn over "∈" (ingest.overstrike)
    grid = GridSpaces(lambda: drawings.resources)  # word spaces of monospaced text by its grid (ingest.monospace)
    colours = FillColours()  # the fill colour of each piece (ingest.colours)
    gaps = WordGaps(lambda: drawings.resources)  # word shifts of TJ arrays, for spaces pypdf missed (ingest.tj_gaps)
    contents = SharedContents(page)  # the page's content stream, parsed once for the passes that read it
    contents.extract_text(visitor_text=visit, visitor_operand_before=before, visitor_operand_after=drawings.after)
    on_grid = _grid_spaced(recovered, grid.found)
    _grid_gaps(pieces, recovered, grid, widths)
    if any(_SPACED.search(text) for index, text in enumerate(recovered) if index not in on_grid):
        recovered[:] = respace_letters(page, recovered, on_grid, contents)
    recovered[:] = spaced_by_gaps(gaps, recovered)  # word shifts of a TJ array pypdf read as none (ingest.tj_gaps)
    document = getattr(page, "pdf", None)  # the reader: its other Type 3 fonts (ingest.glyphs)
    recovered[:] = [recover_glyphs(text, font, document) for text, font in zip(recovered, fonts)]
    # "⁄=" drawn on one place is "≠", "↦→" is "↦"; brace tips and bar pieces of TeX's extension font (ingest.tex_glyphs)
    recovered[:] = compose_glyphs(pieces, recovered, fonts, _safe_names)
    # a slash with a width drawn over the next glyph: "/" + "∈" is "∉" (ingest.overstrike)
    recovered[:] = compose_slashes(pieces, recovered, slashes, lambda i, s: widths[i] * glyph_width(s, fonts[i]))
    # a bar drawn over a symbol (a closure M̅) is written as U+0305 after it (ingest.maths)
    recovered[:] = overlined_texts(pieces, recovered, lambda i, s: widths[i] * glyph_width(s, fonts[i]), drawings.boxes)
    # a small stacked fraction ("1" over a rule over "2") written "1/2" (ingest.maths)
    recovered[:] = linear_fractions(pieces, recovered, lambda i, s: widths[i] * glyph_width(s, fonts[i]), drawings.boxes)
    # limits set over and under a large operator written after it: "∑_{i=0}^{n}" (ingest.maths)
    recovered[:] = operator_limits(pieces, recovered, lambda i, s: widths[i] * glyph_width(s, fonts[i]))
    # a word gap between two pieces pypdf glued: "Sei" + "x0" (ingest.tj_gaps)
    recovered[:] = spaced_pieces(pieces, recovered, gaps, lambda i, s: widths[i] * glyph_width(s, fonts[i]),
                                 lambda i: widths[i])
    # a fraction at full size (numerator over a drawn rule over the denominator) written "t/r" (ingest.display_fractions)
    recovered[:] = display_fractions(pieces, recovered, lambda i, s: widths[i] * glyph_width(s, fonts[i]),
                                     drawings.boxes, numbers.places)
    # an accent over a maths letter written after it as its combining mark: "X̃" (ingest.accents)
    recovered[:] = accents_over_letters(pieces, recovered, lambda i, s: widths[i] * glyph_width(s, fonts[i]),
                                        numbers.places)
    # a subscript stacked under a superscript after one symbol written "f_{0}^{−1}" (ingest.scripts)
    recovered[:], stacked = stacked_scripts(pieces, recovered, numbers.places, drawings.boxes)
    box = page.mediabox
    layout = PageLayout(number=number, lines=[], height=float(box.height), width=float(box.width),
                        bottom=float(box.bottom), drawings=drawings.boxes, marks=drawings.images + drawings.forms)
    current: list[Piece] = []
    fixed: list[str] = []
    joined = False
    ends: list[float] = []
    slanted: list[bool] = []  # whether each piece of the current line is in an italic font
    cuts: dict[int, list[tuple[Piece, float]]] = {}  # pieces of the current line cut into their TJ runs
    pitched: list[bool] = []  # ... in a monospaced font
    mono_fonts: dict[int, bool] = {}
    faces: list[str] = []  # ... the family of each piece's font (see _face)
    letters = note_letters(pieces)  # letters that open a note of the page (ingest.letter_notes)
    colour_of: dict[int, Colour] = {}  # id of each piece of a line -> its fill colour (ingest.colours)
    for number, ((text, x, y, size, bold), better, font, em) in enumerate(zip(pieces, recovered, fonts, widths)):
        parts = text.split("\n")
        better_parts = better.split("\n") if better != text else parts
        offset = 0
        for index, (part, better_part) in enumerate(zip(parts, better_parts)):
            if index:
                layout.lines.append(_with_runs(_with_face(_with_italic(_make_line(current, joined, fixed, ends, letters),
                                                                       current, slanted, pitched), current, faces), cuts))
                current, fixed, joined, ends, slanted, pitched, cuts, faces = [], [], False, [], [], [], {}, []
            subs = _raised_numbers_apart(part, better_part, numbers.found.get(number), offset, (x, y, size, em), font)
            cut = _runs_apart(subs, runs.found.get(number), text)
            for sub, sub_better, sub_x, sub_y, sub_size, sub_em in subs:
                if (current and _starts_new_line(current[-1], (sub, sub_x, sub_y, sub_size, bold))
                        and not sub_better.startswith("/") and number not in stacked):
                    # a denominator goes on its fraction (ingest.display_fractions), a subscript on its symbol
                    layout.lines.append(_with_runs(_with_face(_with_italic(_make_line(current, joined, fixed, ends,
                                                                                      letters),
                                                                           current, slanted, pitched), current, faces),
                                                   cuts))
                    current, fixed, joined, ends, slanted, pitched, cuts, faces = [], [], True, [], [], [], {}, []
                if cut:
                    cuts[len(current)] = [((piece, piece_x, sub_y, sub_size, bold),
                                           piece_x + sub_em * text_width(piece.rstrip(), font)) for piece, piece_x in cut]
                current.append((sub, sub_x, sub_y, sub_size, bold))
                colour_of[id(current[-1])] = colours.found.get(number, ())
                slanted.append(_is_italic(font))
                if id(font) not in mono_fonts:
                    mono_fonts[id(font)] = _is_mono(font)
                pitched.append(mono_fonts[id(font)])
                faces.append(_face(font))
                fixed.append(sub_better)
                ends.append(sub_x + sub_em * text_width(sub.rstrip(), font) if sub.strip() and sub_size > 0 else sub_x)
            offset += len(part) + 1
    layout.lines.append(_with_runs(_with_face(_with_italic(_make_line(current, joined, fixed, ends, letters), current,
                                                           slanted, pitched), current, faces), cuts))
    line_colours(layout.lines, colour_of)
    mark_letter_notes(layout.lines, letters)
    exponents_not_notes(layout.lines)  # "(cx + d)" + raised "2" is no note marker (ingest.maths)
    notes_after_letters(layout.lines)  # "von f" + raised "2" with note 2 below is a marker (ingest.script_notes)
    for line in layout.lines:
        if line.raw.strip() and not line.text.strip():
            line.role = "glyphs"  # all its glyphs dropped or moved (a brace's tips, ingest.tex_glyphs): no body line
    return layout


# id(font) -> (font, its /BaseFont, None when unreadable)
_FONT_NAMES: dict[int, tuple[Any, str | None]] = per_document()


def _base_font(font: Any) -> str | None:
    """The font's ``/BaseFont`` as text ("" for none), cached per font (asked for every piece); None when the
    font dictionary is broken."""
    cached = _FONT_NAMES.get(id(font))
    if cached is None or cached[0] is not font:
        try:
            name = str(font.get("/BaseFont", "")) if font is not None else ""
        except Exception:  # a broken font dictionary
            name = None
        if len(_FONT_NAMES) > 256:
            _FONT_NAMES.clear()
        cached = _FONT_NAMES[id(font)] = (font, name)
    return cached[1]


def _is_italic(font: Any) -> bool:
    name = _base_font(font)
    if name is None:  # a broken font dictionary
        return False
    return bool(_ITALIC.search(name))


def _is_mono(font: Any) -> bool:
    """Whether a font is monospaced: by its name, or by the FixedPitch flag of its descriptor (also of the
    descendant font of a composite font)."""
    try:
        if font is None:
            return False
        if _MONO.search(str(font.get("/BaseFont", ""))):
            return True
        fonts = [font, *[f.get_object() for f in font.get("/DescendantFonts", [])]]
        for each in fonts:
            descriptor = each.get("/FontDescriptor")
            if descriptor is not None and int(descriptor.get_object().get("/Flags", 0)) & 1:
                return True
    except Exception:  # a broken font dictionary
        return False
    return False


def _face(font: Any) -> str:
    """The family of a font by its name, without the subset tag and the style: "ABCDEF+Calibri-Light" ->
    "calibri", "TimesNewRomanPS-BoldMT" -> "timesnewromanps"; "" when it has no name."""
    name = _base_font(font)
    if name is None:  # a broken font dictionary
        return ""
    name = name.lstrip("/").split("+", 1)[-1]
    return re.split(r"[-,]", name, maxsplit=1)[0].casefold()


def _with_face(line: Line, pieces: list[Piece], faces: list[str]) -> Line:
    """``line`` with ``face``: the font family of most of its letters."""
    letters: Counter = Counter()
    for piece, face in zip(pieces, faces):
        letters[face] += len(piece[0].strip())
    if letters and letters.most_common(1)[0][1] > 0:
        line.face = letters.most_common(1)[0][0]
    return line


def _with_italic(line: Line, pieces: list[Piece], slanted: list[bool], fixed: list[bool] | None = None) -> Line:
    """``line`` with ``italic`` (and ``mono``) set: most of the letters of its pieces are in an italic (a
    monospaced) font."""
    letters = [len(piece[0].strip()) for piece in pieces]
    line.italic = 2 * sum(n for n, flag in zip(letters, slanted) if flag) > sum(letters) > 0
    line.mono = bool(fixed) and 2 * sum(n for n, flag in zip(letters, fixed or []) if flag) > sum(letters) > 0
    return line


def _raised_numbers_apart(part: str, better: str, shown: list | None, offset: int,
                          place: tuple[float, float, float, float], font: Any) -> list[tuple]:
    """A part of a piece as (text, recovered text, x, y, size, em) pieces: itself, or cut around the raised
    numbers that pypdf glued into it (``ingest.markers``), each number with its own place and size. A cut is
    made only where the part's place is the place of the line the number stands on."""
    x, y, size, em = place
    if not part:
        return []
    if not shown or better != part:
        return [(part, better, x, y, size, em)]
    parts = split_piece(part, shown, offset)
    if not all(item is None or (item[1] >= x and abs(item[2] - y) < size) for _text, item in parts):
        return [(part, better, x, y, size, em)]
    out: list[tuple] = []
    here = x
    for text, item in parts:
        if item is None:
            out.append((text, text, here, y, size, em))
        else:
            out.append((text, text, item[1], item[2], item[3], item[3]))
            here = item[1] + item[3] * text_width(text, font)
    return out


def _runs_apart(subs: list[tuple], arrays: list | None, text: str) -> list[tuple[str, float]] | None:
    """A piece that is one TJ array with large shifts (``ingest.shifts``) cut into its runs, each with its own
    place; None for anything else (a piece of several arrays or lines, recovered glyphs, raised numbers)."""
    if (not arrays or len(arrays) != 1 or arrays[0] is None or len(subs) != 1 or subs[0][0] != subs[0][1]
            or "\n" in text.strip("\n")):
        return None
    part, _better, x, _y, size, _em = subs[0]
    cut = split_runs(part, arrays[0])
    if cut is None or abs(cut[0][1] - x) > 0.5 * max(size, 1.0):
        return None
    return cut


def _with_runs(line: Line, cuts: dict[int, list[tuple[Piece, float]]]) -> Line:
    """``line`` with ``runs``: its pieces and their ends with the TJ arrays cut into their runs (used on
    slides, ``ingest.slides.use_runs``); the text stays the same."""
    if cuts and line.pieces and line.ends and len(line.ends) == len(line.pieces):
        pieces: list[Piece] = []
        ends: list[float] = []
        for index, (piece, end) in enumerate(zip(line.pieces, line.ends)):
            for sub, sub_end in cuts.get(index, [(piece, end)]):
                pieces.append(sub)
                ends.append(sub_end)
        if "".join(piece[0] for piece in pieces) == "".join(piece[0] for piece in line.pieces):
            line.runs = (pieces, ends)
    return line


_FONT_WIDTHS: dict[int, tuple[Any, Any]] = per_document()  # id(font) -> (font, pypdf's Font with its widths, or None)


def text_width(text: str, font: Any) -> float:
    """The width of ``text`` in ems by the font's own widths (pypdf's ``Font``); half an em a character when
    the font gives none (a Type 3 font's widths are in its own glyph space: also the estimate)."""
    cached = _FONT_WIDTHS.get(id(font))
    if cached is None or cached[0] is not font:
        metrics = None
        try:
            if font is not None and font.get("/Subtype") != "/Type3":
                metrics = Font.from_font_resource(font)
        except Exception:  # a broken font dictionary: the estimate
            metrics = None
        if len(_FONT_WIDTHS) > 256:
            _FONT_WIDTHS.clear()
        cached = _FONT_WIDTHS[id(font)] = (font, metrics)
    metrics = cached[1]
    if metrics is None:
        return 0.5 * len(text)
    return metrics.get_text_width(text) / 1000.0


_CODES_OF: dict[int, tuple[Any, dict[str, str]]] = per_document()  # id(pypdf Font) -> (Font, character -> its code)


def glyph_width(text: str, font: Any) -> float:
    """The width of ``text`` in ems, each character measured by the width of the code that shows it.

    pypdf's ``Font`` keys its widths by the font's codes, and ``text_width`` looks the decoded characters up
    there: right where code and character are the same ("a"), wrong where a font's encoding shows another
    character (TeX's maths italic shows "γ" with code 13: ``text_width`` gives its default width, 1.3 em, for
    0.52). The maths rules (an overline's run, a fraction, a slash over a sign) measure glyphs with this."""
    text_width("", font)
    metrics = _FONT_WIDTHS[id(font)][1]
    if metrics is None:
        return 0.5 * len(text)
    cached = _CODES_OF.get(id(metrics))
    if cached is None or cached[0] is not metrics:
        codes: dict[str, str] = {}
        for code, char in (getattr(metrics, "character_map", None) or {}).items():
            if isinstance(char, str) and len(char) == 1 and char != code and code in metrics.character_widths:
                codes.setdefault(char, code)
        if len(_CODES_OF) > 256:
            _CODES_OF.clear()
        cached = _CODES_OF[id(metrics)] = (metrics, codes)
    codes = cached[1]
    return metrics.get_text_width("".join(codes.get(char, char) for char in text)) / 1000.0


def _is_bold(font: Any) -> bool:
    name = _base_font(font)
    if name is None:  # a broken font dictionary
        return False
    return bool(_BOLD.search(name))


def _starts_new_line(previous: Piece, piece: Piece) -> bool:
    """pypdf kept on one line a piece that goes back to the left on another baseline or in another size (a
    footer after the last line of a slide, "is needed.58 / 65"; a page number "11 / 24" before the first
    line): that piece starts a line of its own."""
    _, px, py, psize, _ = previous
    text, x, y, size, _ = piece
    if not text.strip() or not previous[0].strip() or psize <= 0 or size <= 0:
        return False
    if previous[0][-1].isalpha() and text[0].isalpha():
        return False  # never cut a run of letters that pypdf gives as one word
    other_size = abs(size - psize) > 0.2 * max(psize, size)
    return x < px - 1.0 and (abs(y - py) > 0.3 * max(psize, size) or other_size)


def _make_line(pieces: list[Piece], joined: bool = False, fixed: list[str] | None = None,
               ends: list[float] | None = None, letters: frozenset[str] = frozenset()) -> Line:
    line = _line_of(pieces, letters)
    line.joined = joined
    line.pieces = pieces
    line.ends = ends
    line.right = max([line.x, *(ends or [])])
    if fixed and any(better != piece[0] for better, piece in zip(fixed, pieces)):
        # the same line from the recovered glyphs: ``raw`` stays pypdf's text, ``text`` gets the glyphs
        line.text = _line_of([(better, *piece[1:]) for better, piece in zip(fixed, pieces)], letters).text
    return line


# --- Letters placed one by one -----------------------------------------------------------------------------

_SPACED = re.compile(r"(?:^|\s)\S{1,2}(?: \S{1,2}){3,}(?=\s|$)")
# thousandths of an em: below this, two strings of one TJ in a proportional font are letters of one word
# (letters placed one by one: 0.07-0.1 em); a thin space (1/6 em: French "16 Go", "10 995") and the space around
# a formula's "+" (0.22 em) are spaces the page shows (monospaced text is decided on its grid: ingest.monospace)
LETTER_GAP = 150


def _grid_spaced(texts: list[str], found: dict[int, list[str | None]]) -> set[int]:
    """Put the grid's spaces into the pieces that are one TJ array of a monospaced font (``ingest.monospace``),
    in place; the indices of the pieces so written (``respace_letters`` leaves them alone)."""
    done = set()
    for index, text in enumerate(texts):
        better = grid_respaced(text, found.get(index))
        if better is not None:
            texts[index] = better
            done.add(index)
    return done


def _grid_gaps(pieces: list[Piece], texts: list[str], grid: GridSpaces, widths: list[float]) -> None:
    """Take out pypdf's space between two pieces of one line where one of them is monospaced text and the gap
    between them is less than half its cell (``ingest.monospace``), in place: a listing's "Func<" before a
    formula "Fields", "onC1" before "(f1". pypdf writes a space whenever the text is moved by a Td; the pieces'
    ends come from their glyphs' widths and the arrays' shifts. Only next to a sign (the character before or
    after the space is no letter or digit): two words are never joined here."""
    for index in range(1, len(texts)):
        text, before = texts[index], texts[index - 1]
        if not text.startswith(" ") or text.startswith("  ") or not text.strip() or not before.strip():
            continue
        if before.endswith((" ", "\n")) or "\n" in text or not pieces[index][0].startswith(" "):
            continue
        if all(shown is None for i in (index - 1, index) for shown in grid.found.get(i, [])):
            continue  # neither piece shows an array in a monospaced font
        first, second = grid.advances(index - 1), grid.advances(index)
        if not first or not second or len(first) != 1 or len(second) != 1 or None in (first[0], second[0]):
            continue
        (width_before, cell_before), (_width, cell_after) = first[0], second[0]
        cells = [c / 1000 * widths[i] for c, i in ((cell_before, index - 1), (cell_after, index)) if c]
        if not cells:
            continue
        (_t, x0, y0, size0, _b), (_t2, x1, y1, size1, _b2) = pieces[index - 1], pieces[index]
        if abs(y1 - y0) > 0.4 * max(size0, size1, 1.0):
            continue
        gap = x1 - (x0 + width_before * widths[index - 1])
        cell = min(cells)
        if -0.25 * cell <= gap < HALF_CELL * cell and not (before.rstrip()[-1].isalnum() and text[1].isalnum()):
            texts[index] = text[1:]


def respace_letters(page: Any, texts: list[str], skip: set[int] | None = None,
                    contents: SharedContents | None = None) -> list[str]:
    """The visitor texts with the spaces between letters placed one by one taken out where the glyphs touch.

    A code listing in a Beamer slide or a LaTeX document (``listings``) places every glyph on its own in a
    ``TJ`` array, with a small shift between the letters of a word (about 0.1 em) and a large one between words
    (0.7 em or more); pypdf writes a space at every shift ("c l a s s D r i v e r {"). Here the shifts of the
    array decide: below ``LETTER_GAP`` thousandths of an em the glyphs belong to one word ("class Driver {"); a
    thin space (1/6 em) and a normal word space (0.25-0.35 em) stay. Monospaced text is decided on its grid
    before (``ingest.monospace``; ``skip``: the pieces done there). Only texts that pypdf gives as runs of one- or two-letter pieces are
    looked at, only a simple font's array (one byte a glyph), and only when its pieces line up with pypdf's
    text exactly (the same characters, pypdf's spaces only between pieces); otherwise the text stays as it is.
    ``contents``: the page's content stream as ``read_page`` parsed it (else it is parsed here).
    """
    try:
        arrays = _letter_arrays(page, contents.operations() if contents is not None else None)
    except Exception:  # a content stream pypdf could read as text but not as operations: leave the text
        return texts
    result, cursor = list(texts), 0
    for index, text in enumerate(texts):
        if not _SPACED.search(text) or "\n" in text.strip("\n") or index in (skip or ()):
            continue
        for ahead in range(cursor, min(cursor + 20, len(arrays))):
            respaced = _respace(text, arrays[ahead])
            if respaced is not None:
                result[index], cursor = respaced, ahead + 1
                break
    return result


def _letter_arrays(page: Any, operations: list | None = None) -> list[list[tuple[int, float, bytes]]]:
    """The TJ arrays of a page in a simple font with at least 4 glyph strings, most of them one or two glyphs:
    per string its length in bytes, the shift after it (thousandths of an em, positive to the right) and its
    bytes. ``operations``: the page's parsed content stream, if the caller has it."""
    resources = page.get("/Resources") or {}
    fonts = resources.get("/Font") or {}
    arrays: list[list[tuple[int, float, bytes]]] = []
    simple = True
    if operations is None:
        operations = ContentStream(page.get_contents(), page.pdf).operations
    for operands, operator in operations:
        if operator == b"Tf" and operands:
            font = fonts.get(operands[0]) if hasattr(fonts, "get") else None
            font = font.get_object() if font is not None else None
            simple = font is not None and font.get("/Subtype") != "/Type0"
        elif operator == b"TJ" and simple and operands:
            items: list[tuple[int, float, bytes]] = []
            for item in operands[0]:
                if isinstance(item, (int, float)):
                    if items:
                        items[-1] = (items[-1][0], items[-1][1] - float(item), items[-1][2])
                else:
                    shown = bytes(item.original_bytes if hasattr(item, "original_bytes") else item)
                    items.append((len(shown), 0.0, shown))
            if len(items) >= 4 and 5 * sum(1 for length, _ in items if length <= 2) >= 3 * len(items):
                arrays.append(items)  # mostly single glyphs: letters placed one by one
    return arrays


def _respace(text: str, items: list[tuple[int, float, bytes]]) -> str | None:
    """pypdf's ``text`` of one TJ array with pypdf's spaces taken out where the array's shift is below
    ``LETTER_GAP`` (letters of one word), or None when the array does not line up with the text: every string
    must stand in the text with its length, and a letter or digit the string holds must be the text's
    character there (an array of the same lengths elsewhere on the page is not this one). Only spaces pypdf
    wrote are taken out; none is added or moved."""
    body = text.lstrip(" ")
    lead, end_space = text[: len(text) - len(body)], ""
    if body.endswith("\n"):
        body, end_space = body[:-1], "\n"
    out, pos = [], 0
    for number, (length, _shift, shown) in enumerate(items):
        spaced = False
        if number and pos < len(body) and body[pos] == " ":
            pos += 1  # the space pypdf wrote between two strings of the array
            spaced = True
        piece = body[pos: pos + length]
        if len(piece) != length or any(chr(byte) != char for byte, char in zip(shown, piece)
                                       if chr(byte).isascii() and chr(byte).isalnum()):
            return None
        if number:
            out.append(" " if spaced and items[number - 1][1] >= LETTER_GAP else "")
        out.append(piece)
        pos += length
    if pos != len(body):
        return None
    return lead + "".join(out) + end_space


# --- Glyphs pypdf cannot map ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FONT_CODES: dict[int, tuple[Any, dict[int, str]]] = per_document()  # id(font) -> (font, code -> character)


def recover_glyphs(text: str, font: Any, document: Any = None) -> str:
    """``text`` with the characters pypdf could not map (it gives the bare code, a control character) taken
    from the font's own encoding: the glyph name the PDF gives for that code (the font's ``/Differences``, or
    the encoding built into the embedded font program, Type 1 or CFF), read as Unicode by the Adobe Glyph List
    ("minus" -> "−", "fi" -> "fi"). A TeX math font without a ToUnicode map gives "π\x001" for π⁻¹: with
    the font's evidence it reads "π−1". A code whose glyph has no such name (a Type 3 bitmap glyph "a28")
    stays as it is, and the cleaner drops it: nothing is guessed. A Type 3 bitmap font (pdfTeX's pk fonts) names
    its glyphs "a28": there a ligature is read from the glyph's picture (``ingest.glyphs``: "speci\x1ccs" ->
    "specifics"), with ``document``'s other Type 3 fonts to compare with."""
    if not _CONTROL.search(text) or font is None:
        return text
    codes = _font_codes(font, document)
    if not codes:
        return text
    return _CONTROL.sub(lambda m: codes.get(ord(m.group()), m.group()), text)


def _font_codes(font: Any, document: Any = None) -> dict[int, str]:
    cached = _FONT_CODES.get(id(font))
    if cached is not None and cached[0] is font:
        return cached[1]
    try:
        names = _encoding_names(font)
    except Exception:  # a broken or unusual font program: no evidence, nothing recovered
        names = {}
    codes = {code: char for code, name in names.items() if code < 32 and (char := _unicode_of(name))}
    for code, letters in type3_ligatures(font, document).items():
        codes.setdefault(code, letters)
    for code, quote in type3_quotes(font, document).items():
        codes.setdefault(code, quote)
    if len(_FONT_CODES) > 256:
        _FONT_CODES.clear()
    _FONT_CODES[id(font)] = (font, codes)
    return codes


def _safe_names(font: Any) -> dict[int, str]:
    """``_encoding_names``, or nothing for a broken font program."""
    try:
        return _encoding_names(font)
    except Exception:  # a broken or unusual font program: no evidence
        return {}


def _unicode_of(name: str) -> str:
    char = toUnicode(name.lstrip("/")) or tex_delimiter(name)  # cmex's "parenleftbig" is no AGL name
    if not char or any(0xE000 <= ord(c) <= 0xF8FF or ord(c) < 32 for c in char):
        return ""
    return char


def _encoding_names(font: Any) -> dict[int, str]:
    """Code -> glyph name of a simple font: its built-in encoding, overridden by ``/Differences``."""
    font = font.get_object() if hasattr(font, "get_object") else font
    if "/ToUnicode" in font or font.get("/Subtype") not in ("/Type1", "/MMType1", "/Type3", "/TrueType"):
        return {}
    names: dict[int, str] = {}
    descriptor = font.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    if "/FontFile3" in descriptor and descriptor["/FontFile3"].get_object().get("/Subtype") == "/Type1C":
        names.update(_cff_encoding(descriptor["/FontFile3"].get_object().get_data()))
    elif "/FontFile" in descriptor:
        program = descriptor["/FontFile"].get_object()
        clear = program.get_data()[: int(program.get("/Length1", 0)) or None]
        names.update({int(code): name.decode("latin-1")
                      for code, name in re.findall(rb"dup\s+(\d+)\s*/(\S+)\s+put", clear) if int(code) < 256})
    encoding = font.get("/Encoding")
    encoding = encoding.get_object() if encoding is not None and hasattr(encoding, "get_object") else encoding
    if isinstance(encoding, dict):
        code = 0
        for item in encoding.get("/Differences", []):
            if isinstance(item, (int, float)):
                code = int(item)
            else:
                names[code] = str(item)
                code += 1
    return names


def _cff_encoding(data: bytes) -> dict[int, str]:
    """The built-in encoding of a CFF font program (formats 0 and 1), code 0 included (fontTools leaves
    code 0 out, but TeX fonts put a glyph there: cmsy's minus)."""
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(data), None)
    top = fonts[fonts.fontNames[0]]
    offset = top.rawDict.get("Encoding", 0)
    if offset in (0, 1):  # the Standard or Expert encoding: no glyphs at control codes
        return {}
    charset, names = top.charset, {}
    kind, count = data[offset] & 0x7F, data[offset + 1]
    if kind == 0:
        for gid in range(1, min(count, len(charset) - 1) + 1):
            names[data[offset + 1 + gid]] = charset[gid]
    elif kind == 1:
        gid, at = 1, offset + 2
        for _ in range(count):
            first, left = data[at], data[at + 1]
            at += 2
            for code in range(first, first + left + 1):
                if gid < len(charset):
                    names[code] = charset[gid]
                gid += 1
    return names


def _line_of(pieces: list[Piece], note_marks: frozenset[str] = frozenset()) -> Line:
    if not pieces:
        return Line("", "")
    weights: Counter = Counter()
    bold_letters = 0
    for text, _x, y, size, bold in pieces:
        letters = len(text.strip())
        bold_letters += letters if bold else 0
        if letters and size > 0:
            weights[(round(size, 1), round(y, 1))] += letters
    raw = "".join(p[0] for p in pieces)
    if not weights:
        return Line(raw, raw)
    (size, y), _ = weights.most_common(1)[0]
    first = next(p for p in pieces if p[0].strip() and p[3] > 0)
    parts, markers = [], 0
    for index, (text, _x, piece_y, piece_size, _bold) in enumerate(pieces):
        stripped = text.strip()
        before = "".join(parts)
        raised = piece_y > y + 0.15 * size
        # a rise by the text-rise operator (Ts) does not show in the matrix: then the size alone tells
        small = (piece_size <= SMALL_MARKER_SIZE * size and before[-1:].isalpha() and text[:1] == stripped[:1]
                 and not _lowered(piece_y, y, size))
        if (
            stripped and _MARKER.fullmatch(stripped) and 0 < piece_size < MARKER_SIZE * size
            and (raised or small) and not fraction_numerator(pieces, index)  # ½: a numerator (ingest.maths)
            and not _exponent_before_bracket(pieces, index, text)
            and (_marker_follows(before) or _note_after_letter(before, stripped, raised)
                 or _note_after_year(before, raised))
        ):
            parts.append(text.replace(stripped, f"[{stripped}]"))
            markers += 1
            continue
        if (stripped in note_marks and raised and 0 < piece_size < MARKER_SIZE * size
                and (_marker_follows(before) or not before.strip())):
            # a letter marker whose note the page has (ingest.letter_notes); glued to its word as printed
            parts.append(f"[{stripped}]" if before[-1:].isalnum() else text.replace(stripped, f"[{stripped}]"))
            markers += 1
            continue
        parts.append(text)
    bold = 2 * bold_letters > sum(len(p[0].strip()) for p in pieces)
    return Line("".join(parts), raw, x=first[1], y=y, size=size, positioned=True, markers=markers, bold=bold)


def _exponent_before_bracket(pieces: list[Piece], index: int, text: str) -> bool:
    """A raised number right before an opening bracket on the baseline, with no space between ("cos" + raised
    "2" + "(v)": cos²(v)) is an exponent of a function, not a note marker (a marker stands after a word or a
    sign, and the text after it goes on after a space)."""
    if text != text.rstrip() or index + 1 >= len(pieces):
        return False
    following = pieces[index + 1]
    return following[0][:1] == "(" and following[3] > pieces[index][3] and following[2] < pieces[index][2]


def _marker_follows(before: str) -> bool:
    """Whether a raised number after ``before`` is a note marker (after a word or punctuation, not x²)."""
    tail = before.rstrip()
    if not tail:
        return True  # a marker opening a footnote line
    if tail[-1] in ".,;:)”\"'’!?%‰]":
        return True
    word = re.search(r"[^\W\d_]+$", tail)
    return bool(word) and len(word.group()) >= 3


def _note_after_letter(before: str, number: str, raised: bool) -> bool:
    """A raised number of two or more digits after a one-letter word ("onder b" + raised "160"): a note marker,
    where a raised single digit after a letter is an exponent (x², m2)."""
    return raised and len(number) >= 2 and number.isdigit() and bool(re.search(r"(?:^|\s)[^\W\d_]$", before))


def _lowered(piece_y: float, y: float, size: float) -> bool:
    """Whether a smaller piece stands below the baseline of its line: a subscript (id with a lowered 1), never
    a note marker."""
    return piece_y < y - LOWERED * size


def _note_after_year(before: str, raised: bool) -> bool:
    """A raised number right after a number of four digits ("in 2022" + raised "4"): a note marker; a power
    has a short base (10 with a raised 6), never a year or a count of four digits."""
    return raised and bool(re.search(r"(?:^|[^\d.,])\d{4}$", before))


# --- Analysing a document --------------------------------------------------------------------------------


def analyse(pages: list[PageLayout], labels: list[str] | None = None) -> LayoutStats:
    """Give every line its role and every page its printed label; returns what was found."""
    stats = LayoutStats()
    body_size = body_size_of(pages)
    printed = _printed_numbers(pages)
    if labels and len(labels) == len(pages):
        stats.labels_from = "PageLabels"
        for page, label in zip(pages, labels):
            page.label = label
    elif printed is not None:
        stats.labels_from = "printed"
        for page in pages:
            page.label = str(page.number + printed) if page.number + printed >= 1 else None
    _mark_running(pages, printed, stats)
    _keep_step_numbers(pages, stats)
    for index, page in enumerate(pages):
        after_notes = index > 0 and any(line.role == "footnote" for line in pages[index - 1].lines)
        _mark_footnotes(page, body_size, stats, after_notes)
        _mark_notes_after_numbers(page)
        bracket_margin_note_numbers(page.lines)  # "... voorkomen. 176 https://..." in one line (ingest.note_numbers)
        _plain_note_numbers(page)
        for line in page.lines:
            if line.role == "body" and _CONTENTS.search(line.text):
                line.role = "contents"
                stats.contents_lines += 1
        stats.markers += sum(line.markers for line in page.lines if line.role == "body")
    _mark_build_slides(pages, stats)
    stats.slides = 2 * sum(1 for page in pages if page.width > page.height) > len(pages)
    if stats.slides:
        _slide_titles(pages)
    else:
        # a letterhead's legal lines under its footer (ingest.small_print)
        stats.small_print_lines = sum(mark_small_print(page, body_size) for page in pages)
        _find_headings(pages, body_size)
    stats.headings = sum(len(page.headings or []) for page in pages)
    return stats


def body_size_of(pages: list[PageLayout]) -> float:
    """The font size of most letters of the document."""
    sizes: Counter = Counter()
    for page in pages:
        for line in page.lines:
            if line.positioned:
                sizes[line.size] += len(_LETTER.findall(line.text))
    return sizes.most_common(1)[0][0] if sizes else 0.0


@functools.lru_cache(maxsize=1 << 16)  # the running-line rules ask for each line's key several times
def _key(text: str) -> str:
    text = " ".join(text.casefold().split())
    text = _MONTHS.sub("<m>", text)
    text = _ROMAN.sub("#", text)
    return _DIGITS.sub("#", text)


def _edges(page: PageLayout, limit: int = EDGE_LINES) -> list[Line]:
    """The lines at the top and bottom of a page (at most ``limit`` a side) that may be running lines."""
    if not page.height:
        return []
    placed = sorted((line for line in page.lines if line.text.strip() and line.positioned),
                    key=lambda line: -line.y)
    top = [line for line in placed[:limit] if page.rel_y(line) >= 1 - EDGE_SHARE]
    bottom = [line for line in placed[-limit:] if page.rel_y(line) <= EDGE_SHARE]
    return top + [line for line in bottom if all(line is not other for other in top)]


def _end_tokens(text: str) -> set[str]:
    tokens = text.split()
    return {tokens[0].strip("-–—()[]|·•"), tokens[-1].strip("-–—()[]|·•")} if tokens else set()


def _printed_numbers(pages: list[PageLayout]) -> int | None:
    """The offset (printed number - page number) that at least 3 pages and 30% of pages agree on."""
    votes: Counter = Counter()
    for page in pages:
        found = {int(tok) for line in _edges(page) for tok in _end_tokens(line.text) if tok.isdigit() and len(tok) < 5}
        votes.update({value - page.number for value in found})
    if not votes:
        return None
    offset, count = votes.most_common(1)[0]
    return offset if count >= MIN_REPEAT_PAGES and count >= LABEL_VOTES * len(pages) else None


def _mark_running(pages: list[PageLayout], printed: int | None, stats: LayoutStats) -> None:
    """Mark running lines: repeated at the same place on many pages, or page numbers at the edges."""
    places: defaultdict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for page in pages:
        for line in page.lines:
            if line.positioned and line.text.strip():
                places[_key(line.text)].append((page.number, line.x, line.y))
                if line.text.strip() != _key(line.text):  # the exact text too (see below: away from the edges)
                    places[line.text.strip()].append((page.number, line.x, line.y))
    needed = max(MIN_REPEAT_PAGES, math.ceil(REPEAT_SHARE * len(pages)))
    width = max((page.width for page in pages), default=0.0)
    running: dict[str, list[tuple[float, float]]] = {}
    for key, seen in places.items():
        if len({number for number, _, _ in seen}) < needed:
            continue
        # the places that at least `needed` pages share (odd and even pages may differ)
        common = [
            (x, y) for _, x, y in seen
            if len({n for n, ox, oy in seen if _same_place(x, y, ox, oy, width)}) >= needed
        ]
        if common:
            running[key] = common
    for page in pages:
        number_tokens = {page.label} if page.label else set()
        if printed is not None:
            number_tokens.add(str(page.number + printed))
        outer = _edges(page)
        for line in page.lines:
            text = line.text.strip()
            if not text or not line.positioned:
                continue
            key = _key(text)
            at_edge = any(line is other for other in outer)
            # digits and dates are wildcards only at the top and bottom (page numbers, print dates); away from
            # the edges (a Beamer sidebar) a running line repeats word for word, so numbered body lines stay
            same = text if not at_edge else key
            is_running = same in running and any(_same_place(line.x, line.y, x, y, width) for x, y in running[same])
            is_number = at_edge and _is_page_number(text, number_tokens | {str(page.number)})
            carries_number = at_edge and len(text) <= 100 and bool(number_tokens & _end_tokens(text))
            if is_running or is_number or carries_number:
                line.role = "running"
                stats.running_lines += 1


def _keep_step_numbers(pages: list[PageLayout], stats: LayoutStats) -> None:
    """Give a lone number back to the body when it opens a numbered column or row: away from the top and
    bottom, with the next number in the same font on the same page below it at the same place across or right
    of it at the same height ("1" over "2" over "3" on a slide of steps). The first step of every such slide repeats at the same place, so ``_mark_running`` took
    it for a running line while the later steps stayed."""
    for page in pages:
        outer = _edges(page)
        numbers = [line for line in page.lines if line.positioned and line.text.strip().isdigit()]
        for line in numbers:
            if line.role != "running" or any(line is other for other in outer):
                continue
            following = str(int(line.text.strip()) + 1)
            size = max(line.size, 1.0)
            if any(other.role == "body" and other.text.strip() == following
                   and abs(other.size - line.size) < 0.2 * size
                   and ((other.y < line.y and abs(other.x - line.x) <= size)
                        or (other.x > line.x and abs(other.y - line.y) <= SAME_HEIGHT))
                   for other in numbers):
                line.role = "body"
                stats.running_lines -= 1


def _is_page_number(text: str, numbers: set[str]) -> bool:
    """A line that is only a page number: "7", "- 7 -", "vii", "Pagina 7 van 20", "7 / 20".

    A bare number counts only when it is this page's number (its index, label or printed number): a year
    or a table value alone on the last line of a page is text.
    """
    folded = text.casefold()
    if not _PAGE_NUMBER.fullmatch(folded):
        return False
    bare = folded.strip("-–—()[] ")
    if bare.isdigit() or _ROMAN.fullmatch(bare):
        return bare in {n.casefold() for n in numbers}
    return True


def _same_place(x: float, y: float, other_x: float, other_y: float, width: float) -> bool:
    return abs(y - other_y) <= SAME_HEIGHT and abs(x - other_x) <= SAME_X * (width or 600.0)


def _mark_footnotes(page: PageLayout, body_size: float, stats: LayoutStats, after_notes: bool = False) -> None:
    """The footnotes at the foot of the page, or of each of its two columns (a paper's notes stand at the foot of
    the column they belong to, beside the other column's text: see ``_column_groups``). ``after_notes``: the page
    before has footnotes, so the first lines of this page's notes may be the end of a note that runs over."""
    if not body_size or not page.height:
        return
    placed = sorted(
        (line for line in page.lines if line.role == "body" and line.text.strip() and line.positioned),
        key=lambda line: line.y,
    )
    for group in _column_groups(page, placed):
        _mark_footnote_zone(page, group, body_size, stats, after_notes)


_NOTE_NUMBER = re.compile(r"\s*(\d{1,3})(?=\s*[^\d\s.,:/%-])")


_BRACKETED_NOTE = re.compile(r"(\s*)\[(\d{1,3})\]")


def _plain_note_numbers(page: PageLayout) -> None:
    """A footnote's own number is written as the page's other notes write theirs: where pypdf gives one note's
    raised number as a piece of its own, ``_line_of`` writes it as a marker ("[27] Kamerstukken II ..."), while
    the numbers it gives inside the note's first piece stay plain ("26 Bijlage ...", "28 Https://..."). On a page
    whose notes open with plain numbers, the bracketed ones are written plain too (raw text: "27 ...")."""
    notes = [line for line in page.lines if line.role == "footnote"]
    if not any(_NOTE_NUMBER.match(line.text) for line in notes):
        return
    for line in notes:
        match = _BRACKETED_NOTE.match(line.text)
        if match and line.raw.lstrip().startswith(match.group(2)) and line.markers:
            line.text = match.group(1) + match.group(2) + line.text[match.end():]
            line.markers -= 1


def _mark_notes_after_numbers(page: PageLayout) -> None:
    """A raised smaller number right after digits ("ISO/IEC 25010" + raised "4") is a power as often as a note
    marker, so ``_line_of`` leaves it; it is the marker "[4]" when the page has note 4 among its footnotes and
    no other marker of that number in its body text."""
    notes = {match.group(1) for line in page.lines if line.role == "footnote"
             for match in [_NOTE_NUMBER.match(line.text)] if match}
    if not notes:
        return
    body = [line for line in page.lines if line.role == "body" and line.pieces]
    marked = {number for line in body for number in re.findall(r"\[(\d{1,3})\]", line.text)}
    for line in body:
        pieces = line.pieces or []
        for index in range(1, len(pieces)):
            text, _x, y, size, _bold = pieces[index]
            before = pieces[index - 1][0]
            if (text not in notes or text in marked or not before[-1:].isdigit()
                    or not 0 < size < MARKER_SIZE * line.size or y <= line.y + 0.15 * line.size):
                continue
            left = before[-12:]
            right = pieces[index + 1][0][:8] if index + 1 < len(pieces) else ""
            if line.text.count(left + text + right) == 1:
                line.text = line.text.replace(left + text + right, f"{left}[{text}]{right}")
                line.markers += 1
                marked.add(text)


COLUMN_LINES = 5  # lines each column of a two-column page has at least


def _column_groups(page: PageLayout, placed: list[Line]) -> list[list[Line]]:
    """The page's lines as one group, or for a page in two columns (at least ``COLUMN_LINES`` lines each side of
    the middle, not crossing it, and together most of the lines) a group for each column, the lines across both
    (a title, a wide figure's caption) in both."""
    middle, slack = page.width / 2, 0.02 * page.width
    left = [line for line in placed if line.right <= middle + slack]
    right = [line for line in placed if line.x >= middle - slack]
    if not page.width or min(len(left), len(right)) < COLUMN_LINES or 2 * (len(left) + len(right)) < len(placed):
        return [placed]
    across = [line for line in placed if line.right > middle + slack and line.x < middle - slack]
    return [sorted(left + across, key=lambda line: line.y), sorted(right + across, key=lambda line: line.y)]


def _mark_footnote_zone(page: PageLayout, placed: list[Line], body_size: float, stats: LayoutStats,
                        after_notes: bool = False) -> None:
    placed = [line for line in placed if line.role == "body"]  # a note across both columns is marked once
    zone: list[Line] = []
    for line in placed:  # from the bottom up
        if line.size >= NOTE_SIZE * body_size or page.rel_y(line) > NOTE_ZONE:
            break
        zone.append(line)
    # the zone starts (at its top) with a numbered note; drop lines above the topmost numbered one
    dropped: list[Line] = []
    while zone and not _NOTE_START.match(zone[-1].text) and not _note_under_rule(page, zone[-1], body_size):
        dropped.append(zone.pop())
    if not zone or len(zone) == len(placed):
        return  # nothing, or a page in a small font throughout (a table, a slide): not footnotes
    if _side_by_side(zone):
        return  # cells on one baseline: a table in a smaller font at the page's foot ("5 Catastrofaal" | "Er kunnen ...")
    zone.extend(_carried_note(zone[-1], dropped, placed) if after_notes else [])
    if listing_lines([line.text for line in reversed(zone)]):
        return  # a code listing in a smaller font at the page's foot, its lines numbered (ingest.code)
    for line in zone:
        line.role = "footnote"
    stats.footnote_lines += len(zone)
    stats.footnotes += sum(1 for line in zone if _NOTE_START.match(line.text) or _note_under_rule(page, line, body_size))


def _side_by_side(zone: list[Line]) -> bool:
    """Whether two lines of a footnote zone stand side by side on one baseline: the cells of a table's row
    (footnotes run down the page, one line a baseline)."""
    for index, line in enumerate(zone):
        for other in zone[index + 1: index + 8]:
            if (abs(other.y - line.y) <= 0.2 * max(line.size, other.size, 1.0)
                    and (other.x > line.right + 0.5 * line.size or line.x > other.right + 0.5 * other.size)):
                return True
    return False


CARRIED_LINES = 8  # the end of a note run over from the page before has at most this many lines


def _carried_note(first: Line, above: list[Line], placed: list[Line]) -> list[Line]:
    """The lines right above a page's first numbered note that end a note of the page before ("het bereik van
    deze DPIA.", the last line of note 10 over note 11): in the notes' small size (the zone's), starting where the
    note's number or its text starts, each at most a note's line space above the next, and set apart from the
    text above them by more than that space. ``above`` runs upwards from the first note."""
    carried: list[Line] = []
    below = first
    starts = [first.x] + [piece[1] for piece in (first.pieces or [])[1:2] if piece[0].strip()]
    for line in reversed(above):  # from the note upwards
        space = 2.5 * max(line.size, below.size, 1.0)
        if not 0 < line.y - below.y <= space or not any(abs(line.x - x) <= 1.5 for x in starts):
            break
        carried.append(line)
        below = line
    if not carried or len(carried) > CARRIED_LINES:
        return []
    higher = [line for line in placed if line.y > below.y]
    if higher and min(line.y for line in higher) - below.y <= 2.5 * max(below.size, 1.0):
        return []  # the text above goes on at a line's space: these lines are its end, not a note's
    return carried


NOTE_RULE = (15.0, 0.5)  # a footnote rule is at least this many points and at most this share of the page wide


def _note_under_rule(page: PageLayout, line: Line, body_size: float) -> bool:
    """A note numbered with a full stop ("0. Code disponible sur ...", where "5. Penetratietesten" may as well be
    a list item): a note only under the footnote rule, the short line drawn just above it, at or left of its start."""
    if not _NUMBERED_NOTE.match(line.text):
        return False
    return any(
        box[3] - box[1] <= 1.5 and NOTE_RULE[0] <= box[2] - box[0] <= NOTE_RULE[1] * (page.width or 600.0)
        and line.y + 0.5 * line.size <= box[1] <= line.y + 2.5 * body_size and box[0] <= line.x + body_size
        for box in page.drawings or []
    )


def _mark_build_slides(pages: list[PageLayout], stats: LayoutStats) -> None:
    for page, following in zip(pages, pages[1:]):
        if not page.width or page.width <= page.height:
            continue
        lines = {_key(line.text) for line in page.lines if line.role == "body" and line.text.strip()}
        after = {_key(line.text) for line in following.lines if line.role == "body" and line.text.strip()}
        if lines and lines <= after:
            page.build_step = True
            stats.build_slides += 1


def _find_headings(pages: list[PageLayout], body_size: float) -> None:
    """Headings: short body lines in a larger font than the body text; the larger, the higher the level.

    Consecutive heading lines in the same size are one heading (a title wrapped over two lines). Levels are
    the ranks of the heading sizes of the document, at most ``HEADING_LEVELS``.
    """
    if not body_size:
        return
    found: list[tuple[PageLayout, list[tuple[float, str, list[Line]]]]] = []
    sizes: Counter = Counter()
    bold_marks = _bold_is_emphasis(pages, body_size)
    colour = body_colour([line for page in pages for line in page.lines if line.role == "body"], body_size)
    for page in pages:
        heads: list[tuple[float, str, list[Line]]] = []
        previous: Line | None = None
        placed = [line for line in page.lines if line.role == "body" and line.positioned and line.text.strip()]
        for line in page.lines:
            text = " ".join(line.text.split())
            if line.role != "body" or not text:
                continue
            if _goes_on_baseline(placed, line):
                previous = None  # the rest of a line that a formula's limits cut in two: never a heading
                continue
            run_in = _run_in_heading(placed, line, body_size) if bold_marks else None
            larger = line.size >= HEADING_SIZE * body_size
            bold = (bold_marks and not run_in and line.bold and line.size >= 0.95 * body_size and len(text) <= 80
                    and not text.endswith((".", ":", "-")))  # "-": a bold run-in title wrapped at a hyphen
            bold = bold or (bold_marks and not run_in and _numbered_bold_heading(line, text, body_size))
            is_heading = (
                line.positioned and (larger or bold) and len(text) <= 120
                and bool(_LETTER.search(text)) and not text.endswith((",", ";", "."))
            )
            # a bold heading in the body size ranks below every larger one
            rank_size = line.size if larger else line.size - 0.5
            continues = (previous is not None and heads and abs(previous.size - line.size) < 0.2
                         and not _SECTION_NUMBER.match(text)  # "3.3 Métriques" over "3.3.1 MedTerm": two
                         and not _set_apart(previous, line))  # a title block's subtitle, authors, date: apart
            if is_heading and not continues and not _section_heading_like(text):
                is_heading = False
            coloured = (line.positioned and not run_in  # by its colour (a run of up to 3 lines: never runs into one)
                        and _coloured_heading(placed, line, body_size, colour))
            if (continues or is_heading) and not coloured and _runs_into_paragraph(placed, line):
                # the first line of a paragraph in a heading's style (after a heading: "8. Techniek en methode"
                # over "Beschrijf op welke wijze ... (technische)" + "middelen en methoden ... verwerkt."): no heading
                is_heading = continues = False
                previous = None
                continue
            if not is_heading and not continues and line.positioned and _spaced_heading(placed, line, body_size):
                is_heading, rank_size = True, line.size - 1.0  # set apart by space alone: below bold ones
            if (not is_heading and not continues and not run_in and line.positioned
                    and _styled_heading(placed, line, body_size, bold_marks)):
                is_heading, rank_size = True, line.size - 1.5  # by its style or place alone: below the others
            if not is_heading and not continues and not run_in and line.positioned and _label_line(placed, line):
                is_heading, rank_size = True, line.size - 2.5  # a label in another face: below all others
            if not is_heading and coloured:
                is_heading, rank_size = True, line.size - 1.5  # by its colour: ranks with the styled ones
            if not larger and _ITEM_LABEL.match(text):
                rank_size -= 0.5  # "a. Noodzaak" under "10. Proportionaliteit" in the same look
            if is_heading and continues:
                heads[-1] = (heads[-1][0], _join_heading(heads[-1][1], text), heads[-1][2] + [line])
            elif is_heading:
                heads.append((rank_size, text, [line]))
                sizes[_rank_key(rank_size, text)] += 1
            elif run_in:
                # a paragraph's title: below all others; a numbered one ("3.2.0.3 Question 3:") ranks as bold
                run_size = line.size - (0.5 if _NUMBERED_TITLE.match(run_in) else 2.0)
                heads.append((run_size, run_in, [line]))
                sizes[_rank_key(run_size, run_in)] += 1
            previous = line if is_heading else None
        found.append((page, heads))
    ranks = _heading_ranks(sizes)
    for page, heads in found:
        page.headings = []
        for size, text, lines in heads:
            page.headings.append((ranks[_rank_key(size, text)], text))
            for line in lines:
                line.heading = True


HEADING_WRAP = 2.0  # a heading wrapped over lines has them less than this many times its size apart (an empty line)


def _set_apart(previous: Line, line: Line) -> bool:
    """Whether ``line`` stands below ``previous`` (both in a heading's size) with an empty line's space between
    them: a wrapped title has its lines at the usual line space, while the lines of a title block (subtitle,
    authors, date) stand apart and are headings or lines of their own."""
    if not (previous.positioned and line.positioned) or line.size <= 0:
        return False
    return previous.y - line.y > HEADING_WRAP * line.size


def _runs_into_paragraph(placed: list[Line], line: Line) -> bool:
    """Whether ``line`` opens a paragraph that goes on below it: the lines below it in the same size and style,
    each at the usual line space and starting in lower case (the sentence runs on), reach a line that ends a
    sentence or is longer than a heading's line. A heading wrapped over lines ("Demographic Character-" /
    "istics") has no such line."""
    at = next((i for i, other in enumerate(placed) if other is line), None)
    if at is None:
        return False
    above = line
    for below in placed[at + 1: at + 1 + RUN_ON_LINES]:
        following = " ".join(below.text.split())
        runs_on = following[:1].islower() or (following[:1].isupper() and _open_end(above.text))
        if not (following and runs_on and abs(below.size - line.size) < 0.2
                and below.bold == line.bold and below.italic == line.italic
                and 0 < above.y - below.y <= 1.8 * max(line.size, 1.0)):
            return False
        if following.endswith((".", ";", ":", "!", "?")) or len(following) > 80:
            return True
        above = below
    return False


_OPEN_WORDS = frozenset(
    "de het een van in op met voor en of aan bij te tot om door naar uit over als dat die dit deze "
    "the a an of in on with for and or to by from as that which der die das und mit von zu le la les des et du".split()
)


def _open_end(text: str) -> bool:
    """A line that cannot end a sentence or a heading: it ends in a comma or an article, preposition or
    conjunction ("... met uitzondering van de AVG en de" over "Richtlijn, en het beleid ...")."""
    words = text.split()
    return bool(words) and (text.rstrip().endswith(",") or words[-1].casefold() in _OPEN_WORDS)


def _goes_on_baseline(placed: list[Line], line: Line) -> bool:
    """Whether ``line`` goes on a line before it on the same baseline, right of where that one ends: pypdf
    breaks a line where a display formula puts its limits below it ("a) M◦ := {...} = ⋃" + "U⊆M" + "U∈T" +
    "U heißt Inneres oder offener"), and the rest of the line is no heading."""
    at = next((i for i, other in enumerate(placed) if other is line), None)
    if not at or line.size <= 0:
        return False
    return any(abs(other.y - line.y) <= 0.1 * line.size and other.right <= line.x + 2 * line.size
               and other.x < line.x and abs(other.size - line.size) < 0.5
               for other in placed[max(0, at - 4): at])


def _join_heading(text: str, following: str) -> str:
    """The two lines of a heading as one: a word hyphenated at the line end is joined as the cleaner joins it
    ("Demographic Character-" + "istics" -> "Demographic Characteristics", ``ingest.cleaning.hyphen_join``)."""
    fragment = re.search(r"([^\W\d_]+)-$", text)
    word = re.match(r"\w+", following)
    if fragment and word:
        return text[: fragment.start()] + hyphen_join(fragment.group(1), word.group()) + following[word.end():]
    return text + " " + following


_HEADING_WORD = re.compile(r"[^\W\d_]{4,}")


def _heading_like(text: str) -> bool:
    """A heading opens with no lower-case letter (a lower-case start is the wrapped end of a longer line) and
    has a word of at least 4 letters (figure labels "αβγ P", "A B" in a larger font are no headings)."""
    return not text[0].islower() and bool(_HEADING_WORD.search(text))


_SECTION_NUMBER = re.compile(r"(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[A-Z]\.|[IVX]{1,4}\.)\s+[A-ZÀ-Ý][^\W\d_]")
_ITEM_LABEL = re.compile(r"\(?[a-z][.)]\s+(?=[A-ZÀ-Ý])")


def _section_heading_like(text: str) -> bool:
    """A section heading of a report or paper: ``_heading_like``, after a list label ("a. Noodzaak: legitiem
    doel", "(b) Kosten"); or a section number before a capitalised word ("5.1 De app", "3.2 Data")."""
    if _SECTION_NUMBER.match(text):
        return True
    label = _ITEM_LABEL.match(text)
    return _heading_like(text[label.end():] if label else text)


def _bold_is_emphasis(pages: list[PageLayout], body_size: float) -> bool:
    """Whether bold sets text apart in this document: at most ``BOLD_SHARE`` of the letters in the body size
    are bold (a document set in a medium or bold face throughout has no bold headings)."""
    bold = total = 0
    for page in pages:
        for line in page.lines:
            if line.role == "body" and line.positioned and abs(line.size - body_size) < 0.5:
                letters = len(_LETTER.findall(line.text))
                total += letters
                bold += letters if line.bold else 0
    return bool(total) and bold <= BOLD_SHARE * total


_ITEM_START = re.compile(r"[•\-–*·▪○◦]|\(?[a-z0-9]{1,3}[.)]\s")
_CLOSING = (".", ",", ";", ":", "!", "?")


def _spaced_heading(placed: list[Line], line: Line, body_size: float) -> bool:
    """A heading set apart by space alone (in the body font, "Substantiële rechtvaardigheid", "6. Stuurt
    regelmatig nepsleutels uit"): a short line with a paragraph's space above it and the usual line space
    below, where a paragraph at least twice as long starts at or left of it; no closing punctuation, no list
    item after it, and it reads as a heading (``_section_heading_like``, mostly letters)."""
    at = next((i for i, other in enumerate(placed) if other is line), None)
    if at is None or at == 0 or at + 1 >= len(placed):
        return False
    above, below = placed[at - 1], placed[at + 1]
    text, following = " ".join(line.text.split()), " ".join(below.text.split())
    if (not text or len(text) > 80 or text.endswith(_CLOSING) or line.size < 0.95 * body_size
            or abs(below.size - line.size) > 0.5 or len(following) < 2 * len(text) or _ITEM_START.match(following)
            or text[0] in "•-–*·▪○◦" or below.x > line.x + 2.0):
        return False
    gap_above, gap_below = above.y - line.y, line.y - below.y
    if gap_below <= 0 or gap_above <= 0 or gap_below > 1.6 * line.size or gap_above < 1.5 * gap_below:
        return False
    letters = len(_LETTER.findall(text))
    return letters >= 0.7 * len(text.replace(" ", "")) and _section_heading_like(text)


def _paragraph_lines(placed: list[Line], at: int) -> int:
    """How many lines the paragraph starting at ``placed[at]`` has: lines in its size and style at its line space."""
    first = placed[at]
    count, above = 1, first
    for below in placed[at + 1:]:
        if (abs(below.size - first.size) >= 0.2 or below.italic != first.italic or below.bold != first.bold
                or not 0 < above.y - below.y <= 1.8 * max(first.size, 1.0)):
            break
        count, above = count + 1, below
    return count


_LABEL_TITLE = re.compile(r"\(?(?:\d{1,2}|[a-z])[.)]\s+[A-ZÀ-Ý]")  # "(2) Het bereik ...", "b) Kosten", "3. Doel"
_CAPTION_START = re.compile(r"(?:figuur|figure|fig\.|tabel|table|afbeelding|grafiek|bron|source|foto)\b", re.IGNORECASE)
STYLED_WORDS = 12  # a heading told by its style or place alone has at most this many words


def _styled_heading(placed: list[Line], line: Line, body_size: float, bold_marks: bool) -> bool:
    """A heading in the body size told by its style or its place alone (``_spaced_heading`` asks for plain
    text without closing punctuation):

    - a short line all in italic (or bold, where bold is emphasis) with a paragraph's space above it and the
      usual line space below, before a longer paragraph in the other style that starts at or left of it
      ("Maak gebruik van Xamarin University."): the change of style ends the heading, so a full stop is allowed;
    - a short line centred over the paragraph below it, with a paragraph's space above and below it (the title of
      a quote block, "Doel van CoronaMelder"), without closing punctuation.

    Never a list item, a caption ("Figuur 3 ..."), a line of a paragraph in the same style, or a line that does
    not read as a heading (``_section_heading_like``, mostly letters, at most ``STYLED_WORDS`` words)."""
    at = next((i for i, other in enumerate(placed) if other is line), None)
    if at is None or at == 0 or at + 1 >= len(placed):
        return False
    above, below = placed[at - 1], placed[at + 1]
    text, following = " ".join(line.text.split()), " ".join(below.text.split())
    if (not text or len(text) > 80 or len(text.split()) > STYLED_WORDS or text.endswith((",", ";", ":", "-"))
            or abs(line.size - body_size) > 0.5 or abs(below.size - line.size) > 0.5
            or _ITEM_START.match(following) or _CAPTION_START.match(text) or line.markers):
        return False
    styled = ((line.italic and not below.italic) or (bold_marks and line.bold and not below.bold)
              or _other_face(line, below))
    if len(following) < 2 * len(text) and not (styled and _paragraph_lines(placed, at + 1) >= 3):
        return False  # the paragraph below is longer: a line twice as long, or (in another style) three lines
    # a list item is no heading, but a numbered title in a style of its own is ("(2) Het bereik van het
    # contactonderzoek wordt in belangrijke mate vergroot" in italic over a paragraph in roman)
    if _ITEM_START.match(text) and not (styled and _LABEL_TITLE.match(text)):
        return False
    gap_above, gap_below = above.y - line.y, line.y - below.y
    if gap_above <= 0 or gap_below <= 0:
        return False
    letters = len(_LETTER.findall(text))
    if letters < 0.7 * len(text.replace(" ", "")) or not _section_heading_like(text.rstrip(".")):
        return False
    if styled and not above.y - line.y < 1.4 * gap_below:
        return gap_below <= 1.7 * line.size and below.x <= line.x + 2.0
    if text.endswith(_CLOSING):
        return False
    spacing = below.y - placed[at + 2].y if at + 2 < len(placed) else 0.0
    spacing = spacing if 0 < spacing <= 2.0 * line.size else 1.2 * line.size
    width = below.right - below.x
    centre, below_centre = (line.x + line.right) / 2, (below.x + below.right) / 2
    return (width > 0 and line.x > below.x + 0.1 * width and abs(centre - below_centre) <= 0.05 * width
            and gap_above >= 1.5 * spacing and gap_below >= 1.5 * spacing)


COLOURED_LINES = 3  # a heading told by its colour has at most this many lines ...
COLOURED_CHARS = 250  # ... and characters (an objective set as a heading: "De applicatie behaalt ... 60 FPS.")
_LINK = re.compile(r"https?:|www\.|doi\.org|\S@\S|\.(?:nl|com|org|eu|net)/", re.IGNORECASE)


def _coloured_run(placed: list[Line], at: int) -> tuple[int, int]:
    """The lines around ``placed[at]`` in its colour, size and style at a paragraph's line space: (first, last)."""
    line = placed[at]

    def same(above: Line, below: Line) -> bool:
        return (below.colour == line.colour and abs(below.size - line.size) < 0.2 and below.italic == line.italic
                and below.bold == line.bold and 0 < above.y - below.y <= 1.8 * max(line.size, 1.0))

    first = last = at  # looked for up to one line beyond COLOURED_LINES either way: a longer run is no heading
    while first > 0 and at - first <= COLOURED_LINES and same(placed[first - 1], placed[first]):
        first -= 1
    while last + 1 < len(placed) and last - at <= COLOURED_LINES and same(placed[last], placed[last + 1]):
        last += 1
    return first, last


def _coloured_heading(placed: list[Line], line: Line, body_size: float, body: Colour | None) -> bool:
    """A heading in the body size told by its colour (a Word thesis's objective in blue italic over a paragraph
    in black, a glossary term in grey over its definition): a run of at most ``COLOURED_LINES`` lines (and
    ``COLOURED_CHARS`` characters) in one colour that is not the body text's, with a paragraph below it in the
    body's colour, size and at most a paragraph's space lower, starting at or left of it and at least as long.
    The run starts where the paragraph starts (not indented like a quote or a call-out) and stands apart from the text above it (at least the space it has below, and more than the line space
    of the paragraph below) or opens the page's body. It reads as a heading (``_section_heading_like``, mostly
    letters, no link, no list item unless numbered like a title) and does not run on into the paragraph (ends
    in no ",", ";", ":"; the paragraph opens with no lower-case letter). ``line`` is any line of the run."""
    if not line.colour or body is None or line.colour == body or abs(line.size - body_size) > 0.5:
        return False
    at = next((i for i, other in enumerate(placed) if other is line), None)
    if at is None:
        return False
    first, last = _coloured_run(placed, at)
    run = placed[first: last + 1]
    text = " ".join(" ".join(other.text.split()) for other in run)
    if (last - first >= COLOURED_LINES or len(text) > COLOURED_CHARS or last + 1 >= len(placed)
            or text.endswith((",", ";", ":", "-")) or _LINK.search(text) or run[0].markers):
        return False
    below = placed[last + 1]
    following = " ".join(below.text.split())
    if (below.colour != body or abs(below.size - line.size) > 0.5 or abs(below.x - run[0].x) > 2.0
            or not following or following[0].islower() or _ITEM_START.match(following)):
        return False
    gap_below = run[-1].y - below.y
    if not 0 < gap_below <= 2.5 * max(line.size, 1.0):
        return False
    paragraph = placed[last + 1: last + 1 + _paragraph_lines(placed, last + 1)]
    if sum(len(" ".join(other.text.split())) for other in paragraph) < len(text):
        return False
    if first > 0:
        spacing = paragraph[0].y - paragraph[1].y if len(paragraph) > 1 else 1.2 * line.size
        gap_above = placed[first - 1].y - run[0].y
        if gap_above < 0.9 * gap_below or gap_above < 1.3 * spacing:
            return False
    if _ITEM_START.match(text) and not (_LABEL_TITLE.match(text) or _SECTION_NUMBER.match(text)):
        return False
    letters = len(_LETTER.findall(text))
    return letters >= 0.7 * len(text.replace(" ", "")) and _section_heading_like(text)


def _other_face(line: Line, below: Line) -> bool:
    """Whether ``line`` is set in another font family than the paragraph below it (a heading in Calibri over
    text in Times, "3. Bewaart gegevens niet langer dan strikt noodzakelijk."), not a monospaced one (a file
    name or a command: ``_label_line``) and not a symbol font."""
    return (bool(line.face and below.face) and line.face != below.face and not line.mono and not below.mono
            and not re.search(r"symbol|dingbat|math|cmsy|cmmi|cmex", line.face))


LABEL_CHARS = 60  # a label line in another face (a file name, a command) has at most this many characters ...
LABEL_TOKENS = 4  # ... and words


def _label_line(placed: list[Line], line: Line) -> bool:
    """A short line in a monospaced face standing alone before a paragraph in the body's face (a data set's
    file name, "nces_district_enrollment_2018_2020.csv.zip", over the paragraph that describes it): the label
    of what follows, a heading of the lowest rank, so it starts the next passage instead of ending the one before.

    It has a paragraph's space above it (more than ``1.3`` times the line space of the paragraph below), stands
    no farther from the paragraph below than from the text above, the line below is not monospaced, at least
    twice as long and starts at or left of it; the line above is not monospaced either (a code listing's lines
    are no labels). At most ``LABEL_CHARS`` characters and ``LABEL_TOKENS`` words, no closing ",", ";" or ":"."""
    if not line.mono:
        return False
    at = next((i for i, other in enumerate(placed) if other is line), None)
    if at is None or at == 0 or at + 1 >= len(placed):
        return False
    above, below = placed[at - 1], placed[at + 1]
    text, following = " ".join(line.text.split()), " ".join(below.text.split())
    if (not text or len(text) > LABEL_CHARS or len(text.split()) > LABEL_TOKENS or text.endswith((",", ";", ":"))
            or above.mono or below.mono or len(following) < 2 * len(text) or below.x > line.x + 2.0
            or abs(below.size - line.size) > 0.15 * max(below.size, 1.0) or not _LETTER.search(text)):
        return False
    gap_above, gap_below = above.y - line.y, line.y - below.y
    spacing = below.y - placed[at + 2].y if at + 2 < len(placed) else 0.0
    spacing = spacing if 0 < spacing <= 2.0 * below.size else 1.2 * below.size
    return gap_above > 1.3 * spacing and 0 < gap_below <= gap_above + 0.5 and gap_below <= 2.5 * spacing


_RUN_IN_END = re.compile(r"[^\W\d_]{2}\.$")  # a title's full stop after a word (not "Beweis:", a form's "Naam:")


def _run_in_heading(placed: list[Line], line: Line, body_size: float) -> str | None:
    """The bold title a paragraph opens with ("Limites de l'évaluation automatique. Plusieurs résultats ..."):
    the line's first pieces are bold, end in a full stop after a word and are followed by text that is not bold
    (a bold label with a colon, "Beweis:", "Module name:", is a field or a lead-in, not a title), and the line
    starts a paragraph (a paragraph's space above it). None when the line does not open so."""
    pieces = [piece for piece in line.pieces or [] if piece[0].strip()]
    if not pieces or not pieces[0][4] or abs(line.size - body_size) > 0.5 or line.markers:
        return None
    count = next((i for i, piece in enumerate(pieces) if not piece[4]), len(pieces))
    title = " ".join("".join(piece[0] for piece in pieces[:count]).split())
    if count == len(pieces) or len(title) > 100 or not line.text.startswith(pieces[0][0].lstrip()[:1]):
        return None
    if not _RUN_IN_END.search(title):
        title = _run_in_title(title, pieces[count][0])
        if title is None:
            return None
    at = next((i for i, other in enumerate(placed) if other is line), None)
    if at is None or at == 0:
        return None
    above = placed[at - 1]
    if not 1.5 * line.size < above.y - line.y < 4 * line.size:
        return None
    words = title.rstrip(".")
    return title if _heading_like(words) and len(words.split()) <= 12 else None


_NUMBERED_TITLE = re.compile(r"\d{1,2}(?:\.\d{1,2}){1,4}\s+[A-ZÀ-Ý][^:]{0,60}:")  # "3.2.0.1 Question 1:"


def _run_in_title(bold: str, after: str) -> str | None:
    """A run-in title that does not end in a full stop (LaTeX's ``\\paragraph``): a numbered one, "3.2.0.3
    Question 3:" (up to its colon, even when a bold label follows), or a short title with no closing
    punctuation, "Motivation for grade", when the text after it opens a sentence (a capital letter). A bold
    label with a colon and no section number ("Points:", "Module name:") is a field, not a title."""
    numbered = _NUMBERED_TITLE.match(bold)
    if numbered:
        return numbered.group(0)
    following = after.lstrip()
    if bold.endswith(_CLOSING) or not following[:1].isupper() or len(bold.split()) > 6:
        return None
    return bold


def _numbered_bold_heading(line: Line, text: str, body_size: float) -> bool:
    """A bold line in the body size that is only a numbered title with a colon, "3.2.0.1 Question 1:" (LaTeX's
    ``\\paragraph`` on a line of its own): a heading, though a bold line ending in a colon is mostly a label."""
    return bool(line.bold and abs(line.size - body_size) < 0.5 and len(text) <= 60
                and _NUMBERED_TITLE.fullmatch(text))


_NUMBER_LABEL = re.compile(r"\d{1,2}(?:\.\d{1,2}){0,4}(?=\.?\s)")


def _rank_key(size: float, text: str) -> tuple[float, int]:
    """What orders the headings of a document into levels: the size they rank by (in half points), then the
    depth of their section number ("3.3.1" under "3.3" in the same look; an unnumbered heading ranks as "3")."""
    number = _NUMBER_LABEL.match(text)
    depth = number.group().count(".") + 1 if number else 1
    return (round(size * 2) / 2, -depth)


def _heading_ranks(sizes: Counter) -> dict[tuple[float, int], int]:
    """The level of each heading look (``_rank_key``): its rank from the largest; looks below the
    ``HEADING_LEVELS``-th share the deepest level (a bold run-in title under many larger levels is still a
    heading, not body text)."""
    ordered = sorted(sizes, reverse=True)
    return {size: min(rank, HEADING_LEVELS) for rank, size in enumerate(ordered, start=1)}


def _slide_titles(pages: list[PageLayout]) -> None:
    """In a slide deck, a slide's heading is its first line in the slide's largest font that reads as a
    heading (``_heading_like``): its title."""
    for page in pages:
        body = [line for line in page.lines if line.role == "body" and line.text.strip() and line.positioned]
        if not body:
            page.headings = []
            continue
        # the first line in the largest font that reads as a heading (not a big step number "2" or a label)
        worded = [line for line in body if _heading_like(" ".join(line.text.split()))] or body
        largest = max(line.size for line in worded)
        title = next(line for line in worded if line.size >= largest - 0.2)
        title.heading = True
        page.headings = [(1, " ".join(title.text.split()))]


def page_labels(reader: Any) -> list[str] | None:
    """The labels of the PDF's ``/PageLabels``, or None when it has none."""
    try:
        if "/PageLabels" not in reader.trailer["/Root"]:
            return None
        return list(reader.page_labels)
    except Exception:  # a broken label tree: fall back to printed numbers
        return None
