"""Small print at the foot of a page: a letterhead's legal lines ("Alle werkzaamheden worden verricht op grond
van een overeenkomst van opdracht ... Kwaliteitsrekening notariaat NL72ABNA...").

A firm's or an organisation's letter paper carries, under its footer, a few lines in a much smaller font: terms
of business, registration numbers, a bank account. pypdf gives them with the page's text (often first); they
repeat on no other page (a memo's first page), so the running-line rule does not catch them, and they start
with no note number, so they are no footnotes. They are told by place and size alone: lines at the very foot
of the page (their top within ``FOOT_SHARE`` of the page height from the bottom edge), below every other line
of body text, in a font at most ``SMALL_PRINT`` of the document's body size. Such lines get the role
``small_print``: like running lines they leave the stored body text and are not indexed; ``kennisbank check``
counts them (``small_print_lines``). Never in a slide deck (a slide's footer line is the running-line rule's).
A footnote (a smaller line that opens with a note number) has its role already and is left alone.
"""

from __future__ import annotations

from typing import Any

FOOT_SHARE = 0.08  # small print stands within this share of the page height from its bottom edge
SMALL_PRINT = 0.7  # ... in a font at most this share of the document's body size


def mark_small_print(page: Any, body_size: float) -> int:
    """Give the role ``small_print`` to the page's small print (see the module docstring); returns how many
    lines."""
    if not body_size or not page.height:
        return 0
    placed = [line for line in page.lines if line.positioned and line.text.strip() and line.role in ("body", "table")]
    foot = [line for line in placed
            if page.rel_y(line) <= FOOT_SHARE and 0 < line.size <= SMALL_PRINT * body_size and line.role == "body"]
    if not foot:
        return 0
    top = max(line.y + line.size for line in foot)
    if any(line.y < top and line not in foot for line in placed):
        return 0  # body text beside or below it: not the foot of the page
    for line in foot:
        line.role = "small_print"
    return len(foot)
