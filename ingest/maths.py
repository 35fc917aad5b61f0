"""Mathematics set in a PDF: what ``ingest.layout`` must not take for a note marker, and what it must not lose.

fraction numerators
    A small raised number is a footnote marker to ``ingest.layout`` ("Dreiecks" + raised "1" -> "[1]"). In a
    fraction it is the numerator: LaTeX's ``\\nicefrac{1}{2}`` (a raised small "1", a slash, a small "2": "½") or
    a stacked ``\\frac{1}{2}`` (the "1" raised, the "2" lowered right under it, a fraction rule between). A raised
    number that is followed by a slash (or the fraction slash ⁄) and a number, or under which, at its place
    across, the next pieces put a smaller number below the line's baseline, is a numerator: it stays as it is.
overlines
    The closure of a set, the conjugate of a number, a segment: TeX draws the bar over "M" as a line (a stroke or a
    thin filled rectangle), not as a glyph, so pypdf gives "M" and the bar is lost ("M = R" where the page shows
    M̅ = R). A drawn horizontal line (at most ``THIN`` points high) as wide as a run of one to ``MAX_OVER``
    characters of one text piece (its ends within ``FIT`` of a font size of the run's), standing between
    ``OVER_LOW`` and ``OVER_HIGH`` font sizes above the piece's baseline, with no glyph standing on it (a
    fraction rule has its numerator above it) and no radical sign right before it (a root's vinculum, "√3") is
    an overline: each character under it gets the combining
    overline U+0305 ("M̅"), which is what the page shows. Table rules and underlines are longer or lower.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

FRACTION_SLASHES = ("/", "⁄")
THIN = 1.5  # points: an overline is a line, at most this high
MAX_OVER = 3  # characters: an overline covers a symbol or a short name ("M", "AB", "xyz")
FIT = 0.3  # font sizes: the bar's ends lie within this of the run's ends
OVER_LOW, OVER_HIGH = 0.55, 1.3  # font sizes above the baseline where an overline stands
OVERLINE = "\u0305"

Piece = tuple  # (text, x, y, size, bold) as ingest.layout reads them
Box = tuple[float, float, float, float]


def fraction_numerator(pieces: Sequence[Piece], index: int) -> bool:
    """Whether the number in ``pieces[index]`` is the numerator of a fraction (see the module docstring)."""
    text, x, y, size = pieces[index][:4]
    after = [piece for piece in pieces[index + 1: index + 4] if piece[0].strip()]
    if not after:
        return False
    following = after[0][0].lstrip()
    if following.startswith(FRACTION_SLASHES):
        rest = following[1:].lstrip() or (after[1][0].lstrip() if len(after) > 1 else "")
        if rest[:1].isdigit():
            return True
        # "1" over a rule over "r", written "1" + "/r" (``linear_fractions``): the letters stand under the number
        word = re.match(r"\w*", rest).group()
        return _short_denominator(word) and after[0][2] < y - 0.5 * size and abs(after[0][1] - x) <= size
    return any(
        _short_denominator(piece[0].strip()) and 0 < piece[3] <= 1.2 * size and piece[2] < y - 0.5 * size
        and abs(piece[1] - x) <= size
        for piece in after[:2]
    )


def _short_denominator(text: str) -> bool:
    """A number, or one or two letters ("r" of 1/r, "2π"): what a small stacked fraction has under its numerator
    (a note marker has a word, not a lone letter, straight under it at its own place)."""
    return text.isdigit() or (len(text) <= 2 and text.isalnum() and any(char.isalpha() for char in text))


def overlined_texts(pieces: Sequence[Piece], texts: list[str], width_of: Callable[[int, str], float],
                    boxes: Sequence[Box]) -> list[str]:
    """``texts`` (the text of each piece) with U+0305 after each character that a drawn overline stands over.

    ``width_of(i, s)``: the width in points of the text ``s`` set in piece ``i``'s font and size. Only pieces
    whose text is pypdf's (``texts[i] == pieces[i][0]``) are looked at; nothing but U+0305 is ever added."""
    bars = sorted(((box[1] + box[3]) / 2, box) for box in boxes if box[3] - box[1] <= THIN and box[2] > box[0])
    if not bars:
        return texts
    middles = [middle for middle, _ in bars]
    out = list(texts)
    for number, (piece, text) in enumerate(zip(pieces, texts)):
        piece_text, x, y, size = piece[:4]
        body = text.lstrip()
        if text != piece_text or size <= 0 or not body.strip() or len(body.rstrip()) > 12:
            continue  # an overline sits on a symbol: pieces of running text are not searched
        low, high = bisect_left(middles, y + OVER_LOW * size), bisect_right(middles, y + OVER_HIGH * size)
        if low >= high:
            continue
        slack = FIT * size
        right = x + width_of(number, body)
        reach = _scripts_end(pieces, number, right, size, width_of)
        marks: set[int] = set()
        for _middle, bar in bars[low:high]:
            if bar[0] < x - slack or bar[2] > max(right, reach) + slack:
                continue
            found = _run_under(body, x, size, bar, lambda s: width_of(number, s), reach)
            if (found is None or _stands_on(pieces, bar, y, size, width_of) or _under_root(pieces, number, body, found[0])
                    or _denominator(pieces, number, size, right) or _joined(bar, boxes)):
                continue
            marks.update(range(*found))
        if marks:
            lead = len(text) - len(body)
            out[number] = text[:lead] + "".join(char + (OVERLINE if at in marks else "")
                                                for at, char in enumerate(body))
    return out


def _run_under(body: str, x: float, size: float, bar: Box, width: Callable[[str], float],
               reach: float | None = None) -> tuple[int, int] | None:
    """The characters of ``body`` (starting at ``x``) whose run the bar spans end to end, or None. A run that
    ends the piece may end where its sub- or superscript ends (``reach``: the bar of σ̅₁ covers the "1")."""
    slack = FIT * size
    for start in range(len(body)):
        left = x + width(body[:start])
        if abs(left - bar[0]) > slack:
            continue
        for end in range(start + 1, min(len(body), start + MAX_OVER) + 1):
            run = body[start:end]
            if not run.strip() or run != run.strip() or not all(char.isalnum() for char in run):
                break
            right = x + width(body[:end])
            if reach is not None and not body[end:].strip() and abs(reach - bar[2]) <= slack:
                right = reach
            # the run is a whole symbol: no letter goes on before or after it in the piece ("a" of "aard")
            if abs(right - bar[2]) <= slack and not body[start - 1: start].isalnum() and not body[end: end + 1].isalpha():
                return start, end
    return None


def _under_root(pieces: Sequence[Piece], number: int, body: str, start: int) -> bool:
    """Whether the run starts right after a radical sign: the bar is the root's vinculum ("√3"), not an
    overline."""
    before = body[:start].rstrip() or (pieces[number - 1][0].rstrip() if number else "")
    return before.endswith(("√", "∛", "∜"))


def _stands_on(pieces: Sequence[Piece], bar: Box, y: float, size: float, width_of: Callable[[int, str], float]) -> bool:
    """Whether a glyph stands on the bar: a fraction's numerator, raised above the baseline ``y`` of the text
    under the bar by less than a line and starting over the bar, or centred over the bar and no wider than it
    (a display fraction's numerator stands as high above its rule as the line above stands over an overline;
    that line's words do not sit centred on the bar)."""
    middle, span = (bar[0] + bar[2]) / 2, bar[2] - bar[0]
    for number, piece in enumerate(pieces):
        text, x, piece_y = piece[:3]
        glyphs = text.strip()
        if not glyphs or not bar[3] <= piece_y <= bar[3] + 1.2 * size:
            continue
        if y + 0.25 * size <= piece_y <= y + 1.05 * size and bar[0] - size <= x <= bar[2] - 0.2 * size:
            return True
        width = width_of(number, glyphs)  # pypdf's place of a piece is where its first glyph stands
        if (width <= span + 0.3 * size and abs(x + width / 2 - middle) <= 0.3 * size
                and _alone_on_baseline(pieces, number, x, x + width, size, width_of)):
            return True
    return False


def _alone_on_baseline(pieces: Sequence[Piece], number: int, left: float, right: float, size: float,
                       width_of: Callable[[int, str], float]) -> bool:
    """Whether no other glyph stands on the piece's baseline within half a font size of it: a display
    fraction's numerator stands on its own over the rule; a sign in the line above an overline ("⇒A⊆A̅") has
    its line's glyphs beside it."""
    y = pieces[number][2]
    for other, piece in enumerate(pieces):
        text, x, piece_y = piece[:3]
        if other == number or not text.strip() or abs(piece_y - y) > 0.1 * size:
            continue
        lead = len(text) - len(text.lstrip())
        start = x + (width_of(other, text[:lead]) if lead else 0.0)
        end = x + width_of(other, text.rstrip())
        if start <= right + 0.5 * size and end >= left - 0.5 * size:
            return False
    return True


def _scripts_end(pieces: Sequence[Piece], number: int, right: float, size: float,
                 width_of: Callable[[int, str], float]) -> float:
    """Where the sub- and superscripts glued to the end of piece ``number`` end (smaller pieces of at most three
    glyphs, each starting where the one before ends): ``right`` when there are none."""
    reach = right
    for other in range(number + 1, min(number + 3, len(pieces))):
        text, x, _y, piece_size = pieces[other][:4]
        if (not text.strip() or text[:1].isspace() or len(text.strip()) > 3 or not 0 < piece_size <= SMALL_FRACTION * size
                or abs(x - reach) > 0.3 * size):
            break
        reach = x + width_of(other, text.rstrip())
    return reach


def _denominator(pieces: Sequence[Piece], number: int, size: float, right: float | None = None) -> bool:
    """Whether the piece stands lower than the text beside it (the piece before it or after it, within a few
    font sizes across, with a baseline higher by a fifth of a size up to a line): a fraction's denominator, its bar
    the fraction rule. A smaller piece after it that starts where its glyphs end (``right``) is its superscript
    (a prime, an exponent: "γ̅′′"), not a numerator."""
    x, y = pieces[number][1], pieces[number][2]
    before = pieces[number - 1] if number else None
    after = pieces[number + 1] if number + 1 < len(pieces) else None
    if (after is not None and right is not None and after[1] >= right - 0.1 * size
            and 0 < float(after[3] or 0) <= SMALL_FRACTION * size):
        after = None
    for other, near in ((before, before is not None and x - 3 * size <= before[1] <= x),
                        (after, after is not None and x <= after[1] <= x + 3 * size)):
        if near and other[0].strip() and 0.2 * size <= other[2] - y <= 1.6 * size:
            return True
    return False


def _joined(bar: Box, boxes: Sequence[Box]) -> bool:
    """Whether another drawn line meets the bar at one of its ends: a table's grid or a drawing, not an overline
    (TeX draws an overline or a fraction rule on its own)."""
    for box in boxes:
        if box == bar or (box[2] - box[0] > THIN and box[3] - box[1] > THIN):
            continue  # only lines: a frame around a theorem is drawn as one box and holds its overlines
        for end in (bar[0], bar[2]):
            if box[0] - 1.0 <= end <= box[2] + 1.0 and box[1] - 1.0 <= bar[1] and bar[3] <= box[3] + 1.0:
                return True
    return False


# --- exponents after a bracket ---------------------------------------------------------------------------------

CLOSING = ")]}⟩|‖"
SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def exponents_not_notes(lines: Sequence) -> None:
    """Give back to an exponent what ``ingest.layout`` took for a note marker: a raised number written "[n]"
    right after a closing bracket or a maths sign, with no space between ("(cx + d)" + raised "2": (cx + d)²),
    on a page where no line below it opens with that number (no footnote n to point to). It is written as the
    raised digits the page shows ("²"; NFKC makes that "2" in the stored text, as x² is stored). ``lines``: the
    page's ``ingest.layout.Line`` objects in pypdf's order; their ``text`` and ``markers`` are changed in place."""
    for line in lines:
        if not line.markers or "[" not in line.text:
            continue
        text, taken = line.text, 0
        for found in reversed(list(_GLUED_MARKER.finditer(text))):
            number = found.group(2)
            before = found.group(1)
            if f"[{number}]" in line.raw or not (before in CLOSING or unicodedata.category(before) == "Sm"):
                continue
            if _opens_a_line_below(lines, line, number):
                continue
            text = text[:found.start(2) - 1] + number.translate(SUPERSCRIPT_DIGITS) + text[found.end(2) + 1:]
            taken += 1
        if taken:
            line.text, line.markers = text, max(0, line.markers - taken)


_GLUED_MARKER = re.compile(r"(\S)\[(\d{1,3})\]")


def _opens_a_line_below(lines: Sequence, line: Any, number: str) -> bool:
    """Whether a line below ``line`` on the page opens with ``number`` (as "[n]" or "n"): a footnote's number."""
    opening = re.compile(rf"(?:\[{number}\]|{number}(?!\d))")
    return any(other is not line and other.y < line.y and (opening.match(other.text.lstrip())
                                                              or opening.match(other.raw.lstrip()))
               for other in lines)


# --- stacked fractions -----------------------------------------------------------------------------------------

FRACTION_SHORT = 4  # characters: a numerator or denominator written linearly is a number or a short symbol
SMALL_FRACTION = 0.85  # a text-style fraction is set smaller than this share of the text beside it


def linear_fractions(pieces: Sequence[Piece], texts: list[str], width_of: Callable[[int, str], float],
                     boxes: Sequence[Box]) -> list[str]:
    """``texts`` with each small stacked fraction written linearly: a short numerator piece right followed by a
    short denominator piece of its size, centred under it (their middles within half the wider one's width), the
    numerator's baseline 0.6-2.2 font sizes above the denominator's, a drawn line (at most ``THIN`` high)
    between them as wide as the wider of the two (within a font size), and both smaller than the text beside
    them. pypdf gives "1" and "2" as " 1 2"; the denominator is written after a "/" (" 1/2"): the linear form of
    the fraction rule the page draws. Only the space before the denominator is replaced; no glyph is added but
    the slash for the rule."""
    rules = [box for box in boxes if box[3] - box[1] <= THIN and box[2] > box[0]]
    if not rules:
        return texts
    out = list(texts)
    for top in range(len(pieces) - 1):
        bottom = top + 1
        over, under = out[top], out[bottom]
        if over != pieces[top][0] or under != pieces[bottom][0] or not _short(over) or not _short(under):
            continue
        _, x, y, size = pieces[top][:4]
        _, dx, dy, dsize = pieces[bottom][:4]
        if size <= 0 or dsize <= 0 or abs(size - dsize) > 0.2 * max(size, dsize):
            continue
        if not 0.6 * size <= y - dy <= 2.2 * size:
            continue
        width, dwidth = width_of(top, over.strip()), width_of(bottom, under.strip())
        if not any(_over_a_rule(rules, (left, y, width), (dleft, dy, dwidth), size)
                   for left, dleft in _glyph_starts(over, under, x, dx, top, bottom, width_of)):
            continue
        if not _smaller_than_beside(pieces, top, bottom, size):
            continue
        out[top] = over.rstrip(" ")
        out[bottom] = "/" + under.lstrip(" ")
    return out


def _glyph_starts(over: str, under: str, x: float, dx: float, top: int, bottom: int,
                  width_of: Callable[[int, str], float]) -> list[tuple[float, float]]:
    """Where the numerator's and the denominator's glyphs may start: after their leading spaces, or at the
    pieces' own places where pypdf's space is one it wrote for a move of the pen, no glyph (a maths font has no
    space glyph: its width would push the denominator "r" of an inline 1/r off its rule)."""
    lead, dlead = len(over) - len(over.lstrip()), len(under) - len(under.lstrip())
    starts = [(x + width_of(top, over[:lead]), dx + width_of(bottom, under[:dlead]))]
    if lead or dlead:
        starts.append((x, dx))
    return starts


def _over_a_rule(rules: Sequence[Box], over: tuple[float, float, float], under: tuple[float, float, float],
                 size: float) -> bool:
    """Whether a numerator (start, baseline, width) stands centred over a denominator with a drawn rule between
    them as wide as the wider of the two (within a font size)."""
    (left, y, width), (dleft, dy, dwidth) = over, under
    wide = max(width, dwidth)
    if abs((left + width / 2) - (dleft + dwidth / 2)) > wide / 2 + 0.1 * size:
        return False
    span = (min(left, dleft), max(left + width, dleft + dwidth))
    return any(dy < (rule[1] + rule[3]) / 2 < y and rule[0] <= span[0] + 0.5 * size
               and rule[2] >= span[1] - 0.5 * size and rule[2] - rule[0] <= wide + 2 * size for rule in rules)


def _short(text: str) -> bool:
    body = text.strip()
    return bool(body) and "\n" not in body and len(body) <= FRACTION_SHORT and " " not in body and all(
        char.isalnum() or char in "+−-′'·" for char in body)


def _smaller_than_beside(pieces: Sequence[Piece], top: int, bottom: int, size: float) -> bool:
    """Whether a piece with glyphs right before the numerator or right after the denominator is set larger."""
    for near in (top - 1, bottom + 1):
        if 0 <= near < len(pieces) and pieces[near][0].strip() and size < SMALL_FRACTION * float(pieces[near][3] or 0):
            return True
    return False


# --- limits of a large operator ----------------------------------------------------------------------------------

LARGE_OPERATORS = frozenset("∑∏∐⋃⋂⨁⨂⨀⋁⋀∫∮")
LIMIT_PIECES = 12  # pieces of one limit ("0", "≤", "j", "<", "i", ...)
LIMIT_CHARS = 12


def operator_limits(pieces: Sequence[Piece], texts: list[str], width_of: Callable[[int, str], float]) -> list[str]:
    """``texts`` with the limits set above and below a large operator written after it: "∑_{i=0}^{n}".

    TeX sets a display sum's upper limit above the sign and its lower limit below it; pypdf gives them in the
    order drawn, each on a line of its own, the upper limit before the sign ("n" / "∑" / "i=0"), and the passage
    read "n ∑ i=0 (−1)i∂iσ". The upper limit: the pieces right before the sign (white space aside), smaller than
    it, standing above its baseline, centred over it (their middle within a font size of the sign's); the lower
    limit: the pieces right after it, likewise below its baseline. The lower limit must be there (an upper one
    alone is not told from the line above), both short; a limit of two lines is left as it is. The operator is
    written "∑_{lower}^{upper}" (or "∑_{lower}"; the linear form of TeX's own notation) where the upper limit
    stood (first in pypdf's order, in the flow of the formula), else where the sign stood; the other pieces keep
    only their line breaks (a line of a space, like a brace's label in ``ingest.tex_glyphs``): no glyph is lost,
    only the marks "_{", "}^{" and "}" are added."""
    out = list(texts)
    for number, (piece, text) in enumerate(zip(pieces, texts)):
        sign = text.strip()
        if len(sign) != 1 or sign not in LARGE_OPERATORS or text != piece[0] or "\n" in text:
            continue
        _, x, y, size = piece[:4]
        if size <= 0:
            continue
        middle = x + width_of(number, sign) / 2
        upper = _limit(pieces, out, range(number - 1, -1, -1), lambda p: p[2] > y, size, middle, width_of)
        lower = _limit(pieces, out, range(number + 1, len(pieces)), lambda p: p[2] < y, size, middle, width_of)
        if not lower:
            continue  # an upper limit alone is not told from the line above
        below = "".join(out[at] for at in sorted(lower)).replace("\n", "").strip()
        above = "".join(out[at] for at in sorted(upper)).replace("\n", "").strip()
        if not below or len(below) > LIMIT_CHARS or len(above) > LIMIT_CHARS:
            continue
        limits = f"_{{{below}}}" + (f"^{{{above}}}" if above else "")
        # the whole operator goes where pypdf's order starts it: on the upper limit's line, when there is one
        # (a line of its own in the flow of the formula), else on the sign's
        home = min(upper) if upper else number
        home_text = out[home]
        for at in upper + lower + [number]:
            out[at] = " " + "".join(char for char in out[at] if char == "\n")
        lead = home_text[: len(home_text) - len(home_text.lstrip())]
        tail = home_text[len(home_text.rstrip()):] if home != number else text[len(text.rstrip()):]
        out[home] = f"{lead}{sign}{limits}" + tail
    return out


def _limit(pieces: Sequence[Piece], texts: list[str], order: range, side: Callable[[Piece], bool], size: float,
           middle: float, width_of: Callable[[int, str], float]) -> list[int]:
    """The pieces of one limit in ``order`` from the sign: glyph pieces smaller than the sign on its ``side``,
    up to the first that is not (pieces of only white space and line breaks skipped); [] when their middle is
    not over the sign's."""
    found: list[int] = []
    for at in order:
        text = texts[at]
        if not text.strip():
            continue
        piece = pieces[at]
        if not 0 < piece[3] <= SMALL_FRACTION * size or not side(piece):
            break
        if found and abs(piece[2] - pieces[found[-1]][2]) > 0.2 * size:
            return []  # a limit of two lines ("U⊆M" over "U∈T"): left as it is
        if len(found) == LIMIT_PIECES:
            return []  # longer than a limit: not cut, left as it is
        found.append(at)
    if not found:
        return []
    left = min(pieces[at][1] for at in found)
    right = max(pieces[at][1] + width_of(at, texts[at].rstrip()) for at in found)
    lead = texts[min(found, key=lambda at: pieces[at][1])]
    left += width_of(min(found, key=lambda at: pieces[at][1]), lead[: len(lead) - len(lead.lstrip())])
    return found if abs((left + right) / 2 - middle) <= size else []
