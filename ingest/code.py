"""Code listings in PDFs: lines that start with consecutive line numbers keep their line breaks (issue 13).

A listing in a slide deck or a course guide comes out of pypdf one line per source line, each with its line
number ("1 class Driver {", "2 private Car car;", ...). Reflowed as prose those lines become one soup line
("1 class Driver { 2 private Car car; 3 void Drive() {"). A *listing* is a run of at least ``MIN_LINES``
lines whose numbers count up by one (n, n + 1, n + 2, ...; a listing may start at any number below 1000, as
one that goes on from the page before does), with at most one line without a number between two numbered
ones (a long source line wrapped), and with a mark of code in at least one line (braces, a line ending in ";",
"f(", "()", "=>", "==", "<T>"); so a numbered list of sentences or a run of years is none. Two numbered lines
are a listing too when each carries a mark that prose does not ("Some<int>", "=>", "x.f(", "f(5);", braces;
a line ending in ";" alone is not enough, nor "word(s)"): a two-line snippet on a slide ran into one line before.

The cleaner (``ingest.cleaning``) keeps each line of a listing on a line of its own, the listing a block of
its own; the splitter (``ingest.chunking``) packs a listing apart from the text around it, as a passage of
kind ``code``. Nothing is added or removed: only line breaks are kept where the PDF has them.
"""

from __future__ import annotations

import re

MIN_LINES = 3
_NUMBERED = re.compile(r"(\d{1,3})(?:\s+\S|$)")  # "3" alone: an empty source line
_CODE_MARK = re.compile(r"[{}]|\(\)|;\s*$|\w\(|=>|==|:=|<\s*\w+\s*>")
# a mark no prose line carries: braces, a generic type glued to a name ("Some<int>"), a lambda arrow, "==", ":=",
# a method call ("x.f("), a statement that ends in a call ("f(5);"); a line that only ends in ";" is not enough
# (a list item may), nor "word(s)"
_STRONG_MARK = re.compile(r"[{}]|\w<\s*\w+\s*>|=>|==|:=|\w\.\w+\(|\w\([^()]*\)\s*;\s*$")


def _number(line: str) -> int | None:
    match = _NUMBERED.match(line.strip())
    return int(match.group(1)) if match else None


def listing_lines(lines: list[str]) -> list[tuple[int, int]]:
    """The listings among a page's lines: (first, last) line index of each, last included.

    Blank lines are skipped over (they neither break nor count as a line of the listing).
    """
    filled = [index for index, line in enumerate(lines) if line.strip()]
    runs: list[tuple[int, int]] = []
    position = 0
    while position < len(filled):
        number = _number(lines[filled[position]])
        if number is None:
            position += 1
            continue
        members, expected, cursor = [filled[position]], number + 1, position + 1
        numbered = 1
        while cursor < len(filled):
            following = _number(lines[filled[cursor]])
            if following == expected:
                members.append(filled[cursor])
                expected, cursor, numbered = expected + 1, cursor + 1, numbered + 1
            elif (cursor + 1 < len(filled) and _number(lines[filled[cursor + 1]]) == expected
                  and following != expected - 1):
                members += [filled[cursor], filled[cursor + 1]]  # a wrapped source line
                expected, cursor, numbered = expected + 1, cursor + 2, numbered + 1
            else:
                break
        if (numbered >= MIN_LINES and any(_CODE_MARK.search(lines[index]) for index in members)) or (
                numbered == 2 == len(members) and all(_STRONG_MARK.search(lines[index]) for index in members)):
            runs.append((members[0], members[-1]))
            position = cursor
        else:
            position += 1
    return runs


def code_spans(text: str) -> list[tuple[int, int, bool]]:
    """Cut a page's cleaned text into stretches of listing and of other text: (start, end, is_code).

    The stretches cover the text, each running to the start of the next.
    """
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    runs = listing_lines(text.split("\n"))
    if not runs:
        return [(0, len(text), False)]
    cuts: list[tuple[int, bool]] = []
    for first, last in runs:
        cuts.append((lines[first][0], True))
        cuts.append((lines[last][1], False))
    spans: list[tuple[int, int, bool]] = []
    if cuts[0][0] > 0:
        spans.append((0, cuts[0][0], False))
    for index, (start, kind) in enumerate(cuts):
        end = cuts[index + 1][0] if index + 1 < len(cuts) else len(text)
        if end > start:
            spans.append((start, end, kind))
    return spans


def is_code_passage(text: str) -> bool:
    """A passage that is one listing (as ``code_spans`` cuts them)."""
    lines = [line for line in text.split("\n") if line.strip()]
    return bool(lines) and listing_lines(lines) == [(0, len(lines) - 1)]
