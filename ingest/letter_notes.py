"""Note markers that are letters: LaTeX's notes inside a minipage or a Beamer block ("accordingly" + a raised
small "a", the note "a Note, in many literature ..." lower in the same box).

A raised small letter after a word may as well be an exponent or a unit (x^a, m^2), so a letter counts as a
note marker only with the page's own evidence: the same letter, raised and smaller, also opens a line of the
page (the note it points to). :func:`note_letters` finds the letters that open a line so; ``ingest.layout``
then writes a raised small piece of such a letter after a word as "[a]", like a numbered marker, and
:func:`mark_letter_notes` gives the lines of the note the role ``footnote`` (kept apart from the body text,
stored as a note passage). Nothing is added or removed but the brackets.
"""

from __future__ import annotations

import re
from typing import Any

RAISED = 0.15  # a marker's baseline stands at least this share of the next text's size above that text's baseline
SMALLER = 0.85  # ... and its size is less than this share of the next text's size
_LETTER = re.compile(r"[a-z]")
_OPENED = re.compile(r"\s*\[([a-z])\]")


def note_letters(pieces: list[tuple[str, float, float, float, Any]]) -> frozenset[str]:
    """Letters that open a line of the page as a raised small piece right before the note's text: a piece of
    one lower-case letter whose next piece starts right of it, lower (by ``RAISED`` of its size) and larger
    (by ``SMALLER``), and which no text stands just before on its own line (the piece before it is on
    another baseline, or there is none)."""
    found = set()
    for index, (text, x, y, size, _bold) in enumerate(pieces[:-1]):
        if not _LETTER.fullmatch(text.strip()) or size <= 0:
            continue
        after = pieces[index + 1]
        if not after[0].strip() or after[3] <= 0 or not after[0].strip()[0].isalnum():
            continue
        if not (size < SMALLER * after[3] and y > after[2] + RAISED * after[3] and x < after[1] <= x + 3 * size):
            continue
        if index:
            previous = pieces[index - 1]
            if previous[0].strip() and abs(previous[2] - after[2]) < 0.3 * after[3] and previous[1] < x:
                continue  # text before it on the same line: a letter inside a line, no note's start
        found.add(text.strip())
    return frozenset(found)


def mark_letter_notes(lines: list[Any], letters: frozenset[str]) -> int:
    """Give the role ``footnote`` to the notes of ``letters``: a line that opens with a letter marker ("[a]
    Note, ...") written smaller than a line that has that marker after a word, with the lines right below it
    in its size (the note wrapped); returns the number of notes."""
    if not letters:
        return 0
    cited: dict[str, float] = {}  # letter -> size of a line that has it after a word
    for line in lines:
        for letter in letters:
            if re.search(rf"\w\s?\[{letter}\]", line.text):
                cited[letter] = max(cited.get(letter, 0.0), line.size)
    notes = 0
    for index, line in enumerate(lines):
        match = _OPENED.match(line.text)
        if not match or line.role != "body" or not (0 < line.size < SMALLER * cited.get(match.group(1), 0.0) + 1e-9):
            continue
        line.role = "footnote"
        notes += 1
        previous = line
        for following in lines[index + 1:]:
            if (following.role != "body" or _OPENED.match(following.text) or abs(following.size - line.size) > 0.2
                    or not 0 < previous.y - following.y <= 1.6 * line.size):
                break
            following.role = "footnote"
            previous = following
    return notes
