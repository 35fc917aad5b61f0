"""Figures of a PDF page: where the page draws, and the labels that stand in the drawing.

A figure's labels ("(a) Halbraum", "a b γ1 γ2", "V U a b", axis numbers) are text like any other to pypdf: its
plain text runs them into the paragraph before or after the figure. What tells them apart is what the page
draws: ``ingest.drawings`` keeps, in the same pass of pypdf that gives the text (``ingest.layout.read_page``),
the box in page space of every painted path (``PageLayout.drawings``). Images are not used: text beside a
photo or a screenshot is body text, and a raster chart's labels are pixels.

drawings
    The boxes of painted paths (``S``, ``f``, ``B``, ... after ``m``/``l``/``c``/``re``) that are not thin (a rule, an underline, a fraction bar, a table's border is a line: at most
    ``THIN`` points across) and not the page's background, merged where they come within ``MERGE`` body
    font sizes of each other. A drawing at least ``MIN_SIZE`` body font sizes wide and high is a figure's
    drawing, with the small drawings (at most ``MARKER`` body sizes) within ``SIDE`` body sizes of it (a
    legend's markers) (a table's cell shading or a box behind text is told apart by its text, see below).
labels
    The body lines that stand in a drawing (their baseline within it, or within ``ABOVE`` body sizes above
    it or ``BELOW`` under it, reaching into its width or ``SIDE`` body sizes beside it) and have at most ``LABEL_WORDS`` words, when the
    drawing's text is sparse and short: no table near it and no line of ``PROSE_WORDS`` words or more across it, no
    line with a word inside it that is ``WIDE`` of its width (a table's row, a form's field), and the lines
    inside it cover less than ``MAX_COVER`` of its area (a character taken as half its font size wide). A
    line of three words or more that ends like a sentence or a lead-in (".", ":", ",") is no label. A text box, a shaded table or a callout is dense with text and keeps it.
sub-captions
    Lines in a smaller font than the body (``SMALL``) of at most ``LABEL_WORDS`` words that open with a
    sub-figure's label ("(a) ", "b) ", "(iii) "), and the lines that go on below them, standing within
    ``SUBCAPTION`` body sizes under a figure's drawings or between them (the drawings of one figure: within
    ``FIGURE_GAP`` body sizes of each other): "(a) Halbraum", "(c) K5 (d) K3,3". The figure's caption
    ("Abbildung 2.3: ...", "Figure 4. ...") stays body text, also in a smaller font.

Labels and sub-captions get the role ``figure``: they leave the body text (what is stored and indexed) like
running lines and contents lines; ``kennisbank check`` counts them (``figure_lines``). Slide decks are left alone (a slide's
text often stands in drawn boxes; ``ingest.tables`` handles their noise). Text inside a form XObject is
placed by pypdf in the form's own space, so a form's drawings are not used.

All rules use positions and sizes within one page and the document's body size; nothing knows a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kennisbank.ingest.drawings import Box
from kennisbank.ingest.layout import Line, PageLayout, body_size_of

THIN = 2.0  # points: a painted box this narrow or low is a line (rule, border, underline, fraction bar)
PAGE_SHARE = 0.9  # a box this share of the page's width and height is the page's background
MERGE = 0.6  # body sizes: drawings closer than this are one drawing
MIN_SIZE = 2.5  # body sizes: a figure's drawing is at least this wide and high
ABOVE = 0.6  # body sizes above a drawing where its labels may stand (a label's baseline over the top)
BELOW = 1.3  # body sizes below a drawing where its labels may stand (axis labels under the axes)
MARKER = 1.5  # body sizes: a drawing this small beside a figure (a legend's marker) is part of it
SIDE = 2.5  # body sizes left and right of a drawing (axis labels, a legend)
PROSE_WORDS = 10  # a line of this many words in a drawing is running text: the drawing is a text box
LABEL_WORDS = 8  # a label or a sub-caption has at most this many words
WIDE = 0.6  # a line of words this share of a drawing's width inside it: a table's row or a form's field
MAX_COVER = 0.15  # the letters of a figure's labels cover less than this share of its drawing
SMALL = 0.95  # a sub-caption is smaller than this share of the body size
SUBCAPTION = 3.0  # body sizes under a figure's drawing (or between its drawings) where sub-captions stand
FIGURE_GAP = 8.0  # body sizes: drawings closer than this one above the other are one figure (sub-figures)

_WORD = re.compile(r"\S+")
_LONG_WORD = re.compile(r"[^\W\d_]{3,}")
_CLOSING = re.compile(r"[.:;,]$")
_CAPTION = re.compile(r"\s*[^\W\d_]+\.?\s+\d+(?:\.\d+)*\s*[:.]")  # "Figuur 5:", "Abbildung 2.3:", "Fig. 4."
_SUBCAPTION = re.compile(r"\s*\(?(?:[a-z]|[ivx]{1,4})\)\s")  # "(a) ", "b) ", "(iii) ": a sub-figure's label


@dataclass
class FigureStats:
    figures: int = 0
    figure_lines: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def figure_boxes(page: PageLayout, body_size: float) -> list[Box]:
    """The drawings of a page that are large enough to be a figure's (see the module docstring)."""
    least = MIN_SIZE * body_size
    boxes = [
        box for box in (page.drawings or [])
        if ((box[2] - box[0] > THIN and box[3] - box[1] > THIN) or max(box[2] - box[0], box[3] - box[1]) >= least)
        and not (page.width and box[2] - box[0] >= PAGE_SHARE * page.width
                 and box[3] - box[1] >= PAGE_SHARE * page.height)
    ]
    merged = _merge(boxes, MERGE * body_size, MERGE * body_size)
    large = [box for box in merged if box[2] - box[0] >= least and box[3] - box[1] >= least]
    side = SIDE * body_size
    marker = MARKER * body_size
    for small in (box for box in merged  # a legend's markers beside a chart join it (not a table's shaded cells)
                  if box not in large and box[2] - box[0] <= marker and box[3] - box[1] <= marker):
        for index, box in enumerate(large):
            if (small[0] - side <= box[2] and box[0] - side <= small[2]
                    and small[1] - side <= box[3] and box[1] - side <= small[3]):
                large[index] = (min(box[0], small[0]), min(box[1], small[1]),
                                max(box[2], small[2]), max(box[3], small[3]))
                break
    return large


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
    """Whether a line stands in a drawing or at its edge: its baseline within the drawing's height (or just
    above or below it), and its width reaching into the drawing's width or ``SIDE`` beside it (an axis's
    labels left of it, a legend right of it)."""
    return (box[1] - BELOW * body_size <= line.y <= box[3] + ABOVE * body_size
            and line.x <= box[2] + SIDE * body_size and line.x + _width(line) >= box[0] - SIDE * body_size)


def _sparse(box: Box, near: list[Line]) -> bool:
    """Whether the text in and around a drawing is a figure's labels: no table, no line of running text
    across it, no line of words nearly as wide as the drawing (a table's row, a form's field), little text
    inside."""
    within = [line for line in near if box[1] <= line.y <= box[3] and line.x < box[2] and line.x + _width(line) > box[0]]
    area = (box[2] - box[0]) * (box[3] - box[1])
    if any(line.role == "table" for line in near) or any(_words(line) >= PROSE_WORDS for line in within):
        return False
    if any(_width(line) >= WIDE * (box[2] - box[0]) and _LONG_WORD.search(line.text) for line in within):
        return False
    return sum(_width(line) * line.size for line in within) < MAX_COVER * area


def _wraps(previous: Line, line: Line) -> bool:
    """Whether ``line`` goes on from ``previous``: in lower case, in the same size, just below it."""
    size = max(previous.size, line.size, 1.0)
    return (line.text.strip()[:1].islower() and abs(previous.size - line.size) < 0.1 * size
            and 0 < previous.y - line.y <= 1.6 * size and abs(previous.x - line.x) <= 3 * size)


def _labels(lines: list[Line], near: set[int]) -> list[Line]:
    """The labels among the body lines of a page that stand near a figure's drawing (``near``: their ids). A
    label may wrap (its next line goes on in lower case:
    "Vertrouwen in / de app"); a label is a few words (``LABEL_WORDS`` a line, twice that wrapped), not
    the end of a sentence or a lead-in ("Also für n = 1:", a line of three words or more ending in ".", ":",
    ","), not a caption ("Figuur 5: ...")."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks and _wraps(blocks[-1][-1], line):
            blocks[-1].append(line)
        else:
            blocks.append([line])
    found: list[Line] = []
    for block in blocks:
        words = sum(_words(line) for line in block)
        last = block[-1].text.strip()
        if (all(id(line) in near and _words(line) <= LABEL_WORDS for line in block) and words <= 2 * LABEL_WORDS
                and not (_words(block[-1]) >= 3 and _CLOSING.search(last)) and not _CAPTION.match(block[0].text)):
            found += block
    return found


def mark_figures(page: PageLayout, body_size: float) -> int:
    """Give the labels and sub-captions of the page's figures the role ``figure``; returns how many figures."""
    if not body_size or not page.drawings:
        return 0
    placed = [line for line in page.lines if line.positioned and line.text.strip()]
    lines = [line for line in placed if line.role == "body" and not line.heading]
    found: list[Box] = []
    near_ids: set[int] = set()
    for box in figure_boxes(page, body_size):
        near = [line for line in placed if _in_box(line, box, body_size)]
        if not _sparse(box, near):
            continue  # a text box, a shaded table or form: its text is read as text
        found.append(box)
        near_ids.update(id(line) for line in near)
    marked = _labels(lines, near_ids)
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
    marked += _under_chart(page, placed, found, body_size)
    marked += _titles_over_charts(placed, found, body_size, {id(line) for line in marked})
    for line in marked:
        line.role = "figure"
    _drop_label_headings(page, marked)
    return len(found)


def _under_chart(page: PageLayout, placed: list[Line], found: list[Box], body_size: float) -> list[Line]:
    """A chart's axis titles and slanted tick labels that stand between its drawing and its caption ("Region",
    "Sub-Saharan Africa" under the axis, "Mean Days Closed" beside it, even when their size made them look
    like a heading): the lines of at most ``LABEL_WORDS`` words inside the drawing's height, or below it down to
    the caption ("Figure 1: ...", ``_CAPTION``) or the heading that follows it, each within ``FIGURE_GAP`` body sizes of the
    one above, when nothing but such short lines stands there and the line reaches into the drawing's width (or ``SIDE`` beside it)."""
    marked: list[Line] = []
    side = SIDE * body_size
    for box in found:
        across = [line for line in placed if line.x <= box[2] + side and line.x + _width(line) >= box[0] - side]
        inside = [line for line in across if box[1] <= line.y <= box[3]]
        below = sorted((line for line in across if line.y < box[1]), key=lambda line: -line.y)
        labels: list[Line] = []
        bottom, caption = box[1], None
        for line in below:  # down from the drawing, label by label, each within FIGURE_GAP of the one above
            if bottom - line.y > FIGURE_GAP * body_size:
                break
            # the figure's caption, or the next section's heading (at the drawing's left edge or left of it, where
            # an axis title stands under the middle of a chart)
            if _CAPTION.match(line.text) or (line.heading and line.x <= box[0] + 0.5 * body_size
                                              and not _centred_under(line, box)):
                caption = line
                break
            if not _short_label(line):
                break
            labels.append(line)
            bottom = line.y
        if caption is None or not all(_short_label(line) for line in inside):
            continue
        marked += [line for line in inside + labels if line.role == "body"]
    return marked


CHART_LABELS = 3  # a chart has at least this many labels in or at its drawing (tick numbers, bar values)
TITLE_ABOVE = 1.5  # body sizes over a chart's drawing where its own title may stand (a subplot's "White Share")


def _titles_over_charts(placed: list[Line], found: list[Box], body_size: float, labels: set[int]) -> list[Line]:
    """A chart's own title right over its drawing ("White Share" over one of four bar charts, in the body's
    size): the nearest line above a figure's drawing, within ``TITLE_ABOVE`` body sizes of its top, centred
    over it (``_centred_under``), a short label (``_short_label``) and no caption ("Figure 3: ..."). A section
    heading starts at the margin and a paragraph's line is wide: neither is centred over a chart with a few
    words. Only over a chart whose labels were found (``labels``: the ids of the lines marked so far; at
    least ``CHART_LABELS`` of them in or at its drawing, ``_in_box``: axis numbers, bar values), not over any
    drawing with a word above it."""
    marked: list[Line] = []
    for box in found:
        if sum(1 for line in placed if id(line) in labels and _in_box(line, box, body_size)) < CHART_LABELS:
            continue
        above = [line for line in placed if box[3] < line.y <= box[3] + TITLE_ABOVE * body_size
                 and line.x <= box[2] and line.x + _width(line) >= box[0]]
        if not above:
            continue
        line = min(above, key=lambda line: line.y)
        if (line.role == "body" and _short_label(line) and not _CAPTION.match(line.text)
                and _centred_under(line, box) and 2 * _width(line) <= box[2] - box[0]):
            marked.append(line)
    return marked


CENTRED = 0.1  # a line whose middle is within this share of a drawing's width of the drawing's middle is centred


def _centred_under(line: Line, box: Box) -> bool:
    """Whether a line stands centred under a drawing (a chart's axis title, which may start a little left of
    the plot's box and be set in a heading's size), where the next section's heading starts at the margin."""
    right = line.right if line.right > line.x else line.x + _width(line)
    return abs((line.x + right) / 2 - (box[0] + box[2]) / 2) <= CENTRED * (box[2] - box[0])


def _short_label(line: Line) -> bool:
    return (line.role in ("body", "figure") and _words(line) <= LABEL_WORDS
            and not (_words(line) >= 3 and _CLOSING.search(line.text.strip())))


def _drop_label_headings(page: PageLayout, marked: list[Line]) -> None:
    """Leave out of the page's headings those made only of lines found to be a figure's labels."""
    chosen = {id(line) for line in marked if line.heading}
    labels = [line for line in page.lines if id(line) in chosen]  # in the page's order, as the headings were read
    if not labels or not page.headings:
        return
    texts = [" ".join(line.text.split()) for line in labels]
    runs = {" ".join(texts[i:j]) for i in range(len(texts)) for j in range(i + 1, len(texts) + 1)}
    page.headings = [(level, text) for level, text in page.headings if " ".join(text.split()) not in runs]
    for line in labels:
        line.heading = False


def analyse_figures(pages: list[PageLayout], slides: bool) -> FigureStats:
    """Mark figure labels on every page (after ``layout.analyse`` and ``tables.analyse_tables``)."""
    stats = FigureStats()
    if slides:
        return stats
    body_size = body_size_of(pages)
    for page in pages:
        stats.figures += mark_figures(page, body_size)
        stats.figure_lines += sum(1 for line in page.lines if line.role == "figure")
    return stats
