"""Fixtures for the parsing half of ingestion: real sample PDFs, the corpus, and generated Dutch PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pdfmaker import pdf_bytes

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
PDF_SAMPLES = REPO.parent / "shared" / "pdf-samples"

RUNNING_HEADER = "Kennisbank Samen Opleiden – testrapport 2024"

# Pages of a generated report, line by line, with the line breaks (and hyphenation) a typesetter would make.
# Page 3 holds nothing but the running header and the page number.
REPORT_PAGES = [
    [
        "Samen opleiden in de praktijk",
        "Dit onder-",
        "zoek laat zien dat scholen en instituten de opleidings-",
        "verantwoordelijkheid delen. De ﬁnanciering en de ﬂexibiliteit",
        "van de partnerschappen zijn belangrijk voor zij-instromers en",
        "voor de samen-",
        "werkende scholen in Noord-",
        "Holland.",
    ],
    [
        "Aanbevelingen voor de onderwijsregio",
        "• Zorg voor een opleidings- en begeleidings-",
        "infrastructuur die past bij de regio.",
        "• Betrek de PO-",
        "Raad en de werkplekbegeleiders bij de school-",
        "overstijgende afspraken.",
    ],
    [],
    [
        "Conclusie",
        "Samen opleiden is eﬀectief: studenten leren in de praktijk en de",
        "kwaliteit van de begeleiding neemt toe volgens Darling-Hammond.",
    ],
]


def make_pdf(path: Path, pages: list[list[str]], header: str | None = None, page_numbers: bool = False) -> Path:
    """Write a PDF with one text line per entry; optional running header and page-number footer."""
    path.write_bytes(pdf_bytes(pages, header=header, page_numbers=page_numbers))
    return path


@pytest.fixture()
def pdf_factory():
    """``make_pdf`` for tests that need a PDF of their own."""
    return make_pdf


@pytest.fixture()
def report_pdf(tmp_path) -> Path:
    """A 4-page Dutch report with a running header, page numbers, hyphenation and ligatures."""
    return make_pdf(tmp_path / "rapport.pdf", REPORT_PAGES, header=RUNNING_HEADER, page_numbers=True)


@pytest.fixture(scope="session")
def pdf_samples() -> Path:
    if not PDF_SAMPLES.is_dir():
        pytest.skip(f"the shared PDF samples are not at {PDF_SAMPLES}")
    return PDF_SAMPLES


@pytest.fixture(scope="session")
def corpus_texts() -> dict[str, str]:
    """Raw text of each corpus publication (pages separated by form feeds), by file stem."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt"))}
    assert len(texts) >= 4, f"expected the corpus texts in {CORPUS}"
    return texts
