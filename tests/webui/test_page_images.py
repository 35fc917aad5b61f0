"""Page images and passage rectangles on real published PDFs (../shared/real-pdfs, read by the tests only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kennisbank.ingest.cleaning import clean_pages
from kennisbank.ingest.parsing import parse_file
from kennisbank.webui import page_images

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="needs ../shared/real-pdfs")


def test_a_cleaned_paragraph_is_found_line_by_line_on_the_real_page(tmp_path):
    pdf = REAL / "second-opinion.pdf"
    pages = clean_pages(parse_file(pdf).pages)
    paragraph = next(p for p in pages[4].split("\n\n") if p.startswith("In de app en in de backend"))
    picture = page_images.page_image(pdf, "a" * 64, 5, tmp_path)
    boxes = page_images.passage_boxes(pdf, 5, paragraph)
    lines = sorted({round(b.y) for b in boxes})
    assert len(lines) == 4  # the paragraph's four printed lines (an italic run is its own rectangle)
    assert all(0 < b.x and b.x + b.width < picture.width and 0 < b.y < picture.height for b in boxes)
    assert picture.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page_images.page_image(pdf, "a" * 64, 5, tmp_path).path == picture.path  # cached


def test_text_that_is_not_on_the_page_marks_nothing():
    assert page_images.passage_boxes(REAL / "second-opinion.pdf", 5, "Leeferink (2016) over opleidingsscholen.") == []


@pytest.mark.parametrize("page_text, passage, expected", [
    ("Kop\r\nLeeferink (2016) zegt dit.\r\nRest", "Leeferink (2016) zegt dit.", "Leeferink (2016) zegt dit."),
    ("oplei-\r\ndingsscholen werken", "opleidingsscholen werken", "oplei-\r\ndingsscholen werken"),
    ("ﬁnanciering van scholen", "financiering van scholen", "ﬁnanciering van scholen"),
])
def test_matching_ignores_hyphenation_ligatures_and_line_breaks(page_text, passage, expected):
    start, end = page_images._span(page_text, passage)
    assert page_text[start:end] == expected
