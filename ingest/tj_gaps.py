"""Word spaces pypdf leaves out of a TJ array or between two pieces (issues 13, 14): pypdf writes a space for a shift in a ``TJ`` array
when the shift is wider than half the space of the font it last saw set by ``Tf``; after a figure whose labels
were set in a symbol font (TeX's CMSY8, no space glyph: pypdf takes a wide space) and a ``Q`` that restores the
text font, that width stays and a caption's word shifts (a third of an em) read as no space:
"Abbildung4.13:DieDreiecke" for "Abbildung 4.13: Die Dreiecke".

Here the page's ``TJ`` arrays of simple fonts give the evidence (``WordGaps``, watching pypdf's own pass): two
words separated by a shift of at least ``WORD_GAP`` thousandths of an em (also over consecutive arrays of one
text object with only colour operators between them) are two words; where the visitor text of that piece holds
them glued (the letters of both, as the array shows them), a space goes between them (``spaced_by_gaps``). The
same mistake glues two pieces of one line ("Sei" + "x0" in TeX's maths italic): where the first piece's end can
be measured exactly and the gap to the next is at least ``PIECE_GAP`` em, a space goes before the second
(``spaced_pieces``). Positive evidence only: a space is added only where the page moves the pen by a word gap,
never taken out. The word check counts such words as parted, not invented (``ingest.check.parted_words``)."""

from __future__ import annotations

import re
from typing import Any, Callable

from kennisbank.ingest.shifts import font_named

WORD_GAP = 200  # thousandths of an em: TeX's narrowest justified word space is 0.22 em, letter kerning < 0.1 em
_KEEP_RUN = frozenset({b"g", b"G", b"rg", b"RG", b"k", b"K", b"cs", b"CS", b"sc", b"scn", b"SC", b"SCN"})


_SHOWS = frozenset({b"TJ", b"Tj", b"'", b'"'})
# the operators WordGaps.before needs to see: those that show text, set the font, move the pen, open or close a
# text object or a form; path and colour operators (most of a page's operators) cannot stand between two arrays
# of one text object and are not passed on (read_page: a set lookup instead of a call)
WATCHED = _SHOWS | frozenset({b"Tf", b"Td", b"TD", b"Tm", b"T*", b"BT", b"ET", b"Tc", b"Tw", b"Tz", b"TL", b"Tr",
                              b"Ts", b"Do", b"BDC", b"BMC", b"EMC", b"gs", b"q", b"Q", b"cm", b"BI"})
_UNKNOWN = "\x00"  # a byte outside printable ASCII: its character depends on the font's encoding ("ß", "ﬀ")
_ASCII = bytes(code if 32 < code < 127 else 0 for code in range(256))
_MEASURED, _SIMPLE, _OTHER = 2, 1, 0  # a simple font with widths; a simple font without (Type 3); a Type 0 font


def _shown(item: Any) -> str | None:
    """The string's bytes as ASCII, a byte outside printable ASCII (a space too) as ``_UNKNOWN`` (one glyph: one
    character of pypdf's text, matched as any character but a space); None for a string of such bytes only."""
    try:
        raw = bytes(item.original_bytes if hasattr(item, "original_bytes") else item)
    except (TypeError, ValueError):
        return None
    text = raw.translate(_ASCII).decode("latin-1")
    return None if text and not text.strip(_UNKNOWN) else text


class WordGaps:
    """The ``TJ`` arrays of simple fonts a pypdf ``extract_text`` pass shows, watched in the same pass
    (``read_page`` calls :meth:`before` from ``visitor_operand_before``): no second parse of the content stream.
    Only the arrays are kept (cheap); their word gaps are worked out by :meth:`pairs` when a page needs them."""

    def __init__(self, resources: Callable[[], Any]) -> None:
        self._resources = resources  # the resources in force (the page's or a form XObject's)
        self._kind = _SIMPLE  # the kind of font in force (_MEASURED, _SIMPLE, _OTHER)
        self._shows: list[Any] = []  # (piece, operator, operands, font kind) of each text-showing operator; None
        # where another operator (not a colour) stands between two
        self.pieces = 0  # the pieces the text visitor received so far
        self._by_piece: dict[int, list[Any]] | None = None

    def flushed(self) -> None:
        self.pieces += 1

    def before(self, operator: bytes, operands: Any, cm: Any = None, tm: Any = None) -> None:
        if operator in _SHOWS:
            self._shows.append((self.pieces, operator, operands, self._kind))
            return
        if operator in _KEEP_RUN:
            return
        if operator == b"Tf" and operands:
            try:
                font = font_named(self._resources(), operands[0])
                subtype = font.get("/Subtype") if font is not None else "/Type0"
                self._kind = _OTHER if subtype == "/Type0" else _SIMPLE if subtype == "/Type3" else _MEASURED
            except Exception:  # a malformed font resource: not a simple font known here
                self._kind = _OTHER
        if self._shows and self._shows[-1] is not None:
            self._shows.append(None)

    def glyphs(self, piece: int) -> tuple[str, float] | None:
        """The bytes piece ``piece`` shows, as ASCII (``_shown``), and the sum of its TJ arrays' shifts to the
        right (thousandths of an em); None where a font's widths are not known here or a string is no string."""
        if self._by_piece is None:
            self._by_piece = {}
            for entry in self._shows:
                if entry is not None:
                    self._by_piece.setdefault(entry[0], []).append(entry)
        shows = self._by_piece.get(piece, [])
        if len(shows) != 1 or shows[0][3] != _MEASURED:
            return None  # shown by several operators (a move between two is not known here) or not measured
        text, shift = [], 0.0
        for _piece, _operator, operands, _kind in shows:
            items = operands[-1] if operands else None
            for item in items if isinstance(items, list) else [items]:
                if isinstance(item, (int, float)):
                    shift -= float(item)
                    continue
                shown = _shown(item) if item is not None else None
                if shown is None:
                    return None
                text.append(shown)
        return "".join(text), shift

    def pairs(self, wanted: set[int]) -> dict[int, list[tuple[str, str]]]:
        """Pairs (left, right) of words a TJ array of a simple font shows with a word gap between them, by the
        piece the right word starts in: a word is the strings between two word gaps, kerned by smaller shifts
        ("Dreiec" -37 "ke"), also over arrays of one text object with only colour operators between them. A
        string with a byte outside printable ASCII that is only such bytes, an operator that moves the pen or a
        shift at an array's end ends the run of words: no pair over it. Only the arrays of the ``wanted`` pieces
        are read (a pair glued in a text has both words in that text's piece)."""
        runs: list[list[tuple[str, int]]] = []
        words: list[tuple[str, int]] = []
        word: tuple[str, int] | None = None
        for entry in self._shows:
            if (entry is None or entry[0] not in wanted or entry[1] != b"TJ" or entry[3] == _OTHER
                    or not entry[2] or not isinstance(entry[2][0], list)):
                if words or word:
                    runs.append(words + ([word] if word else []))
                    words, word = [], None
                continue
            piece, items = entry[0], entry[2][0]
            gap = 0.0
            for item in items:
                if isinstance(item, (int, float)):
                    gap -= float(item)
                    continue
                text = _shown(item)
                if text == "":
                    continue  # "<>": an empty string, the shift before it goes on counting
                if text is None:  # the word it is in is not known whole: drop it, end the run
                    runs.append(words)
                    words, word, gap = [], None, 0.0
                    continue
                if gap >= WORD_GAP and word:
                    words.append(word)
                    word = (text, piece)
                else:
                    word = (word[0] + text, word[1]) if word else (text, piece)
                gap = 0.0
            if gap:
                runs.append(words + ([word] if word else []))
                words, word = [], None
        runs.append(words + ([word] if word else []))
        found: dict[int, list[tuple[str, str]]] = {}
        for run in runs:
            for (left, _piece), (right, piece) in zip(run, run[1:]):
                if _WORD_END.match(left[-1]) and _WORD_START.match(right[0]):
                    found.setdefault(piece, []).append((left, right))
        return found


_WORD_END = re.compile(r"[\w.,:;!?)\]}\x00]")  # a word gap after a word, not a formula's gap beside a sign ("a <")
_WORD_START = re.compile(r"[\w(\x00]")
_SUSPECT = re.compile(r"\S{8,}|[a-zß-ÿ][A-ZÀ-Þ]")  # a text that may have lost a space: a long run, "DieDreiecke"
_RUN = re.compile(r"\S{2,}")


def spaced_by_gaps(gaps: WordGaps, texts: list[str]) -> list[str]:
    """The visitor ``texts`` with a space between two words a TJ array of that piece sets a word gap apart where
    pypdf glued them (``WordGaps.pairs``). Looked at only in a text with a long run without a space or a
    lower-case letter before a capital ("DieDreiecke"): where pypdf lost spaces, it glued words so."""
    suspect = [index for index, text in enumerate(texts) if _SUSPECT.search(text)]
    if not suspect:
        return texts
    try:
        # an array is counted to the piece pypdf gives next; one that makes pypdf first flush the text before it
        # (a new line) stands in the piece after: the neighbours are read too, a pair must be glued in the text
        found = gaps.pairs({near for index in suspect for near in (index - 1, index, index + 1)})
    except Exception:  # an array pypdf could show but not read here: leave the text
        return texts
    out = list(texts)
    for index in suspect:
        near = [pair for piece in (index - 1, index, index + 1) for pair in found.get(piece, ())]
        pairs = [(left, right) for left, right in near if _occurs(left + right, texts[index])]
        if pairs:
            out[index] = _RUN.sub(lambda match: _spaced_run(match.group(), pairs), texts[index])
    return out


def _spaced_run(run: str, pairs: list[tuple[str, str]]) -> str:
    """One run without a space, with a space between the two words of each glued pair where the left word starts
    at a word boundary (the run's start, a mark beside it, or another pair's cut) and the right word ends at one;
    never in a link. A chain of pairs holds itself up: "eintopologischerRaummit" -> "ein topologischer Raum mit"."""
    if "/" in run or "@" in run or "www." in run.lower():
        return run
    found = [(at, at + len(left), at + len(left) + len(right)) for left, right in pairs
             for at in _places(run, left + right)]
    if not found:
        return run
    bounds = {0, len(run)} | {i for i in range(1, len(run)) if not (run[i - 1].isalnum() and run[i].isalnum())}
    changed = True
    while changed:  # the cuts that stand: each pair's words start and end at a boundary or at another cut
        cuts = {cut for _start, cut, _end in found}
        kept = [(start, cut, end) for start, cut, end in found if {start, end} <= bounds | cuts]
        changed, found = len(kept) != len(found), kept
    cuts = {cut for _start, cut, _end in found}
    for cut in sorted(cuts, reverse=True):
        run = run[:cut] + " " + run[cut:]
    return run


def _occurs(glued: str, text: str) -> bool:
    if _UNKNOWN not in glued:
        return glued in text
    return all(part in text for part in glued.split(_UNKNOWN)) and bool(_glued(glued).search(text))


def _places(run: str, glued: str) -> list[int]:
    if len(run) < len(glued):
        return []
    if _UNKNOWN in glued:
        return [match.start() for match in _glued(glued).finditer(run)]
    places, at = [], run.find(glued)
    while at >= 0:
        places.append(at)
        at = run.find(glued, at + 1)
    return places


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _glued(glued: str) -> re.Pattern[str]:
    """The pattern of two words glued: their characters, a byte not known here as any character but a space."""
    pattern = _PATTERNS.get(glued)
    if pattern is None:
        if len(_PATTERNS) > 4096:
            _PATTERNS.clear()
        pattern = _PATTERNS[glued] = re.compile("(?=(" + r"\S".join(map(re.escape, glued.split(_UNKNOWN))) + "))")
    return pattern


PIECE_GAP = 0.2  # ems: a gap between two pieces of one baseline at least this wide is a word space
_PIECE_END = re.compile(r"[^\W_]|[)\]}.,:;]")  # a letter, digit, closing bracket or mark ends the first piece
_PIECE_START = re.compile(r"[^\W\d_]|∆")  # a letter (a maths letter: "∆ABC" for a triangle) starts the second


def spaced_pieces(pieces: list[Any], texts: list[str], gaps: WordGaps, width: Callable[[int, str], float],
                  em: Callable[[int], float]) -> list[str]:
    """The visitor ``texts`` with a space before a piece that pypdf glued to the piece before it although the
    page sets it a word gap apart: on one baseline, in one size, the gap between where the first piece's glyphs
    end (``width(i, text)``: points by the font's widths) and where the second starts at least ``PIECE_GAP`` em.
    pypdf measures that gap against the space width of a font it no longer uses (after a symbol font of TeX's
    maths: "Sei" + "x" read as "Seix", "nach x}" + "und" + "p" as "x}undp"). Only between a letter, digit,
    closing bracket or mark and a letter: a sign's own spacing in a formula is left as pypdf gives it."""
    out = list(texts)
    for index in range(1, len(texts)):
        text, before = texts[index], out[index - 1]
        if not _PIECE_START.match(text[:1]) or not before or not _PIECE_END.match(before[-1]):
            continue
        (shown, x0, y0, size0, _b0), (_t1, x1, y1, size1, _b1) = pieces[index - 1], pieces[index]
        if not size0 or abs(size1 - size0) > 0.01 * size0 or abs(y1 - y0) > 0.05 * size0:
            continue
        glyphs = gaps.glyphs(index - 1)
        if glyphs is None or glyphs[0] != "".join(shown.split()):
            continue  # a space glyph, a byte that is not its character, a font without widths: not measured
        end = x0 + width(index - 1, glyphs[0]) + glyphs[1] / 1000 * em(index - 1)
        gap = x1 - end
        if PIECE_GAP * size0 <= gap <= 3 * size0:
            out[index] = " " + text
    return out
