"""Tables drawn with rules (Word, InDesign, LibreOffice): rows and cells from the lines the page draws.

pypdf gives a ruled table's text cell by cell (Word writes all lines of a row's first cell, then those of its
second cell) or row by row with cells glued ("40 80120160"), so the lines alone do not tell where a row ends
or a cell begins. The page draws what a reader sees: the rules between rows and columns. ``ingest.drawings``
records them in the same pypdf pass as the text (``PageLayout.drawings``); this module reads them.

rules
    A painted box at most ``THIN`` points high and at least ``MIN_RULE`` wide is a horizontal rule, one at
    most ``THIN`` wide a vertical rule (a border drawn as a thin filled rectangle or a stroked line). Filled
    cells (shading) are not used: their edges also mark paragraphs inside a cell.
grids
    Horizontal rules one above the other that overlap each other horizontally (at least half the shorter one),
    stand at most ``MAX_BAND`` of the page's height apart, and are joined by a vertical rule (a border or a
    column's rule: two tables one under the other, a heading between them, are two grids) make one grid; a
    grid needs vertical rules inside it, or ``MIN_RULES``
    horizontal rules and a frame (vertical rules along its left and right edges). Rules between rows alone
    (booktabs, "horizontal lines") are left to the cells of ``ingest.tables``: the first and last rows of such a
    table stand outside the rules. The bands between consecutive rules are the rows.
columns
    The vertical rules inside the grid (other than its outer border) part the columns; a rule covers the rows
    whose middle it reaches, so a header cell without a rule below it spans the columns ("week" over the weeks,
    "Februari" over three). A grid without inner vertical rules takes its columns from its text: places where
    text starts after a gap of ``TEXT_GAP`` font sizes (or at the grid's left edge) in at least two rows.
cells
    Every piece of text of a line inside the grid goes to the row its baseline stands in and the column its
    start stands in (a cell merged over several rows: its first row, ``_merged_top``; a first row with one
    cell that starts in lower case ends a cell of the page before and stays body text, to run on over the break); pieces apart on the page are never glued: between two pieces of one cell a space is kept
    where pypdf reports one, and added where the second starts ``PIECE_GAP`` font sizes right of the end of the
    first between a digit and a digit or a letter ("40 80 120", "week 40"; never between two letters: a letter
    run is pypdf's word and is never split, nor before punctuation, whose place a font without widths blurs). A cell's lines run on
    after a space, or over a line-end hyphen as in running text (the caller's ``runs_on``).
header
    The first row is the header when its letters are mostly bold and the others' are not, when it is set in
    another size, or when it has no digits above a column of numbers. When a header cell spans columns, the
    rows below it that have no first cell are header rows too (months over weeks); a column's name is the
    text of every header row above it ("week Februari 6").
accepted
    At least ``MIN_ROWS`` rows with text of which two with two or more cells, at least two columns with text,
    a word of three letters in at least half of the rows (not a chart's bars and numbers), not two columns of
    mostly running text (``PROSE_WORDS`` words a cell: a page's two columns between rules), no cell of more than
    ``MAX_CELL_LINES`` lines (rules around whole blocks of text: a frame, not a table), and at most
    ``MAX_CROSSING`` of the text in pieces that run over a column's rule (pypdf gave several cells as one piece:
    a slide's table; the pieces cannot tell its cells, so the grid is left to ``ingest.tables``).

rules between lines
    A ruled table whose rows have text in one column only (a list of screens, the other column left empty to
    be filled in) is no table (``accepted``), but its rules still part its rows: ``ruled_apart`` names the body
    lines with a horizontal rule drawn between them and the next body line (from both lines' start to both lines'
    end, at least ``ROW_RULE`` font sizes long: not a fraction's rule; clear of both lines' letters: not an
    underline), so the page text puts a blank line there and a long row is not run
    into the next one as a wrapped line of one paragraph.

Everything is measured on the page itself; nothing here knows a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from kennisbank.ingest.layout import Line, PageLayout

THIN = 2.5  # points: a box this thin in one direction is a rule
MIN_RULE = 6.0  # points: a rule at least this long
SAME_RULE = 1.5  # points: rules this close are one
MAX_BAND = 0.9  # a row at most this share of the page's height
MIN_RULES = 3  # horizontal rules of a grid without inner vertical rules
MIN_ROWS = 2
MAX_CELL_LINES = 40
PROSE_WORDS = 12  # a cell of this many words is running text
TEXT_GAP = 1.0  # font sizes: a gap this wide inside a line starts another cell (grids without vertical rules)
PIECE_GAP = 0.3  # font sizes: pieces of a cell this far apart are apart words
MAX_CROSSING = 0.1  # share of a grid's characters in pieces that run over a column's rule: more, and no table
MAX_RULES = 400  # rules of one direction (after merging) on a page with a ruled table at most
WRAP_SPACES = 3  # lines of a page that end in a space glyph: its producer keeps the space where it wraps (ingest.check)
ROW_RULE = 6.0  # font sizes: a rule that parts two lines is at least this long (a fraction's rule is shorter)
RULE_ABOVE, RULE_BELOW = 0.8, 0.35  # font sizes: a rule between two lines stands this far above the lower line's
# baseline (clear of its capitals) and this far below the upper one's (clear of its descenders and an underline)
MAX_BOXES = 2500  # a page that draws more boxes (a map, a dense chart) is not read for ruled tables

_LONG_WORD = re.compile(r"[^\W\d_]{3,}")
_WORD_ON = re.compile(r"[^\W\d_]|[._][^\W_]")  # how a word cut by a wrap goes on: a letter, or ".dest", "_id"
FRAME_SPAN = 2.0  # points: rules whose ends stand this close (rounded) have one span
Rule = tuple[float, float, float]  # horizontal: y, x0, x1; vertical: x, y0, y1


@dataclass
class Grid:
    """One ruled table: ``rows`` (row 0 the header's column names when ``header``) and its lines in page order."""

    rows: list[list[str]]
    header: bool
    lines: list[Line] = field(default_factory=list)


def ruled_grids(page: PageLayout, runs_on: Callable[[str, str], str]) -> list[Grid]:
    """The ruled tables of a page (see the module docstring); their lines are not marked, the caller does."""
    boxes = page.drawings or []
    if len(boxes) > MAX_BOXES:
        return []
    horizontal = _merge(_horizontal(boxes))
    vertical = _merge([((b[0] + b[2]) / 2, b[1], b[3]) for b in boxes
                       if b[2] - b[0] <= THIN and b[3] - b[1] >= MIN_RULE])
    if len(horizontal) < 2 or len(horizontal) > MAX_RULES or len(vertical) > MAX_RULES:
        return []  # no grid, or a drawing's hatching (the grouping would cost rules x groups x rules)
    lines = [line for line in page.lines if line.role == "body" and line.positioned and line.text.strip()]
    found: list[Grid] = []
    taken: set[int] = set()
    for group in _groups(horizontal, vertical, page.height or 842.0):
        grid = _grid(group, vertical, [line for line in lines if id(line) not in taken], page, runs_on)
        if grid is not None:
            found.append(grid)
            taken.update(id(line) for line in grid.lines)
    return found


def ruled_apart(page: PageLayout) -> set[int]:
    """The ids of the body lines that a drawn horizontal rule parts from the next body line (module docstring)."""
    boxes = page.drawings or []
    if len(boxes) > MAX_BOXES:
        return set()
    horizontal = _horizontal(boxes)
    if not horizontal:
        return set()
    body = [line for line in page.lines if line.role == "body" and line.positioned and line.text.strip()]
    apart: set[int] = set()
    for above, below in zip(body, body[1:]):
        size = max(above.size, below.size, 1.0)
        if below.y >= above.y or above.y - below.y > 3 * size:
            continue  # the next line stands higher (another column) or far below: no row rule to read
        start = min(above.x, below.x)
        reach = max(above.right, below.right, start + ROW_RULE * size) - size
        if any(below.y + RULE_ABOVE * below.size < y < above.y - RULE_BELOW * above.size
               and x0 <= start + SAME_RULE and x1 >= reach for y, x0, x1 in horizontal):
            apart.add(id(above))
    return apart


def rule_frames(page: PageLayout) -> list[tuple[float, float, float, float, float]]:
    """Three horizontal rules of one span, one under the other, with no other rule of that span between them:
    the frame of a table ruled only between its parts (booktabs: a rule above the header, one under it, one
    under the last row). Returns (top, middle, bottom, left, right) y's and x's for ``ingest.tables``, which
    reads the lines between them as a header (between top and middle) over rows (between middle and bottom)."""
    boxes = page.drawings or []
    if len(boxes) > MAX_BOXES:
        return []
    spans: dict[tuple[int, int], list[Rule]] = {}
    for rule in _merge(_horizontal(boxes)):
        spans.setdefault((round(rule[1] / FRAME_SPAN), round(rule[2] / FRAME_SPAN)), []).append(rule)
    frames = []
    for rules in spans.values():
        rules.sort(key=lambda rule: -rule[0])
        for top, middle, bottom in zip(rules, rules[1:], rules[2:]):
            frames.append((top[0], middle[0], bottom[0], min(top[1], bottom[1]), max(top[2], bottom[2])))
    return frames


def _horizontal(boxes: list[tuple[float, float, float, float]]) -> list[Rule]:
    """The painted boxes that are horizontal rules (at most ``THIN`` high, at least ``MIN_RULE`` long)."""
    return [((b[1] + b[3]) / 2, b[0], b[2]) for b in boxes if b[3] - b[1] <= THIN and b[2] - b[0] >= MIN_RULE]


def _merge(rules: list[Rule]) -> list[Rule]:
    """Rules on one line (within ``SAME_RULE``) that touch or overlap, as one rule each."""
    merged: list[list[float]] = []
    for at, start, end in sorted(rules):
        for rule in reversed(merged[-40:]):
            if abs(rule[0] - at) <= SAME_RULE and start <= rule[2] + SAME_RULE and end >= rule[1] - SAME_RULE:
                rule[1], rule[2] = min(rule[1], start), max(rule[2], end)
                break
        else:
            merged.append([at, start, end])
    return [(a, s, e) for a, s, e in merged]


def _groups(horizontal: list[Rule], vertical: list[Rule], height: float) -> list[list[Rule]]:
    """Horizontal rules that stack into one grid, top to bottom (see the module docstring); a rule joins the
    grid whose extent it overlaps, within ``MAX_BAND`` of the page's height below the grid's lowest rule."""
    groups: list[list[Rule]] = []
    extents: list[list[float]] = []  # per group: its left, its right
    for rule in sorted(horizontal, key=lambda r: -r[0]):
        for group, extent in zip(groups, extents):
            gap = group[-1][0] - rule[0]
            if gap <= MAX_BAND * height and _overlap((0.0, extent[0], extent[1]), rule) and \
                    _connected(group[-1][0], rule, vertical):
                group.append(rule)
                extent[0], extent[1] = min(extent[0], rule[1]), max(extent[1], rule[2])
                break
        else:
            groups.append([rule])
            extents.append([rule[1], rule[2]])
    return [group for group in groups if len(_bands(group)) >= 1]


def _connected(upper: float, rule: Rule, vertical: list[Rule]) -> bool:
    """Whether a vertical rule within the horizontal ``rule``'s extent runs from ``upper`` down to it."""
    return any(rule[1] - SAME_RULE * 2 <= x <= rule[2] + SAME_RULE * 2 and y0 <= rule[0] + SAME_RULE * 2
               and y1 >= upper - SAME_RULE * 2 for x, y0, y1 in vertical)


def _overlap(a: Rule, b: Rule) -> bool:
    shared = min(a[2], b[2]) - max(a[1], b[1])
    return shared >= 0.5 * min(a[2] - a[1], b[2] - b[1])


def _bands(group: list[Rule]) -> list[tuple[float, float]]:
    """The rows: (top, bottom) between consecutive rules, rules close together counted once."""
    ys: list[float] = []
    for y in sorted((rule[0] for rule in group), reverse=True):
        if not ys or ys[-1] - y > SAME_RULE:
            ys.append(y)
    return list(zip(ys, ys[1:]))


def _grid(group: list[Rule], vertical: list[Rule], lines: list[Line], page: PageLayout,
          runs_on: Callable[[str, str], str]) -> Grid | None:
    left, right = min(r[1] for r in group), max(r[2] for r in group)
    bands = _bands(group)
    top, bottom = bands[0][0], bands[-1][1]
    inner = [rule for rule in vertical if left + SAME_RULE * 2 < rule[0] < right - SAME_RULE * 2
             and rule[2] > bottom + SAME_RULE and rule[1] < top - SAME_RULE]
    if not inner and (len(bands) + 1 < MIN_RULES or not _framed(vertical, left, right, top, bottom)):
        return None  # rules between rows only (no frame, no column rules): the lines' own cells tell (ingest.tables)
    members = [line for line in lines if _inside(line, left, right, top, bottom)]
    if not members:
        return None
    # pieces: (band, line, piece index, text, x, end, size, bold)
    pieces: list[tuple[int, Line, str, float, float, float, bool]] = []
    for line in members:
        ends = line.ends or []
        for index, (text, x, y, size, bold) in enumerate(line.pieces or []):
            if size <= 0 or (x == 0.0 and y == 0.0):
                continue
            band = next((b for b, (t, u) in enumerate(bands) if u < (y if text.strip() else line.y) <= t), None)
            if band is None:
                band = next((b for b, (t, u) in enumerate(bands) if u < line.y <= t), None)
            if band is None:
                continue
            end = ends[index] if index < len(ends) else x
            pieces.append((band, line, text, x, end, size, bold))
    starts = _column_starts(inner, pieces, left)
    if len(starts) < 2:
        return None
    columns = len(starts)
    # a column boundary per band: which columns a rule parts in that band (for spanning header cells)
    parted = [[c == 0 or not inner or _parted(starts[c], inner, band) for c in range(columns)] for band in bands]
    cells: list[list[list[tuple[Line, list[tuple[str, float, float, float]]]]]] = [
        [[] for _ in range(columns)] for _ in bands]
    bold_letters = [[0, 0] for _ in bands]
    crossing = total = 0
    edges = [*starts[1:], right]  # where each column ends
    tops: dict[tuple[int, int], int] = {}
    rows_of: dict[int, set[int]] = {}  # per line: the rows its pieces went to
    for band, line, text, x, end, size, bold in pieces:
        column = max(c for c in range(columns) if c == 0 or x >= starts[c] - SAME_RULE)
        if inner:
            key = (band, column)
            if key not in tops:
                tops[key] = _merged_top(band, starts[column] if column else left, edges[column], bands, group, vertical)
            band = tops[key]
        if text.strip():
            total += len(text)
            if column + 1 < columns and parted[band][column + 1] and x + 0.6 * (end - x) > starts[column + 1] + 2 * SAME_RULE:
                crossing += len(text)  # a piece runs over a column's rule: pypdf's pieces are not the cells
        rows_of.setdefault(id(line), set()).add(band)
        entries = cells[band][column]
        if not entries or entries[-1][0] is not line:
            entries.append((line, []))
        entries[-1][1].append((text, x, end, size))
        letters = sum(1 for char in text if char.isalpha())
        bold_letters[band][0] += letters if bold else 0
        bold_letters[band][1] += letters
    if crossing > MAX_CROSSING * total:
        return None
    # a producer that keeps the space glyph where it wraps a line shows a word cut by a narrow cell (no space)
    wraps = sum(1 for line in page.lines if line.raw.endswith(" ") and line.raw.strip()) >= WRAP_SPACES
    texts = [[_cell_text(entries, runs_on, (starts[c] if c else left, edges[c]) if wraps else None)
              for c, entries in enumerate(row)] for row in cells]
    if any(len(entries) > MAX_CELL_LINES for row in cells for entries in row):
        return None
    keep = [b for b, row in enumerate(texts) if any(row)]
    left_out: set[int] = set()
    if keep and not texts[keep[0]][0] and sum(1 for cell in texts[keep[0]] if cell) == 1 and \
            next(cell for cell in texts[keep[0]] if cell)[:1].islower():
        # the first row is the end of a cell begun on the page before ("heeft een .NET SDK."): its lines stay
        # body text, so that the passage of that row runs on over the page break (ingest.chunking)
        left_out = {key for key, rows in rows_of.items() if rows == {keep[0]}}
        keep = keep[1:]
    if len(keep) < MIN_ROWS or sum(1 for b in keep if sum(1 for cell in texts[b] if cell) >= 2) < 2:
        return None
    if sum(1 for b in keep if any(_LONG_WORD.search(cell) for cell in texts[b])) < 0.5 * len(keep):
        return None  # a chart's bars and labels, a drawing: rows without words
    filled = [cell for b in keep for cell in texts[b] if cell]
    if len(used_columns := [c for c in range(columns) if any(texts[b][c] for b in keep)]) == 2 and \
            sum(1 for cell in filled if len(cell.split()) >= PROSE_WORDS) >= 0.6 * len(filled):
        return None  # two columns of running text between rules (a page's columns), not a table
    header_rows = _header_rows(texts, keep, bold_letters, parted, members, bands)
    used = used_columns
    if len(used) < 2:
        return None
    rows: list[list[str]] = []
    if header_rows:
        names: list[list[str]] = [[] for _ in range(columns)]
        for b in header_rows:
            # a header cell spans the columns up to the next rule, unless more than one of them has text
            bounds = [c for c in range(columns) if parted[b][c] or (
                texts[b][c] and any(texts[b][k] for k in range(max(s for s in range(c) if parted[b][s]), c)))]
            bounds.append(columns)
            for start, stop in zip(bounds, bounds[1:]):
                text = " ".join(cell for cell in texts[b][start:stop] if cell)
                for c in range(start, stop):
                    if text and (not names[c] or names[c][-1] != text):
                        names[c].append(text)
        rows.append([" ".join(names[c]) for c in used])
    rows += [[texts[b][c] for c in used] for b in keep if b not in header_rows]
    order = {id(line): index for index, line in enumerate(page.lines)}
    members = sorted({id(line): line for _, line, *_ in pieces if id(line) not in left_out}.values(),
                     key=lambda line: order[id(line)])
    return Grid(rows=rows, header=bool(header_rows), lines=members)


def _framed(vertical: list[Rule], left: float, right: float, top: float, bottom: float) -> bool:
    """Whether vertical rules at the grid's left and right edges run along most of its height (a frame)."""
    def along(edge: float) -> bool:
        return any(abs(x - edge) <= SAME_RULE * 2 and min(y1, top) - max(y0, bottom) >= 0.8 * (top - bottom)
                   for x, y0, y1 in vertical)
    return along(left) and along(right)


def _merged_top(band: int, start: float, end: float, bands: list[tuple[float, float]], group: list[Rule],
                vertical: list[Rule]) -> int:
    """The first row of the cell that a piece in ``band`` between ``start`` and ``end`` stands in: a cell merged
    over several rows (no rule across it between them, rules on both its sides) keeps its text in its first
    row ("Bouwen Proof of Concept" over four sprints is one cell, not "Bouwen Proof of" and "Concept")."""
    middle = (start + end) / 2
    while band > 0:
        y = bands[band][0]  # the rule between this row and the one above, if it crosses the cell
        if any(abs(rule[0] - y) <= SAME_RULE and rule[1] - SAME_RULE <= middle <= rule[2] + SAME_RULE for rule in group):
            break
        if not all(_sided(x, bands[row], vertical) for x in (start, end) for row in (band - 1, band)):
            break  # no rules on its sides: text outside the drawn cells ("Uren totaal" left of the boxes)
        band -= 1
    return band


def _sided(x: float, band: tuple[float, float], vertical: list[Rule]) -> bool:
    middle = (band[0] + band[1]) / 2
    return any(abs(rule[0] - x) <= SAME_RULE * 2 and rule[1] <= middle <= rule[2] for rule in vertical)


def _inside(line: Line, left: float, right: float, top: float, bottom: float) -> bool:
    """Whether all of a line's text stands inside the grid's box (see ``_inside``'s note on ends)."""
    if not (bottom < line.y < top):
        return False
    placed = [(x, end) for (text, x, _y, size, _b), end in zip(line.pieces or [], line.ends or [])
              if text.strip() and size > 0]
    # a piece's end is an estimate where the font gives no widths (half an em a character): most of it inside
    return bool(placed) and all(left - SAME_RULE <= x and x + 0.6 * (end - x) <= right + SAME_RULE for x, end in placed)


def _parted(x: float, inner: list[Rule], band: tuple[float, float]) -> bool:
    """Whether a vertical rule at the column start ``x`` parts the row ``band`` from the column before."""
    middle = (band[0] + band[1]) / 2
    return any(abs(rule[0] - x) <= SAME_RULE * 2 and rule[1] <= middle <= rule[2] for rule in inner)


def _column_starts(inner: list[Rule], pieces: list[tuple], left: float) -> list[float]:
    """Where the columns start: the grid's left edge and its inner vertical rules, or, without them, the places
    where text starts after a gap in at least two rows (see the module docstring)."""
    if inner:
        places: list[float] = []
        for x in sorted(rule[0] for rule in inner):
            if not places or x - places[-1] > SAME_RULE * 2:
                places.append(x)
        return [left, *places]
    seen: dict[int, set[int]] = {}
    previous: dict[int, tuple[float, float]] = {}  # per line: where its last text ends, its size
    for band, line, text, x, end, size, _bold in pieces:
        if not text.strip():
            continue
        last = previous.get(id(line))
        if last is None or x - last[0] > TEXT_GAP * size:
            seen.setdefault(round(x), set()).add(band)
        previous[id(line)] = (max(end, last[0]) if last else end, size)
    places = sorted(x for x, rows in seen.items() if len(rows) >= 2)
    found: list[float] = []
    for x in places:
        if not found or x - found[-1] > 3.0:
            found.append(float(x))
    return found  # text left of the first place (none is: a place is where text starts) goes to column 0


def _cell_text(entries: list[tuple[Line, list[tuple[str, float, float, float]]]],
               runs_on: Callable[[str, str], str], bounds: tuple[float, float] | None = None) -> str:
    """A cell's text: its lines top to bottom, each line's pieces kept apart where they stand apart; with the
    cell's ``bounds`` (on a page whose producer keeps the space where it wraps), a word cut by the wrap is
    joined (``_cut_word``)."""
    text = ""
    before: list[tuple[str, float, float, float]] = []
    for _line, parts in sorted(entries, key=lambda entry: -entry[0].y):
        if text and bounds is not None and _cut_word(before, parts, bounds):
            text += " ".join("".join(part[0] for part in parts).split())
            before = parts
            continue
        before = parts
        out, end = "", None
        for piece, x, piece_end, size in parts:
            if not piece.strip():
                out += " "
                continue
            if out and end is not None and x - end > PIECE_GAP * size and out[-1].isalnum() and piece[0].isalnum() \
                    and not (out[-1].isalpha() and piece[0].isalpha()):
                out += " "
            out += piece
            end = piece_end
        line_text = " ".join(out.split())
        if line_text:
            text = runs_on(text, line_text) if text else line_text
    return text


def _cut_word(above: list[tuple[str, float, float, float]], below: list[tuple[str, float, float, float]],
              bounds: tuple[float, float]) -> bool:
    """Whether a cell's line ends in a word that its next line goes on with: the line ends in a letter with no
    space glyph after it (the producer keeps one where it wraps at a space), the next starts with a letter, and
    the two parts together are wider than the cell's room for text (the cell's width less the space left of
    its text on both sides): a word too long for the cell, which the wrap had to cut ("survi" / "ved")."""
    shown = [part for part in above if part[0].strip()]
    following = [part for part in below if part[0].strip()]
    if not shown or not following:
        return False
    last, first = shown[-1], following[0]
    if not last[0][-1:].isalpha() or not _WORD_ON.match(first[0]) or above[-1][0][-1:].isspace():
        return False
    tail = last[0].split()[-1]
    head = first[0].split()[0]
    width = (last[2] - last[1]) * len(tail) / max(len(last[0].rstrip()), 1)
    width += (first[2] - first[1]) * len(head) / max(len(first[0].rstrip()), 1)
    margin = max(0.0, min(part[1] for part in shown) - bounds[0])
    return width > bounds[1] - bounds[0] - 2 * margin


def _header_rows(texts: list[list[str]], keep: list[int], bold_letters: list[list[int]],
                 parted: list[list[bool]], members: list[Line], bands: list[tuple[float, float]]) -> list[int]:
    """The header rows (see the module docstring): [] or the first kept row, with the sub-header rows below it."""
    first, rest = keep[0], keep[1:]
    cells = texts[first]
    if sum(1 for cell in cells if cell) < 1 or not rest:
        return []
    bold, letters = bold_letters[first]
    rest_bold = sum(bold_letters[b][0] for b in rest)
    rest_letters = sum(bold_letters[b][1] for b in rest)
    header = letters > 0 and bold >= 0.6 * letters and rest_bold < 0.5 * max(rest_letters, 1)
    if not header:
        sizes = [line.size for line in members if bands[first][1] < line.y <= bands[first][0]]
        others = [line.size for line in members if not (bands[first][1] < line.y <= bands[first][0])]
        if sizes and others:
            header = abs(max(sizes) - max(set(others), key=others.count)) > 0.1 * max(sizes)
    if not header:
        digits = any(any(char.isdigit() for char in cell) for cell in cells)
        numeric = any(sum(1 for b in rest if _numeric(texts[b][c])) >= max(2, 0.5 * len(rest))
                      for c in range(len(cells)))
        header = not digits and numeric and all(len(cell.split()) <= 6 for cell in cells)
    if not header:
        return []
    rows = [first]
    if any(not parted[first][c] for c in range(1, len(cells))):  # a header cell spans columns: sub-headers follow
        for b in rest[:-1]:
            if texts[b][0]:
                break
            rows.append(b)
    return rows


_IDENTIFIER = re.compile(r"[^\W\d_]{2,}-\d+")  # "NLC-008", "COVID-19": a name with a number, not a value


def _numeric(cell: str) -> bool:
    tokens = cell.split()
    return bool(tokens) and all(any(char.isdigit() for char in token) and not _IDENTIFIER.fullmatch(token)
                                for token in tokens)

