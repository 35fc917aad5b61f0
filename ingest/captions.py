"""Captions of figures and tables: a unit of their own, never run into the body text around them (issue 13).

A caption ("Abbildung 2.7: Beispiele für Simplizialkomplexe", "Figure 3. ...", "Tabel 2: Kosten", "TABLE II.")
is a line of the page like any other to pypdf; the cleaner would join it to the paragraph before or after it,
and the splitter could take it over a page break as the end of the last passage of the page before. Here:

caption lines
    A body line that opens with a caption word (figure, table, chart, map, listing ... in the languages of the
    platform, or its abbreviation "Abb.", "Fig.", "Tab.") and a number ("2", "2.7", "II", "A.1") followed by
    ":", "." or a dash, and that starts a block: it is the page's first body line, the line above it closes a
    sentence or a lead-in, stands in another font size, or lies more than a line space above. (So a sentence
    wrapped before "Table 2. The results ..." in the middle of a paragraph is no caption.) The caption goes on
    over the lines below it in its size at the usual line space that do not open another caption.

``caption_lines`` gives, per page, the first and the last line of every caption; ``tables.body_text`` puts a
blank line before the first and after the last, so the cleaner (``ingest.cleaning``) keeps the caption a
paragraph of its own; ``is_caption`` tells the splitter (``ingest.chunking``) that the next page opens with a
caption, which is not taken over the page break as the end of a passage. Nothing is added to the text but
line breaks.
"""

from __future__ import annotations

import re

from kennisbank.ingest.caption_label import CAPTION, is_caption  # noqa: F401  (is_caption: this module's API)
from kennisbank.ingest.layout import Line, PageLayout

_CLOSES = re.compile(r"[.!?:;)\]][\"'”’]*$")
LINE_SPACE = 1.6  # font sizes: a line further below the one above than this starts a block of its own
SAME_SIZE = 0.2  # points: a caption's lines are in one size


def _starts_block(above: Line | None, line: Line) -> bool:
    if above is None:
        return True
    if _CLOSES.search(above.text.rstrip()):
        return True
    size = max(line.size, 1.0)
    if abs(above.size - line.size) > SAME_SIZE:
        return True
    return not 0 < above.y - line.y <= LINE_SPACE * size


def caption_lines(page: PageLayout) -> list[tuple[Line, Line]]:
    """The first and the last line of each caption among the page's body lines (see the module docstring)."""
    body = [line for line in page.lines if line.role == "body" and line.text.strip()]
    found: list[tuple[Line, Line]] = []
    index = 0
    while index < len(body):
        line = body[index]
        above = body[index - 1] if index else None
        if not line.positioned or not is_caption(line.text) or not _starts_block(above, line):
            index += 1
            continue
        end = index
        while end + 1 < len(body):
            below, last = body[end + 1], body[end]
            size = max(last.size, 1.0)
            if (not below.positioned or below.heading or is_caption(below.text)
                    or abs(below.size - line.size) > SAME_SIZE or not 0 < last.y - below.y <= LINE_SPACE * size):
                break
            if _CLOSES.search(last.text.rstrip()) and below.x < last.x - size:
                break  # the caption ended with a full stop and the next line starts further left: body text
            end += 1
        found.append((line, body[end]))
        index = end + 1
    return found
