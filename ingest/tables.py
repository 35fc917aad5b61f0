"""Tables, contents pages and noise passages of a PDF: kept as rows with their header, or kept out of the index.

pypdf gives every piece of text with its place (``ingest.layout``: each :class:`Line` keeps its pieces). This
module reads from them what a reader sees on a page and plain text loses:

cells
    A line's pieces fall apart into cells where the next piece starts clearly to the right of where the text
    before it ends: after a whitespace piece whose place pypdf reports (Word, LibreOffice) by more than
    ``CELL_GAP`` of the font size, or, without one, beyond a generous estimate of the text's width
    (``WIDE_CHAR`` of the font size per character: a proportional font averages about half).
tables
    A run of at least ``MIN_ROWS`` lines that have two or more cells, whose cells start at the same places
    (columns: a place that at least two lines share, within ``SAME_COLUMN`` points; close columns are told by a
    place where text starts after a space of ``TAB_GAP`` on several lines, a tab stop), with the single-cell
    lines between them that stand in a column (a wrapped cell). A line that starts left of the first column,
    or whose text would run into the next column (a paragraph), or stands far below the table ends it.
    Lines are rows: a line with a cell in the first column starts a new row once the current row has text in
    another column; other lines add their cells to the current row, column by column (wrapped cells). The
    first row is the header when it is set apart (bold, another size) or when it has no digits above a
    column of numbers; a table of labels ending in ":" (a form) has none.
rendering
    Each row becomes one line of the page text, Markdown style, with the header repeated in every row:
    ``| Land: Oostenrijk | Inwoners (miljoen): 8.9 | Hoofdstad: Wenen``; without a header
    ``| index (case) | bevestigde patiënt COVID-19`` (no closing "|", so a last cell that runs on to the next
    page reads on there; a row of one cell is closed: ``| Governance |``). Why this form: every row read alone still says what
    each value is, so a passage of any group of rows carries its header (a question about Vienna finds the
    row that says "Hoofdstad: Wenen"), and the passages stay exact quotes of the stored page text (the
    rendering is the stored text: it has only the page's own words, the header words repeated). The
    cleaner keeps lines that start with "|" apart (``ingest.cleaning``), the splitter keeps a table's rows
    apart from the body text around it and marks those passages ``kind: table`` (``table_spans``).
contents pages
    Lines that end in a page number, on a page where most lines do (at least ``MIN_CONTENTS_LINES``, their
    numbers rising) or under a heading "Inhoud", "Inhoudsopgave", "Contents", ...: a table of contents without
    dot leaders. They leave the body text like the contents lines with dot leaders (``role == "contents"``).
noise passages (``noise_kinds``)
    A passage that is only a short heading alone on its page, cover or letterhead fields (address, phone,
    e-mail, website, ...; or one field: its name and a short value, ``is_field``), a cover page inside the
    document (``is_cover_page``), a tiny slide of a few words (a chart's labels), or the same text as an earlier
    passage of the document, or on the first page a title block (title, names, a date, no sentence:
    ``is_title_block``), is marked ``kind: noise``; a passage made mostly of numbers, symbols and labels
    of one or two letters without a sentence (a chart's axes, a drawing's labels) ``kind: figure``. Noise and
    figure passages are not indexed (not merely down-weighted: they answer no question): the splitter leaves
    them out (``ingest.chunking``); the text stays on the stored page, and ``kennisbank check`` counts them.

All rules use positions, sizes and words within one document; nothing here knows a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kennisbank.ingest.breaks import paragraph_breaks
from kennisbank.ingest.caption_label import is_caption
from kennisbank.ingest.captions import caption_lines
from kennisbank.ingest.cleaning import CONJUNCTIONS, RULED_BREAK, Vocabulary, hyphen_join, written_hyphenated
from kennisbank.ingest.code import listing_lines
from kennisbank.ingest.layout import Line, PageLayout
from kennisbank.ingest.ruled_tables import rule_frames, ruled_apart, ruled_grids

CELL_GAP = 0.75  # a whitespace piece followed by text this many font sizes further on: a cell boundary
TAB_GAP = 0.4  # ... or this many at a place where text starts after a wide space on several lines (a tab stop)
WIDE_CHAR = 0.55  # an upper estimate of a character's width, in font sizes (proportional fonts average about 0.5)
SAME_COLUMN = 3.0  # points: cells that start this close stand in one column
MIN_ROWS = 3
MAX_ROW_GAP = 3.5  # font sizes between two lines of a table at most
MIN_CONTENTS_LINES = 5
CONTENTS_SHARE = 0.6
TINY_SLIDE_WORDS = 4
FIGURE_TOKENS = 8  # a passage of at least this many tokens ...
FIGURE_SHARE = 0.5  # ... of which this share are numbers, symbols or labels of one or two letters: a figure
FIGURE_MAX_TOKENS = 80  # ... and at most this many (a long passage of formulas or code is text, not labels)
FIGURE_FUNCTION_WORDS = 3  # ... and fewer function words than this (formulas in sentences have them: "Sei", "ist")
FIGURE_MAX_RELATIONS = 2  # ... and fewer relation signs than this (formulas have them, charts' labels do not)
FIGURE_PROSE_RUN = 10  # ... unless it has this many words in a row (running text; a subcaption is shorter)
ROW_START = "| "
LAYOUT_CHAR = 0.5  # layout mode's character width, in font sizes (to place its cells like the pieces')

_NUMBER = re.compile(r"[-−+±<>≤≥~€$%(]*\d[\d.,:/%-]*[)%]*|[ivxlc]{1,6}", re.IGNORECASE)
_PAGE_AT_END = re.compile(r"^(?P<text>.*[^\W\d_].*?)[\s.…·_-]*\s(?P<page>\d{1,4})$")
_CONTENTS_HEADING = re.compile(
    r"^(?:inhoud(?:sopgave|stafel)?|contents?|table of contents|inhaltsverzeichnis|inhalt|table des matières"
    r"|sommaire|índice|indice)$",
    re.IGNORECASE,
)
_FIELD_LABELS = re.compile(
    r"\b(?:adres|bezoekadres|postadres|postbus|telefoon|tel|fax|e-?mail|website|internet|kvk|iban|btw"
    r"|address|phone|telephone|web|www\.\S+|\S+@\S+\.\w+|contactpersoon|kenmerk|datum|uw kenmerk|ons kenmerk"
    r"|bijlage\(n\)|onderwerp)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+")
_LONG_WORD = re.compile(r"[^\W\d_]{3,}")
# a bullet, a dash, a list number or letter, or a glyph without letters or digits (a private-use bullet)
_MARKER = re.compile(r"[^\w]{0,3}|[o•◦▪‣∙·○●■□➢►✓✔*\-–—]|\d{1,2}[.)]|[a-zA-Z][.)]|\(\w{1,3}\)"
                     r"|[ivxlcIVXLC]{1,5}[.)]|[A-Z]{1,2}\d{1,3}\.|\d{1,3}(?:\.\d{1,3}){1,3}\.?")
_NUMBER_SIGNS = frozenset("/ % ‰ – - ± × + = < > ~ *".split())  # between the numbers of one cell ("21 / 25", "68 %")
_LAYOUT_CELL = re.compile(r"\S+(?: \S+)*")  # text runs of layout mode, apart by two or more spaces
_SENTENCE = re.compile(r"\w[%)]*[.?!][\"'”’)]*\s+[A-Z]|[^\W\d_]{3,}[.?!][\"'”’)]*$")  # a sentence ends
_RELATION = re.compile(r"[=⇒⇔⟹⟺≤≥≠≅≈≡∈∉⊆⊂⊊⊇⊃∪∩↦∀∃]")  # signs of a formula (a chart's labels have none)
_PROSE_WORD = re.compile(r"[(\"'“‘]?[^\W\d_]{2,}(?:[-'’][^\W\d_]+)*[.,;:!?)\"'”’]*")
_FUNCTION_WORDS = frozenset(
    "de het een van en in is op te dat die met voor zijn wordt er of als aan bij ook niet "
    "the a an of and in is are to that with for on as by be or not it this "
    "der die das und ist ein eine sei mit von zu den dem für nicht oder wenn gilt es "
    "le la les des du un une et est que dans pour par sur".split()
)
_CLOSING = re.compile(r"[.?!:;][\"'”’)\]]*$")

Cell = tuple[float, str]  # x where the cell starts, its text


@dataclass
class Table:
    """One table of a page: its rows (cells in column order, "" where empty) and whether row 0 is a header."""

    rows: list[list[str]]
    header: bool
    lines: list[Line] = field(default_factory=list)

    def render(self) -> list[str]:
        """The table's lines of page text: one per data row, the header's names before every value."""
        if self.header and len(self.rows) > 1:
            names = self.rows[0]
            return [_row_line([f"{name}: {cell}" if name else cell for name, cell in zip(names, row) if cell])
                    for row in self.rows[1:] if any(row)]
        return [_row_line([cell for cell in row if cell]) for row in self.rows if any(row)]


def _row_line(cells: list[str]) -> str:
    # no closing "|" after two or more cells: a cell that runs on to the next page reads on there
    return ROW_START + " | ".join(cells) + (" |" if len(cells) == 1 else "")


@dataclass
class TableStats:
    tables: int = 0
    table_rows: int = 0
    contents_pages: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- Cells -----------------------------------------------------------------------------------------------


def _placed(line: Line) -> list[Any]:
    return [p for p in (line.pieces or []) if p[3] > 0 and not (p[1] == 0.0 and p[2] == 0.0)]


def _stops(lines: list[Line]) -> set[int]:
    """Places (whole points) where text starts after a wide space on at least ``MIN_ROWS`` lines of a page:
    tab stops of a table whose columns stand close together (the gap alone does not tell)."""
    seen: dict[int, int] = {}
    for line in lines:
        space_at = None
        places = set()
        for text, x, _y, size, _bold in _placed(line):
            if not text.strip():
                space_at = x if space_at is None else space_at
                continue
            if space_at is not None and x - space_at >= TAB_GAP * size:
                places.add(round(x))
            space_at = None
        for place in places:
            seen[place] = seen.get(place, 0) + 1
    counted = {place for place, count in seen.items() if count >= MIN_ROWS}
    return counted | {place + 1 for place in counted} | {place - 1 for place in counted}


def cells(line: Line, stops: set[int] | frozenset[int] = frozenset()) -> list[Cell]:
    """The cells of a line from its pieces (see the module docstring); one cell for a line of running text."""
    pieces = _placed(line)
    if not pieces:
        return [(line.x, " ".join(line.raw.split()))] if line.raw.strip() else []
    found: list[list[Any]] = []  # [x, text]
    end = None  # where the text so far ends, as far as the pieces tell (an upper estimate)
    space_at, pending = None, ""  # where the last whitespace piece stands, if pypdf reported it; its text
    for text, x, _y, size, _bold in pieces:
        if not text.strip():
            if found and space_at is None:
                space_at = x
            pending += text
            continue
        spaced = bool(pending) or text[0].isspace() or (found and found[-1][1][-1:].isspace())
        gap = (space_at is not None and (x - space_at > CELL_GAP * size
                                         or (round(x) in stops and x - space_at >= TAB_GAP * size))) or (
            end is not None and x > end + (0.5 if spaced else 1.5) * size
        )
        if not found or (gap and x > found[-1][0]):
            found.append([x, text])
        else:
            found[-1][1] += pending + text
        end = x + WIDE_CHAR * size * len(text)
        space_at, pending = None, ""
    merged: list[list[Any]] = []
    for x, text in found:  # a bullet or list number before its item is not a cell of its own
        if len(merged) == 1 and _MARKER.fullmatch(merged[-1][1].strip()):
            merged[-1][1] = merged[-1][1].rstrip() + " " + text.lstrip()
        else:
            merged.append([x, text])
    return [(x, " ".join(text.split())) for x, text in merged if text.strip()]


# --- Tables ----------------------------------------------------------------------------------------------


def find_tables(page: PageLayout, pdf_page: Any = None) -> list[Table]:
    """The tables of a page's body lines (see the module docstring); marks their lines ``role = "table"``.

    ``pdf_page`` (pypdf's page) is read once more in pypdf's layout mode when rows of numbers stand on lines
    the pieces do not split (a LaTeX table sets a row as one piece): cells are then the runs of text that
    layout mode sets two or more spaces apart, on the lines whose words are exactly the line's own.
    """
    tables = _ruled_tables(page)  # tables drawn with rules first: their rows and cells are drawn (ingest.ruled_tables)
    lines = [line for line in page.lines if line.role == "body" and line.text.strip() and line.positioned]
    stops = _stops(lines)
    split = [cells(line, stops) for line in lines]
    for first, last in listing_lines([line.text for line in lines]):  # a code listing (ingest.code) is no table
        for at in range(first, last + 1):
            split[at] = split[at][:1]
    # the page in layout mode, read at most once (a table of numbers and a framed table may both need it)
    in_layout = _LayoutRows(pdf_page) if pdf_page is not None else None
    if in_layout is not None and _numeric_rows(lines, split):
        tables += _tables_by_order(lines, _layout_cells(in_layout, lines))
    index = 0
    while index < len(lines):
        if len(split[index]) < 2 or lines[index].role == "table":
            index += 1
            continue
        run = _run_from(lines, split, index)
        table = _table_of(lines, split, run) if run else None
        if table is None:
            index += 1
            continue
        tables.append(table)
        for line in table.lines:
            line.role = "table"
        index = run[-1] + 1
    for table in _framed_tables(page, lines, split, in_layout):
        tables.append(table)
        for line in table.lines:
            line.role = "table"
    return tables


def _framed_tables(page: PageLayout, lines: list[Line], split: list[list[Cell]],
                   in_layout: _LayoutRows | None) -> list[Table]:
    """Small tables ruled only between their parts (``ruled_tables.rule_frames``) that have fewer than
    ``MIN_ROWS`` lines: one header line between the top and middle rules, and rows between the middle and
    bottom rules, nothing else between the rules. The rules say what the lines are, where a header and one
    row alone would not ("Système Moy. Min Max" over "GPT-4o 3,96 3 4"). Cells from the pieces, or from
    layout mode where a line is one piece (a LaTeX row)."""
    found = []
    for top, middle, bottom, left, right in rule_frames(page):
        inside = [index for index, line in enumerate(lines)
                  if bottom < line.y < top and left - SAME_COLUMN <= line.x <= right]
        header = [index for index in inside if lines[index].y > middle]
        if (len(header) != 1 or len(inside) < 2 or len(inside) >= MIN_ROWS
                or inside != list(range(inside[0], inside[-1] + 1))
                or any(lines[index].role != "body" for index in inside)):
            continue
        group = [lines[index] for index in inside]
        if all(len(split[index]) >= 2 for index in inside):
            table = _table_of(lines, split, inside, min_rows=2)
        elif in_layout is not None:
            cells_by_line = _layout_cells(in_layout, group)
            table = (_ordered_table(group, cells_by_line, framed=True)
                     if all(id(line) in cells_by_line for line in group) else None)
        else:
            table = None
        if table is not None and len(table.lines) == len(inside):
            found.append(Table(rows=table.rows, header=True, lines=table.lines))
    return found


def _ruled_tables(page: PageLayout) -> list[Table]:
    """The page's tables drawn with rules (``ingest.ruled_tables``), their lines marked ``role = "table"``; a cell
    that runs on to its next line goes through ``_cell_runs_on`` like the cells of the other tables."""
    vocab: list[Vocabulary] = []
    lines = [line for line in page.lines if line.text.strip()]
    tables = []
    for grid in ruled_grids(page, lambda cell, text: _cell_runs_on(cell, text, lines, vocab)):
        tables.append(Table(rows=grid.rows, header=grid.header, lines=grid.lines))
        for line in grid.lines:
            line.role = "table"
    return tables


def _numeric_rows(lines: list[Line], split: list[list[Cell]]) -> bool:
    """Whether ``MIN_ROWS`` lines in a row, each one piece of text, carry two or more numbers: a table that
    the pieces do not split (worth reading the page in layout mode)."""
    run = 0
    for line_cells in split:
        numbers = sum(1 for token in (line_cells[0][1].split() if len(line_cells) == 1 else [])
                      if _NUMBER.fullmatch(token))
        run = run + 1 if numbers >= 2 else 0
        if run >= MIN_ROWS:
            return True
    return False


class _LayoutRows:
    """A page's rows in pypdf's layout mode, read when first asked for and kept for the page's other tables: the
    rows, and each row's characters without spaces with their places in the row. Empty when layout mode fails
    (it does on some pages that plain extraction reads)."""

    def __init__(self, pdf_page: Any) -> None:
        self._page = pdf_page
        self._rows: tuple[list[str], list[tuple[str, list[int]]]] | None = None

    def rows(self) -> tuple[list[str], list[tuple[str, list[int]]]]:
        if self._rows is None:
            try:
                text = self._page.extract_text(extraction_mode="layout")
            except Exception:  # layout mode fails on some pages that plain extraction reads: keep the pieces' cells
                text = None
            rows = text.split("\n") if text is not None else []
            compact = []
            for row in rows:
                places = [at for at, char in enumerate(row) if not char.isspace()]
                compact.append(("".join(row[at] for at in places), places))
            self._rows = (rows, compact)
        return self._rows


def _layout_cells(in_layout: _LayoutRows, lines: list[Line]) -> dict[int, list[Cell]]:
    """Cells of lines from pypdf's layout mode: text runs two or more spaces apart; x in character widths.

    Each line is looked for in the layout rows by its characters without spaces (a row of layout mode may
    hold more: the other column of a two-column page stands beside a table's rows), at word boundaries;
    its cells are the stretches of layout mode's row that two or more spaces part. The cells' text is cut
    from the line's own text (pypdf's plain text), so it has exactly the line's words.
    """
    rows, compact = in_layout.rows()
    if not rows:
        return {}
    taken: set[tuple[int, int]] = set()
    found: dict[int, list[Cell]] = {}
    for line in lines:
        key = "".join(line.raw.split())
        match = _find_in_rows(key, rows, compact, taken) if len(key) >= 3 else None
        if match is None:
            continue
        number, start, end = match
        taken.add((number, start))
        segment = rows[number][start:end]
        runs = [(start + m.start(), start + m.end()) for m in _LAYOUT_CELL.finditer(segment)]
        if len(runs) < 2:
            continue
        found[id(line)] = [(first * LAYOUT_CHAR * line.size, part)
                           for (first, _last), part in zip(runs, _cut_like(line.raw, rows[number], runs))]
    return found


def _find_in_rows(key: str, rows: list[str], compact: list[tuple[str, list[int]]],
                  taken: set[tuple[int, int]]) -> tuple[int, int, int] | None:
    """Where a line's characters (``key``, without spaces) stand in a layout row: (row, start, end).

    At word boundaries when it can; otherwise a stretch that layout mode splits into cells (a cell glued to
    the other column's text, "25de naturalité", still tells the row's cells)."""
    loose = None
    for number, (chars, places) in enumerate(compact):
        at = chars.find(key)
        while at >= 0:
            start, end = places[at], places[at + len(key) - 1] + 1
            row = rows[number]
            if (number, start) not in taken:
                if (start == 0 or row[start - 1].isspace()) and (end == len(row) or row[end].isspace()):
                    return number, start, end
                if loose is None and "  " in row[start:end]:
                    loose = (number, start, end)
            at = chars.find(key, at + 1)
    return loose


def _cut_like(raw: str, row: str, runs: list[tuple[int, int]]) -> list[str]:
    """The line's own text cut where layout mode's row has its cells (counted in characters without spaces)."""
    counts, seen = [], 0
    for first, last in runs:
        seen += sum(1 for char in row[first:last] if not char.isspace())
        counts.append(seen)
    parts, current, seen = [], "", 0
    for char in raw:
        if not char.isspace() and counts[len(parts)] == seen and len(parts) < len(counts) - 1:
            parts.append(current)
            current = ""
        current += char
        seen += 0 if char.isspace() else 1
    parts.append(current)
    return [" ".join(part.split()) for part in parts]


def _tables_by_order(lines: list[Line], found: dict[int, list[Cell]]) -> list[Table]:
    """Tables from layout mode's cells: ``MIN_ROWS`` or more lines in a row, in one size and close together,
    each with two or more cells (see ``_ordered_table``)."""
    tables: list[Table] = []
    group: list[Line] = []
    for line in [*lines, None]:
        line_cells = found.get(id(line)) if line is not None else None
        if group and (line is None or not line_cells or not _next_row(group[-1], line)):
            table = _ordered_table(group, found)
            if table is not None:
                tables.append(table)
                for member in table.lines:
                    member.role = "table"
            group = []
        if line is not None and line_cells:
            group.append(line)
    return tables


def _next_row(previous: Line, line: Line) -> bool:
    """Whether ``line`` can be the next row of a table after ``previous``: the same size, just below it."""
    size = max(previous.size, line.size, 1.0)
    return abs(previous.size - line.size) <= 0.05 * size and 0 < previous.y - line.y <= MAX_ROW_GAP * size


def _ordered_table(group: list[Line], found: dict[int, list[Cell]], framed: bool = False) -> Table | None:
    """A table from a group of lines with layout cells. The rows with the most cells (at least two of them)
    give the columns; a row with fewer cells (a header over the value columns only, a total) puts each
    cell, in order, in the column whose middle is nearest to the cell's (layout mode's places are rough,
    the cells' order is exact)."""
    spans = [_spans(found[id(line)], line) for line in group]
    width = max((len(row) for row in spans), default=0)
    while len(spans) > 1 and len(spans[0]) < width and not any(_is_numeric(text) for *_, text in spans[1]):
        # a row with fewer cells above a row of names, not of numbers: a caption ("Table 1: | EU Countries")
        # over the header, not a header over the values
        spans, group = spans[1:], group[1:]
    if len(group) < (2 if framed else MIN_ROWS):
        return None
    full = [row for row in spans if len(row) == width]
    if len(full) < 2:
        return None
    middles = [sum((row[c][0] + row[c][1]) / 2 for row in full) / len(full) for c in range(width)]
    rows = []
    for row in spans:
        placed = [""] * width
        for column, (_first, _last, text) in zip(_align(row, middles), row):
            placed[column] = text
        rows.append(placed)
    numeric = sum(1 for row in rows[1:] if any(_is_numeric(cell) for cell in row[1:] if cell))
    if numeric < max(2, 0.5 * (len(rows) - 1)) and not framed:
        return None  # layout mode is read for rows of numbers: without them, lines that merely align
    # (a table framed by its rules, ``_framed_tables``, is one by its rules)
    cells_all = [cell for row in rows for cell in row if cell]
    # justified running text in layout mode: words two spaces apart, mostly single lower-case words
    if sum(1 for cell in cells_all if " " not in cell and cell[:1].islower()) >= 0.3 * len(cells_all):
        return None
    # ... or a list of references: words and years that end in "," or "." ("Company.", "(2017).", "17,")
    if sum(1 for cell in cells_all if cell.endswith((",", ".", ";"))) >= 0.3 * len(cells_all):
        return None
    if _not_words(rows) and not _numbers_by_label(rows):
        return None
    return Table(rows=rows, header=_has_header(rows, group), lines=list(group))


def _numbers_by_label(rows: list[list[str]]) -> bool:
    """A table of numbers: its first column mostly labels (words), every other cell below the first row (a
    header may have short names: "p", "r") a word or numbers
    ("445 186", "68 %", "21 / 25"); formulas have cells that are neither ("= |a|", "2P R")."""
    labels = [row[0] for row in rows if row[0]]
    if not labels or sum(1 for label in labels if _LONG_WORD.search(label)) < 0.5 * len(labels):
        return False
    return all(_LONG_WORD.search(cell) or _is_numeric(cell) for row in rows[1:] for cell in row[1:] if cell)


def _is_numeric(cell: str) -> bool:
    """A cell of numbers: "445 186", "68 %", "21 / 25", "−0,045"."""
    tokens = cell.split()
    return bool(tokens) and all(_NUMBER.fullmatch(token) or token in _NUMBER_SIGNS for token in tokens) \
        and any(_NUMBER.fullmatch(token) for token in tokens)


def _spans(line_cells: list[Cell], line: Line) -> list[tuple[float, float, str]]:
    """Each cell's start, an estimate of its end (layout mode's character width) and its text."""
    return [(x, x + LAYOUT_CHAR * line.size * len(text), text) for x, text in line_cells]


def _align(row: list[tuple[float, float, str]], middles: list[float]) -> list[int]:
    """The columns of a row's cells, in order, with the least distance between the cells' and columns' middles."""
    count, width = len(row), len(middles)
    if count == width:
        return list(range(width))
    inf = float("inf")
    # cost[i][j]: the best total distance for the first i cells, cell i-1 in a column before j
    cost = [[inf] * (width + 1) for _ in range(count + 1)]
    choice: dict[tuple[int, int], int] = {}
    cost[0] = [0.0] * (width + 1)
    for i in range(1, count + 1):
        middle = (row[i - 1][0] + row[i - 1][1]) / 2
        for j in range(i, width + 1):
            stay = cost[i][j - 1]
            take = cost[i - 1][j - 1] + abs(middle - middles[j - 1])
            if take <= stay:
                cost[i][j], choice[(i, j)] = take, j - 1
            else:
                cost[i][j], choice[(i, j)] = stay, choice[(i, j - 1)]
    columns, j = [], width
    for i in range(count, 0, -1):
        column = choice[(i, j)]
        columns.append(column)
        j = column
    return columns[::-1]


def _run_from(lines: list[Line], split: list[list[Cell]], start: int) -> list[int]:
    """Indices of the lines from ``start`` while multi-cell lines keep coming (at most 6 single lines apart)."""
    run, singles = [start], 0
    for index in range(start + 1, len(lines)):
        previous = lines[run[-1]]
        if lines[index].role == "table":
            break  # a table found in layout mode's cells (``_tables_by_order``) ends the run
        if abs(lines[index].y - previous.y) > MAX_ROW_GAP * max(previous.size, lines[index].size, 1.0) * 3:
            break
        if split[index] and split[index][0][0] < split[start][0][0] - SAME_COLUMN:
            break  # a line left of the table's first column (a heading, the text after it) ends the run
        size = lines[index].size
        if len(split[index]) < 2 and all(abs(size - other) > 0.1 * other for other in (lines[start].size, previous.size)):
            break  # a line in another size between the rows: a heading over the next table
        if len(split[index]) >= 2:
            run.append(index)
            singles = 0
        else:
            singles += 1
            if singles > 12:
                break
            run.append(index)
    while run and len(split[run[-1]]) < 2 and len(run) > 1:
        run.pop()  # trailing single lines are added back below when they stand in a column
    right = max(lines[index].right or lines[index].x for index in run)
    for index in range(run[-1] + 1, min(len(lines), run[-1] + 8)):
        if len(split[index]) >= 2 or not split[index] or split[index][0][0] < split[start][0][0] - SAME_COLUMN:
            break
        if not _below(lines[run[-1]], lines[index]) or split[index][0][0] > right:
            break  # a label of a drawing placed elsewhere on the page: outside the table's box, not a cell's line
        if abs(lines[index].size - lines[run[-1]].size) > 0.1 * lines[run[-1]].size:
            break  # a line in another size under the rows (the next section's heading) is no cell's next line
        run.append(index)
    return run


def _below(previous: Line, line: Line) -> bool:
    """Whether ``line`` stands under ``previous`` at most a table's row gap lower (the next line of a cell)."""
    return 0 < previous.y - line.y <= MAX_ROW_GAP * max(previous.size, line.size, 1.0)


def _columns(split: list[list[Cell]], run: list[int]) -> list[float]:
    """Places where cells of at least two multi-cell lines start: the table's columns, left to right."""
    starts = sorted(x for index in run if len(split[index]) >= 2 for x, _ in split[index])
    groups: list[list[float]] = []
    for x in starts:
        if groups and x - groups[-1][-1] <= SAME_COLUMN:
            groups[-1].append(x)
        else:
            groups.append([x])
    support = [
        (min(group), sum(1 for index in run if len(split[index]) >= 2
                         and any(min(group) - SAME_COLUMN <= x <= max(group) + SAME_COLUMN for x, _ in split[index])))
        for group in groups
    ]
    return [x for x, count in support if count >= 2]


def _column_of(x: float, columns: list[float]) -> int:
    index = 0
    for number, place in enumerate(columns):
        if x >= place - SAME_COLUMN:
            index = number
    return index


def _fits(line: Line, line_cells: list[Cell], columns: list[float]) -> bool:
    """Whether a line can be part of the table: it starts in a column and no cell runs into the next one."""
    if not line_cells or line_cells[0][0] < columns[0] - SAME_COLUMN:
        return False
    for x, text in line_cells:
        column = _column_of(x, columns)
        if column + 1 < len(columns) and x + 0.42 * line.size * len(text) > columns[column + 1] + SAME_COLUMN:
            return False  # even a narrow estimate of its width crosses the next column: running text
    return True


def _table_of(lines: list[Line], split: list[list[Cell]], run: list[int], min_rows: int = MIN_ROWS) -> Table | None:
    columns = _columns(split, run)
    if len(columns) < 2:
        return None
    kept: list[int] = []
    by_order = set()  # a header whose labels stand apart from the columns (centred, shifted): cells in order
    for index in run:
        if not kept and len(split[index]) == len(columns) and index == run[0]:
            by_order.add(index)
            kept.append(index)
            continue
        if not _fits(lines[index], split[index], columns):
            if len(split[index]) >= 2 and kept:
                break
            if kept:
                break
            continue
        kept.append(index)
    multi = [index for index in kept if len(split[index]) >= 2]
    # lines of the table must have cells on the columns: the multi-cell lines use at least two of them
    if len(multi) < min_rows - 1 or len(kept) < min_rows:
        return None
    rows: list[list[str]] = []
    row_top: list[float] = []
    vocab: list[Vocabulary] = []  # the words of the table's lines, made when a cell runs on after a hyphen
    for index in kept:
        line = lines[index]
        placed = ([(column, text) for column, (_x, text) in enumerate(split[index])] if index in by_order
                  else [(_column_of(x, columns), text) for x, text in split[index]])
        starts_row = placed[0][0] == 0 and (not rows or any(rows[-1][1:]))
        same_height = rows and any(abs(line.y - y) < 0.3 * line.size for y in row_top[-1:]) and placed[0][0] > 0
        if not rows or (starts_row and not same_height):
            rows.append([""] * len(columns))
            row_top.append(line.y)
        for column, text in placed:
            rows[-1][column] = _cell_runs_on(rows[-1][column], text, lines, vocab) if rows[-1][column] else text
    filled = [sum(1 for cell in row if cell) for row in rows]
    if len(rows) < min_rows or sum(1 for count in filled if count >= 2) < min_rows - 1:
        return None
    if len({row[0] for row in rows}) == 1:
        return None  # one label repeated down the first column ("TABLE"): a caption's small capitals, not a key
    if _reads_as_prose(rows) or _not_words(rows):
        return None
    used = [column for column in range(len(columns)) if any(row[column] for row in rows)]
    rows = [[row[column] for column in used] for row in rows]
    return Table(rows=rows, header=_has_header(rows, [lines[i] for i in kept]), lines=[lines[i] for i in kept])


_CELL_HYPHEN = re.compile(r"([^\W\d_]+)-$")
# an identifier cut after its hyphen in a narrow cell: capitals and a hyphen ("NLC-") at the end of the cell's line,
# only digits on the next ("008"); no word is hyphenated between letters and digits, so the parts are one code
_CODE_START = re.compile(r"(?:^|\s)[A-Z]{2,}-$")
_CODE_END = re.compile(r"\d{1,6}")
_CELL_WORD = re.compile(r"[^\W\d_]+")
_NAME_HYPHEN = re.compile(r"[^\W_][\d'’\")]-$")  # a hyphen after a digit or a closing quote: a compound's


def _cell_runs_on(cell: str, text: str, lines: list[Line], vocab: list[Vocabulary]) -> str:
    """A cell's text with the next line of the cell: after a space, or where the cell's line ends in a
    hyphenated word ("knowl-" + "edge:", "Bemer-" + "kung 37") the hyphenation is undone or kept as in running
    text (``ingest.cleaning.hyphen_join``), with the words of the page's lines as evidence."""
    if _CODE_START.search(cell) and _CODE_END.fullmatch(text.strip()):
        return cell + text.strip()  # "NLC-" + "008": a code cut by a narrow cell keeps its hyphen, no space
    fragment = _CELL_HYPHEN.search(cell) if cell.endswith("-") and not cell.endswith(" -") else None
    after = _CELL_WORD.match(text.lstrip())
    if (_NAME_HYPHEN.search(cell) and after and after.group()[0].islower()
            and after.group().lower() not in CONJUNCTIONS):
        return cell + text.lstrip()  # "HTML5-" + "technologie": no word is hyphenated after a digit or quote
    # the fragment is a word, or the last part of a hyphenated one ("Denial-of-" + "Service")
    if fragment is None or after is None or (fragment.start() and not cell[fragment.start() - 1].isspace()
                                             and cell[fragment.start() - 1] != "-"):
        return (cell + " " + text).strip()
    if not vocab:
        vocab.append(Vocabulary.from_lines([[line.text for line in lines]]))
    if written_hyphenated(cell, after.group(), vocab[0]):
        return cell + text.lstrip()  # the document writes the whole compound with this hyphen within a line
    joined = hyphen_join(fragment.group(1), after.group(), vocab[0])
    if fragment.start() and cell[fragment.start() - 1] == "-" and "-" not in joined:
        return (cell + " " + text).strip()  # "man-in-" + "the": no evidence which hyphen this is, keep both apart
    return cell[: fragment.start()] + joined + text.lstrip()[after.end():]


def _reads_as_prose(rows: list[list[str]]) -> bool:
    """Two columns of running text side by side (a two-column page), not a table: most cells are long prose."""
    long = sum(1 for row in rows for cell in row if len(cell.split()) >= 12)
    cells_count = sum(1 for row in rows for cell in row if cell)
    return len(rows[0]) == 2 and long >= 0.6 * cells_count


def _not_words(rows: list[list[str]]) -> bool:
    """Formulas or drawings, not a table: most cells have no word; or running text cut at a margin: the
    second cells of most rows go on in lower case after a first cell of several words."""
    filled = [cell for row in rows for cell in row if cell]
    if sum(1 for cell in filled if _LONG_WORD.search(cell)) < 0.5 * len(filled):
        return True
    run_on = sum(1 for row in rows if len(row) > 1 and row[1][:1].islower() and len(row[0].split()) >= 3
                 and not row[0].endswith(":"))
    return run_on >= 0.5 * len(rows)


def _has_header(rows: list[list[str]], lines: list[Line]) -> bool:
    first = rows[0]
    if sum(1 for cell in first if cell) < 2:
        return False
    labels = [row[0] for row in rows if row[0]]
    if sum(1 for label in labels if label.endswith(":")) >= 0.5 * len(labels):
        return False  # a form: "Examination: | Written examination"
    top = lines[0]
    body = lines[1:]
    if top.bold and not all(line.bold for line in body):
        return True
    if body and abs(top.size - body[0].size) > 0.1 * top.size:
        return True
    digits = any(_NUMBER.fullmatch(cell) for cell in first)
    numeric_column = any(
        sum(1 for row in rows[1:] if row[c] and _NUMBER.fullmatch(row[c])) >= max(2, 0.5 * (len(rows) - 1))
        for c in range(len(first))
    )
    return not digits and numeric_column and all(len(cell.split()) <= 6 for cell in first)


# --- Contents pages --------------------------------------------------------------------------------------


def mark_contents(page: PageLayout) -> int:
    """Mark the lines of a table of contents without dot leaders (see the module docstring); returns how many."""
    beside = _contents_beside_leaders(page)
    body = [line for line in page.lines if line.role == "body" and line.text.strip()]
    if not body:
        return beside
    ending = [(line, int(match.group("page"))) for line in body  # a cheap test first: the pattern is slow on long lines
              if len(line.text) <= 160 and line.text.rstrip()[-1:].isdecimal()
              and (match := _PAGE_AT_END.match(" ".join(line.text.split())))]
    headed = any(_CONTENTS_HEADING.match(" ".join(line.text.split()).rstrip(":")) for line in body[:4])
    if not headed:
        return _mark_contents_after_heading(page, body)
    numbers = [number for _, number in ending]
    rising = sum(1 for a, b in zip(numbers, numbers[1:]) if b >= a)
    enough = len(ending) >= MIN_CONTENTS_LINES and len(ending) >= CONTENTS_SHARE * len(body)
    if not ((enough or (headed and len(ending) >= 3)) and rising >= 0.8 * (len(numbers) - 1)):
        return 0
    for line, _ in ending:
        line.role = "contents"
    if headed:
        for line in body[:4]:
            if _CONTENTS_HEADING.match(" ".join(line.text.split()).rstrip(":")):
                line.role = "contents"
    return len(ending)


def _contents_beside_leaders(page: PageLayout) -> int:
    """Lines that end in a page number next to lines with dot leaders (``role == "contents"``, at least
    ``MIN_ROWS`` on the page): the chapters of a table of contents set without leaders ("3 Results 8"), or
    with a leader too short for the dot-leader rule (". . . 6")."""
    placed = [line for line in page.lines if line.text.strip()]
    if sum(1 for line in placed if line.role == "contents") < MIN_ROWS:
        return 0
    marked, changed = 0, True
    while changed:
        changed = False
        for index, line in enumerate(placed):
            if line.role != "body" or len(line.text) > 160 or not _PAGE_AT_END.match(" ".join(line.text.split())):
                continue
            if any(other.role == "contents" for other in placed[max(0, index - 1):index + 2] if other is not line):
                line.role = "contents"
                marked += 1
                changed = True
    return marked


def _mark_contents_after_heading(page: PageLayout, body: list[Line]) -> int:
    """A table of contents that starts lower on a page (under a paper's abstract): the lines after a heading
    "Contents", "Inhoud", ... that end in a page number (with or without dot leaders), up to the first line
    that does not, when at least ``MIN_ROWS`` of them follow the heading with rising numbers."""
    at = next((index for index, line in enumerate(body)
               if _CONTENTS_HEADING.match(" ".join(line.text.split()).rstrip(":"))), None)
    if at is None:
        return 0
    after = [line for line in page.lines[page.lines.index(body[at]) + 1:] if line.text.strip()]
    entries: list[tuple[Line, int]] = []
    leaders = 0
    for line in after:
        if line.role == "contents":
            leaders += 1
            continue  # a line with dot leaders, already marked (ingest.layout)
        match = _PAGE_AT_END.match(" ".join(line.text.split()))
        if line.role != "body" or match is None or len(line.text) > 160:
            break
        entries.append((line, int(match.group("page"))))
    numbers = [number for _, number in entries]
    if len(entries) + leaders < MIN_ROWS or any(b < a for a, b in zip(numbers, numbers[1:])):
        return 0
    for line, _ in entries:
        line.role = "contents"
    body[at].role = "contents"
    return len(entries)


# --- The hook for parsing --------------------------------------------------------------------------------


def analyse_tables(pages: list[PageLayout], pdf_pages: Any = None) -> TableStats:
    """Find contents pages and tables on every page (after ``layout.analyse``); a page's tables are in
    ``page_tables[page.number]``-order in its ``tables`` attribute, used by ``body_text``."""
    stats = TableStats()
    for page in pages:
        if page.build_step:
            continue
        if mark_contents(page):
            stats.contents_pages += 1
        found = find_tables(page, pdf_pages[page.number - 1] if pdf_pages is not None else None)
        page.tables = found  # type: ignore[attr-defined]
        stats.tables += len(found)
        stats.table_rows += sum(len(table.render()) for table in found)
        if found and page.headings:
            in_tables = {" ".join(line.text.split()) for table in found for line in table.lines}
            page.headings = [(level, text) for level, text in page.headings if text not in in_tables]
    carry_headers(pages)
    return stats


CONTINUATION_LINES = 3  # body lines above a table that goes on from the page before (the rest of its last cell)


def carry_headers(pages: list[PageLayout]) -> None:
    """A table that goes on over a page break without its header repeated gets the header of the table it
    continues: the first table of a page, without a header, with as many columns as the last table of the page
    before, which has one, starting at the same place on the left; that table is the last body text of its page
    and this one the first of its page (before it at most ``CONTINUATION_LINES`` lines that open in lower case:
    the end of the last row's cell, which runs on over the break as body text). Its rows then read "| Begrip: FPS
    | Beschrijving: ..." like those of the page before; the names are words of an earlier page
    (``ingest.check.page_word_faults`` knows)."""
    previous: PageLayout | None = None
    for page in pages:
        tables = getattr(page, "tables", None) or []
        before = previous
        previous = page
        if not tables or before is None or before.number != page.number - 1 or page.build_step:
            continue
        last = (getattr(before, "tables", None) or [None])[-1]
        first = min(tables, key=lambda table: _line_index(page, table.lines[0]) if table.lines else len(page.lines))
        if last is None or not last.header or first.header or not last.rows or not first.rows or not first.lines \
                or not last.lines or len(last.rows[0]) != len(first.rows[0]) \
                or abs(_left_edge(last) - _left_edge(first)) > 2 * SAME_COLUMN:
            continue  # not the same table: another header, other columns, another left edge
        after = _body_lines(before)[_body_index(before, last.lines[-1]) + 1:]
        above = _body_lines(page)[: _body_index(page, first.lines[0])]
        if after or len(above) > CONTINUATION_LINES or (above and not above[0].text.lstrip()[:1].islower()):
            continue
        first.rows = [list(last.rows[0]), *first.rows]
        first.header = True


def _left_edge(table: Table) -> float:
    """Where a table's text starts on the left (its first column)."""
    return min((line.x for line in table.lines if line.positioned), default=0.0)


def _body_lines(page: PageLayout) -> list[Line]:
    """The page's lines of text that are body or table text, in page order."""
    return [line for line in page.lines if line.role in ("body", "table") and line.text.strip()]


def _body_index(page: PageLayout, line: Line) -> int:
    return next((index for index, other in enumerate(_body_lines(page)) if other is line), len(page.lines))


def _line_index(page: PageLayout, line: Line) -> int:
    return next((index for index, other in enumerate(page.lines) if other is line), len(page.lines))


def body_text(page: PageLayout) -> str:
    """The body text of a page with each table rendered as rows where the table starts, a blank line after."""
    tables = getattr(page, "tables", None) or []
    first_lines = {id(table.lines[0]): table for table in tables}
    out: list[str] = []
    caption_ends = _caption_ends(page)
    captions = caption_lines(page)  # a caption is a paragraph of its own (ingest.captions)
    caption_starts = {id(first) for first, _last in captions}
    caption_ends |= {id(last) for _first, last in captions}
    caption_starts |= paragraph_breaks(page)  # breaks the page shows by place alone (ingest.breaks)
    ruled = ruled_apart(page)  # a rule drawn between two lines parts them (a row of a one-column ruled list)
    for line in page.lines:
        table = first_lines.get(id(line))
        if table is not None:
            out.extend(["", *table.render(), ""])
        elif line.role == "body":
            if id(line) in caption_starts and out and out[-1]:
                out.append("")
            out.append(line.text)
            if id(line) in ruled:
                out.extend([""] * RULED_BREAK)  # the cleaner never runs the next line on (ingest.cleaning)
            elif id(line) in caption_ends:
                out.append("")
    return "\n".join(out)


_CAPTION_START = re.compile(r"\s*[^\W\d_]{3,}\.?\s+\d{1,3}(?:\.\d{1,2})*\s*[:.–—-]\s")  # "TABLE 8 –", "Figuur 5:"


def _caption_ends(page: PageLayout) -> set[int]:
    """The last lines of the page's captions ("TABLE 8 – Corrélation ... (p > 0,05).") that the next body line
    does not continue: it is set in another font size (the caption's own size is kept over its lines). The
    text after a caption then starts a paragraph of its own instead of running on from the caption."""
    body = [line for line in page.lines if line.role == "body" and line.text.strip()]
    ends: set[int] = set()
    index = 0
    while index < len(body):
        line = body[index]
        if not _CAPTION_START.match(line.text):
            index += 1
            continue
        size = max(line.size, 1.0)
        end = index
        while end + 1 < len(body) and abs(body[end + 1].size - line.size) < 0.2 and not _CAPTION_START.match(
                body[end + 1].text):
            end += 1
        if end + 1 < len(body) and abs(body[end + 1].size - line.size) >= 0.05 * size:
            ends.add(id(body[end]))
        index = end + 1
    return ends


# --- Passages --------------------------------------------------------------------------------------------


def is_row(line: str) -> bool:
    """A table row as ``Table.render`` writes it (a Markdown-style line "| a | b")."""
    return line.startswith(ROW_START) and (" | " in line[2:] or line.rstrip().endswith(" |"))


def table_spans(text: str) -> list[tuple[int, int, bool]]:
    """Cut a page's body text into stretches of table rows and of other text: (start, end, is_table).

    A short line without closing punctuation right before the rows (a caption, "Tabel 2 Kosten") goes with
    the table, and so does a short line in lower case right after them (a legend, "legenda: Deadline
    Oplevering"; not a heading or a paragraph, which start in capitals). The stretches cover the text; the splitter packs each on its own.
    """
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, offset + len(line), line))
        offset += len(line) + 1
    kinds = [is_row(line.strip()) for _, _, line in lines]
    for index in range(len(lines)):
        if kinds[index] or not lines[index][2].strip():
            continue
        following = next((k for k in range(index + 1, len(lines)) if lines[k][2].strip()), None)
        stripped = lines[index][2].strip()
        if (following is not None and kinds[following] and len(stripped) <= 120 and not _CLOSING.search(stripped)
                and not stripped.endswith(",")):
            kinds[index] = True
    for index in range(1, len(lines)):  # a short line in lower case right after the rows: the table's legend
        before = next((k for k in range(index - 1, -1, -1) if lines[k][2].strip()), None)
        stripped = lines[index][2].strip()
        if (before is not None and is_row(lines[before][2].strip()) and kinds[before] and not kinds[index]
                and stripped[:1].islower() and len(stripped) <= 60):
            kinds[index] = True
    spans: list[tuple[int, int, bool]] = []
    for (start, end, line), kind in zip(lines, kinds):
        if not line.strip():
            continue
        if spans and spans[-1][2] == kind:
            spans[-1] = (spans[-1][0], end, kind)
        else:
            if spans:
                spans[-1] = (spans[-1][0], spans[-1][1], spans[-1][2])
            spans.append((start, end, kind))
    # stretches meet: each runs to the start of the next, so no text falls between them
    return [(s, spans[i + 1][0] if i + 1 < len(spans) else len(text), k) for i, (s, _e, k) in enumerate(spans)] \
        if spans else [(0, len(text), False)]


def is_table_passage(text: str) -> bool:
    rows = [line for line in text.split("\n") if line.strip()]
    return bool(rows) and 2 * sum(1 for line in rows if is_row(line.strip())) >= len(rows)


def noise_kinds(texts: list[str], pages: list[int | None], kinds: list[str], slides: bool) -> list[str]:
    """The kind of each passage, with ``noise`` for the passages described in the module docstring."""
    per_page: dict[int | None, int] = {}
    for page, kind in zip(pages, kinds):
        if kind == "body":
            per_page[page] = per_page.get(page, 0) + 1
    seen: set[str] = set()
    result = []
    for text, page, kind in zip(texts, pages, kinds):
        key = " ".join(text.casefold().split())
        if kind != "body":
            result.append(kind)
            continue
        words = _WORD.findall(text)
        alone = per_page.get(page, 0) == 1
        lone_heading = alone and "\n" not in text.strip() and len(words) <= 8 and not _CLOSING.search(text.strip())
        tiny_slide = slides and len(words) <= TINY_SLIDE_WORDS and len(text) <= 60
        fields = len(set(m.group().casefold() for m in _FIELD_LABELS.finditer(text)))
        letterhead = fields >= 3 and len(words) <= 40 and not re.search(r"[.?!]\s+[A-Z]", text)
        duplicate = key in seen and len(words) >= 3
        seen.add(key)
        cover = alone and not slides and is_cover_page(text)
        if (lone_heading or tiny_slide or letterhead or duplicate or (page == 1 and is_title_block(text))
                or cover or is_field(text) or field_labels_only(text)):
            result.append("noise")
        else:
            result.append("figure" if is_figure_text(text) else kind)
    return result


TITLE_BLOCK_WORDS = 30  # a title block of a paper or a title slide has at most this many words
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    "|january|february|march|may|june|july|august|october"
    "|januar|februar|märz|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre"
    "|octobre|novembre|décembre"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}[-./]\d{{1,2}}[-./](?:19|20)?\d\d\b|\b(?:\d{{1,2}}\.?\s+)?(?:{_MONTHS})\.?\s+(?:\d{{1,2}},?\s+)?(?:19|20)\d\d\b",
    re.IGNORECASE,
)


def is_title_block(text: str) -> bool:
    """The title block of a paper or a title slide: a title, names, affiliations and a date, no sentence.

    Told by a date (a day and month, "January 3, 2024", "21-01-2021") in a short passage that has no sentence
    end at all; ``noise_kinds`` asks it of the passages of the first page only.
    """
    stripped = text.strip()
    return (len(_WORD.findall(stripped)) <= TITLE_BLOCK_WORDS and not _SENTENCE.search(stripped)
            and not _CLOSING.search(stripped) and bool(_DATE.search(stripped)))


OPENING_WORDS = 80  # the document's opening title block (title, authors, affiliations, addressee) at most


_INITIALS = re.compile(r"\b(?:[A-Z]\.)+|\b(?:prof|dr|ir|mr|drs|ing|dhr|mevr|jr|sr)\.", re.IGNORECASE)


def is_opening_title(text: str) -> bool:
    """The document's first passage as its title block: the title, names with their initials and degrees
    ("Prof.dr.ir. P.P.C.C. Verbeek"), affiliations, an addressee, a date; no sentence once initials and degrees are
    set aside, no list item, at most ``OPENING_WORDS`` words. ``ingest.chunking.front_and_back_noise`` asks it of the
    first body passage of page 1 that is no cover page (the title is the document's metadata; the text stays on the
    stored page)."""
    plain = _INITIALS.sub(" ", text)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return (bool(lines) and len(_WORD.findall(text)) <= OPENING_WORDS and not _SENTENCE.search(plain)
            and not _CLOSING.search(plain.strip())
            and not any(_MARKER.fullmatch(line.split()[0]) and len(line.split()) > 1 for line in lines))


COVER_WORDS = 40  # a cover page (a title page inside a document: title, organisations, names) has at most ...
COVER_LINES = (3, 8)  # ... this many words on this many lines
FIELD_WORDS = 12


_FIELD_VALUE = re.compile(r"[^\W\d_]{2,}:\s+\S")  # "Number of study points: 4": information, not a cover


def is_cover_page(text: str) -> bool:
    """A cover or title page: the only passage of its page, a few short lines (title, organisations, names,
    an image credit), no sentence anywhere, no list item, no "name: value" field (study points, owners) and no
    line of numbers (a table's row). ``noise_kinds`` asks it of lone passages."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return (COVER_LINES[0] <= len(lines) <= COVER_LINES[1] and len(_WORD.findall(text)) <= COVER_WORDS
            and not _SENTENCE.search(text) and not any(_CLOSING.search(line) for line in lines)
            and not any(_MARKER.fullmatch(line.split()[0]) and len(line.split()) > 1 for line in lines)
            and not _FIELD_VALUE.search(text)
            and not any(sum(1 for token in line.split() if _NUMBER.fullmatch(token) and any(c.isdigit() for c in token)) >= 2
                        for line in lines))


def is_field(text: str) -> bool:
    """A letterhead or form field on its own: a field's name ("Contactpersoon", "Ons kenmerk", "Datum:") and
    a short value ("070 8888 500"), no sentence."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or len(_WORD.findall(text)) > FIELD_WORDS or _SENTENCE.search(text):
        return False
    name = lines[0].rstrip(":").strip()
    return bool(_FIELD_LABELS.fullmatch(name))


# the field names of a memo's or letter's head ("voor", "cc", "van", "datum", "inzake", "zaaknr"; "To", "From")
_MEMO_LABELS = re.compile(
    r"aan|van|cc|bcc|voor|datum|inzake|betreft|onderwerp|kenmerk|zaaknr|zaaknummer|dossiernr|dossiernummer"
    r"|referentie|kopie|bijlagen?|to|from|date|subject|re|ref|attn|copy|enclosures?",
    re.IGNORECASE,
)
_PREPOSITIONS = frozenset({"aan", "van", "voor", "to", "from", "re", "copy", "kopie"})  # words of prose as well
MEMO_LABEL_SHARE = 0.75


def field_labels_only(text: str) -> bool:
    """The field names of a memo's head without their values ("voor cc van datum inzake zaaknr": pypdf gives the
    column of names apart from the column of values): at most ``FIELD_WORDS`` words, no sentence, at least
    three different field names of which one is no preposition ("datum", "inzake"), and field names for at
    least ``MEMO_LABEL_SHARE`` of the words."""
    words = _WORD.findall(text)
    if not words or len(words) > FIELD_WORDS or _SENTENCE.search(text) or _CLOSING.search(text.strip()):
        return False
    labels = [word.casefold() for word in words if _MEMO_LABELS.fullmatch(word)]
    return (len(set(labels)) >= 3 and any(label not in _PREPOSITIONS for label in labels)
            and len(labels) >= MEMO_LABEL_SHARE * len(words))


def is_figure_text(text: str) -> bool:
    """A chart's or drawing's labels: mostly numbers, symbols and one- or two-letter labels, no sentence; not a
    caption, and not mathematics: ``FIGURE_MAX_RELATIONS`` or more relation signs ("=", "⇒", "∈", "⊆" ...) make
    formulas, which are text a reader quotes (a definition, a proof's step), not a drawing's labels."""
    tokens = text.split()
    if len(tokens) < FIGURE_TOKENS or _SENTENCE.search(text) or is_caption(text):
        return False
    if len(_RELATION.findall(text)) >= FIGURE_MAX_RELATIONS:
        return False
    short = sum(1 for token in tokens if len(_WORD.findall(token)) == 0 or max(map(len, _WORD.findall(token))) <= 2)
    run = longest = 0
    for token in tokens:  # a run of words is running text (a slide's prose before its code): not a figure
        run = run + 1 if _PROSE_WORD.fullmatch(token) else 0
        longest = max(longest, run)
    function_words = sum(1 for token in tokens if token.casefold().strip(".,;:()") in _FUNCTION_WORDS)
    return (short >= FIGURE_SHARE * len(tokens) and longest < FIGURE_PROSE_RUN and len(tokens) <= FIGURE_MAX_TOKENS
            and function_words < FIGURE_FUNCTION_WORDS)
