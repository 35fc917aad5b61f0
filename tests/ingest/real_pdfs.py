"""The real publications of ../shared/real-pdfs for tests on their pages (skipped when the folder is absent): one
file parsed, cleaned and split as the pipeline does (once per test run), pypdf's raw text of its pages, and the
check that a stored page has only the words of the raw page."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from kennisbank.ingest.check import page_word_faults
from kennisbank.ingest.pipeline import split_file

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
needs_real_pdfs = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")


@lru_cache(maxsize=4)
def split_real(name: str) -> tuple[list[str], list]:
    """The stored pages (the cleaned text, page by page) and the passages of one real PDF."""
    document, chunks = split_file(REAL_PDFS / name)
    return (document.content or "").split("\f"), chunks


@lru_cache(maxsize=4)
def raw_pages(name: str) -> list[str]:
    """pypdf's plain text of each page of one real PDF: the reference nobody cleaned."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO((REAL_PDFS / name).read_bytes())).pages]


def assert_faithful(name: str, *numbers: int) -> None:
    """The stored pages ``numbers`` have no false word join and no invented word (``ingest.check``)."""
    pages, raw = split_real(name)[0], raw_pages(name)
    for number in numbers:
        faults = page_word_faults(pages[number - 1], raw[number - 1], raw[: number - 1])
        assert not faults["false_joins"] and not faults["invented"], (number, faults)
