"""Ligatures of a Type 3 bitmap font, read from the glyphs' own pictures.

pdfTeX embeds TeX's bitmap (pk) fonts as Type 3 fonts without a ToUnicode map and with glyph names that say
nothing ("a28": the glyph at code 28). pypdf, like pdfium, then gives the bare code: letters come out right
(their codes are ASCII), but a ligature sits at a control code ("speci\\x1ccs", "\\x1crst": the T1 encoding's
"fi" at 28), and the cleaner drops it: "specics". Which letters such a glyph shows is in the font itself:
its picture is the pictures of the letters it joins, side by side. So, for a glyph at a control code:

1. its bitmap (the inline image of its glyph procedure) is cut into parts at the columns without ink;
2. each part is compared with the letters (a-z, A-Z) of the same font and of the document's other Type 3
   fonts of the same scale (the same ``/FontMatrix``: the same pixel grid; a bold title face may lack a
   letter that the body face has), each placed on the glyph's baseline at the part's left edge, shifted by
   up to one pixel: the share of ink they have in common (intersection over union);
3. when every part matches one letter by at least ``MIN_MATCH`` and no other letter comes within
   ``MARGIN``, the glyph reads as those letters ("fi");
4. a glyph whose letters touch ("ff": two f's joined by their bar) is read as two letters when one letter
   lies inside it at its left edge and one at its right edge and together they cover it (``_pair_of``).
Otherwise it stays unread (nothing is guessed): "\x1crst" in a title font that has no "f" of its size to
compare with stays as it is, and the cleaner drops the code.

Only pictures decide, never a dictionary of words.
"""

from __future__ import annotations

import re
from typing import Any

from kennisbank.ingest.parse_scope import per_document

MIN_MATCH = 0.75
MARGIN = 0.08
INSIDE = 0.9  # a letter of two that touch lies inside the glyph by this share of its ink
MIN_PAIR = 0.85
MAX_SHIFT = 1  # pixels a letter may stand off from where the part suggests

_IMAGE = re.compile(rb"(?P<a>-?[\d.]+)\s+0\s+0\s+(?P<d>-?[\d.]+)\s+(?P<x>-?[\d.]+)\s+(?P<y>-?[\d.]+)\s+cm\s*BI\b(?P<dict>.*?)\bID\s",
                    re.DOTALL)
_ENTRY = re.compile(rb"/(?P<key>W|H|Width|Height|D|Decode|IM|ImageMask|BPC|BitsPerComponent)\s*(?P<value>\[[^\]]*\]|\S+)")

Ink = frozenset[tuple[int, int]]
# (id(font), id(document)) -> (font, letters)
_CACHE: dict[tuple[int, int], tuple[Any, dict[int, str]]] = per_document()


def type3_ligatures(font: Any, document: Any = None) -> dict[int, str]:
    """Code -> letters of the glyphs at control codes (below 32) of a Type 3 font whose pictures are letters
    of the font side by side (see the module docstring); ``document`` (pypdf's reader) gives the other Type 3
    fonts to compare with."""
    font = font.get_object() if hasattr(font, "get_object") else font
    cached = _CACHE.get((id(font), id(document)))
    if cached is not None and cached[0] is font:
        return cached[1]
    try:
        found = _ligatures(font, document)
    except Exception:  # an unusual glyph procedure: no evidence, nothing read
        found = {}
    if len(_CACHE) > 256:
        _CACHE.clear()
    _CACHE[(id(font), id(document))] = (font, found)
    return found


def _ligatures(font: Any, document: Any) -> dict[int, str]:
    if font.get("/Subtype") != "/Type3" or "/ToUnicode" in font:
        return {}
    found, partial = _direct(font, document)
    found = dict(found)
    if partial and document is not None:
        found.update(_by_document(partial, document))
    return found


_DIRECT: dict[tuple[int, int], tuple[Any, tuple[dict[int, str], dict[int, list[str | None]]]]] = per_document()


def _direct(font: Any, document: Any) -> tuple[dict[int, str], dict[int, list[str | None]]]:
    """The glyphs at control codes read from the pictures of the font's own letters and those of its scale
    (code -> letters), and the glyphs read only in part (code -> each part's letter or None)."""
    cached = _DIRECT.get((id(font), id(document)))
    if cached is not None and cached[0] is font:
        return cached[1]
    found: dict[int, str] = {}
    partial: dict[int, list[str | None]] = {}
    unknown = {code: name for code, name in _names(font).items() if code < 32}
    letters: list[tuple[str, Ink, tuple[int, int, int, int]]] = []
    if unknown:
        for other in [font, *_siblings(font, document)]:
            letters += _letters(other)
    for code, name in unknown.items() if letters else ():
        ink = _ink(font, name)
        if not ink:
            continue
        parts = _parts(ink)
        read = [_letter_of(part, letters) for part in parts] if len(parts) >= 2 else [None]
        if all(read):
            found[code] = "".join(read)  # type: ignore[arg-type]
        elif (pair := _pair_of(ink, letters)) is not None:
            found[code] = pair
        elif len(read) >= 2 and any(read):
            partial[code] = read
    if len(_DIRECT) > 256:
        _DIRECT.clear()
    _DIRECT[(id(font), id(document))] = (font, (found, partial))
    return found, partial


def _by_document(partial: dict[int, list[str | None]], document: Any) -> dict[int, str]:
    """Glyphs read in part, completed by the document's other Type 3 fonts: a TeX document sets its fonts in
    one encoding, so where the other fonts' glyphs at the same code all read as the same letters from their
    pictures, one letter per part, and every part of this glyph that could be read is that letter ("?i"
    at 28 in a title face with no "f" of its own, "fi" at 28 in the body faces), the glyph reads so.
    Different readings at that code, or a part that reads otherwise: nothing is read."""
    found: dict[int, str] = {}
    fonts = _siblings_all(document)
    for code, read in partial.items():
        readings = set()
        for other in fonts:
            if "/ToUnicode" in other:
                continue
            other_found, _ = _direct(other, document)
            if code in other_found:
                readings.add(other_found[code])
        if len(readings) != 1:
            continue
        letters = readings.pop()
        if len(letters) == len(read) and all(part is None or part == letter for part, letter in zip(read, letters)):
            found[code] = letters
    return found


def _pair_of(ink: Ink, letters: list[tuple[str, Ink, tuple[int, int, int, int]]]) -> str | None:
    """Two letters that touch ("ff": two f's joined by their bar): a letter lying inside the glyph at its left
    edge and one lying inside it at its right edge (``INSIDE`` of their ink within the glyph's), whose pictures
    together cover the glyph (intersection over union at least ``MIN_PAIR``, no other pair within ``MARGIN``)."""
    left, bottom, right, top = _box(ink)
    lefts, rights = [], []
    for char, letter, (l_left, l_bottom, l_right, l_top) in letters:
        if l_right - l_left >= right - left or abs((l_top - l_bottom) - (top - bottom)) > 0.25 * (top - bottom) + 2:
            continue  # as wide as the glyph, or of another height: not one of two letters side by side
        for side, offset in ((lefts, left - l_left), (rights, right - l_right)):
            inside, placed = max(((len(moved & ink) / len(moved), moved) for moved in _shifted(letter, offset)),
                                 key=lambda item: item[0])
            if inside >= INSIDE:
                side.append((char, placed))
    scores: dict[str, float] = {}
    for first, a in lefts:
        for second, b in rights:
            union = a | b
            score = len(union & ink) / len(union | ink)
            scores[first + second] = max(scores.get(first + second, 0.0), score)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < MIN_PAIR or (len(ranked) > 1 and ranked[1][1] > ranked[0][1] - MARGIN):
        return None
    return ranked[0][0]


def _shifted(ink: Ink, offset: int) -> list[Ink]:
    return [frozenset((x + offset + dx, y + dy) for x, y in ink)
            for dx in range(-MAX_SHIFT, MAX_SHIFT + 1) for dy in range(-MAX_SHIFT, MAX_SHIFT + 1)]


_LETTERS: dict[int, tuple[Any, list]] = per_document()  # id(font) -> (font, its letters' pictures with their boxes)


def _letters(font: Any) -> list[tuple[str, Ink, tuple[int, int, int, int]]]:
    """The letters a-z, A-Z of a Type 3 font with their pictures (cached: a font is compared many times)."""
    cached = _LETTERS.get(id(font))
    if cached is None or cached[0] is not font:
        found = []
        for code, name in _names(font).items():
            if chr(code).isascii() and chr(code).isalpha():
                ink = _ink(font, name)
                if ink:
                    found.append((chr(code), ink, _box(ink)))
        if len(_LETTERS) > 256:
            _LETTERS.clear()
        cached = _LETTERS[id(font)] = (font, found)
    return cached[1]


def _names(font: Any) -> dict[int, str]:
    encoding = font.get("/Encoding")
    encoding = encoding.get_object() if hasattr(encoding, "get_object") else encoding
    names: dict[int, str] = {}
    if not isinstance(encoding, dict):
        return names
    code = 0
    for item in encoding.get("/Differences", []):
        if isinstance(item, (int, float)):
            code = int(item)
        else:
            if str(item) != "/.notdef":
                names[code] = str(item)
            code += 1
    return names


_SIBLINGS: dict[int, tuple[Any, list[Any]]] = per_document()  # id(reader) -> (reader, its Type 3 fonts)


def _siblings(font: Any, document: Any) -> list[Any]:
    """The document's other Type 3 fonts with the same ``/FontMatrix`` (the same pixel grid)."""
    if document is None:
        return []
    matrix = [float(v) for v in font.get("/FontMatrix", [])]
    return [other for other in _siblings_all(document) if other is not font
            and [float(v) for v in other.get("/FontMatrix", [])] == matrix]


def _siblings_all(document: Any) -> list[Any]:
    """All Type 3 fonts of the document (cached per document)."""
    cached = _SIBLINGS.get(id(document))
    if cached is None or cached[0] is not document:
        fonts: dict[int, Any] = {}
        for page in document.pages:
            resources = page.get("/Resources") or {}
            resources = resources.get_object() if hasattr(resources, "get_object") else resources
            for ref in (resources.get("/Font") or {}).values():
                other = ref.get_object()
                if other.get("/Subtype") == "/Type3":
                    fonts[id(other)] = other
        if len(_SIBLINGS) > 8:
            _SIBLINGS.clear()
        cached = _SIBLINGS[id(document)] = (document, list(fonts.values()))
    return cached[1]


def _ink(font: Any, name: str) -> Ink:
    """The inked pixels of a glyph's bitmap in the glyph's own pixel grid (x right, y up from the baseline)."""
    procs = font.get("/CharProcs")
    procs = procs.get_object() if hasattr(procs, "get_object") else procs
    if not procs or name not in procs:
        return frozenset()
    data = procs[name].get_object().get_data()
    match = _IMAGE.search(data)
    if match is None:
        return frozenset()
    entries = {m.group("key").decode(): m.group("value").decode() for m in _ENTRY.finditer(match.group("dict"))}
    width, height = int(entries.get("W", entries.get("Width", 0))), int(entries.get("H", entries.get("Height", 0)))
    if not width or not height or entries.get("IM", entries.get("ImageMask")) != "true":
        return frozenset()
    ink_bit = 1 if entries.get("D", entries.get("Decode", "")).replace(" ", "") == "[10]" else 0
    raw = data[match.end(): match.end() + height * ((width + 7) // 8)]
    row_bytes = (width + 7) // 8
    if len(raw) < height * row_bytes:
        return frozenset()
    left, bottom = round(float(match.group("x"))), round(float(match.group("y")))
    scale_x, scale_y = float(match.group("a")), float(match.group("d"))
    if round(scale_x) != width or round(scale_y) != height:
        return frozenset()  # a picture scaled off the pixel grid: not compared
    return frozenset(
        (left + col, bottom + height - 1 - row)
        for row in range(height) for col in range(width)
        if (raw[row * row_bytes + col // 8] >> (7 - col % 8)) & 1 == ink_bit
    )


def _parts(ink: Ink) -> list[Ink]:
    """The ink cut at the columns without ink, left to right."""
    columns = sorted({x for x, _ in ink})
    groups: list[list[int]] = []
    for x in columns:
        if groups and x == groups[-1][-1] + 1:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [frozenset(p for p in ink if group[0] <= p[0] <= group[-1]) for group in groups]


def _box(ink: Ink) -> tuple[int, int, int, int]:
    xs, ys = [x for x, _ in ink], [y for _, y in ink]
    return min(xs), min(ys), max(xs), max(ys)


def _letter_of(part: Ink, letters: list[tuple[str, Ink, tuple[int, int, int, int]]]) -> str | None:
    """The letter whose picture covers the part (see the module docstring), or None."""
    left, bottom, right, top = _box(part)
    best: dict[str, float] = {}
    for char, ink, (ink_left, ink_bottom, ink_right, ink_top) in letters:
        width, height = right - left + 1, top - bottom + 1
        if (abs((ink_right - ink_left + 1) - width) > 0.25 * width + 2
                or abs((ink_top - ink_bottom + 1) - height) > 0.25 * height + 2):
            best.setdefault(char, 0.0)  # another size: far from a match (the margin still counts it)
            continue
        offset = left - ink_left
        score = 0.0
        for dx in range(-MAX_SHIFT, MAX_SHIFT + 1):
            for dy in range(-MAX_SHIFT, MAX_SHIFT + 1):
                placed = {(x + offset + dx, y + dy) for x, y in ink}
                common = len(part & placed)
                score = max(score, common / (len(part) + len(placed) - common))
        best[char] = max(best.get(char, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < MIN_MATCH:
        return None
    if len(ranked) > 1 and ranked[1][1] > ranked[0][1] - MARGIN:
        return None
    return ranked[0][0]


# --- Double quotes of a Type 3 bitmap font ----------------------------------------------------------------

# T1-encoded TeX fonts put the double quotes at control codes (16 "“", 17 "”", 18 "„") and name them "a16":
# pypdf gives the bare code and the cleaner drops it ("recovery of lost-type information" for "of “lost-type”
# information"). Such a glyph's picture is two single quote marks side by side, and the font has the single
# marks at their ASCII codes ("'" at 39, "`" at 96, "," at 44), whose codes pypdf maps. A glyph reads as a
# double quote only when both its parts match the same single mark at the same height; where the font has no
# "`", the "'" turned half round stands in for it (TeX's Computer Modern and its successors draw the opening
# quote so; in a font that does otherwise the turned mark matches nothing and nothing is read).
_DOUBLES = {"'": "\u201d", "`": "\u201c", ",": "\u201e"}


def type3_quotes(font: Any, document: Any = None) -> dict[int, str]:
    """Code -> double quote ("“", "”", "„") of the glyphs at control codes (below 32) of a Type 3 font whose
    pictures are two single quote marks of the font (or of a Type 3 font of the same scale) side by side, at
    the mark's own height; nothing for a glyph that matches no mark clearly."""
    font = font.get_object() if hasattr(font, "get_object") else font
    try:
        if font.get("/Subtype") != "/Type3" or "/ToUnicode" in font:
            return {}
        names = _names(font)
        unknown = {code: name for code, name in names.items() if code < 32}
        if not unknown:
            return {}
        marks = _marks(font, document)
        if not marks:
            return {}
        found: dict[int, str] = {}
        for code, name in unknown.items():
            ink = _ink(font, name)
            parts = _parts(ink) if ink else []
            if len(parts) != 2:
                continue
            read = [_mark_of(part, marks) for part in parts]
            if read[0] is not None and read[0] == read[1]:
                found[code] = _DOUBLES[read[0]]
        return found
    except Exception:  # an unusual glyph procedure: no evidence, nothing read
        return {}


def _marks(font: Any, document: Any) -> list[tuple[str, Ink]]:
    """The single marks "'", "`" and "," of the font (else of a Type 3 font of the same scale), as pictures
    in the glyph grid; "`" made from "'" turned half round where no font has it."""
    found: dict[str, Ink] = {}
    for other in [font, *_siblings(font, document)]:
        names = _names(other)
        for char in ("'", "`", ","):
            if char not in found and ord(char) in names:
                ink = _ink(other, names[ord(char)])
                if ink:
                    found[char] = ink
    if "'" in found and "`" not in found:
        left, bottom, right, top = _box(found["'"])
        found["`"] = frozenset((left + right - x, bottom + top - y) for x, y in found["'"])
    return list(found.items())


def _mark_of(part: Ink, marks: list[tuple[str, Ink]]) -> str | None:
    """The mark whose picture, placed at the part's left edge and at its own height (shifted by up to a
    pixel), covers the part by at least ``MIN_MATCH`` with no other mark within ``MARGIN``."""
    left = _box(part)[0]
    scores: dict[str, float] = {}
    for char, ink in marks:
        offset = left - _box(ink)[0]
        score = max(len(part & moved) / len(part | moved) for moved in _shifted(ink, offset))
        scores[char] = max(scores.get(char, 0.0), score)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < MIN_MATCH:
        return None
    if len(ranked) > 1 and ranked[1][1] > ranked[0][1] - MARGIN:
        return None
    return ranked[0][0]
