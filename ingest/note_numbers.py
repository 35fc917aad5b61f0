"""Note numbers that open a footnote in the middle of what pypdf gives as one line.

At a page's foot pypdf sometimes gives several printed lines of notes as one line ("... zoveel mogelijk te
voorkomen. 176 https://wetten.overheid.nl/..."): the raised number of the next note then stands inside the
line, lower than the line's own baseline (which is that of its first printed line) and so not taken for a
raised marker by ``ingest.layout._line_of``. What still tells it: it stands at the left edge of the notes
(where the line starts), in a smaller size than the note text, above the baseline of the text that follows
it. Such a number is the note's number and is written as the page's other note numbers are, "[176]".

Only footnote lines are looked at; a number that is the line's first piece is left as it is (the layout's
other rules write those); nothing is added but the brackets.
"""

from __future__ import annotations

import re
from typing import Any


_NUMBER = re.compile(r"\d{1,3}")
NUMBER_SIZE = 0.85  # a note's number is smaller than this share of the note text (as ingest.layout.MARKER_SIZE)
MARGIN = 1.0  # points: a note's number at the left edge of the notes starts within this of the line's start
RISE = 0.15  # share of the note size: the number stands at least this much above the text after it


def bracket_margin_note_numbers(lines: list[Any]) -> int:
    """Write as "[n]" the note numbers inside footnote lines that open a printed line of their own (see the
    module docstring); returns how many."""
    found = 0
    for line in lines:
        if line.role == "footnote" and line.pieces and len(line.pieces) > 2:
            found += _bracket_line(line)
    return found


def _bracket_line(line: Any) -> int:
    pieces, text = line.pieces, line.text
    parts: list[str] = []
    at, found = 0, 0
    for index, (piece, x, y, size, _bold) in enumerate(pieces):
        stripped = piece.strip()
        if text.startswith(piece, at):
            written = piece
        else:  # already written as a marker by the layout
            written = piece.replace(stripped, f"[{stripped}]") if stripped else piece
            if not stripped or not text.startswith(written, at):
                return 0  # the text is not the pieces' (mended by another rule): leave the line alone
        at += len(written)
        if (written == piece and index > 0 and _NUMBER.fullmatch(stripped) and abs(x - line.x) <= MARGIN
                and 0 < size < NUMBER_SIZE * line.size and parts and parts[-1][-1:].isspace()
                and _raised_over_next(pieces, index, line.size)):
            written = piece.replace(stripped, f"[{stripped}]")
            found += 1
        parts.append(written)
    if at != len(text) or not found:
        return 0
    line.text = "".join(parts)
    line.markers += found
    return found


def _raised_over_next(pieces: list[Any], index: int, size: float) -> bool:
    """Whether the number ``pieces[index]`` stands above the baseline of the first text after it, right of it."""
    for piece, x, y, _size, _bold in pieces[index + 1: index + 4]:
        if piece.strip():
            return x > pieces[index][1] and pieces[index][2] > y + RISE * size
    return False
