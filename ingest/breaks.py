"""Paragraph breaks that the page shows by place but pypdf's text does not (no blank line between the lines).

The cleaner (``ingest.cleaning``) reads a page's body text line by line and joins lines into paragraphs unless a
blank line or a list label parts them. Some breaks are visible only in where the lines stand; for those the body
text gets a blank line before the line (``ingest.tables.body_text``):

- **a line back at the margin after a list item**: in a list whose items wrap to a hanging indent (a wrapped line
  stands right of its bullet or number), a line that starts left of the label of the item above it is no longer
  part of that item ("• Betrokkene wijzen op ... Dit beleid actief" / "te communiceren." / "Beperking/Uitdaging:");
  in a list whose items do not wrap, such a line with more than the list's line space above it
  ("• Niet-functionele eisen: ... voldoen?" / "Eisen met betrekking tot ...");
- **a run of labelled lines**: two or more lines in a row, each opening with a short capitalised label and a
  dash ("Hoog – Het is zeer waarschijnlijk ...", "Middel – Het is denkbaar ..."), each start a line of their own;
- **a paragraph's space**: a line that stands at least ``GAP`` times the line space of the lines above it
  lower than the line before, in the same size, after a line that is no wrapped run of text (it ends short of
  the paragraph's right edge); neither line holds maths or pieces in another size (a formula's limits, a
  fraction or a superscript can open such a gap by their height);
- **an indented block**: lines in italic standing right of the text around them (a quotation set as a block)
  are a paragraph of their own: a break before the block and after it.

Nothing is added to the text but blank lines; all rules use positions within one page.
"""

from __future__ import annotations

import re

from kennisbank.ingest.layout import Line, PageLayout

GAP = 1.7  # a paragraph's space is at least this many times the line space of the lines above
LINE_SPACE = 1.8  # lines of one paragraph stand at most this many times their size apart
_BULLET = re.compile(r"\s*[•\-–*·▪○◦\uf0b7\uf0a7]\s")
# a list item's label: a bullet, or a number, letter or roman number with "." or ")" ("3. ", "b) ", "(iv) ")
_LABEL = re.compile(r"\s*(?:[•\-–*·▪○◦\uf0b7\uf0a7]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s")
_LABELLED = re.compile(r"\s*[A-ZÀ-Ý][^\W\d_]{1,20}(?: [^\W\d_]{1,20})? [–—-] \S")


def paragraph_breaks(page: PageLayout) -> set[int]:
    """The ids of the page's body lines that start a paragraph although pypdf gives no blank line before them."""
    lines = [line for line in page.lines if line.role == "body"]
    breaks: set[int] = set()
    breaks |= _after_list_items(lines)
    breaks |= _after_list_end(lines)
    breaks |= _labelled_runs(lines)
    breaks |= _spaced(lines)
    breaks |= _indented_blocks(lines)
    return breaks


def _placed(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.positioned and line.text.strip() and line.size > 0]


def _follows(above: Line, below: Line) -> bool:
    """Whether ``below`` is the next line under ``above`` at a paragraph's line space (same column)."""
    size = max(above.size, below.size, 1.0)
    return 0 < above.y - below.y <= LINE_SPACE * size and abs(above.size - below.size) < 0.2 * size


def _after_list_items(lines: list[Line]) -> set[int]:
    placed = _placed(lines)
    # the page's list items wrap to a hanging indent: a wrapped line stands right of its bullet
    hanging = any(_LABEL.match(above.text) and not _LABEL.match(below.text) and _follows(above, below)
                  and below.x > above.x + 0.5 * above.size for above, below in zip(placed, placed[1:]))
    breaks: set[int] = set()
    bullet: Line | None = None
    for above, line in zip(placed if hanging else [], placed[1:]):
        if _LABEL.match(above.text):
            bullet = above
        if _LABEL.match(line.text) or bullet is None:
            continue
        if not _follows(above, line):
            bullet = None
        elif line.x < bullet.x - 0.5 * bullet.size:
            breaks.add(id(line))  # back at the margin, left of the bullet: the item has ended
            bullet = None
    return breaks


LIST_END_GAP = 1.3  # a paragraph after a list stands at least this many times the list's line space lower


def _after_list_end(lines: list[Line]) -> set[int]:
    """A paragraph after a list whose items do not wrap (no hanging indent to go by, ``_after_list_items``): the
    line after an item's last line stands left of the item's label, back at the margin, with more than the
    list's line space above it ("• Niet-functionele eisen: ... voldoen?" + "Eisen met betrekking tot ...").
    A line that wraps an item back to the margin stands at the item's line space."""
    placed = _placed(lines)
    breaks: set[int] = set()
    item: Line | None = None
    spacing = 0.0  # the line space between the lines of the list
    for above, line in zip(placed, placed[1:]):
        if _LABEL.match(above.text):
            if item is not None and 0 < item.y - above.y <= LINE_SPACE * above.size:
                spacing = item.y - above.y if not spacing else min(spacing, item.y - above.y)
            item = above
        if item is None or _LABEL.match(line.text) or abs(line.size - item.size) >= 0.2 * max(item.size, 1.0):
            continue
        gap, size = above.y - line.y, max(item.size, 1.0)
        usual = spacing or 1.2 * size
        if line.x < item.x - 0.5 * size and LIST_END_GAP * usual <= gap <= 4 * usual:
            breaks.add(id(line))
            item = None
        elif gap > LINE_SPACE * size or line.x < item.x - 0.5 * size:
            item = None  # the list has ended (or was none): a later line is no paragraph after it
    return breaks


def _labelled_runs(lines: list[Line]) -> set[int]:
    placed = _placed(lines)
    breaks: set[int] = set()
    for index, line in enumerate(placed):
        if not _LABELLED.match(line.text):
            continue
        neighbours = [other for other in placed[max(0, index - 3): index + 4]
                      if other is not line and _LABELLED.match(other.text) and abs(other.x - line.x) <= 1.0
                      and abs(other.size - line.size) < 0.2 * max(line.size, 1.0)
                      and _dash_of(other.text) == _dash_of(line.text)]
        if neighbours and index > 0:
            breaks.add(id(line))
    return breaks


def _dash_of(text: str) -> str:
    match = _LABELLED.match(text)
    return match.group()[-3:-1].strip() if match else ""


def _spaced(lines: list[Line]) -> set[int]:
    placed = _placed(lines)
    breaks: set[int] = set()
    for index in range(2, len(placed)):
        first, above, line = placed[index - 2], placed[index - 1], placed[index]
        if not (_follows(first, above) and abs(line.size - above.size) < 0.2 * max(line.size, 1.0)):
            continue
        spacing, gap = first.y - above.y, above.y - line.y
        run = [above]  # the lines above at the paragraph's line space (up to 5)
        while len(run) < 5 and index - len(run) - 1 >= 0 and _follows(placed[index - len(run) - 1], run[-1]):
            run.append(placed[index - len(run) - 1])
        right, left = max(other.right for other in run), min(other.x for other in run)
        if (spacing > 0 and GAP * spacing <= gap <= 4 * spacing and abs(line.x - above.x) <= 2 * line.size
                and above.right < right - 0.15 * (right - left) and not _tall(above) and not _tall(line)):
            breaks.add(id(line))
    return breaks


_MATHS = re.compile(r"[=∑∏∫⇒⇔→←↦∈∉⊆⊂∪∩≤≥≠±×·√∞∂∇]|\.\.\.|…")


def _tall(line: Line) -> bool:
    """A line whose height may open a gap by itself: maths (limits, fractions, a matrix's rows) or pieces in
    another size (sub- and superscripts)."""
    pieces = [piece for piece in line.pieces or [] if piece[0].strip()]
    return bool(_MATHS.search(line.text)) or any(abs(piece[3] - line.size) > 0.15 * line.size for piece in pieces)


def _indented_blocks(lines: list[Line]) -> set[int]:
    placed = _placed(lines)
    breaks: set[int] = set()
    index = 0
    while index < len(placed):
        line = placed[index]
        if not line.italic or index == 0:
            index += 1
            continue
        end = index
        while end + 1 < len(placed) and placed[end + 1].italic and _follows(placed[end], placed[end + 1]):
            end += 1
        before = placed[index - 1]
        after = placed[end + 1] if end + 1 < len(placed) else None
        block = placed[index: end + 1]
        left = min(other.x for other in block)
        indented = (not before.italic and left > before.x + 1.5 * line.size
                    and (after is None or (not after.italic and left > after.x + 1.5 * line.size))
                    and len(block) >= 2)
        if indented:
            breaks.add(id(line))
            if after is not None:
                breaks.add(id(after))
        index = end + 1
    return breaks
