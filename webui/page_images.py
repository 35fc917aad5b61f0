"""The original page of a kept PDF as an image, and where a passage stands on it.

``page_image`` renders a page with pypdfium2 to a PNG, cached on disk under ``DATA_DIR/cache/pages`` (named by
the file's content hash, page and scale: a replaced file never shows an old image). ``passage_boxes`` finds a
passage on the page and returns its line rectangles in image pixels: from positions recorded at extraction
when the passage has them, otherwise by finding the passage's text in the page's text layer (pdfium's text
page) and asking pdfium for the rectangles of those characters.

The stored text is cleaned (whitespace, hyphenation, ligatures), so the match compares letters and digits only,
case-folded; when the whole passage is not found, its first and last 60 letters are, and everything between
is marked. Nothing is marked when neither is found: a wrong mark is worse than none.

pdfium is not thread-safe: every call into it holds one lock.
"""

from __future__ import annotations

import os
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdfium2

SCALE = 1.5  # 108 dpi: readable on a laptop, about 150 KB a page
MAX_PAGES = 5000
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class PageImage:
    path: Path
    width: int
    height: int


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


def page_count(pdf: Path) -> int:
    with _PDFIUM:
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            return len(document)
        finally:
            document.close()


def page_image(pdf: Path, content_hash: str, page_no: int, cache_dir: Path, scale: float = SCALE) -> PageImage:
    """The page (1-based) as a PNG in the cache; rendered on first use."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{content_hash[:24]}-{page_no}-{int(scale * 100)}.png"
    size_file = target.with_suffix(".size")
    if target.is_file() and size_file.is_file():
        width, height = (int(v) for v in size_file.read_text().split())
        return PageImage(target, width, height)
    with _PDFIUM:
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            page = document[page_no - 1]
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            document.close()
    temp = cache_dir / f".{secrets.token_hex(6)}.png"
    image.save(temp, format="PNG", optimize=True)
    os.replace(temp, target)
    size_file.write_text(f"{image.width} {image.height}")
    return PageImage(target, image.width, image.height)


def _letters(text: str) -> tuple[str, list[int]]:
    """Only the letters and digits of ``text``, case-folded, with each one's index in ``text``."""
    out, where = [], []
    for index, ch in enumerate(text):
        for part in unicodedata.normalize("NFKC", ch).casefold():
            if part.isalnum():
                out.append(part)
                where.append(index)
    return "".join(out), where


_CLOSING = set(".,;:!?)]}\"'\u201d\u2019\u00bb")


def _span(page_text: str, passage: str, edge: int = 60) -> tuple[int, int] | None:
    """[start, end) of ``passage`` in ``page_text`` (character indices), compared on letters and digits; the
    punctuation that closes the passage (its full stop) is marked with it."""
    found = _letter_span(page_text, passage, edge)
    if found is None:
        return None
    start, end = found
    tail = passage.rstrip()
    while end < len(page_text) and page_text[end] in _CLOSING and tail and not tail[-1].isalnum():
        end += 1
        tail = tail[:-1].rstrip()
    return start, end


def _letter_span(page_text: str, passage: str, edge: int) -> tuple[int, int] | None:
    hay, where = _letters(page_text)
    needle, _ = _letters(passage)
    if not needle or not hay:
        return None
    at = hay.find(needle)
    if at >= 0:
        return where[at], where[at + len(needle) - 1] + 1
    head, tail = needle[:edge], needle[-edge:]
    start = hay.find(head)
    end = hay.find(tail, start + len(head)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return where[start], where[end + len(tail) - 1] + 1


def passage_boxes(pdf: Path, page_no: int, passage: str, scale: float = SCALE,
                  recorded: list[dict[str, float]] | None = None) -> list[Box]:
    """The passage's line rectangles on the page image (pixels, origin top left).

    ``recorded``: line boxes from extraction (``{"x0", "y0", "x1", "y1"}`` in PDF units, origin top left), used
    as they are when given; otherwise the passage is found in the page's text layer."""
    with _PDFIUM:
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            page = document[page_no - 1]
            left, bottom, _right, top = page.get_bbox()
            if recorded:
                boxes = [Box((b["x0"]) * scale, (b["y0"]) * scale, (b["x1"] - b["x0"]) * scale,
                             (b["y1"] - b["y0"]) * scale) for b in recorded]
                page.close()
                return boxes
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            found = _span(text, passage)
            boxes = []
            if found is not None:
                start, end = found
                for index in range(textpage.count_rects(start, end - start)):
                    x0, y0, x1, y1 = textpage.get_rect(index)
                    boxes.append(Box((x0 - left) * scale, (top - y1) * scale, (x1 - x0) * scale, (y1 - y0) * scale))
            textpage.close()
            page.close()
            return boxes
        finally:
            document.close()
