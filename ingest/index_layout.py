"""An index page whose columns pypdf gives row by row: read column by column (issue 13).

Where a PDF writes an index's columns line by line across the page (a word processor, a DTP program), pypdf puts
the entries of one height on one line, "Abschluss, 3 Karte, 24", and ``ingest.index_pages`` cannot see one entry
a line. Here the body lines of a page are cut where a gap of at least ``GUTTER`` font sizes lies between two of
their pieces; when at least ``MIN_ROWS`` lines are so cut and the cut parts are mostly index entries
(``index_pages``: "term, pages", "term, siehe X", at least ``index_pages.MIN_ENTRIES``), the page's text is
written column by column: a column starts where the cut parts start (the leftmost start of the second part of
each cut line), each part goes to the column it starts in, and a column's parts stand top to bottom, one a line.
Then the cleaner keeps them one entry a line, as for an index in column order. Only the order of the lines and
the line breaks change; every piece's text stays as pypdf gives it (a line whose text is not its pieces' text,
a marker written "[n]" or a recovered glyph, leaves the page as it is).
"""

from __future__ import annotations

from kennisbank.ingest.index_pages import MIN_ENTRIES, entry_kind
from kennisbank.ingest.layout import Line, PageLayout

GUTTER = 1.5  # font sizes: a gap this wide between two pieces of a line is a gap between two columns
MIN_ROWS = 4  # lines cut into parts: at least this many
ENTRY_SHARE = 0.6  # the parts: at least this share entries
INDENT = 3.0  # font sizes: a part up to this far right of a column's start is in that column (a sub-entry)

Part = tuple[float, float, str]  # x, y, text


def _parts(line: Line) -> list[Part] | None:
    """The line cut at its wide gaps, or None when its text is not its pieces' text."""
    pieces, ends = line.pieces or [], line.ends or []
    if not pieces or len(ends) != len(pieces) or "".join(piece[0] for piece in pieces) != line.text:
        return None
    parts: list[list] = []
    previous_end = None
    for piece, end in zip(pieces, ends):
        text, x, size = piece[0], piece[1], piece[3] or line.size
        if parts and text.strip() and previous_end is not None and x - previous_end >= GUTTER * max(size, 1.0):
            parts.append([x, text])
        elif parts:
            parts[-1][1] += text
        else:
            parts.append([x, text])
        if text.strip():
            previous_end = end
    return [(x, line.y, text.strip()) for x, text in parts if text.strip()]


def index_text(page: PageLayout) -> str | None:
    """The page's body text column by column when it is an index written row by row (see the module docstring),
    else None."""
    lines = [line for line in page.lines if line.role in ("body", "table") and line.text.strip() and line.positioned]
    cut: list[list[Part]] = []
    for line in lines:
        parts = _parts(line)
        if parts is None:
            return None
        cut.append(parts)
    rows = [parts for parts in cut if len(parts) >= 2]
    if len(rows) < MIN_ROWS:
        return None
    every = [part for parts in cut for part in parts]
    entries = sum(1 for part in every if entry_kind(part[2]) == "entry")
    if entries < MIN_ENTRIES or entries < ENTRY_SHARE * len(every):
        return None
    size = max(line.size for line in lines) or 10.0
    starts: list[float] = []
    for x in sorted(part[0] for parts in rows for part in parts[1:]):
        if not starts or x - starts[-1] > INDENT * size:
            starts.append(x)
    columns: list[list[Part]] = [[] for _ in range(len(starts) + 1)]
    for part in every:
        column = sum(1 for start in starts if part[0] >= start - 1.0)
        columns[column].append(part)
    out = []
    for column in columns:
        out += [text for _x, _y, text in sorted(column, key=lambda part: -part[1])]
    return "\n".join(out)
