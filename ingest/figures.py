"""Figures of a PDF page: where the page draws, and the labels that stand in the drawing.

A figure's labels ("(a) Halbraum", "a b γ1 γ2", "V U a b", axis numbers) are text like any other to pypdf: its
plain text runs them into the paragraph before or after the figure. What tells them apart is what the page
draws: ``ingest.drawings`` keeps, in the same pass of pypdf that gives the text (``ingest.layout.read_page``),
the box in page space of every painted path and placed image (``PageLayout.drawings``).

drawings
    The boxes of painted paths (``S``, ``f``, ``B``, ... after ``m``/``l``/``c``/``re``) and images (``Do``)
    that are not thin (a rule, an underline, a fraction bar, a table's border is a line: at most
    ``THIN`` points across) and not the page's background, merged where they come within ``MERGE`` body
    font sizes of each other. A drawing at least ``MIN_SIZE`` body font sizes wide and high is a figure's
    drawing (a table's cell shading or a box behind text is told apart by its text, see below).
labels
    The body lines that stand in a drawing (their baseline within it, or within ``ABOVE`` body sizes above
    it or ``BELOW`` under it, starting within its width) and have at most ``LABEL_WORDS`` words, when the
    drawing's text is sparse and short: no line of ``PROSE_WORDS`` words or more near it, and the lines
    within it cover less than ``MAX_COVER`` of its area (a character taken as half its font size wide). A text box, a shaded table or a callout is dense with text and keeps it.
sub-captions
    Lines in a smaller font than the body (``SMALL``) of at most ``LABEL_WORDS`` words that open with a
    sub-figure's label ("(a) ", "b) ", "(iii) "), and the lines that go on below them, standing within
    ``SUBCAPTION`` body sizes under a figure's drawings or between them (the drawings of one figure: within
    ``FIGURE_GAP`` body sizes of each other): "(a) Halbraum", "(c) K5 (d) K3,3". The figure's caption
    ("Abbildung 2.3: ...", "Figure 4. ...") stays body text, also in a smaller font.

Labels and sub-captions get the role ``figure``: they leave the indexed body text like running lines and
contents lines, and stay on the stored page (pypdf's whole text). Slide decks are left alone (a slide's
text often stands in drawn boxes; ``ingest.tables`` handles their noise). Text inside a form XObject is
placed by pypdf in the form's own space, so a form's drawings are not used.

All rules use positions and sizes within one page and the document's body size; nothing knows a file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kennisbank.ingest.drawings import Box
from kennisbank.ingest.layout import Line, PageLayout

THIN = 2.0  # points: a painted box this narrow or low is a line (rule, border, underline, fraction bar)
PAGE_SHARE = 0.9  # a box this share of the page's width and height is the page's background
MERGE = 0.6  # body sizes: drawings closer than this are one drawing
MIN_SIZE = 2.5  # body sizes: a figure's drawing is at least this wide and high
ABOVE = 0.6  # body sizes above a drawing where its labels may stand (a label's baseline over the top)
BELOW = 1.3  # body sizes below a drawing where its labels may stand (axis labels under the axes)
SIDE = 1.5  # body sizes left and right of a drawing
PROSE_WORDS = 10  # a line of this many words in a drawing is running text: the drawing is a text box
LABEL_WORDS = 8  # a label or a sub-caption has at most this many words
MAX_COVER = 0.15  # the letters of a figure's labels cover less than this share of its drawing
SMALL = 0.95  # a sub-caption is smaller than this share of the body size
SUBCAPTION = 3.0  # body sizes under a figure's drawing (or between its drawings) where sub-captions stand
FIGURE_GAP = 8.0  # body sizes: drawings closer than this one above the other are one figure (sub-figures)

_WORD = re.compile(r"\S+")
_SUBCAPTION = re.compile(r"\s*\(?(?:[a-z]|[ivx]{1,4})\)\s")  # "(a) ", "b) ", "(iii) ": a sub-figure's label


@dataclass
class FigureStats:
    figures: int = 0
    figure_lines: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def figure_boxes(page: PageLayout, body_size: float) -> list[Box]:
    """The drawings of a page that are large enough to be a figure's (see the module docstring)."""
    boxes = [
        box for box in (page.drawings or [])
        if box[2] - box[0] > THIN and box[3] - box[1] > THIN
        and not (page.width and box[2] - box[0] >= PAGE_SHARE * page.width
                 and box[3] - box[1] >= PAGE_SHARE * page.height)
    ]
    merged = _merge(boxes, MERGE * body_size, MERGE * body_size)
    least = MIN_SIZE * body_size
    return [box for box in merged if box[2] - box[0] >= least and box[3] - box[1] >= least]


def _merge(boxes: list[Box], gap_x: float, gap_y: float) -> list[Box]:
    """Boxes that come within the gaps of each other, merged into their common boxes."""
    merged: list[Box] = []
    for box in sorted(boxes):
        current = box
        changed = True
        while changed:
            changed = False
            for index, other in enumerate(merged):
                if (current[0] - gap_x <= other[2] and other[0] - gap_x <= current[2]
                        and current[1] - gap_y <= other[3] and other[1] - gap_y <= current[3]):
                    current = (min(current[0], other[0]), min(current[1], other[1]),
                               max(current[2], other[2]), max(current[3], other[3]))
                    del merged[index]
                    changed = True
                    break
        merged.append(current)
    return merged


def _width(line: Line) -> float:
    return 0.5 * line.size * len(line.text.strip())


def _words(line: Line) -> int:
    return len(_WORD.findall(line.text))


def _in_box(line: Line, box: Box, body_size: float) -> bool:
    return (box[1] - BELOW * body_size <= line.y <= box[3] + ABOVE * body_size
            and box[0] - SIDE * body_size <= line.x <= box[2] + SIDE * body_size
            and line.x + _width(line) <= box[2] + 4 * SIDE * body_size)


def mark_figures(page: PageLayout, body_size: float) -> int:
    """Give the labels and sub-captions of the page's figures the role ``figure``; returns how many figures."""
    if not body_size or not page.drawings:
        return 0
    lines = [line for line in page.lines
             if line.role == "body" and line.positioned and line.text.strip() and not line.heading]
    marked: list[Line] = []
    found: list[Box] = []
    for box in figure_boxes(page, body_size):
        near = [line for line in lines if _in_box(line, box, body_size)]
        within = [line for line in near if box[1] <= line.y <= box[3]]
        area = (box[2] - box[0]) * (box[3] - box[1])
        cover = sum(_width(line) * line.size for line in within)
        if any(_words(line) >= PROSE_WORDS for line in near) or cover >= MAX_COVER * area:
            continue  # a text box, a shaded table: its text is read as text
        found.append(box)
        marked += [line for line in near if _words(line) <= LABEL_WORDS]
    gap = FIGURE_GAP * body_size
    for band in _merge(found, gap, gap):  # the drawings of one figure (sub-figures side by side, one above the other)
        previous: Line | None = None
        for line in lines:
            subcaption = (line.size < SMALL * body_size and _words(line) <= LABEL_WORDS
                          and band[1] - SUBCAPTION * body_size <= line.y <= band[3]
                          and line.x <= band[2] and line.x + _width(line) >= band[0])
            starts = subcaption and bool(_SUBCAPTION.match(line.text))
            # a sub-caption's second line follows its first, just below it, in the same size
            goes_on = (subcaption and previous is not None and abs(previous.size - line.size) < 0.1
                       and 0 < previous.y - line.y <= 1.6 * line.size)
            if starts or goes_on:
                marked.append(line)
                previous = line
            else:
                previous = None
    for line in marked:
        line.role = "figure"
    return len(found)


def analyse_figures(pages: list[PageLayout], slides: bool) -> FigureStats:
    """Mark figure labels on every page (after ``layout.analyse`` and ``tables.analyse_tables``)."""
    stats = FigureStats()
    if slides:
        return stats
    body_size = _body_size(pages)
    for page in pages:
        stats.figures += mark_figures(page, body_size)
        stats.figure_lines += sum(1 for line in page.lines if line.role == "figure")
    return stats


def _body_size(pages: list[PageLayout]) -> float:
    """The font size of most letters of the document (as ``ingest.layout`` finds it)."""
    sizes: Counter = Counter()
    for page in pages:
        for line in page.lines:
            if line.positioned:
                sizes[line.size] += sum(1 for char in line.text if char.isalpha())
    return sizes.most_common(1)[0][0] if sizes else 0.0
