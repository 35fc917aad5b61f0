"""How faithfully real PDFs come out of parse + clean + split: the measures of issue 13, per document.

Every PDF goes through the product's own components (``PublicationConverter`` -> ``DutchTextCleaner`` ->
``StructureSplitter``, the indexing pipeline without the embedders; pages/s times exactly that), and what
they store is compared with the raw text pypdf extracts from the same page (``page.extract_text()``, the
reference nobody cleaned) by ``ingest.check`` (false joins, invented words, broken URLs, mid-sentence ends,
dot leaders, glued numbers, and the parted words: a raw word pypdf glued that the stored text parts where the
page shows a word gap, no fault but counted so it is seen; see there). Measured here, independently of the layout analysis:

running lines in passages
    A line that stands at the top or bottom edge (first or last two lines of the raw page) of at least 3
    pages and a quarter of the pages (digits as wildcards) and that, with its digits, still stands in the
    passages of that page as often as in the raw page (so a running "Introduction" over a slide titled
    "Introduction" counts only if both are left). Bare page numbers are not searched (a number alone occurs in any text).
page start splits
    Pages whose first passage starts in lower case (a sentence cut by the page break); an index's passages
    (entries, not sentences) are not looked at.

Run ``python -m kennisbank.evaluation.pdf_quality [--json] [PDF or folder ...]`` (the real PDFs of the test
set: give their folder, e.g. the shared real-pdfs folder beside the repository). Rules are general: nothing here knows a file.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from kennisbank.core.text import normalize_text
from kennisbank.ingest.check import check_file
from kennisbank.ingest.pipeline import split_file


_WORD = re.compile(r"[^\W\d_]+")
_EDGE_LINES = 2
_MIN_REPEAT = 3
_REPEAT_SHARE = 0.25


def raw_pages(path: Path) -> list[str]:
    """pypdf's plain extraction of every page, normalised like stored text (ligatures, odd spaces)."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    pages = []
    for page in reader.pages:
        try:
            pages.append(page.extract_text() or "")
        except Exception:  # a page pypdf cannot read counts as empty on both sides
            pages.append("")
    return pages


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _edge_keys(raw: str) -> list[tuple[str, str]]:
    lines = [" ".join(line.split()) for line in raw.split("\n") if line.strip()]
    edge = lines[:_EDGE_LINES] + lines[-_EDGE_LINES:] if len(lines) > 2 * _EDGE_LINES else lines
    return [(re.sub(r"\d+", "#", line.casefold()), line) for line in dict.fromkeys(edge)]


def running_lines(raws: list[str]) -> list[set[str]]:
    """Per page: the edge lines (with their digits) whose digit-free form stands at the edge of >= 3 pages."""
    counts: Counter = Counter()
    per_page = [_edge_keys(raw) for raw in raws]
    for keys in per_page:
        counts.update({key for key, _ in keys})
    needed = max(_MIN_REPEAT, _REPEAT_SHARE * len(raws))
    result = []
    for keys in per_page:
        found = set()
        for key, line in keys:
            if counts[key] >= needed and len(_words(line)) >= 1 and len(line) >= 4:
                found.add(normalize_text(line))
        result.append(found)
    return result


def measure(path: Path) -> dict[str, Any]:
    """The measures of one PDF (see the module docstring), from ``ingest.check.check_file``."""
    report = check_file(path)
    if not report["ok"]:
        return {"file": path.name, "failed": report["reason"], "message": report["message"]}
    started = time.perf_counter()  # the ingest work alone: parse + clean + split, as the pipeline runs it
    _document, chunks = split_file(path)
    seconds = time.perf_counter() - started
    # Running lines are judged independently of the layout analysis: by the raw text's page edges.
    raws = raw_pages(path)
    page_running = running_lines(raws)
    stored_by_page: dict[int, list[str]] = {}
    for chunk in chunks:
        page = chunk.meta.get("page_number") or 1
        stored_by_page.setdefault(page, []).append(" ".join((chunk.content or "").split()))
    running_left = []
    for page, contents in stored_by_page.items():
        raw = " ".join(normalize_text(raws[page - 1]).split()) if page - 1 < len(raws) else ""
        for line in page_running[page - 1] if page - 1 < len(page_running) else ():
            # left in: the passages still have it as often as the raw page (where the running line is one)
            if sum(content.count(line) for content in contents) >= max(1, raw.count(line)):
                running_left.append({"page": page, "line": line})
    first_on_page: dict[int, str] = {}
    for chunk in chunks:
        if chunk.meta.get("kind") == "index":
            continue  # an index's sub-entry may open a page ("topologischer, 2" under "Raum"): no sentence cut
        first_on_page.setdefault(chunk.meta.get("page_number") or 1, (chunk.content or "").strip())
    flags, pages = report["flags"], report["pages"]
    return {
        "file": path.name,
        "pages": pages,
        "passages": report["passages"],
        "seconds": round(seconds, 3),
        "pages_per_s": round(pages / seconds, 2) if seconds else None,
        "false_joins": flags["false_joins"],
        "invented_words": flags["invented_words"],
        "parted_words": flags["parted_words"],
        "broken_urls": flags["broken_urls"],
        "running_lines_in_passages": len(running_left),
        "mid_sentence_ends": flags["mid_sentence"],
        "page_start_splits": sum(1 for text in first_on_page.values() if text[:1].islower()),
        "glued_markers": flags["glued_numbers"],
        "dot_leaders": flags["dot_leaders"],
        "empty_pages": report["pages_without_text"],
        "footnotes": report["footnotes"],
        "run_on_passages": report["run_on_passages"],
        "examples": {**report["examples"], "running_lines": running_left[:5]},
    }


def _pdfs(targets: list[str]) -> list[Path]:
    paths = [Path(t) for t in targets]
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.pdf")) if path.is_dir() else [path])
    return files


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in rows if "failed" not in r]
    keys = ("pages", "passages", "false_joins", "invented_words", "parted_words", "broken_urls", "running_lines_in_passages",
            "mid_sentence_ends", "page_start_splits", "glued_markers", "dot_leaders", "empty_pages")
    total: dict[str, Any] = {key: sum(r[key] for r in done) for key in keys}
    seconds = sum(r["seconds"] for r in done)
    total["seconds"] = round(seconds, 2)
    total["pages_per_s"] = round(total["pages"] / seconds, 2) if seconds else None
    total["mid_sentence_share"] = round(total["mid_sentence_ends"] / total["passages"], 4) if total["passages"] else 0
    total["documents"], total["failed"] = len(done), len(rows) - len(done)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="+", help="PDF files or folders of PDFs")
    parser.add_argument("--json", action="store_true", help="print the measures as JSON")
    args = parser.parse_args(argv)
    files = _pdfs(args.targets)
    if not files:
        print(f"no PDFs found in {args.targets}", file=sys.stderr)
        return 2
    rows = [measure(path) for path in files]
    report = {"documents": rows, "total": totals(rows)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    columns = ("pages", "passages", "pages_per_s", "false_joins", "invented_words", "parted_words", "broken_urls",
               "running_lines_in_passages", "mid_sentence_ends", "page_start_splits", "glued_markers",
               "dot_leaders", "empty_pages")
    short = ("pages", "pass", "pg/s", "fjoin", "inv", "part", "url", "run", "mid", "pgcut", "glue", "dots", "empty")
    print(f"{'file':<38}" + "".join(f"{s:>7}" for s in short))
    for row in rows + [{**report["total"], "file": "TOTAL"}]:
        if row["file"] != "TOTAL" and "failed" in row:
            print(f"{row['file']:<38}  failed: {row['failed']}")
            continue
        print(f"{row['file'][:37]:<38}" + "".join(f"{str(row[c]):>7}" for c in columns))
    print(f"mid-sentence share: {report['total']['mid_sentence_share']:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
