"""Parse the framework publication ("Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden") into data.

Input: the document's stored, cleaned page texts (the catalog's, so every offset we write points into the
text the site shows). Output: a plain dict, written by ``kennisbank framework extract`` to
``corpus/framework.json`` and reviewed there (a new edition of the publication gives a readable diff).

What the cleaned text looks like (see ingest.cleaning): a paragraph is one line, paragraphs are separated by
a blank line, table cells are bullet items ("• ..."), the repeated column headers at the top of each table
page are gone. The PDF's three columns (preconditions, research, practice quotes) come out one after the
other per page, so a table row that runs over a page reads: preconditions, research, quotes on page n, then
preconditions, research, quotes on page n+1. A cell cut by the page break continues at the start of its
column on the next page as a block without a bullet ("staat zijn om een positieve leeromgeving te creëren.").

The parser:

- summary values: the numbered items "1. Title: text" under "De waarde van Samen Opleiden";
- the table starts at the first level heading ("1. Op het niveau van de Onderwijsregio"); a row starts with
  its id and title ("1.3 Hoog opleidingsrendement/ studiesucces");
- a bullet is a quote if it opens with a quotation mark, a research finding if it opens with citations
  ("RuG (2018)", "Darling-Hammond (2017), Zeichner, (2010)", "Helms-Lorenz et al, (2019)"), otherwise a
  precondition; a citation bullet without a statement ("Hooge (2024)") heads the bullets after it on the
  same page, each one a finding of that source;
- a block without a bullet continues an unfinished cell of the current row from an earlier page (a
  finding or precondition not ending in a full stop, a quote not yet closed), the first such cell in column
  order; a block that continues nothing ends the table (the back cover). Anything the rules cannot place
  raises ``FrameworkParseError``: nothing is guessed.

Every text we keep is given as spans ``{"page", "start", "end"}`` into the stored page texts; the item's
``text`` is its spans' texts joined by a space (a cell broken over a page is one item with two spans).
"""

from __future__ import annotations

import json
import re
from typing import Any

from kennisbank.core.errors import NotFound
from kennisbank.search.framework import text_hash
from kennisbank.search.sources import CITE, parse_citations, source_key  # noqa: F401  (source_key: part of this API)

FRAMEWORK_DOCUMENT_ID = "waarde-en-randvoorwaarden"
FORMAT_VERSION = 1

_LEVEL = re.compile(r"(?P<id>[12])\. (?P<title>Op het niveau .+)", re.S)
_ROW = re.compile(r"(?P<id>[12]\.\d{1,2}) (?P<title>\S.*)", re.S)
_SUMMARY = re.compile(r"(?P<number>[1-9])\. (?P<title>[^:\n]+): (?P<text>.+)", re.S)
_BULLET = "• "
_OPEN_QUOTES = "“\"„"
_CLOSE_QUOTE = re.compile(r"[”\"]")
# One citation: authors (a name, a capitalised multi-word organisation, "et al") and a year in brackets.
_CITES = re.compile(rf"{CITE.pattern}(?:,? ?{CITE.pattern})*".replace("?P<authors>", "?:").replace("?P<year>", "?:"))
_FINISHED = re.compile(r"[.!?)]\s*$")
_INSTITUTION = re.compile(r"(?P<person>.+?) (?P<organisation>(?:\S+ )?(?:Hogeschool|Universiteit|Academie|Opleidingsschool)\b.*)")


class FrameworkParseError(ValueError):
    """The text does not have the shape the parser knows; the message says where."""


def _blocks(page: str) -> list[tuple[int, int]]:
    """(start, end) of each block of a page: paragraphs, and each bullet item inside a paragraph."""
    out = []
    for para in re.finditer(r"[^\n](?:.|\n(?!\n))*", page):
        start = para.start()
        text = para.group()
        cuts = [0] + [m.start() + 1 for m in re.finditer(r"\n(?=• )", text)] + [len(text)]
        for a, b in zip(cuts, cuts[1:]):
            piece = text[a:b]
            stripped = piece.rstrip()
            if stripped.strip():
                lead = len(piece) - len(piece.lstrip())
                out.append((start + a + lead, start + a + len(stripped)))
    return out


def _span(pages: list[str], page: int, start: int, end: int) -> dict[str, int]:
    text = pages[page - 1]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return {"page": page, "start": start, "end": end}


def span_text(pages: list[str], spans: list[dict[str, int]]) -> str:
    return " ".join(pages[s["page"] - 1][s["start"]:s["end"]] for s in spans)


class _Item:
    def __init__(self, kind: str, value: str, column: int):
        self.kind, self.value, self.column = kind, value, column
        self.spans: list[dict[str, int]] = []
        self.extra: dict[str, Any] = {}

    def unfinished(self, pages: list[str]) -> bool:
        text = span_text(pages, self.spans)
        if self.kind == "quote":
            return not _CLOSE_QUOTE.search(text[1:])
        return bool(text) and not _FINISHED.search(text)


def extract(pages: list[str], document_id: str = FRAMEWORK_DOCUMENT_ID) -> dict[str, Any]:
    """The framework as a dict (see module docstring). ``pages`` are the stored cleaned texts, page 1 first."""
    blocks = [(no, start, end) for no, page in enumerate(pages, start=1) for start, end in _blocks(page)]
    summary, table_at = _summary(pages, blocks)
    levels: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    items: list[_Item] = []
    row_items: list[_Item] = []
    heading_sources: list[dict[str, Any]] | None = None
    current_page = None
    table_end = None
    for no, start, end in blocks[table_at:]:
        text = pages[no - 1][start:end]
        if no != current_page:
            current_page, heading_sources = no, None
            page_first = True
        else:
            page_first = False
        if (m := _LEVEL.fullmatch(text)) and not text.startswith(_BULLET):
            levels.append({"id": m.group("id"), "title": m.group("title"), **_span(pages, no, start + m.start("title"), end)})
            if rows:  # the previous row ends where the next level starts
                rows[-1]["end"] = {"page": no, "offset": start}
            continue
        if m := _ROW.fullmatch(text):
            title_span = _span(pages, no, start + m.start("title"), end)
            rows.append({
                "id": m.group("id"),
                "level": m.group("id").split(".")[0],
                "title": " ".join(m.group("title").split()),
                "title_span": title_span,
                "start": {"page": no, "offset": start},
            })
            row_items, heading_sources = [], None
            continue
        if not rows:
            raise FrameworkParseError(f"page {no}: table text before the first row: {text[:60]!r}")
        value = rows[-1]["id"]
        if text.startswith(_BULLET):
            body_start = start + len(_BULLET)
            body = pages[no - 1][body_start:end]
            if body[:1] in _OPEN_QUOTES:
                item = _Item("quote", value, 2)
                item.spans.append(_span(pages, no, body_start, end))
                heading_sources = None
            elif (c := _CITES.match(body)) is not None:
                sources = parse_citations(c.group())
                item = _Item("finding", value, 1)
                item.extra = {"citation": c.group().strip(), "sources": sources,
                              "citation_span": _span(pages, no, body_start, body_start + c.end())}
                if c.end() < len(body):
                    item.spans.append(_span(pages, no, body_start + c.end(), end))
                    heading_sources = None
                else:  # a source heading the bullets that follow it ("Hooge (2024)")
                    heading_sources = [item.extra]
                    continue
            elif heading_sources:
                item = _Item("finding", value, 1)
                item.extra = dict(heading_sources[0])
                item.spans.append(_span(pages, no, body_start, end))
            else:
                item = _Item("precondition", value, 0)
                item.spans.append(_span(pages, no, body_start, end))
            items.append(item)
            row_items.append(item)
            continue
        # no bullet: the continuation of a cell cut by an earlier page break
        open_items = [i for i in row_items if i.spans and i.spans[-1]["page"] < no and i.unfinished(pages)]
        if not open_items:
            if page_first:
                table_end = no
                break
            raise FrameworkParseError(f"page {no}: text that continues no cell of row {value}: {text[:60]!r}")
        target = min(open_items, key=lambda i: i.column)
        target.spans.append(_span(pages, no, start, end))
    if not rows:
        raise FrameworkParseError("no table rows found (expected '1.1 ...')")
    last_page = (table_end - 1) if table_end else len(pages)
    return {
        "format_version": FORMAT_VERSION,
        "document_id": document_id,
        "summary_values": summary,
        "levels": levels,
        "values": _values(pages, rows, items, last_page),
    }


def _summary(pages: list[str], blocks: list[tuple[int, int, int]]) -> tuple[list[dict[str, Any]], int]:
    """The five summary values, and the index of the block where the table starts."""
    summary = []
    for index, (no, start, end) in enumerate(blocks):
        text = pages[no - 1][start:end]
        if _LEVEL.fullmatch(text):
            return summary, index
        m = _SUMMARY.fullmatch(text)
        if m and int(m.group("number")) == len(summary) + 1:
            summary.append({
                "number": int(m.group("number")),
                "title": m.group("title"),
                "text": m.group("text"),
                **_span(pages, no, start + m.start("title"), end),
            })
    raise FrameworkParseError("no table found (expected a heading '1. Op het niveau van ...')")


def _attribution(after: str) -> dict[str, Any]:
    """Who is quoted: "Student 4OLS", "Mieke van Dijk, hoofd Opleidingsschool VO Veghel", ... (no guessing)."""
    lines = [line.strip() for line in after.strip().split("\n") if line.strip()]
    speaker = lines[0] if lines else ""
    reference = " ".join(lines[1:])
    if " | " in speaker:  # "Alice Middelkoop Driestar Hogeschool. Interview | In de driehoek ..."
        head, _, tail = speaker.partition(" | ")
        words = head.split(" ")
        speaker, reference = " ".join(words[:-1]), " ".join([words[-1] + " |", tail, reference]).strip()
    speaker = speaker.rstrip(". ")
    out = {"speaker": speaker, "role": None, "partnership": None, "person": None, "organisation": None,
           "reference": reference or None}
    if m := re.fullmatch(r"(?P<role>.+?) (?P<partnership>[0-9A-Z][0-9A-Z&]+)", speaker):
        out.update(role=m.group("role"), partnership=m.group("partnership"))
    elif m := re.fullmatch(r"(?P<person>[^,]+), (?P<role>.+)", speaker):
        out.update(person=m.group("person"), role=m.group("role"))
    elif m := _INSTITUTION.fullmatch(speaker):
        out.update(person=m.group("person"), organisation=m.group("organisation"))
    elif speaker:
        out.update(person=speaker)
    return out


def _quote_fields(pages: list[str], spans: list[dict[str, int]]) -> dict[str, Any]:
    """Split a quote cell into the quote (inside the quotation marks) and its attribution."""
    first, last = spans[0], spans[-1]
    text = pages[last["page"] - 1]
    close = None
    for m in _CLOSE_QUOTE.finditer(text, last["start"] + (1 if len(spans) == 1 else 0), last["end"]):
        close = m.start()
    if close is None:
        raise FrameworkParseError(f"page {last['page']}: quote without a closing quotation mark")
    quote_spans = [dict(s) for s in spans]
    quote_spans[0]["start"] = first["start"] + 1
    quote_spans[-1]["end"] = close
    attribution = text[close + 1:last["end"]]
    return {"spans": quote_spans, "attribution": attribution.strip(), **_attribution(attribution)}


def _values(pages: list[str], rows: list[dict[str, Any]], items: list[_Item], last_page: int) -> list[dict[str, Any]]:
    values = []
    for index, row in enumerate(rows):
        end = row.get("end") or (
            rows[index + 1]["start"] if index + 1 < len(rows) else {"page": last_page, "offset": len(pages[last_page - 1])}
        )
        preconditions, findings, quotes = [], [], []
        seen: dict[str, int] = {}
        for item in (i for i in items if i.value == row["id"]):
            if item.kind == "precondition":
                preconditions.append({"id": f"{row['id']}-r{len(preconditions) + 1}",
                                      "text": span_text(pages, item.spans), "spans": item.spans})
            elif item.kind == "finding":
                key = item.extra["sources"][0]["key"]
                seen[key] = seen.get(key, 0) + 1
                findings.append({
                    "id": f"{row['id']}-{key}" + (f"-{seen[key]}" if seen[key] > 1 else ""),
                    "citation": item.extra["citation"],
                    "sources": item.extra["sources"],
                    "text": span_text(pages, item.spans),
                    "spans": item.spans,
                    "citation_span": item.extra["citation_span"],
                })
            else:
                fields = _quote_fields(pages, item.spans)
                quotes.append({"id": f"{row['id']}-q{len(quotes) + 1}", "text": span_text(pages, fields["spans"]),
                               **fields})
        values.append({
            "id": row["id"],
            "level": row["level"],
            "title": row["title"],
            "title_span": row["title_span"],
            # where the row stands: from its title to the next row (passages in this range carry the value id)
            "extent": {"from": row["start"], "to": end},
            "preconditions": preconditions,
            "findings": findings,
            "quotes": quotes,
        })
    return values


def extract_from_catalog(catalog, document_id: str = FRAMEWORK_DOCUMENT_ID) -> dict[str, Any]:
    """Extract from the stored cleaned pages of the current version in the catalog."""
    record = catalog.get(document_id)
    if record is None:
        raise NotFound(
            f"Document {document_id!r} is not in the catalog: run `kennisbank ingest` first "
            "(the framework is read from the stored, cleaned text)."
        )
    pages = [text for _, text in catalog.pages(record.id, record.version)]
    framework = extract(pages, document_id)
    return {"format_version": framework.pop("format_version"), "document_id": document_id,
            "text_hash": text_hash(pages), **framework}


def dumps(framework: dict[str, Any]) -> str:
    """The data file's text: indented JSON, one field per line, so a new edition gives a readable diff."""
    return json.dumps(framework, ensure_ascii=False, indent=1) + "\n"
