"""ingest.layout on PDFs made here (fpdf2): lines with places and sizes, running lines, footnotes, labels."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from kennisbank.ingest.layout import analyse, page_labels, read_page
from kennisbank.ingest.parsing import parse_file
from tests.pdfmaker import FONT

TOPICS = ["de werkplek", "het instituut", "de schoolleider", "de mentor", "de student", "het bestuur"]


def designed_report(path: Path, pages: int = 5) -> Path:
    """A report with a running header (title and print date), a footer "Pagina N van M", a superscript
    note marker and a footnote in a smaller font at the bottom of every page."""
    if not FONT.is_file():
        pytest.skip(f"{FONT} is missing (Debian fonts-dejavu-core)")
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(FONT))
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("DejaVu", size=8)
        pdf.set_xy(10, 8)
        pdf.cell(0, 5, f"Rapport Samen Opleiden – afgedrukt op {number + 10} november 2024")
        pdf.set_xy(10, 30)
        pdf.set_font("DejaVu", size=11)
        topic = TOPICS[number % len(TOPICS)]
        pdf.cell(0, 6, f"Over {topic} in de opleidingsschool", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, f"Samen opleiden vraagt veel van {topic} en van de afspraken", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, f"over de begeleiding; {topic} is daarbij niet alleen.", new_x="LMARGIN", new_y="NEXT")
        pdf.write(6, f"De regio werkt daarom met {topic}")
        pdf.char_vpos = "SUP"
        pdf.write(6, str(3 * number + 1))
        pdf.char_vpos = "LINE"
        pdf.write(6, " in elke school.")
        pdf.set_xy(10, 262)
        pdf.set_font("DejaVu", size=8)
        pdf.cell(0, 4, f"{3 * number + 1} Zie het jaarverslag over {topic} uit {2010 + number}.",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(10, 282)
        pdf.cell(0, 5, f"Pagina {number} van {pages}", align="C")
    path.write_bytes(bytes(pdf.output()))
    return path


@pytest.fixture()
def report(tmp_path) -> Path:
    return designed_report(tmp_path / "ontworpen.pdf")


def test_lines_keep_pypdfs_text_exactly(report):
    reader = PdfReader(io.BytesIO(report.read_bytes()))
    for number, page in enumerate(reader.pages, start=1):
        layout = read_page(page, number)
        assert layout.raw_text() == page.extract_text()
        placed = [line for line in layout.lines if line.text.strip()]
        assert all(line.positioned and line.size > 0 for line in placed)
        body = next(line for line in placed if line.text.startswith("Samen opleiden"))
        note = next(line for line in placed if line.text.startswith(f"{3 * number + 1} Zie"))
        assert body.size == pytest.approx(11, abs=0.2) and note.size == pytest.approx(8, abs=0.2)
        assert body.y > note.y  # page space: y grows upwards


def test_roles_of_a_designed_report(report):
    reader = PdfReader(io.BytesIO(report.read_bytes()))
    pages = [read_page(page, number) for number, page in enumerate(reader.pages, start=1)]
    stats = analyse(pages, page_labels(reader))
    for page in pages:
        roles = {line.text.strip(): line.role for line in page.lines if line.text.strip()}
        running = [text for text, role in roles.items() if role == "running"]
        assert any(text.startswith("Rapport Samen Opleiden – afgedrukt op") for text in running)
        assert f"Pagina {page.number} van 5" in running
        topic = TOPICS[page.number % len(TOPICS)]
        assert [text for text, role in roles.items() if role == "footnote"] == [
            f"{3 * page.number + 1} Zie het jaarverslag over {topic} uit {2010 + page.number}."
        ]
        assert f"De regio werkt daarom met {topic}[{3 * page.number + 1}] in elke school." in page.text("body")
    assert stats.running_lines == 10 and stats.footnotes == 5 and stats.markers == 5


def test_parsed_body_notes_and_raw_pages(report):
    parsed = parse_file(report)
    assert parsed.page_count == 5 and parsed.layout["footnotes"] == 5
    for number, (raw, body, notes) in enumerate(zip(parsed.pages, parsed.body, parsed.notes), start=1):
        assert f"Pagina {number} van 5" in raw and "Pagina" not in body and "afgedrukt" not in body
        assert notes.startswith(f"{3 * number + 1} Zie het jaarverslag")
        assert "jaarverslag" not in body
    assert parsed.labels == [None] * 5  # no /PageLabels, and no number printed beside a title


def test_printed_page_numbers_with_an_offset(tmp_path):
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=str(FONT))
    for number in range(1, 8):
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        pdf.cell(0, 6, f"Tekst van pagina {number} over samen opleiden in de regio.")
        if number > 2:  # cover and colophon print no number; page 3 prints 1
            pdf.set_xy(10, 282)
            pdf.cell(0, 5, str(number - 2), align="R")
    path = tmp_path / "nummers.pdf"
    path.write_bytes(bytes(pdf.output()))
    parsed = parse_file(path)
    assert parsed.labels == [None, None, "1", "2", "3", "4", "5"]
    assert all(str(n - 2) not in body.split() for n, body in enumerate(parsed.body, start=1) if n > 2)
