"""How faithfully real PDFs come out of parse + clean + split: the measures of issue 13, per document.

Every PDF goes through the product's own components (``PublicationConverter`` -> ``DutchTextCleaner`` ->
``StructureSplitter``, the indexing pipeline without the embedders), and what they store is compared with
the raw text pypdf extracts from the same page (``page.extract_text()``, the reference nobody cleaned):

false joins
    A word of a stored page that is not a word of the raw page, while the raw page has it as two words apart
    ("ouder en" -> "ouderen"). Joins of a line-end hyphen the raw page shows ("onder-" + newline + "zoek")
    are not false joins.
invented words
    Any other word of a stored page that the raw page does not have (not explained by a line-end join).
broken URLs
    A URL of a stored page that the raw page (with its line breaks and spaces removed) does not have: a hyphen
    removed inside it, or characters changed.
running lines in passages
    A line that stands at the top or bottom edge (first or last two lines) of at least 3 pages and a quarter
    of the pages (digits as wildcards) and that, with its digits, still stands in a passage of that page. Bare page numbers are not searched (a number alone
    occurs in any text).
mid-sentence ends
    A passage that ends without closing punctuation while the next passage goes on in lower case (not with a
    list item "b)", "e.", "(ii)"; in a slide deck only within one slide).
other flags
    ``glued_markers``: a lower-case word with a number glued on, as a footnote marker ("partnerschappen1"); ``dot_leaders``: passages with table-of-contents dot leaders;
    ``empty_pages``: stored pages without text; ``page_start_splits``: pages whose first passage starts in
    lower case (a sentence cut by the page break).

Run ``python -m evaluation.pdf_quality [--json] [PDF or folder ...]`` (default: ../shared/real-pdfs next to
the repository). Rules are general: nothing here knows a file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

from haystack import Document  # noqa: E402

from ingest.chunking import StructureSplitter  # noqa: E402
from ingest.cleaning import DutchTextCleaner, normalize_text  # noqa: E402
from ingest.converters import PublicationConverter  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO.parent / "shared" / "real-pdfs"

_WORD = re.compile(r"[^\W\d_]+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_EDGE_LINES = 2
_MIN_REPEAT = 3
_REPEAT_SHARE = 0.25
_CLOSING = re.compile(r"[.?!:;][\"'”’)\]]*$|[)\]]$")
_GLUED = re.compile(r"\b([a-zà-ÿ]{4,})(\d{1,2})\b")
_LIST_ITEM = re.compile(r"(?:[a-z]{1,2}|[ivx]{1,4})[.)]\s|\([a-z0-9]{1,3}\)\s")
_DOT_LEADER = re.compile(r"(?:\.\s?){6,}|…{3,}")


def raw_pages(path: Path) -> list[str]:
    """pypdf's plain extraction of every page, normalised like stored text (ligatures, odd spaces)."""
    from pypdf import PdfReader

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


def _raw_vocabulary(raw: str) -> tuple[set[str], set[str], set[str]]:
    """Words of a raw page, pairs of adjacent words joined, and words joined across a line-end hyphen."""
    norm = normalize_lines(raw)
    words = set(_words(norm))
    pairs = set()
    tokens = list(_WORD.finditer(norm))
    for a, b in zip(tokens, tokens[1:]):
        between = norm[a.end(): b.start()]
        if between and not between.strip():
            pairs.add(a.group() + b.group())
    # joins across line-end hyphens, also a word hyphenated over several lines ("Pre-", "ven-", "tief")
    hyphen_joins = set(_words(re.sub(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[^\W\d_])", "", norm)))
    # a word split over two lines without a hyphen (some writers break long words) is the page's own join
    hyphen_joins |= {m.group(1) + m.group(2) for m in re.finditer(r"([^\W\d_]+)\n([^\W\d_]+)", norm)}
    return words, pairs, hyphen_joins


def normalize_lines(text: str) -> str:
    """``normalize_text`` line by line: the raw page with the stored text's character normalisation."""
    return "\n".join(normalize_text(line) for line in text.split("\n"))


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
    """The measures of one PDF (see the module docstring)."""
    started = time.perf_counter()
    converted = PublicationConverter().run(sources=[path])
    if converted["failures"]:
        failure = converted["failures"][0]
        return {"file": path.name, "failed": failure["reason"], "message": failure["message"]}
    cleaned = DutchTextCleaner().run(documents=converted["documents"])["documents"]
    chunks = StructureSplitter().run(documents=cleaned)["documents"]
    seconds = time.perf_counter() - started
    doc: Document = cleaned[0]
    stored = (doc.content or "").split("\f")
    raws = raw_pages(path)

    false_joins, invented, broken_urls = [], [], []
    for number, (text, raw) in enumerate(zip(stored, raws), start=1):
        words, pairs, hyphen_joins = _raw_vocabulary(raw)
        for word in dict.fromkeys(_words(text)):
            if word in words or word in hyphen_joins:
                continue
            (false_joins if word in pairs else invented).append({"page": number, "word": word})
        flat = normalize_text(raw.replace("-\n", "-").replace("\n", ""))
        flat_nospace = flat.replace(" ", "")
        for url in _URL.findall(text):
            url = url.rstrip(".,;:")
            if url not in flat_nospace:
                broken_urls.append({"page": number, "url": url})

    page_running = running_lines(raws)
    running_left = []
    for chunk in chunks:
        page = chunk.meta.get("page_number") or 1
        pages = range(page, int(chunk.meta.get("page_end") or page) + 1)
        content = " ".join((chunk.content or "").split())
        for p in pages:
            for line in page_running[p - 1] if p - 1 < len(page_running) else ():
                if line in content:
                    running_left.append({"page": p, "line": line})

    mid_sentence = []
    texts = [(c.content or "").strip() for c in chunks]
    slides = bool((doc.meta.get("layout") or {}).get("slides"))
    for chunk, after, current, following in zip(chunks, chunks[1:], texts, texts[1:]):
        if slides and after.meta.get("page_number") != chunk.meta.get("page_number"):
            continue  # a slide stands alone: its last line is not a sentence the next slide finishes
        if (current and following and not _CLOSING.search(current) and following[0].islower()
                and not _LIST_ITEM.match(following)):
            mid_sentence.append({"page": chunk.meta.get("page_number"), "end": current[-60:], "next": following[:40]})
    first_on_page: dict[int, str] = {}
    for chunk in chunks:
        first_on_page.setdefault(chunk.meta.get("page_number") or 1, (chunk.content or "").strip())
    page_start_splits = sum(1 for text in first_on_page.values() if text[:1].islower())

    glued = [{"page": number, "word": m.group(0)}
             for number, text in enumerate(stored, start=1) for m in _GLUED.finditer(text)]

    page_count = len(stored)
    return {
        "file": path.name,
        "pages": page_count,
        "passages": len(chunks),
        "seconds": round(seconds, 3),
        "pages_per_s": round(page_count / seconds, 2) if seconds else None,
        "false_joins": len(false_joins),
        "invented_words": len(invented),
        "broken_urls": len(broken_urls),
        "running_lines_in_passages": len(running_left),
        "mid_sentence_ends": len(mid_sentence),
        "page_start_splits": page_start_splits,
        "glued_markers": len(glued),
        "dot_leaders": sum(1 for text in texts if _DOT_LEADER.search(text)),
        "empty_pages": sum(1 for text in stored if not text.strip()),
        "examples": {
            "false_joins": false_joins[:5],
            "invented_words": invented[:5],
            "broken_urls": broken_urls[:5],
            "running_lines": running_left[:5],
            "glued_markers": glued[:5],
            "mid_sentence_ends": mid_sentence[:8],
        },
    }


def _pdfs(targets: list[str]) -> list[Path]:
    paths = [Path(t) for t in targets] or [DEFAULT_DIR]
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.pdf")) if path.is_dir() else [path])
    return files


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in rows if "failed" not in r]
    keys = ("pages", "passages", "false_joins", "invented_words", "broken_urls", "running_lines_in_passages",
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
    parser.add_argument("targets", nargs="*", help=f"PDF files or folders (default {DEFAULT_DIR})")
    parser.add_argument("--json", action="store_true", help="print the measures as JSON")
    args = parser.parse_args(argv)
    files = _pdfs(args.targets)
    if not files:
        print(f"no PDFs found in {args.targets or DEFAULT_DIR}", file=sys.stderr)
        return 2
    rows = [measure(path) for path in files]
    report = {"documents": rows, "total": totals(rows)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    columns = ("pages", "passages", "pages_per_s", "false_joins", "invented_words", "broken_urls",
               "running_lines_in_passages", "mid_sentence_ends", "page_start_splits", "glued_markers",
               "dot_leaders", "empty_pages")
    short = ("pages", "pass", "pg/s", "fjoin", "inv", "url", "run", "mid", "pgcut", "glue", "dots", "empty")
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
