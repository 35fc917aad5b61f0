"""Split cleaned pages into passages that follow the text's structure, with exact offsets.

Every chunk that stays on its page satisfies ``chunk.text == cleaned_page_text[chunk.start:chunk.end]``: the
web UI quotes a passage from the stored page text by these offsets, so a citation is always exact.

A paragraph that runs on over a page break is one passage (``page`` .. ``page_end``), not two halves. For it

    chunk.text == first + run_on_joiner(first, rest) + rest
    # first = page_text[chunk.start:chunk.end],
    # rest = next_page_text[chunk.start_on_page_end:chunk.end_on_page_end]

where ``page_text[chunk.start:chunk.end]`` is the end of the body text of ``page`` (never its footnotes) and
the continuation is the start of the next page (or what follows a caption that opens it: a figure set at the
top of the page, ``start_on_page_end``), up to the end of the sentence that runs on (or the end of
that first block). ``start``/``end`` stay offsets in ``page``, so a reader of one page's passages sees a valid
span; the next page's own passages start after the continuation. A passage runs on when the body of a page
ends without closing punctuation and the next page begins in lower case or the page ends on a comma or a
function word; only in PDFs, never in a slide deck (each slide stands alone) and never into footnotes.

How a page is cut:

1. Blocks are the non-empty lines of a cleaned page: after ``ingest.cleaning`` a paragraph, a bullet item and
   a heading each stand on one line.
2. A block longer than ``max_chars`` is split at sentence boundaries (". ", "? ", "! ", "; "; not after
   abbreviations such as "o.a." or "bijv.", nor inside brackets: "(Betts and Tang 2011; Lavy 2015)"), failing
   that at whitespace, never inside a word. The cuts aim at pieces of equal size, so no tiny tail is left. Only a single word longer than ``max_chars`` (a long link)
   makes a chunk longer than ``max_chars``.
3. Consecutive blocks are packed while the result fits in ``max_chars`` and one of the two is smaller than
   ``min_chars``. A short heading-like block (no closing punctuation) at the end of a chunk moves to the next
   chunk, so a heading stays with its paragraph; when the paragraph is too long for both, the heading takes
   its first sentences (a chunk never ends in a heading).

Apart from that continuation, chunks never cross a page boundary; they are never empty, and start and end on non-whitespace: leading and
trailing whitespace is left out by the offsets, the text itself is never changed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from haystack import Document, component, logging

from kennisbank.core.text import normalize_text
from kennisbank.ingest.captions import is_caption
from kennisbank.ingest.cleaning import link_runs_on
from kennisbank.ingest.code import is_code_passage
from kennisbank.ingest.index_pages import is_index_passage, structured_spans
from kennisbank.ingest.tables import (ROW_START, is_figure_text, is_opening_title, is_table_passage, noise_kinds,
                                     table_spans)

logger = logging.getLogger(__name__)

# a sentence end, with its closing quotes and a footnote marker after it ("procent.[89] De omzet")
_SENTENCE_END = re.compile(r"[.?!;][\"'”’)\]]*(?:\[\d{1,3}\])?(?=\s)")
_WHITESPACE = re.compile(r"\s+")
# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    "o.a bijv bv d.m.v t.b.v m.b.t i.p.v i.s.m c.q cq e.a e.d e.g i.e z.g zgn nl ca vgl resp incl excl al "
    "dr drs prof mr ir ing ir jl blz p pag nr st etc a.s t.a.v m.u.v v.w.b art lid par hfst fig tab vs".split()
    # German: "die obere Halbebene bzw. Poincaré-Halbebene", "vgl. Satz 4", "usw.", "ggf.", "sog."
    + "bzw vgl usw ggf evtl bspw sog inkl zzgl abb bzgl ebd hrsg u.a z.b d.h s.o s.u".split()
)
# A block this short without closing punctuation reads as a heading.
_HEADING_MAX = 120
_BULLETS = "•-–*"
_SOURCE_LINE = re.compile(r"^[•\-–*]\s*[^()]{2,80}\(\d{4}\)$")


def run_on_joiner(first: str, rest: str) -> str:
    """What stands between the two parts of a passage over a page break: a space, or nothing where a link
    broken at the page's end goes on at the top of the next page ("https://rich-" + "iannone.github.io/...",
    ``cleaning.link_runs_on``: the rule for a line break inside a page)."""
    return "" if link_runs_on(first, rest) else " "


@dataclass
class Chunk:
    """One passage: ``text == cleaned_page_text[start:end]``; ``page`` is None for unpaginated documents.

    ``kind`` is "body" or "footnote" (a page's footnotes, after its body text); ``page_label`` the number the
    page prints (None when the document prints none there: cite the page index then).
    """

    page: int | None
    start: int
    end: int
    text: str
    split_id: int
    kind: str = "body"
    page_label: str | None = None
    page_end: int | None = None  # the next page, for a passage that runs on over the page break
    end_on_page_end: int | None = None  # where the continuation ends in the text of page_end
    start_on_page_end: int = 0  # where it starts there: after a caption that opens page_end (a figure at its top)


def split_pages(
    pages: list[str],
    paginated: bool,
    max_chars: int = 700,
    min_chars: int = 200,
    note_starts: list[int | None] | None = None,
    page_labels: list[str | None] | None = None,
    flow: bool = False,
    heading_starts: list[set[int]] | None = None,
) -> list[Chunk]:
    """Split the cleaned pages of one document into chunks; ``split_id`` counts them from 0.

    ``note_starts[i]`` is where the footnotes of page i + 1 begin in its text (None: no footnotes): body and
    footnotes are split apart, so a footnote never lands inside a passage of body text. ``flow=True`` lets a
    passage run on over a page break (see the module docstring); then only ``Chunk.page_end`` is set.
    ``heading_starts[i]``: where the headings of page i + 1 start in its text; a heading starts a passage.
    """
    _check_sizes(max_chars, min_chars)
    chunks: list[Chunk] = []
    carry = 0  # where a page's own passages start: after the continuation the previous passage took
    skipped: tuple[int, int] | None = None  # a caption at the page's top that the continuation went past
    for number, page in enumerate(pages, start=1):
        label = page_labels[number - 1] if paginated and page_labels and number - 1 < len(page_labels) else None
        body_end = _body_end(page, note_starts, number)
        heads = {at - carry for at in (heading_starts[number - 1] if heading_starts and number - 1 < len(heading_starts)
                                       else ()) if at >= carry}
        spans = [(s + carry, e + carry) for s, e in _page_spans(page[carry:body_end], max_chars, min_chars, heads)]
        if skipped is not None:
            spans.insert(0, skipped)
        skipped = None
        last_is_heading = bool(spans) and (spans[-1][0] - carry in heads or _lone_heading(page, spans[-1])) \
            and "\n" not in page[spans[-1][0]: spans[-1][1]] and _is_heading(page, spans[-1])
        carry, run_on, lead = 0, None, 0
        if paginated and flow and spans and number < len(pages):
            following = pages[number]
            following_body = following[: _body_end(following, note_starts, number + 1)]
            # a caption at the top of the next page is a unit of its own (ingest.captions): nothing runs on into it
            caption = is_caption(following_body)
            next_heads = heading_starts[number] if heading_starts and number < len(heading_starts) else set()
            # a heading that opens the next page starts a section: no sentence runs on into it ("... Rinie van
            # Est, 2019" + "b. Kernwaarden", a lettered heading that opens in lower case)
            run_on = None if caption or 0 in next_heads else _continuation(page[:body_end], following_body, max_chars)
            if run_on is None and not caption:
                run_on = _list_continuation(page[:body_end], following_body, next_heads, max_chars)
            if run_on is not None:
                run_on = _with_short_tail(following_body, run_on, next_heads)
            if run_on is not None and _body_kind(page[spans[-1][0]: spans[-1][1]]) == "index":
                run_on = None  # an index's entries are lines: a sub-entry on the next page is not a sentence's end
            if run_on is not None and spans[-1][1] - spans[-1][0] + run_on > 2 * max_chars:
                run_on = None  # a very long piece: cut at the page break rather than make a giant passage
            if run_on is None and not caption:
                next_heads = heading_starts[number] if heading_starts and number < len(heading_starts) else set()
                run_on = _over_the_break(page[spans[-1][0]: spans[-1][1]], last_is_heading, following_body,
                                         next_heads, max_chars, min_chars)
            last = page[spans[-1][0]: spans[-1][1]]
            if run_on is None and caption and _body_kind(last) == "body" and not is_caption(last):
                lead, run_on = _past_the_caption(page[:body_end], following_body, next_heads, max_chars)
                if run_on is not None and spans[-1][1] - spans[-1][0] + run_on - lead > 2 * max_chars:
                    lead, run_on = 0, None
        for index, (start, end) in enumerate(spans):
            if run_on is not None and index == len(spans) - 1:
                following = pages[number]
                rest = following[lead:run_on]
                text = page[start:end] + run_on_joiner(page[start:end], rest) + rest
                chunks.append(Chunk(number, start, end, text, len(chunks), page_label=label, page_end=number + 1,
                                    end_on_page_end=run_on, start_on_page_end=lead,
                                    kind=_body_kind(page[start:end])))
                carry = _lstrip(following, run_on, len(following))
                if lead:
                    skipped = (0, _rstrip(following, 0, lead))
            else:
                chunks.append(Chunk(number if paginated else None, start, end, page[start:end], len(chunks),
                                    kind=_body_kind(page[start:end]),
                                    page_label=label))
        if body_end < len(page):
            lo = _lstrip(page, body_end, len(page))
            for start, end in _page_spans(page[lo:], max_chars, min_chars):
                chunks.append(Chunk(number if paginated else None, start + lo, end + lo, page[start + lo: end + lo],
                                    len(chunks), kind="footnote", page_label=label))
    return chunks


def _body_end(page: str, note_starts: list[int | None] | None, number: int) -> int:
    """Where the body text of page ``number`` ends: before its footnotes, without trailing whitespace."""
    at = note_starts[number - 1] if note_starts and number - 1 < len(note_starts) else None
    end = at if at is not None and 0 <= at <= len(page) else len(page)
    return _rstrip(page, 0, end)


_CLOSED = re.compile(r"[.?!:;…][\"'”’)\]]*$")
_RUNS_ON_WORDS = frozenset(
    "de het een van in op met voor en of aan bij te tot om door naar uit over als dat die dit deze zijn is "
    "wordt worden kan the a an of in on with for and or to by from as that which is are".split()
)


def _continuation(body: str, following: str, max_chars: int) -> int | None:
    """How much of ``following`` (the next page's body) finishes the sentence ``body`` ends in, or None."""
    tail, head = body.rstrip(), following.lstrip()
    if not tail or not head or head != following:
        return None
    if _CLOSED.search(tail) and not (tail.endswith(".") and _abbreviation_before(tail, len(tail) - 1)
                                     and head[:2].isalpha() and head[:2].islower()):
        return None  # a sentence end; not a period after an abbreviation before a lower-case word ("bzw. die")
    last_line = tail.rsplit("\n", 1)[-1]
    last_word = last_line.split()[-1].casefold() if last_line.split() else ""
    opens_lower = head[0].islower() or (head[0] in "([“‘\"'" and head[1:2].islower())  # "(fase 1). Echter"
    if not (opens_lower or tail.endswith((",", "-", "–")) or last_word in _RUNS_ON_WORDS):
        return None
    if not _is_sentence_piece(last_line):
        return None
    first_block = following.split("\n", 1)[0]
    if last_line.startswith(ROW_START) and _rstrip(following, 0, len(first_block)) <= max_chars:
        # a table's row cut at the page break: the next page's first line is the rest of its last cell, whole
        # (ingest.ruled_tables leaves that line body text), not only its first sentence
        return _rstrip(following, 0, len(first_block))
    ends = _sentence_ends(following, 0, min(len(first_block), max_chars))
    if ends:
        return _rstrip(following, 0, ends[0])
    return len(first_block) if len(first_block) <= max_chars else None


_CAPTION_MAX = 500  # characters: a caption a continuation goes past is at most this long


def _past_the_caption(body: str, following: str, next_heads: set[int] | frozenset[int],
                      max_chars: int) -> tuple[int, int | None]:
    """(start, end) in ``following`` of the rest of a sentence or lead-in that ``body`` ends in, when the next
    page opens with a figure's or table's caption (the figure set at the top of the page, LaTeX's float) and the
    text goes on after it: "... das „vanishing set“. Dann gilt:" + "Abbildung 2.1: ..." + "a) X ist ...". The
    caption is the next page's first block, up to a blank line; (0, None) when nothing runs on past it."""
    blank = following.find("\n\n")
    if blank <= 0 or following.count("\n", 0, blank) > 1 or blank > _CAPTION_MAX:
        return 0, None  # a caption is a line or two, not a block of text
    lead = _lstrip(following, blank, len(following))
    rest = following[lead:]
    heads = {at - lead for at in next_heads if at >= lead}
    if not rest or 0 in heads or is_caption(rest):
        return 0, None
    run_on = _continuation(body, rest, max_chars)
    if run_on is None:
        run_on = _list_continuation(body, rest, heads, max_chars)
    if run_on is None:
        return 0, None
    return lead, lead + _with_short_tail(rest, run_on, heads)


def _list_continuation(body: str, following: str, next_heads: set[int] | frozenset[int],
                       max_chars: int) -> int | None:
    """How much of ``following`` (the next page's body) finishes a list whose items end in ";" when ``body``
    ends in such an item ("... 2 keer de lettergrootte;" + "Letterafstand ...; Spatiëren ... lettergrootte."):
    up to the first end of a sentence that is not a ";" in the next page's first block (the list's end), or
    that block whole when it ends in ";" too; None when the page does not end in ";", the next page opens with
    a heading or with a line that is no sentence ("Uitleg"), or the piece is longer than ``max_chars``.
    A page that ends in a lead-in (":") takes the list items the next page opens with (``_items_after_lead_in``)."""
    tail, head = body.rstrip(), following.lstrip()
    if tail.endswith(":") and head and head == following and 0 not in next_heads:
        return _items_after_lead_in(following, next_heads, max_chars)
    if not tail.endswith(";") or not head or head != following or 0 in next_heads:
        return None
    first_block = following.split("\n", 1)[0]
    hi = min(len(first_block), max_chars)
    ends = [at for at in _sentence_ends(following, 0, hi) if following[:at].rstrip("\"'”’)]")[-1:] != ";"]
    if ends:
        end = _rstrip(following, 0, ends[0])
    elif first_block.rstrip().endswith(";") and len(first_block) <= max_chars:
        end = _rstrip(following, 0, len(first_block))  # more items: the block of them
    else:
        return None  # a heading ("Uitleg") or a fragment, not the rest of the list
    return end if _is_sentence_piece(following[:end]) else None


_BULLETS = ("•", "◦", "▪", "‣", "●", "○", "■", "□", "- ", "– ")
_BULLET_LABELS = frozenset("•-–*")  # labels every item of a list has (numbers and letters count on)
_ITEM_LABEL_START = re.compile(r"(?:\(?(?:[a-z]|\d{1,2}|[ivx]{1,4})[.)]|[•\-–*])\s")


def _items_after_lead_in(following: str, next_heads: set[int] | frozenset[int], max_chars: int) -> int | None:
    """How much of ``following`` a lead-in at the end of the page before ("Deze commissie bestaat uit:") takes:
    the whole list items ("a. ...", "1) ...", "• ...", each with the lines that wrap it) the next page opens
    with, while they fit in ``max_chars``; None when the next page does not open with a list item or its first
    item does not fit."""
    if not _ITEM_LABEL_START.match(following):
        return None
    whole, current, offset = 0, 0, 0  # the end of the last whole item, of the item read so far
    labels: set[str] = set()
    for line in following.split("\n"):
        if not line.strip() or offset in next_heads:
            break  # the list's block ends: the item read so far is whole
        label = _ITEM_LABEL_START.match(line)
        if label and label.group().strip() in labels and label.group().strip() not in _BULLET_LABELS:
            whole = current  # "a)" again after "b)": another list starts (a proof's cases), the lead-in's has ended
            break
        if label:
            labels.add(label.group().strip())
            whole = current  # a new item: the one before is whole
        elif current and line.rstrip().endswith(":"):
            whole = current  # a lead-in of its own ("Beweis:") after the items: the list ends before it
            break
        current = offset + len(line)
        if current > max_chars:
            current = 0  # this item does not fit
            break
        offset = current + 1
    end = max(whole, current)
    return _rstrip(following, 0, end) if end else None


def _with_short_tail(following: str, end: int, next_heads: set[int] | frozenset[int]) -> int:
    """Where a continuation over the page break ends, taking along the one short line that would be left alone
    between it and the next page's first heading (or its end): "• Geen problemen aangetroffen" after the end of
    the list it concludes is no passage of its own."""
    stop = min([at for at in next_heads if at > end] + [len(following)])
    lo = _lstrip(following, end, stop)
    hi = _rstrip(following, lo, stop)
    if lo < hi and hi - lo <= _HEADING_MAX and "\n" not in following[lo:hi] and "\n\n" not in following[end:lo]:
        return hi
    return end


# A line that opens with a relation or an implication goes on with the derivation above it ("⇒ IWS = π").
_RELATION_START = re.compile(r"[⇒⇔⟹⟺→↔=≤≥<>≠≈≡∴]")


def _derivation_step(following: str, room: int) -> int | None:
    """How much of the next page a passage takes when that page opens with the next step of a derivation: its
    first line, when it opens with a relation or implication sign and fits in ``room``; else None."""
    if not _RELATION_START.match(following):
        return None
    end = following.find("\n")
    end = _rstrip(following, 0, end if end >= 0 else len(following))
    while 0 < end < len(following) and _open_brackets(following[:end]) > 0:
        # a display formula that pypdf gives over several lines (limits under a "⋃"): on to its closing bracket
        following_end = following.find("\n", end + 1)
        following_end = _rstrip(following, 0, following_end if following_end >= 0 else len(following))
        if following_end <= end or "\n\n" in following[end:following_end]:
            break
        end = following_end
    return end if 0 < end <= room else None


def _open_brackets(text: str) -> int:
    """How many round or square brackets ``text`` opens and does not close."""
    return text.count("(") + text.count("[") - text.count(")") - text.count("]")


def _over_the_break(last: str, last_is_heading: bool, following: str, next_heads: set[int] | frozenset[int],
                    max_chars: int, min_chars: int) -> int | None:
    """How much of ``following`` (the next page's body) a page's last passage ``last`` takes over the break
    when the page ends in a heading, or the next page opens with a short piece of text before its first
    heading (a list item cut from its section: "• Geen problemen aangetroffen") or with the next step of a
    derivation (``_derivation_step``); None when none of these.

    A heading at the page end takes the next page's first paragraph (up to a sentence end, so that the whole
    fits in ``max_chars``); the short piece (one line of at most ``_HEADING_MAX`` characters) is taken whole.
    A table or a code listing takes nothing.
    """
    if not following or following[0].isspace() or 0 in next_heads or _body_kind(last) != "body":
        return None
    room = max_chars - len(last) - 1
    if last_is_heading:
        stop = min([at for at in next_heads if at > 0] + [len(following)])
        block = following.find("\n\n", 0, stop)
        end = _rstrip(following, 0, block if block > 0 else stop)
        if end <= room:
            return end if end > 0 else None
        return _first_part(following, (0, end), room, min_chars)
    derivation = _derivation_step(following, room)
    if derivation is not None:
        return derivation
    firsts = [at for at in next_heads if at > 0]
    if not firsts:
        return None
    end = _rstrip(following, 0, min(firsts))
    if 0 < end <= min(room, _HEADING_MAX) and "\n" not in following[:end] \
            and not _sentence_after_open_item(last, following[:end]):
        return end
    return None


def _sentence_after_open_item(last: str, piece: str) -> bool:
    """Whether ``piece`` (a short line that opens the next page) is a sentence of its own while ``last`` ends in
    a list item without closing punctuation ("- de dag dat ... (wordt vermeld in de notificatie)" + "Tijdens geen
    enkele verwerkingsfase worden locatiegegevens verwerkt."): joined with a space it would read as the item's
    end. A list item ("• Geen problemen aangetroffen") or a lower-case start still goes with the list."""
    last_line = last.rstrip().rsplit("\n", 1)[-1]
    return (bool(_ITEM_LABEL_START.match(last_line)) and not _CLOSED.search(last_line.rstrip())
            and not _ITEM_LABEL_START.match(piece) and piece[:1].isupper()
            and piece.rstrip().endswith((".", "!", "?")))


def _is_sentence_piece(line: str) -> bool:
    """A line that reads as running text (several words), not a table cell, a number or a lone label."""
    return len(line.split()) >= 4 or line.rstrip().endswith(",")


def _check_sizes(max_chars: int, min_chars: int) -> None:
    if not isinstance(max_chars, int) or max_chars < 1:
        raise ValueError(f"max_chars must be a positive whole number of characters, got {max_chars!r}")
    if not isinstance(min_chars, int) or not 0 <= min_chars <= max_chars:
        raise ValueError(f"min_chars must be between 0 and max_chars ({max_chars}), got {min_chars!r}")


def _page_spans(page: str, max_chars: int, min_chars: int,
                heads: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """The passages of a page's text; a table's rows (ingest.tables) are packed apart from the text around."""
    spans: list[tuple[int, int]] = []
    parts: list[tuple[int, int, bool]] = []  # (start, end, is a table)
    for table_start, table_end, table in table_spans(page):
        # a code listing (ingest.code) and an index (ingest.index_pages) are packed apart too
        parts += [(table_start, table_end, True)] if table else [
            (table_start + s, table_start + e, False) for s, e in structured_spans(page[table_start:table_end])]
    for start, end, _apart in _headings_with_tables(page, parts, heads):
        part_heads = frozenset(head - start for head in heads if start <= head < end)
        spans += [(s + start, e + start) for s, e in _text_spans(page[start:end], max_chars, min_chars, part_heads)]
    return spans


def _headings_with_tables(page: str, parts: list[tuple[int, int, bool]],
                          heads: set[int] | frozenset[int]) -> list[tuple[int, int, bool]]:
    """The stretches of text, table rows and code listings of a page, with a heading that stands right before
    a table moved into it ("Appendix 1: Assessment matrix" over its table): a heading is never a passage of its
    own. ``parts``: (start, end, is a table), covering the page in order. (A listing keeps its own passage: a
    passage of kind ``code`` is only the listing's lines.)"""
    out = list(parts)
    for index in range(1, len(out)):
        start, end, apart = out[index]
        prev_start, prev_end, prev_apart = out[index - 1]
        if not apart or prev_apart:
            continue
        moved = start
        while True:  # the heading right before the table, and the layout's headings right above that one
            body_end = _rstrip(page, prev_start, moved)
            line = (_lstrip(page, max(page.rfind("\n", prev_start, body_end) + 1, prev_start), body_end), body_end)
            if line[0] >= line[1] or not _is_heading(page, line):
                break
            if line[0] > prev_start and "\n\n" not in page[_rstrip(page, prev_start, line[0]): line[0]]:
                break  # not a block of its own: the last line of a paragraph or a list item
            heading = line[0] in heads or (moved == start and _lone_heading(page, line)
                                            and not page[line[0]:line[1]].endswith(":"))
            if not heading:
                break  # a lead-in sentence ("... de volgende definities:") stays with the text before it
            moved = line[0]
        if moved < start:
            out[index - 1] = (prev_start, moved, False)
            out[index] = (moved, end, True)
    return [(s, e, a) for s, e, a in out if page[s:e].strip()]


def _body_kind(text: str) -> str:
    """``table`` for a passage of table rows, ``code`` for a code listing, ``index`` for a book index, else ``body``."""
    if is_table_passage(text):
        return "table"
    if is_code_passage(text):
        return "code"
    return "index" if is_index_passage(text) else "body"


def _text_spans(page: str, max_chars: int, min_chars: int,
                heads: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    for start, end in _items(page, _blocks(page), max_chars, heads):
        if end - start <= max_chars or (end - start <= max_chars * LIST_STRETCH and _semicolon_list(page, start, end)):
            pieces.extend(_lead_in_apart(page, start, end))
        else:
            split = _split_long(page, start, end, max_chars, min_chars)
            pieces.extend(split[:-1] + _lead_in_apart(page, *split[-1]))
    return _mend_sentence_cuts(page, _pack(page, pieces, max_chars, min_chars, heads), max_chars, heads)


def _blocks(page: str) -> list[tuple[int, int]]:
    """Offsets of the non-empty lines of a page, without their surrounding whitespace."""
    spans, offset = [], 0
    for line in page.split("\n"):
        stripped = line.strip()
        if stripped:
            start = offset + line.index(stripped[0])
            spans.append((start, start + len(stripped)))
        offset += len(line) + 1
    return spans


def _items(page: str, blocks: list[tuple[int, int]], max_chars: int,
           heads: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """Join a short lead-in line with the line that continues it: "• Leeferink (2016)" + "Door de ...".

    A line is a lead-in when it is short and has no closing punctuation, and the next line does not start a
    new item (no bullet). The two are one item (a finding and its source) as long as they fit in max_chars.
    """
    items: list[tuple[int, int]] = []
    for start, end in blocks:
        if items:
            prev_start, prev_end = items[-1]
            lead_in = page[prev_start:prev_end]
            if (
                len(lead_in) <= _HEADING_MAX
                and not re.search(r"[.?!;:,][\"'”’]*$", lead_in)
                and page[start] not in _BULLETS
                and not _ITEM_START.match(page, start)  # "3. Er staan ...": the next item of a list, not a continuation
                and end - prev_start <= max_chars
                and start not in heads  # a heading never continues the line before it
            ):
                items[-1] = (prev_start, end)
                continue
        items.append((start, end))
    return items


def _split_long(text: str, start: int, end: int, max_chars: int, min_chars: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most max_chars, at sentence ends or else at whitespace."""
    pieces = []
    references = _is_reference_list(text[start:end])
    while end - start > max_chars:
        target = start + (end - start) / math.ceil((end - start) / max_chars)
        floor = start + min(min_chars, max_chars // 3)
        ends = _full_stops_first(text, _sentence_ends(text, floor, start + max_chars))
        if references:  # a reference list: cut between two entries, not after an entry's author list
            ends = [at for at in ends if _ENTRY_START.match(text, _lstrip(text, at, end))] or ends
        cut = _best_cut(ends, target)
        if cut is None:  # a short first sentence before one that is long: cut after it rather than inside one
            cut = _early_sentence_end(text, start, floor)
        if cut is None:  # one sentence longer than max_chars: cut at a clause boundary
            cut = _best_cut(_clause_ends(text, floor, start + max_chars), target)
        if cut is None:
            cut = _best_cut([m.start() for m in _WHITESPACE.finditer(text, floor, start + max_chars + 1)], target)
        if cut is None:
            cut = _best_cut([m.start() for m in _WHITESPACE.finditer(text, start + 1, start + max_chars + 1)], target)
        if cut is None:  # one word longer than max_chars: keep it whole
            match = _WHITESPACE.search(text, start + max_chars, end)
            if match is None:
                break
            cut = match.start()
        pieces.append((start, _rstrip(text, start, cut)))
        start = _lstrip(text, cut, end)
    pieces.append((start, end))
    return [(s, e) for s, e in pieces if e > s]


_MIN_SENTENCE = 40  # characters: the shortest first piece cut off before a long sentence


def _early_sentence_end(text: str, start: int, floor: int) -> int | None:
    """The last sentence end between ``start`` (+ ``_MIN_SENTENCE``) and ``floor``: when the only sentence
    ends of a long block come before the size the cut aims at, cutting there keeps every sentence whole (the
    short piece is packed with what comes before it), where a clause boundary would cut a sentence."""
    ends = _sentence_ends(text, start + _MIN_SENTENCE, floor)
    return ends[-1] if ends else None


# The start of a reference entry: "Hatch, Thomas.", "Steele, Claude M", "Kishore Papineni, Salim", "OECD. 2023."
_ENTRY_START = re.compile(
    r"[A-Z][\w'’-]+(?: [a-z]{1,3})?,\s+(?:[A-Z]|and\b|&)|[A-Z][\w'’-]+ (?:[A-Z]\. )?[A-Z][\w'’-]+,\s+[A-Z]"
    r"|[A-Z][\w.&' -]{1,60}?\. (?:\(?(?:19|20)\d\d[a-z]?\)?|n\.d\.)[.,]"
)
_YEAR_END = re.compile(r"\(?(?:19|20)\d\d[a-z]?\)?[.,]\s|https?://|doi\.org/")


def _is_reference_list(text: str) -> bool:
    """A block that reads as a list of references: at least 2 years or links per 700 characters (the cut only
    prefers one sentence end to another, so prose taken for references loses nothing)."""
    return len(_YEAR_END.findall(text)) * 700 >= 2 * max(len(text), 700)


def _sentence_ends(text: str, lo: int, hi: int) -> list[int]:
    """Positions just after a sentence-ending mark (and closing quotes) within [lo, hi]."""
    ends = []
    for match in _SENTENCE_END.finditer(text, lo, hi + 2):  # +2: the lookahead needs the next character
        if match.end() > hi:
            break
        if match.group()[0] == "." and _abbreviation_before(text, match.start()):
            continue  # "o.a.", "bijv.", an initial "J.", "U.S.", titles run together "Prof.dr.ir."
        if _is_label(text, match.start()):
            continue  # "Q29. Het ontwerp ...": a label belongs to the text after it
        if _in_brackets(text, match.start()):
            continue  # "(Betts and Tang 2011; Lavy 2015)": the sentence goes on after the brackets
        ends.append(match.end())
    return ends


def _abbreviation_before(text: str, at: int) -> bool:
    """Whether the period at ``at`` closes an abbreviation ("o.a.", "bijv.", "bzw.", "z.B."), an initial
    ("J.") or titles run together ("Prof.dr.ir."): no sentence end."""
    before = text[max(0, at - 20): at].split()
    word = before[-1].lower().lstrip("(\"'“‘") if before else ""
    return bool(word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or _INITIALISM.fullmatch(word)
                or ("." in word and all(part in _ABBREVIATIONS for part in word.split("."))))


_BRACKET_REACH = 300  # characters: how far an opening bracket counts (an unclosed one never hides more)


def _in_brackets(text: str, at: int) -> bool:
    """Whether ``at`` stands inside a pair of brackets on its line: an opening "(" or "[" before it that is not
    closed before it, and its closing bracket after it, both within ``_BRACKET_REACH`` characters (nested pairs
    are counted: "(anders dan met de app; via (niet-)gebruikers)")."""
    line_start = text.rfind("\n", 0, at) + 1
    depth = 0
    for char in reversed(text[max(line_start, at - _BRACKET_REACH): at]):
        if char in ")]":
            depth += 1
        elif char in "([":
            if depth == 0:
                break
            depth -= 1
    else:
        return False  # no bracket left open before ``at``
    line_end = text.find("\n", at)
    depth = 0
    for char in text[at: min(line_end if line_end >= 0 else len(text), at + _BRACKET_REACH)]:
        if char in "([":
            depth += 1
        elif char in ")]":
            if depth == 0:
                return True
            depth -= 1
    return False


_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_LABEL = re.compile(r"\(?[A-Za-z]{0,3}\d{1,3}(?:\.\d{1,3})*\)?|\(?[a-z]\)?")


def _is_label(text: str, at: int) -> bool:
    """Whether the mark at ``at`` ends a numbered label that stands first in its sentence ("Q29.", "3.2.",
    "(a)."), not a sentence: what follows the label is its text."""
    lo = max(0, at - 40)
    before = text[lo:at]
    token = re.search(r"\S+$", before)
    if token is None or not _LABEL.fullmatch(token.group()):
        return False
    prefix = before[: token.start()]
    if "\n" in prefix[-2:] or (lo == 0 and not prefix.strip()):
        return True  # first on its line
    return prefix.endswith(" ") and prefix.rstrip()[-1:] in (".", "?", "!", ";", ":")


# Where an over-long sentence may be cut when it has no sentence end: after a colon, or after a comma
# that a conjunction or relative pronoun follows (a clause boundary), never at any whitespace first.
_CLAUSE_END = re.compile(
    r"[:,](?=\s+(?:en|maar|of|want|dus|omdat|terwijl|waardoor|waarbij|waarin|waarmee|zodat|die|dat|wat|welke"
    r"|and|but|or|which|while|because|whereas|so|et|mais|ou|qui|donc|und|aber|oder|weil|sodass|wobei)\b)"
    r"|:(?=\s)|[–—](?=\s)"
)


def _clause_ends(text: str, lo: int, hi: int) -> list[int]:
    """Positions just after a clause boundary within [lo, hi] (see ``_CLAUSE_END``)."""
    return [m.end() for m in _CLAUSE_END.finditer(text, lo, hi + 1) if m.end() <= hi]


def _best_cut(candidates: list[int], target: float) -> int | None:
    return min(candidates, key=lambda pos: (abs(pos - target), pos)) if candidates else None


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _lstrip(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def _pack(page: str, pieces: list[tuple[int, int]], max_chars: int, min_chars: int,
          heads: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """Group consecutive pieces into chunks; returns (start, end) of each chunk.

    A heading of the layout (``heads``: where headings start) starts a new chunk, taking along the headings
    right above it; a lead-in ending in ":" stays with the start of what it introduces (see ``_lead_in_apart``).
    """
    groups: list[list[tuple[int, int]]] = []
    list_ends = _list_run_ends(page, pieces)
    clause_ends = _semicolon_run_ends(page, pieces, heads)
    for index, piece in enumerate(pieces):
        if groups:
            group = groups[-1]
            if piece[0] in heads and not all(_heading_only(page, p, heads) for p in group):
                groups.append((_trailing_headings(page, group, heads) or _trailing_lead_in(page, group, piece, max_chars))
                              + [piece])
                continue
            if _caption_apart(page, group, piece, heads):
                groups.append([piece])
                continue
            if _pack_list_item(page, groups, piece, max_chars, list_ends[index]):
                continue
            if (_semicolon_list(page, *piece) and piece[1] - group[0][0] <= max_chars * LIST_STRETCH
                    and all(_heading_only(page, p, heads) or _lone_heading(page, p) for p in group)):
                group.append(piece)  # headings alone above a sentence listing items: it is kept whole with them
                continue
            if (_semicolon_list(page, *group[-1]) and group[-1][1] - group[0][0] > max_chars
                    and piece[1] - piece[0] <= _HEADING_MAX and "\n" not in page[piece[0]:piece[1]]
                    and piece[1] - group[0][0] <= max_chars * LIST_STRETCH):
                group.append(piece)  # a short line closing it ("• Geen problemen aangetroffen") is not left alone
                continue
            run_end = clause_ends[index - 1]
            if run_end is not None and run_end - group[0][0] <= int(max_chars * LIST_STRETCH):
                group.append(piece)  # the items of a list ending in ";" stay with the item that ends the sentence
                continue
            size, piece_size = group[-1][1] - group[0][0], piece[1] - piece[0]
            fits = piece[1] - group[0][0] <= max_chars
            if fits and (size < min_chars or piece_size < min_chars or _is_lead_in(page, group[-1])):
                group.append(piece)
                continue
            last = group[-1]
            if (len(group) > 1 and (_is_heading(page, last) or _is_lead_in(page, last))
                    and (piece[1] - last[0] <= max_chars or (piece[1] - last[0] <= max_chars * LIST_STRETCH
                                                             and _semicolon_list(page, *piece)))):
                groups.append([group.pop(), piece])  # keep a heading or lead-in with what follows it
                continue
            if (not fits and len(group) > 1 and _stranded_heading(page, last, heads)
                    and not all(_heading_only(page, p, heads) or _lone_heading(page, p) for p in group)):
                cut = _first_part(page, piece, max_chars - (piece[0] - last[0]), min_chars)
                if cut is not None:  # a heading never ends a chunk: it takes the start of its paragraph along
                    group.pop()
                    groups.append([last, (piece[0], _rstrip(page, piece[0], cut))])
                    groups.append([(_lstrip(page, cut, piece[1]), piece[1])])
                    continue
            if not fits and all(_heading_only(page, p, heads) or _lone_heading(page, p) for p in group):
                cut = _first_part(page, piece, max_chars - (piece[0] - group[0][0]), min_chars)
                if cut is not None:  # headings alone would be a passage without text: they take its start
                    group.append((piece[0], _rstrip(page, piece[0], cut)))
                    groups.append([(_lstrip(page, cut, piece[1]), piece[1])])
                    continue
        groups.append([piece])
    return [(group[0][0], group[-1][1]) for group in groups]


def _caption_apart(page: str, group: list[tuple[int, int]], piece: tuple[int, int],
                   heads: set[int] | frozenset[int] = frozenset()) -> bool:
    """Whether ``piece`` starts a chunk of its own because the chunk so far ends in a figure's or table's
    caption (its own paragraph: ``ingest.captions``): the caption belongs to its table or figure, never to the
    paragraph that follows it ("TABLE 4 – Scores ..." + "Aucune corrélation ..."). The caption is a
    paragraph of its own (a blank line after it); the piece after it is any text."""
    if "\n\n" not in page[group[-1][1]:piece[0]] or page.startswith("|", piece[0]):
        return False  # the piece goes on with the paragraph before it, or is the caption's table
    text = page[group[0][0]:group[-1][1]]
    caption = text.rsplit("\n\n", 1)[-1]
    if not is_caption(caption) or page[piece[0]].islower():
        return False  # no caption, or the piece goes on with a sentence the figure cut
    paragraph_end = page.find("\n\n", piece[0])
    if is_figure_text(page[piece[0]:paragraph_end if paragraph_end >= 0 else len(page)]):
        return False  # alone it would read as a figure's labels (numbers, symbols) and leave the index
    before = [part.strip() for part in text[: len(text) - len(caption)].split("\n\n") if part.strip()]
    # headings right above the caption ("7.2.2. Sprint 1" + "Figuur 3: ...") head the text after it: kept together
    return not before or not all(len(part) <= _HEADING_MAX and "\n" not in part
                                 and not re.search(r"[.!?:;,][\"'”’)]*$", part) for part in before)


def _stranded_heading(page: str, span: tuple[int, int], heads: set[int] | frozenset[int]) -> bool:
    """A piece at the end of a chunk that heads what follows it: a heading of the layout, or a one-line piece
    that reads as a heading (``_lone_heading``)."""
    return _heading_only(page, span, heads) or _lone_heading(page, span)


def _first_part(page: str, piece: tuple[int, int], room: int, min_chars: int) -> int | None:
    """Where to cut ``piece`` so that its first part fits in ``room`` characters: the last sentence end (else
    clause end) that leaves a first part of at least a third of ``min_chars``; None when there is none."""
    start, end = piece
    if room <= 0:
        return None
    floor, hi = start + min_chars // 3, min(end - 1, start + room)
    ends = _sentence_ends(page, floor, hi) or _clause_ends(page, floor, hi)
    rest = [at for at in ends if end - at >= min_chars // 3]  # rather not a short tail left alone
    return max(rest or ends) if ends else None


def _lone_heading(page: str, span: tuple[int, int]) -> bool:
    """A one-line piece that reads as a heading and starts with a capital or a section number ("4.2.2 Tweede
    fase", "a. Noodzaak"), not a fragment of a sentence."""
    text = page[span[0]: span[1]]
    return "\n" not in text and _is_heading(page, span) and bool(
        re.match(r"(?:\d+(?:\.\d+)*\.?\s+|\(?[a-z][.)]\s+)?[A-ZÀ-Ý]", text))


def _heading_only(page: str, span: tuple[int, int], heads: set[int] | frozenset[int]) -> bool:
    """A piece that is only a heading of the layout (not a heading with its text)."""
    return span[0] in heads and "\n" not in page[span[0]: span[1]] and _is_heading(page, span)


def _trailing_headings(page: str, group: list[tuple[int, int]],
                       heads: set[int] | frozenset[int]) -> list[tuple[int, int]]:
    """Take the headings at the end of ``group`` (not all of it) off it: they head what follows."""
    taken: list[tuple[int, int]] = []
    while len(group) > 1 and _heading_only(page, group[-1], heads):
        taken.insert(0, group.pop())
    return taken


def _trailing_lead_in(page: str, group: list[tuple[int, int]], heading: tuple[int, int],
                      max_chars: int) -> list[tuple[int, int]]:
    """Take a lead-in sentence at the end of ``group`` (not all of it) off it when a heading follows: "Hierin
    schrijft hij:" introduces the quote under its title ("Doel van CoronaMelder"), so it goes with them."""
    if (len(group) > 1 and _is_lead_in(page, group[-1]) and heading[1] - group[-1][0] <= max_chars
            and len(page[group[-1][0]: group[-1][1]].split()) >= 3):  # a sentence, not "sog." + "Retraktionen:"
        return [group.pop()]
    return []


def _is_lead_in(page: str, span: tuple[int, int]) -> bool:
    """A piece that ends in ":" (or "=", a formula's left side) introduces what follows it (a list, a quote,
    a formula)."""
    return page[span[0]: span[1]].rstrip().endswith((":", "="))


def _lead_in_apart(page: str, start: int, end: int) -> list[tuple[int, int]]:
    """A block that ends in a lead-in sentence ("... twee oplossingen ontstaan:") as two pieces, the sentences
    before it and the lead-in, so that packing can keep the lead-in with the list it introduces when the two do
    not fit in one chunk with the sentences before. Other blocks stay whole."""
    if not page[start:end].rstrip().endswith((":", "=")):
        return [(start, end)]
    ends = [at for at in _sentence_ends(page, start, end) if at < end - 1]
    if not ends:
        return [(start, end)]
    cut = ends[-1]
    return [(start, _rstrip(page, start, cut)), (_lstrip(page, cut, end), end)]


def _is_heading(page: str, span: tuple[int, int]) -> bool:
    text = page[span[0]: span[1]]
    if len(text) > _HEADING_MAX:
        return False
    if text[0] in _BULLETS and not _SOURCE_LINE.match(text):  # a bullet item is not a heading...
        return False  # ...unless it only names a source, "• Hooge (2024)", which heads the findings below it
    return not re.search(r"[.?!;,][\"'”’)]*$", text)


# --- Sentence bounds: a passage neither starts nor ends inside a sentence when a sentence end is near, and a
# list introduced by a colon stays with its introduction (issue 13). Hooks: ``_split_long`` (full stops before
# semicolons), ``_pack`` (``_pack_list_item``) and ``_text_spans`` (``_mend_sentence_cuts``).

# A list item: a bullet, "1.", "2)", "(3)", "a.", "b)", "(c)", "iv." at the start of a line.
_ITEM_START = re.compile(r"(?:[•▪◦·●○■□►‣∙*\-–—]\s|o\s(?=[^\W\d_])|\(?\d{1,2}[.)]\s|\(?[a-z][.)]\s|\(?[ivx]{1,4}[.)]\s)")
# What a continuation may open with before its first word: brackets, an enumerator "(1)", a dash, quotes.
# A label "d) ", "2. " counts as well: "d) Es gilt" is a list item, "(1) het opslaan" goes on with a sentence.
_CONTINUATION_LEAD = re.compile(r"(?:\(?\w{1,3}[.)]\s+)?(?:[–—-]\s+|[(\[\"'“‘])*")


def _full_stops_first(text: str, ends: list[int]) -> list[int]:
    """Of the sentence ends where a long block may be cut, those after ".", "?" or "!" when there are any: a
    semicolon ends a clause of a longer sentence ("...we obtained the usage; with the latter, we ...")."""
    full = [at for at in ends if text[max(0, at - 4): at].rstrip("\"'”’)]")[-1:] != ";"]
    return full or ends


def _is_list_item(page: str, span: tuple[int, int]) -> bool:
    return bool(_ITEM_START.match(page, span[0]))


def _open_list(page: str, group: list[tuple[int, int]]) -> int | None:
    """The index in ``group`` of a lead-in ending in ":" that only list items follow (an open list), else None."""
    for index in range(len(group) - 1, -1, -1):
        if page[group[index][0]: group[index][1]].rstrip().endswith(":"):
            return index
        if not _is_list_item(page, group[index]):
            return None
    return None


LIST_STRETCH = 1.5  # a list its lead-in opens stays in one chunk up to this many times max_chars


def _list_run_ends(page: str, pieces: list[tuple[int, int]]) -> list[int]:
    """For each piece that is a list item, where the run of list items it belongs to ends (the end of the last
    item before something that is not one); for other pieces their own end."""
    ends = [end for _, end in pieces]
    for index in range(len(pieces) - 2, -1, -1):
        if _is_list_item(page, pieces[index]) and _is_list_item(page, pieces[index + 1]):
            ends[index] = ends[index + 1]
    return ends


def _semicolon_list(page: str, start: int, end: int) -> bool:
    """A block that is one sentence listing items that end in ";" ("... met het oogmerk: 1. ... weg te nemen;
    2. ... onderwijs; 3. ... te voorkomen."): a ";" ends a clause inside it, and no ".", "?" or "!" does before
    its end; a reader quoting it needs it whole (kept up to LIST_STRETCH x max_chars, like a list)."""
    inner = [at for at in _sentence_ends(page, start, end) if _lstrip(page, at, end) < end]
    marks = [page[max(start, at - 4): at].rstrip("\"'”’)]")[-1:] for at in inner]
    return bool(marks) and all(mark == ";" for mark in marks) and bool(re.search(r"[.?!][\"'”’)]*$", page[start:end]))


def _semicolon_run_ends(page: str, pieces: list[tuple[int, int]],
                        heads: set[int] | frozenset[int]) -> list[int | None]:
    """For each piece that ends its line in ";" (an item of a list whose items end in ";": "...te nemen;" +
    "3. epidemische ... te voorkomen."), where the sentence ends: the end of the first piece after it that ends
    in ".", "?" or "!", when every piece up to there is whole lines, no heading, and ends in ";" or that sentence
    end; None for other pieces."""
    ends: list[int | None] = [None] * len(pieces)
    following: int | None = None  # the sentence end the piece after this one reaches, when it is such a run
    for index in range(len(pieces) - 1, -1, -1):
        start, end = pieces[index]
        text = page[start:end].rstrip("\"'”’)]")
        whole = page[end:end + 1] in ("", "\n") and page[start - 1:start] in ("", "\n")
        ended = bool(re.search(r"[.?!]$", text)) and _body_kind(page[start:end]) == "body"
        ends[index] = following if text.endswith(";") and whole else None
        if not whole or start in heads:
            following = None
        elif ended:
            following = end
        elif text.endswith(";"):
            following = ends[index]
        else:
            following = None
    return ends


def _pack_list_item(page: str, groups: list[list[tuple[int, int]]], piece: tuple[int, int],
                    max_chars: int, list_end: int) -> bool:
    """Pack a list item with the list its lead-in opened: the item joins the chunk when it fits, or when the
    whole list (up to ``list_end``) fits in LIST_STRETCH x max_chars (the lead-in says "the following:", and a
    reader quoting it needs every item); when it does not, the lead-in (with the headings right above it) and
    its items start a new chunk, if they fit in one. A list too long for that is cut between items only, its
    lead-in with the first items (nothing is repeated). True when ``groups`` was changed."""
    group = groups[-1]
    if not _is_list_item(page, piece):
        return False
    lead = _open_list(page, group)
    if lead is None:
        return False
    if piece[1] - group[0][0] <= max_chars:
        group.append(piece)
        return True
    first = lead
    while first > 0 and _is_heading(page, group[first - 1]):
        first -= 1
    stretch = int(max_chars * LIST_STRETCH)  # measured from the lead-in (and its headings), never with text before
    if first == 0:
        if list_end - group[0][0] <= stretch:
            group.append(piece)
            return True
        return False
    if piece[1] - group[first][0] <= max_chars or list_end - group[first][0] <= stretch:
        groups[-1] = group[:first]
        groups.append(group[first:] + [piece])
        return True
    return False


def _ends_mid_sentence(page: str, span: tuple[int, int]) -> bool:
    """A passage whose last line is text of some words without closing punctuation (with a next passage that
    opens in lower case, ``_opens_mid_sentence``, a sentence cut in two)."""
    text = page[span[0]: span[1]]
    if _CLOSED.search(re.sub(r"\[\d{1,3}\]$", "", text)) or _body_kind(text) != "body":
        return False
    return len(text.rsplit("\n", 1)[-1].split()) >= 4  # a lone label or number is no sentence


def _opens_mid_sentence(page: str, span: tuple[int, int], heads: set[int] | frozenset[int]) -> bool:
    """A passage that opens as the rest of a sentence: its first word in lower case, after any brackets, an
    enumerator "(1)" or a dash ("– het uitgeven van", "(1) het opslaan", "with the latter")."""
    if span[0] in heads or _body_kind(page[span[0]: span[1]]) != "body":
        return False
    lead = _CONTINUATION_LEAD.match(page, span[0], span[1])
    at = lead.end() if lead else span[0]
    return at < span[1] and page[at].islower()


def _mend_sentence_cuts(page: str, spans: list[tuple[int, int]], max_chars: int,
                        heads: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """Move the cut between two passages that splits a sentence to a sentence end nearby: the unfinished
    sentence at the end of the first goes to the second (back to its last sentence end or line start, never
    leaving a heading behind), else the rest of the sentence at the start of the second comes to the first
    (up to its first sentence end); only when the result fits in ``max_chars``. Offsets only move over the
    text between them: chunks stay exact slices of the page."""
    spans = list(spans)
    for index in range(len(spans) - 1):
        (a_start, a_end), (b_start, b_end) = spans[index], spans[index + 1]
        if not (_ends_mid_sentence(page, (a_start, a_end)) and _opens_mid_sentence(page, (b_start, b_end), heads)):
            continue
        cut = _sentence_start_before(page, a_start, a_end)
        if cut is not None and b_end - cut <= max_chars:
            spans[index] = (a_start, _rstrip(page, a_start, cut))
            spans[index + 1] = (cut, b_end)
            continue
        ends = _sentence_ends(page, b_start, b_end)
        head_end = ends[0] if ends else b_end
        if head_end - a_start <= max_chars:
            rest = _lstrip(page, head_end, b_end)
            spans[index] = (a_start, _rstrip(page, a_start, head_end))
            spans[index + 1] = (rest, b_end)
    return [(s, e) for s, e in spans if e > s]


def _sentence_start_before(page: str, start: int, end: int) -> int | None:
    """Where the last sentence of page[start:end] starts (after a sentence end, or at a line start whose line
    before is not a heading), leaving some text before it; None when the whole passage is one sentence."""
    candidates = {_lstrip(page, at, end) for at in _sentence_ends(page, start, end)}
    candidates |= {start + match.end() for match in re.finditer(r"\n\s*", page[start:end])}
    for at in sorted(candidates, reverse=True):
        if not start < at < end:
            continue
        line_end = _rstrip(page, start, at)
        if page[line_end:at].count("\n"):  # a line start: the line before must not be a heading
            line_start = page.rfind("\n", start, line_end) + 1 or start
            line_start = max(line_start, start)
            if _is_heading(page, (_lstrip(page, line_start, line_end), line_end)):
                continue  # a heading stays with the text under it
        return at
    return None


@component
class StructureSplitter:
    """
    Splits cleaned documents (pages separated by form feeds) into chunk Documents with exact page offsets.

    Each chunk's meta is its parent's meta plus ``page_number`` (None when unpaginated), ``start`` and
    ``end`` (offsets in the cleaned page text), ``split_id`` (0, 1, ... within the document) and
    ``source_id`` (the parent document's id); ``page_label`` (the printed page number, when known) and
    ``kind`` ("footnote" for a page's footnotes; absent for body text); ``section``, the path of headings
    above the passage (when the layout found headings; see ``section_paths``).

    :param max_chars: largest chunk, in characters (a single longer word is never cut).
    :param min_chars: blocks shorter than this are packed together with their neighbours.

    In a PDF a paragraph that runs on over a page break is one passage, with ``page_end`` and
    ``end_on_page_end`` in its meta (see the module docstring); never in a slide deck
    (``meta["layout"]["slides"]``) nor in text files.
    """

    def __init__(self, max_chars: int = 700, min_chars: int = 200, keep_noise: bool = False) -> None:
        _check_sizes(max_chars, min_chars)
        self.max_chars = max_chars
        self.min_chars = min_chars
        self.keep_noise = keep_noise  # ``kennisbank check`` counts noise passages; the index never gets them

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        chunks: list[Document] = []
        for doc in documents:
            if not doc.content or not doc.content.strip():
                logger.warning("Document {doc_id} has no text; it gives no chunks", doc_id=doc.id)
                continue
            pages = doc.content.split("\f")
            paginated = bool(doc.meta.get("paginated", len(pages) > 1))
            note_starts, labels = doc.meta.get("note_starts"), doc.meta.get("page_labels")
            # Only PDFs run on over page breaks: their pages are the publication's own, and the layout
            # analysis has taken running lines and footnotes off the page ends (text files' form feeds are
            # often restored guesses, see corpus/README.md).
            flow = doc.meta.get("format") == "pdf" and not (doc.meta.get("layout") or {}).get("slides", False)
            # a heading starts a passage, except in a slide deck: a slide is one passage with its title
            slides = (doc.meta.get("layout") or {}).get("slides", False)
            heads = None if slides else heading_starts(pages, doc.meta.get("headings"))
            # a slide that fits in max_chars stays one passage (its boxes are packed whatever their size)
            min_chars = self.max_chars if slides else self.min_chars
            split = split_pages(pages, paginated, self.max_chars, min_chars, note_starts, labels, flow, heads)
            if doc.meta.get("format") == "pdf":  # contents, cover fields, lone headings, tiny slides (ingest.tables)
                kinds = noise_kinds([c.text for c in split], [c.page for c in split], [c.kind for c in split],
                                    bool(slides))
                kinds = front_and_back_noise([c.text for c in split], [c.page for c in split], kinds, len(pages),
                                             bool(slides))
                figure_slides = set((doc.meta.get("layout") or {}).get("figure_slides") or [])
                for chunk, kind in zip(split, kinds):
                    # a slide of a drawing's labels (ingest.slides) answers no question: not indexed
                    chunk.kind = "figure" if kind == "body" and chunk.page in figure_slides else kind
            # a slide's path is its title; the headings of its boxes (level 2, ingest.slides) only keep them apart
            paths = section_paths(pages, _titles(doc.meta.get("headings")) if slides else doc.meta.get("headings"),
                                  split)
            cover = next((c.text for c in split if c.page == 1 and c.kind == COVER), None)
            for chunk in split:
                chunk.kind = "noise" if chunk.kind == COVER else chunk.kind  # counted with the noise (ingest.check)
            for chunk, path in zip(split, paths):
                if chunk.kind in UNINDEXED_KINDS and not self.keep_noise:
                    continue
                meta = _chunk_meta(doc, chunk)
                if cover is not None:
                    meta["cover"] = cover  # the cover's fields: metadata of the document, not a passage
                if path:
                    meta["section"] = path
                chunks.append(Document(content=chunk.text, meta=meta))
        return {"documents": chunks}


COVER_WORDS = 40  # a cover page's fields (title, school, code, year, study points, owners) have at most this many words
COVER_LINES = 10
SLIDE_WORDS = 15  # an agenda or closing slide has at most this many words
AGENDA_ITEM_WORDS = 6
_FULL_SENTENCE = re.compile(r"[^\W\d_]{2}[)\]\"'”’]*[.!](?:\s|$)")  # a sentence ends (not "4.2", not "e.g")


def front_and_back_noise(texts: list[str], pages: list[int | None], kinds: list[str], page_count: int,
                         slides: bool) -> list[str]:
    """``kinds`` with the passages of a document's front and back that are no text of their own:

    - **a cover page** (a document of at least 3 pages whose first page is one passage of short lines, at most
      ``COVER_WORDS`` words, no sentence: school, title, course code, year, study points, owners) is
      ``cover`` (the splitter stores it as ``noise``: not indexed); its text is kept as the document's metadata
      (``meta["cover"]`` of every passage) and stays on the stored page;
    - in a slide deck, **an agenda slide** (one of the first three: 2 to 8 lines of at most
      ``AGENDA_ITEM_WORDS`` words, no sentence: the deck's contents) and **the closing slide** (the last one, at
      most ``SLIDE_WORDS`` words, no sentence: "Volgende week: ...", "Bedankt", contact details) are ``noise``
      like a contents page; their text stays on the stored page;
    - **the opening title block** (the document's first body passage, on page 1, no cover page: title, authors
      with initials and degrees, affiliations, an addressee; no sentence, ``tables.is_opening_title``) is ``noise``.

    Only a passage that is the sole body passage of its page is considered (the opening title block: the first
    passage of page 1); a passage with a sentence never."""
    result = list(kinds)
    alone: dict[int | None, int] = {}
    for page, kind in zip(pages, kinds):
        if kind == "body":
            alone[page] = alone.get(page, 0) + 1
    for index, (text, page, kind) in enumerate(zip(texts, pages, kinds)):
        if (kind == "body" and alone.get(page) == 1 and slides and page is not None and page > 1
                and page == page_count and closing_slide(text)):
            result[index] = "noise"
            continue
        if kind != "body" or alone.get(page) != 1 or page is None or _FULL_SENTENCE.search(text):
            continue
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        words = len(text.split())
        if not slides and page == 1 and page_count >= 3 and words <= COVER_WORDS and len(lines) <= COVER_LINES:
            result[index] = COVER
        elif slides and page > 1 and words <= SLIDE_WORDS and (
                page == page_count
                or (page <= 3 and 2 <= len(lines) <= 8
                    and all(len(line.split()) <= AGENDA_ITEM_WORDS for line in lines))):
            result[index] = "noise"
    # the document's opening title block (title, authors, an addressee; no sentence) when it is no cover page
    opening = next((i for i, kind in enumerate(kinds) if kind == "body"), None)
    if opening is not None and pages[opening] == 1 and result[opening] == "body" and is_opening_title(texts[opening]):
        result[opening] = "noise"
    return result


CLOSING_LINES = 3
# A line that closes a talk: thanks or an invitation to ask ("Thanks for the attention!", "Bedankt!", "Vragen?").
_CLOSING = re.compile(r"\b(?:thanks?(?! to\b| of\b)|thank you|bedankt|dank (?:je|jullie|u)(?: wel)?|merci|danke|vielen dank)\b"
                      r"|\b(?:questions|vragen|any questions|nog vragen)\s*\?", re.IGNORECASE)


def closing_slide(text: str) -> bool:
    """The closing words of a talk ("This is it! The best of luck, and thanks for the attention!"): at most
    ``SLIDE_WORDS`` words on at most ``CLOSING_LINES`` lines, one of them thanks or an invitation to ask
    questions, every other sentence at most four words ("This is it!"), no number, list item or link (a slide
    of contact details or a next-week agenda is judged by the rule without sentences). Only the deck's last slide is tested so (``front_and_back_noise``)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines or len(lines) > CLOSING_LINES or len(text.split()) > SLIDE_WORDS:
        return False
    if re.search(r"\d|://|@|www\.", text) or any(line[0] in "•–-*·▪" for line in lines):
        return False
    sentences = [part for part in re.split(r"(?<=[.!?])\s+|\n+", text.strip()) if part.strip()]
    closing = [bool(_CLOSING.search(part)) for part in sentences]
    # the other sentences are a few words of farewell ("This is it!", "Good luck!"), no content
    return any(closing) and all(shut or len(part.split()) <= 4 for part, shut in zip(sentences, closing))


def _titles(headings: list[list[Any]] | None) -> list[list[Any]] | None:
    """The level-1 headings of each page (a slide's title) of ``meta["headings"]``."""
    return [[head for head in page if head and head[0] == 1] for page in headings] if headings else headings


# Passage kinds that are not indexed (ingest.tables: contents, cover and letterhead fields, lone headings, tiny
# slides, repeats; a figure's labels); their text stays on the stored page.
COVER = "cover"  # the fields of a cover page (see ``front_and_back_noise``); stored as kind "noise"
UNINDEXED_KINDS = frozenset({"noise", "figure"})

# Meta of a whole document that is about its pages, not about one passage: not copied into chunks.
_DOCUMENT_ONLY_META = ("note_starts", "page_labels", "footnotes", "layout", "headings")


def section_paths(pages: list[str], headings: list[list[Any]] | None, chunks: list[Chunk]) -> list[list[str]]:
    """The path of headings above each chunk ("2 Methode", "2.1 Data"), from the layout's headings per page.

    A heading is found in its cleaned page by its normalised text, searching on from the previous one; a
    heading opens its level and closes the deeper ones. A "heading" that starts with a bullet is a list item set
    in bold, not a section's name: it is passed over. A chunk gets the path in force at its middle (a
    heading in its first half counts: it heads the passage). Footnotes get the path of their page's body. Without headings
    every path is empty.
    """
    if not headings:
        return [[] for _ in chunks]
    marks: list[tuple[int, int, int, str]] = []  # (page, offset, level, text)
    for number, (page, heads) in enumerate(zip(pages, headings), start=1):
        cursor = 0
        for level, text in heads:
            wanted = normalize_text(str(text))
            at = page.find(wanted, cursor) if wanted else -1
            if at >= 0:
                cursor = at + len(wanted)
                if not wanted.startswith(_BULLETS):  # a bold list item ("• Validatiefase") names no section
                    marks.append((number, at, int(level), wanted))
    paths, stack, index = [], {}, 0
    for chunk in chunks:
        # a heading in the first half of a passage heads it (a slide's title under a small kicker line)
        # a footnote gets the path of its page's body; a table or code passage, of where it stands
        where = (chunk.page or 1, (chunk.start + chunk.end) // 2 if chunk.kind != "footnote" else 10**9)
        while index < len(marks) and marks[index][:2] <= where:
            _, _, level, text = marks[index]
            stack = {lvl: t for lvl, t in stack.items() if lvl < level}
            stack[level] = text
            index += 1
        paths.append([stack[level] for level in sorted(stack)])
    return paths


def heading_starts(pages: list[str], headings: list[list[Any]] | None) -> list[set[int]] | None:
    """Where each page's headings (from the layout, per page [level, text]) start in its cleaned text.

    Found like ``section_paths`` finds them: by normalised text, in order, and only at the start of a line
    (the cleaner sets a heading apart as a block of its own).
    """
    if not headings:
        return None
    starts: list[set[int]] = []
    for page, heads in zip(pages, headings):
        found, cursor = set(), 0
        for _level, text in heads:
            wanted = normalize_text(str(text))
            at = page.find(wanted, cursor) if wanted else -1
            if at >= 0:
                cursor = at + len(wanted)
                if at == 0 or page[at - 1] == "\n":
                    found.add(at)
        starts.append(found)
    return starts


def _chunk_meta(doc: Document, chunk: Chunk) -> dict[str, Any]:
    meta = {key: value for key, value in doc.meta.items() if key not in _DOCUMENT_ONLY_META}
    meta.update({
        "page_number": chunk.page,
        "start": chunk.start,
        "end": chunk.end,
        "split_id": chunk.split_id,
        "source_id": doc.id,
    })
    if chunk.page_label is not None:
        meta["page_label"] = chunk.page_label
    if chunk.kind != "body":
        meta["kind"] = chunk.kind
    if chunk.page_end is not None:
        meta["page_end"] = chunk.page_end
        meta["end_on_page_end"] = chunk.end_on_page_end
        if chunk.start_on_page_end:
            meta["start_on_page_end"] = chunk.start_on_page_end
    return meta
