"""A slide read box by box: the text boxes of a slide, in reading order, each its own paragraph.

A slide is not a page of running text: it is a set of text boxes placed side by side and above each other (a
title, columns, numbered steps, a label over a box, a footer line). pypdf gives a slide's lines in the order of
the PDF's content stream, box after box, with nothing between two boxes, so the cleaner ran the last line of
one box into the first of the next ("afmelden. 2", "... inzicht. ★ Geregistreerd energielabel"). Here, for a
slide deck (``LayoutStats.slides``), the body lines of every slide (``ingest.layout``: with their place, size
and, from the font's widths, where they end) are read as boxes:

boxes
    Consecutive lines (in pypdf's order) belong to one box while each line stands below the one before it,
    at most ``LINE_GAP`` font sizes lower, aligned with it (the same left edge, centre or right edge within
    ``ALIGN`` font sizes, or starting inside it); a line that goes up, jumps sideways or far down starts a
    new box. Inside a box a gap clearly wider than the box's line spacing (``PARAGRAPH_GAP``) starts a new
    paragraph.
markers
    A box that is only a short run without letters (a step number "2", an arrow "→", a star) is a marker,
    not text: a number goes before the first line of the box that follows it in reading order ("2 Opname
    ter plaatse"), a marker without a digit is dropped (it carries no word). A marker is never glued to
    the end of a sentence.
reading order
    The boxes are ordered by cutting the slide recursively along empty bands (the classic X-Y cut): across
    (rows, top to bottom) or down (columns, left to right). When both cuts are possible (a grid), the one
    that keeps the content stream's order best decides (an agenda numbered row by row, three numbered
    columns side by side); where no cut is possible, the content stream's order stays.
title
    The slide's title (``ingest.layout`` takes its first line in the largest font) is all the lines of that
    line's box in that size (a title wrapped over two lines is one title); a box of more than
    ``TITLE_LINES`` lines or ``TITLE_WORDS`` words in the largest font is a quote or a paragraph, not a
    title: that slide has no title.
diagram slides
    A slide whose lines are all short labels scattered over the slide (every box one line of at most
    ``LABEL_WORDS`` words, at least ``LABEL_CELLS`` labels, no sentence, no list item) is the text of a
    drawing ("Passenger id Class Age Gender Survival", "model.fit() + dataframe training set"): its page
    number is listed in ``LayoutStats``-style ``figure_slides``, and the splitter marks its passage
    ``kind: figure`` (not indexed; the text stays on the stored page).

``slide_text`` writes a slide's body text: boxes apart by a blank line, the lines of a box one a line (the
cleaner reflows a box's lines into its paragraph). Only the page's own lines are written, in another order
and with blank lines between them: no word is added or changed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kennisbank.ingest.code import listing_lines
from kennisbank.ingest.layout import Line, PageLayout
from kennisbank.ingest.tables import body_text, cells

LINE_GAP = 2.3  # font sizes: a line this far below the one before it at most still belongs to its box
ALIGN = 0.6  # font sizes: two lines of a box share a left edge, centre or right edge within this
PARAGRAPH_GAP = 1.08  # a gap this many times the box's line spacing starts a new paragraph in the box
MARKER_GAP = 3.0  # font sizes: a step number stands at most this far above or before the box it numbers
HEADING_GAP = 4.0  # font sizes: a box's heading stands at most this far above the box
TITLE_LINES = 2
TITLE_WRAP = 1.6  # font sizes: the lines of a title wrapped over two lines stand at most this far apart
TITLE_WORDS = 16
LABEL_WORDS = 6
LABEL_CELLS = 3
SEGMENT_GAP = 1.2  # font sizes: pieces of one line this far apart are two text boxes side by side
CUT_GAP = 1.0  # points: an empty band at least this wide separates boxes
BULLET_SIZE = 0.9  # font sizes: a drawn list bullet is at most this wide and high ...
BULLET_MIN = 0.15  # ... and at least this (a hairline is no bullet)
BULLET_GAP = 2.0  # font sizes: a drawn bullet ends at most this far before its item's first letter
ICON_SIZE = 3.0  # font sizes: a drawing this small around a mark is an icon (a logo), the mark one of its strokes
BULLET = "• "  # how a drawn bullet is written: as the glyph bullets of other PDFs (ingest.cleaning keeps the item a line)

_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]+")
_CLOSING = re.compile(r"[.?!:;][\"'”’)\]]*$")
# arrows (U+2190-21FF, U+27F0-27FF, U+2900-297F), geometric shapes, symbols and dingbats (U+25A0-27BF)
_SIGN = "[\u2190-\u21ff\u25a0-\u27bf\u27f0-\u27ff\u2900-\u297f•]"
_MARKER = re.compile(rf"(?:{_SIGN}\s?)?\d{{1,2}}[.)]?|{_SIGN}")
_ITEM = re.compile(r"\s*(?:[•◦▪‣∙·○●■□➢►✓✔*\-–—]|\d{1,2}[.)])\s")


@dataclass
class Box:
    """Lines of one text box in pypdf's order; ``breaks``: indices of lines that start a new paragraph."""

    lines: list[Line]
    breaks: set[int] = field(default_factory=set)
    order: int = 0  # place in the content stream
    formula: bool = False  # the pieces of one display formula (see _formula_boxes): one paragraph

    @property
    def left(self) -> float:
        return min(line.x for line in self.lines)

    @property
    def right(self) -> float:
        return max(max(line.right, line.x) for line in self.lines)

    @property
    def top(self) -> float:
        return max(line.y + 0.75 * line.size for line in self.lines)

    @property
    def bottom(self) -> float:
        return min(line.y - 0.25 * line.size for line in self.lines)

    def text(self) -> str:
        return " ".join(" ".join(line.text.split()) for line in self.lines)

    def is_marker(self) -> bool:
        return len(self.lines) == 1 and _is_marker(self.lines[0])


# --- Boxes -----------------------------------------------------------------------------------------------


def boxes(page: PageLayout) -> list[Box]:
    """The text boxes of a slide's body lines, in pypdf's order (see the module docstring)."""
    whole = [line for line in page.lines if line.role == "body" and line.text.strip() and line.positioned]
    # a line of a code listing (ingest.code) stays whole and is never a marker, even a bare line number
    listing = {index for first, last in listing_lines([line.text for line in whole]) for index in range(first, last + 1)}
    lines = [(segment, index in listing) for index, line in enumerate(whole)
             for segment in ([line] if index in listing else _segments(line))]
    found: list[Box] = []
    for line, in_listing in lines:
        current = found[-1] if found else None
        marker = _is_marker(line) and not in_listing
        if current is None or current.is_marker() or marker or not _continues(current.lines[-1], line):
            found.append(Box([line], order=len(found)))
            continue
        current.lines.append(line)
    found = _formula_boxes(found)
    for box in found:
        if not box.formula:
            _paragraphs(box)
    return found


FORMULA_BAND = 4.5  # font sizes: the pieces of a display formula stand in a band at most this high
FORMULA_PARTS = 3  # ... and a formula is at least this many pieces (a sum, its limits, a fraction's parts)
_LONG_WORD = re.compile(r"[^\W\d_]{3,}")


def _formula_boxes(found: list[Box]) -> list[Box]:
    """Boxes that are the pieces of one display formula made one box: a run of at least ``FORMULA_PARTS``
    consecutive boxes of at most three short lines without a word of three letters (symbols, single letters, digits: "I ≃", "( N",
    "∑", "i=2", "N !", "2(N − i)!", ")"), at least one of them with a maths sign, standing side by side or over
    each other in a band at most ``FORMULA_BAND`` font sizes high, each starting near the run's extent across.
    pypdf gives such a formula as many lines (a sum's limits, a fraction's numerator and denominator stand
    higher or lower), and each line was a box, a paragraph of its own. The lines keep pypdf's order."""
    out: list[Box] = []
    run: list[Box] = []

    def flush() -> None:
        if len(run) >= FORMULA_PARTS and any(_has_maths_sign(box.text()) for box in run):
            out.append(Box([line for box in run for line in box.lines], order=run[0].order, formula=True))
        else:
            out.extend(run)
        run.clear()

    for box in found:
        if not _formula_part(box) or (run and not _fits_formula(run, box)):
            flush()
        if _formula_part(box):
            run.append(box)
        else:
            out.append(box)
    flush()
    return out


def _formula_part(box: Box) -> bool:
    text = box.text()
    return (len(box.lines) <= 3 and not any(line.heading for line in box.lines) and bool(text.strip())
            and not _LONG_WORD.search(text) and len(text) <= 40)


def _has_maths_sign(text: str) -> bool:
    return any(unicodedata.category(char) == "Sm" for char in text)


def _fits_formula(run: list[Box], box: Box) -> bool:
    size = max(line.size for part in [*run, box] for line in part.lines)
    top, bottom = max(part.top for part in [*run, box]), min(part.bottom for part in [*run, box])
    left, right = min(part.left for part in run), max(part.right for part in run)
    return top - bottom <= FORMULA_BAND * size and left - 2 * size <= box.left <= right + 2 * size


def _segments(line: Line) -> list[Line]:
    """A line cut where its pieces stand ``SEGMENT_GAP`` font sizes apart or more (by the font's widths): text
    boxes side by side on one baseline ("Berend van Berkel" ... "Labellift.nl — dit jaar online"), each a line of
    its own. A line whose text differs from its pieces (note markers, glyphs read from the font) stays whole."""
    pieces, ends = line.pieces or [], line.ends or []
    if len(pieces) < 2 or len(ends) != len(pieces) or "".join(piece[0] for piece in pieces) != line.text:
        return [line]
    groups: list[list[int]] = [[]]
    last_end = None
    for index, (text, x, _y, size, _bold) in enumerate(pieces):
        if text.strip() and last_end is not None and groups[-1] and x - last_end > SEGMENT_GAP * max(size, 1.0):
            groups.append([])
        groups[-1].append(index)
        if text.strip():
            last_end = ends[index]
    # a piece without a letter (a number, a sign, a bullet) stays with the text beside it ("ON 0", "★ Geregistreerd")
    for number in range(len(groups) - 1, -1, -1):
        if len(groups) > 1 and not _LETTER.search("".join(pieces[i][0] for i in groups[number])):
            if number:
                groups[number - 1] += groups.pop(number)
            else:
                first = groups.pop(0)
                groups[0] = first + groups[0]
    if len(groups) == 1:
        return [line]
    segments = []
    for group in groups:
        text = "".join(pieces[i][0] for i in group)
        placed = [i for i in group if pieces[i][0].strip()]
        if not placed:
            continue
        segments.append(Line(text, text, x=pieces[placed[0]][1], y=line.y, size=line.size, role=line.role,
                             positioned=True, bold=line.bold, heading=line.heading,
                             pieces=[pieces[i] for i in group], right=max(ends[i] for i in placed),
                             ends=[ends[i] for i in group]))
    return segments


def _is_marker(line: Line) -> bool:
    """A step number ("2", "3.") or an arrow, star or dingbat standing alone, or both ("→ 2")."""
    return bool(_MARKER.fullmatch(" ".join(line.text.split())))


def _continues(previous: Line, line: Line) -> bool:
    """Whether ``line`` goes on in the box of ``previous``: just below it and aligned with it; the slide's
    title (``ingest.layout``) is a box of its own."""
    if line.heading != previous.heading and not (previous.heading and abs(line.size - previous.size) < 0.2):
        return False
    drop = previous.y - line.y
    if drop <= 0.3 * min(previous.size, line.size) or drop > LINE_GAP * (previous.size + line.size) / 2:
        return False  # the same height (side by side), higher up, or far below: another box
    return _aligned(previous, line)


def _aligned(previous: Line, line: Line) -> bool:
    """The same left edge, centre or right edge within ``ALIGN`` font sizes, or a line starting inside the
    one above it (a hanging indent, a wrapped list item)."""
    tolerance = ALIGN * max(previous.size, line.size, 1.0)
    prev_right, right = max(previous.right, previous.x), max(line.right, line.x)
    return (
        abs(line.x - previous.x) <= tolerance
        or abs((line.x + right) / 2 - (previous.x + prev_right) / 2) <= tolerance
        or abs(right - prev_right) <= tolerance
        or previous.x - tolerance <= line.x <= prev_right - tolerance
    )


def _paragraphs(box: Box) -> None:
    """Mark the lines of a box that start a paragraph: after a gap clearly wider than the box's line spacing
    (gaps in font sizes, between lines of one size)."""
    gaps = [(index, (box.lines[index - 1].y - box.lines[index].y) / max(box.lines[index].size, 1.0))
            for index in range(1, len(box.lines)) if abs(box.lines[index - 1].size - box.lines[index].size) < 0.5]
    if len(gaps) < 2:
        return
    spacing = min(gap for _, gap in gaps)
    box.breaks = {index for index, gap in gaps if gap > PARAGRAPH_GAP * spacing and gap - spacing > 0.15}


# --- Reading order ---------------------------------------------------------------------------------------


def reading_order(found: list[Box]) -> list[Box]:
    """The boxes in reading order (X-Y cut, the content stream's order where the geometry leaves a choice)."""
    if len(found) <= 1:
        return list(found)
    rows = _cut(found, lambda box: (-box.top, -box.bottom))
    columns = _cut(found, lambda box: (box.left, box.right))
    options = [option for option in (rows, columns) if option]
    if not options:
        return sorted(found, key=lambda box: box.order)
    # the cut that keeps the content stream's order best; on a tie, rows (top to bottom) first
    best = min(options, key=lambda groups: (_inversions([box for group in groups for box in group]),
                                            groups is not rows))
    return [box for group in best for box in reading_order(group)]


def _cut(found: list[Box], extent) -> list[list[Box]] | None:
    """The boxes split in two at the widest empty band (at least ``CUT_GAP``) that crosses the whole group, or
    None; ``extent`` gives a box's (start, end) along the cut's axis, increasing in reading direction."""
    spans = sorted(((*extent(box), box) for box in found), key=lambda item: (item[0], item[1], item[2].order))
    widest, at, end = CUT_GAP, None, None
    for index, (start, stop, _box) in enumerate(spans):
        if end is not None and start - end >= widest:
            widest, at = start - end, index
        end = stop if end is None else max(end, stop)
    if at is None:
        return None
    return [sorted((box for *_, box in part), key=lambda box: box.order) for part in (spans[:at], spans[at:])]


def _inversions(ordered: list[Box]) -> int:
    return sum(1 for i, a in enumerate(ordered) for b in ordered[i + 1:] if a.order > b.order)


# --- Text ------------------------------------------------------------------------------------------------


def read_slide(page: PageLayout) -> list[tuple[str, Box]]:
    """A slide's text boxes in reading order, each with the step number that goes before it ("" if none);
    marker boxes themselves are left out (see the module docstring)."""
    ordered = reading_order(boxes(page))
    result: list[tuple[str, Box]] = []
    pending = ""  # a step number waiting for the box it numbers
    for index, box in enumerate(ordered):
        if not box.is_marker():
            if pending and box.lines[0].heading:  # a number before the slide's title is not the title's
                result.append((pending, Box([])))
                pending = ""
            result.append((pending, box))
            pending = ""
            continue
        marker = " ".join(box.text().split())
        if not _DIGIT.search(marker):
            continue  # an arrow, a star: no word
        numbered = next((other for other in ordered[index + 1:] if not other.is_marker()), None)
        if numbered is not None and _numbers(box, numbered):
            pending = f"{pending} {marker}" if pending else marker
        else:
            result.append((marker, Box([])))  # a number that numbers nothing next to it stays as it is
    if pending:
        result.append((pending, Box([])))
    return result


def _numbers(marker: Box, box: Box) -> bool:
    """Whether a marker stands right above a box (over its width) or right before it on its height."""
    size = marker.lines[0].size or 1.0
    above = 0 <= marker.bottom - box.top <= MARKER_GAP * size and box.left - size <= marker.left <= box.right
    before = (box.bottom - size <= marker.bottom and marker.top <= box.top + size
              and 0 <= box.left - marker.right <= MARKER_GAP * size)
    return above or before


def slide_text(page: PageLayout) -> str:
    """A slide's body text: its boxes in reading order, apart by blank lines (see the module docstring).

    A slide with a table has the table's rows (``ingest.tables``) in the place of the first box in reading
    order that holds one of its lines; the table's other lines are left out of their boxes. Without the boxes
    (``slide_boxes`` not set), ``tables.body_text`` (the rows where the table starts in pypdf's order)."""
    tables = getattr(page, "tables", None) or []
    boxes_read = getattr(page, "slide_boxes", None)
    if tables and not boxes_read:
        return body_text(page)
    of_table = {id(line): table for table in tables for line in table.lines}
    done: set[int] = set()
    blocks: list[str] = []
    marks = _marks(page)
    drawn = (page.drawings or []) + (getattr(page, "marks", None) or []) if marks else []
    for prefix, box in boxes_read or read_slide(page):
        lines = [prefix] if prefix and not box.lines else []
        for index, line in enumerate(box.lines):
            table = of_table.get(id(line)) or _table_of_segment(line, tables)
            if table is not None:
                if id(table) not in done:
                    done.add(id(table))
                    blocks.append("\n".join(lines))
                    blocks.append("\n".join(table.render()))
                    lines = []
                continue
            text = line.text.strip()
            if index == 0 and prefix:
                text = f"{prefix} {text}"
            elif marks and not _ITEM.match(text + " ") and _drawn_bullet(line, marks, drawn):
                lines.append(BULLET + text)  # an item of a list: its own line, never run into the line before
                continue
            lines.append(("\n" if index in box.breaks else "") + text)
        blocks.append("\n".join(lines))
    return "\n\n".join(block for block in blocks if block.strip())


def _table_of_segment(line: Line, tables: list) -> object | None:
    """The table whose line a box's line is a segment of (``_segments`` cuts a line into new lines): the same
    baseline, starting inside it."""
    for table in tables:
        for whole in table.lines:
            if abs(whole.y - line.y) < 0.1 and whole.x - 0.5 <= line.x <= max(whole.right, whole.x) + 0.5 \
                    and line.text.strip() in whole.text:
                return table
    return None


def _marks(page: PageLayout) -> list[tuple[float, float, float, float]]:
    """What the slide draws that could be a list bullet: painted paths, images and forms no larger than
    ``BULLET_SIZE`` of the largest body font (``ingest.drawings``)."""
    sizes = [line.size for line in page.lines if line.role == "body"]
    if not sizes:
        return []
    largest = BULLET_SIZE * max(sizes)
    return [box for box in (page.drawings or []) + (getattr(page, "marks", None) or [])
            if 0 < box[2] - box[0] <= largest and 0 < box[3] - box[1] <= largest]


def _drawn_bullet(line: Line, marks: list[tuple[float, float, float, float]],
                  icons: list[tuple[float, float, float, float]]) -> bool:
    """Whether a small mark is drawn right before the line's first letter, on its height: a bullet that the
    PDF draws (a Beamer ball or triangle, a PowerPoint picture bullet) instead of writing a glyph. The mark is
    at least ``BULLET_MIN`` and at most ``BULLET_SIZE`` font sizes wide and high, ends at most ``BULLET_GAP``
    font sizes before the line, and its middle lies between the line's baseline and its x-height band; a mark
    inside a larger drawing of at most ``ICON_SIZE`` font sizes (``icons``: all that the slide draws) is part
    of an icon."""
    size = line.size or 1.0
    for x0, y0, x1, y1 in marks:
        if any(a <= x0 and b <= y0 and x1 <= c and y1 <= d and (c - a > BULLET_SIZE * size or d - b > BULLET_SIZE * size)
               and c - a <= ICON_SIZE * size and d - b <= ICON_SIZE * size for a, b, c, d in icons):
            continue  # a stroke of an icon (an arrow in a rounded square before a name), not a bullet
        if (x1 - x0 >= BULLET_MIN * size and y1 - y0 >= BULLET_MIN * size
                and x1 - x0 <= BULLET_SIZE * size and y1 - y0 <= BULLET_SIZE * size
                and -0.1 * size <= line.x - x1 <= BULLET_GAP * size
                and line.y - 0.1 * size <= (y0 + y1) / 2 <= line.y + 0.7 * size):
            return True
    return False


# --- Titles, box headings and diagrams -------------------------------------------------------------------


def arrange_slides(pages: list[PageLayout]) -> list[int]:
    """For a slide deck, after ``layout.analyse``: each slide's boxes in reading order (``page.slide_boxes``),
    its title as a whole box (or none when the largest font holds a paragraph) and its box headings; returns
    the numbers of the slides that are a drawing's labels."""
    figures = []
    for page in pages:
        if page.build_step:
            continue
        found = boxes(page)
        _title(page, found)
        page.slide_boxes = read_slide(page)  # type: ignore[attr-defined]
        title = page.headings[0][1] if page.headings else None
        heads: list[tuple[int, str]] = []
        ordered = page.slide_boxes  # type: ignore[attr-defined]
        for index, (prefix, box) in enumerate(ordered):
            if title is not None and any(line.heading for line in box.lines):
                heads.append((1, title))
                title = None
                continue
            following = ordered[index + 1][1] if index + 1 < len(ordered) else None
            head = _box_heading(box, following)
            if head:
                heads.append((2, f"{prefix} {head}" if prefix else head))
        page.headings = heads + ([(1, title)] if title is not None else [])
        if _is_diagram(found):
            figures.append(page.number)
    use_runs(pages)
    return figures


def use_runs(pages: list[PageLayout]) -> None:
    """Give the lines their pieces with TJ arrays cut into runs (``Line.runs``, ``ingest.shifts``), for the
    tables read after the boxes (``ingest.tables``, ``ingest.ruled_tables``): a slide's table that the PDF
    writes one array a row, the cells apart by shifts, then has its cells. Only on slides: a document's
    tables (LaTeX rows as one array) are read in pypdf's layout mode (``ingest.tables``)."""
    for page in pages:
        for line in page.lines:
            if line.runs is not None:
                line.pieces, line.ends = line.runs


def _box_heading(box: Box, following: Box | None = None) -> str | None:
    """The heading of a box: its first line(s) in a larger or bolder font than the text under it, short and
    not a sentence or list item ("Gecertificeerde adviseur" over a smaller text); or a box of one or two such
    lines that stands right above the next box, aligned with it ("Jij verwijst door", "STRAKS")."""
    if not box.lines:
        return None
    first = box.lines[0]
    run = [first]
    for line in box.lines[1:3]:
        if abs(line.size - first.size) < 0.2 and line.bold == first.bold:
            run.append(line)
        else:
            break
    if len(run) > 2:
        return None
    if len(run) < len(box.lines):
        after = box.lines[len(run)]
    elif following is not None and following.lines and _above(run[-1], following.lines[0]):
        after = following.lines[0]
    else:
        return None
    text = " ".join(" ".join(line.text.split()) for line in run)
    stands_out = first.size >= 1.08 * after.size or (first.bold and not after.bold and first.size >= after.size)
    if (not stands_out or len(_WORD.findall(text)) > 8 or not _LETTER.search(text) or _ITEM.match(text)
            or re.search(r"[.:;,][\"'”’)\]]*$", text)):
        return None
    for line in run:
        line.heading = True
    return text


def _above(line: Line, below: Line) -> bool:
    """``line`` stands right above ``below`` (at most ``HEADING_GAP`` of its size) and aligned with it."""
    drop = line.y - below.y
    return 0 < drop <= HEADING_GAP * line.size and _aligned(line, below)


def _title(page: PageLayout, found: list[Box]) -> None:
    title = next((line for line in page.lines if line.heading), None)
    if title is None:
        return
    box = next((box for box in found if any(line is title for line in box.lines)), None)
    if box is None:
        return
    start = next(index for index, line in enumerate(box.lines) if line is title)
    run = [title]
    for line in box.lines[start + 1:]:
        wraps = run[-1].y - line.y <= TITLE_WRAP * title.size or line.text.lstrip()[:1].islower()
        if abs(line.size - title.size) > 0.2 or line.heading or not wraps:
            break  # another size, or a new line further down than a wrapped title's next line: not the title
        run.append(line)
    text = " ".join(" ".join(line.text.split()) for line in run)
    if len(run) > TITLE_LINES or len(_WORD.findall(text)) > TITLE_WORDS:
        for line in run:
            line.heading = False
        page.headings = []  # a quote or a paragraph in the slide's largest font: no title
        return
    for line in run:
        line.heading = True
    page.headings = [(1, text)]


def _is_diagram(found: list[Box]) -> bool:
    """Short labels scattered over the slide: one line a box, no sentence or list item, enough labels."""
    text_boxes = [box for box in found if not box.is_marker()]
    if len(text_boxes) < 2 or any(len(box.lines) > 1 for box in text_boxes):
        return False
    labels = 0
    for box in text_boxes:
        line = box.lines[0]
        text = " ".join(line.text.split())
        if _CLOSING.search(text) or _ITEM.match(text) or len(_WORD.findall(text)) > LABEL_WORDS:
            return False
        labels += len(cells(line))
    return labels >= LABEL_CELLS
