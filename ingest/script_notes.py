"""A note marker set right after a maths letter: "von f" + raised "2" is f with note 2, not f².

``ingest.layout`` takes a raised single digit after a letter for an exponent (x², m2), never for a note marker.
In a TeX text a footnote marker may follow a symbol in maths: "Nullstellenmenge von f²" where the page's foot
holds note 2 ("²von Vanishing Set"), "∠R2PR1²" with note 2 under it. :func:`notes_after_letters` makes such a
raised number a marker "[n]" only where all of this holds, on the page's lines:

- a line below it, in a smaller size (the page's notes), opens with the marker "[n]", and no other line of
  the page has "[n]" inside its text (the note's marker is not found yet);
- the number is raised above its line's baseline, smaller than the line's text, glued to what stands before it;
- nothing of a formula goes on after it: the line ends there, or a space and a word or punctuation follow
  (not a sign, a digit or a bracket: "x2 + y2", "R2 → R3" keep their exponents);
- what stands before it is no place for an exponent in prose: a letter standing alone after a word of at
  least three letters ("von f"), or a subscript that ends where the number starts (TeX stacks a symbol's
  exponent over its subscript; a superscript set after the subscript, R₁ then ², is set apart: a marker);
- it is the only such number for note n on the page (two candidates: nothing is guessed).

Only the brackets are added ("f[2]"), as ``ingest.layout`` writes every marker.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

RAISED = 0.15  # line sizes above the baseline
SMALLER = 0.85  # a marker is smaller than this share of the line's size
NOTE_SIZE = 0.95  # the notes below are set smaller than this share of the line's size
_PROSE_LETTER = re.compile(r"[^\W\d_]{3,}\s+[^\W\d_]$")
_GOES_ON = re.compile(r"\s+[^\W\d_]|[.,;:!?]|\s*$")


def notes_after_letters(lines: Sequence[Any]) -> None:
    """Write "[n]" for each raised number after a maths letter that is the page's marker of note n (see the
    module docstring); ``lines`` (``ingest.layout.Line``) are changed in place."""
    notes = {}
    for line in lines:
        found = re.match(r"\[(\d{1,3})\]", line.text.lstrip())
        if found and line.size > 0:
            notes.setdefault(found.group(1), []).append(line)
    if not notes:
        return
    candidates: dict[str, list[tuple[Any, int, int]]] = {}
    for line in lines:
        if not line.pieces or line.size <= 0 or len(line.text) != len(line.raw):
            continue
        offset = 0
        for index, piece in enumerate(line.pieces):
            text, x, y, size = piece[:4]
            start, offset = offset, offset + len(text)
            number = text.strip()
            if (number not in notes or text != number or not 0 < size < SMALLER * line.size
                    or y < line.y + RAISED * line.size or line.text[start:offset] != number):
                continue
            if not any(note is not line and note.y < line.y and note.size < NOTE_SIZE * line.size
                       for note in notes[number]):
                continue
            before, after = line.text[:start], line.text[offset:]
            if not _GOES_ON.match(after) or not before[-1:].isalnum():
                continue
            if _PROSE_LETTER.search(before) or _after_subscript(line.pieces, index, line):
                candidates.setdefault(number, []).append((line, start, offset))
    for number, found in candidates.items():
        if len(found) != 1:
            continue
        marker = f"[{number}]"
        if any(marker in line.text.lstrip()[1:] for line in lines):
            continue  # the note's marker is there already
        line, start, end = found[0]
        line.text = line.text[:start] + marker + line.text[end:]
        line.markers += 1


def _after_subscript(pieces: Sequence[tuple], index: int, line: Any) -> bool:
    """Whether the piece before is a lowered, smaller piece (a subscript) and the number starts where it ends
    (not over it, as TeX sets a symbol's exponent)."""
    if index == 0:
        return False
    text, x, y, size = pieces[index - 1][:4]
    if not text.strip() or text != text.strip() or not 0 < size < SMALLER * line.size or y > line.y - 0.05 * line.size:
        return False
    return pieces[index][1] >= x + 0.45 * size * len(text)  # at least about a digit's width right of its start
