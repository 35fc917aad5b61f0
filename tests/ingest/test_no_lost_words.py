"""No word of a page is lost: a number that ends a line of the body is text, not a page number.

The layout analysis (ingest.layout) leaves out running lines and page numbers by where they stand on the page;
the cleaner's text-only rule (a bare number among a page's first or last lines) used to run on that body text
once more and dropped a year that ends a reference on the page's last line ("Rinie van Est,\\n2019") and numbered
headings on the page whose printed number they carry ("1 General description" on the page printed 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from haystack import Document

from kennisbank.ingest.cleaning import DutchTextCleaner, clean_pages
from kennisbank.ingest.pipeline import split_file
from tests.pdfmaker import pdf_bytes

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"

REFERENCES = [
    "Bronnen",
    "- 'Opwaarderen: Borgen van Publieke Waarden in de Digitale Samenleving': rapport van het",
    "Rathenau Instituut, Linda Kool, Jelte Timmer, Lambèr Royakkers en Rinie van Est, 2017",
    "- 'Burgers en Sensoren': rapport van het Rathenau Instituut, Dhoya Snijders, Geert Munnichs,",
    "2019",
]
NEXT = ["Kernwaarden", "Uitgangspunt bij de ethische beoordeling was dat de technologie dient om mensen te helpen."]


def _real(name: str) -> Path:
    path = REAL_PDFS / name
    if not path.is_file():
        pytest.skip(f"the real PDFs are not at {REAL_PDFS}")
    return path


def test_a_year_on_the_last_line_of_a_generated_pdf_page_stays(tmp_path):
    path = tmp_path / "bronnen.pdf"
    path.write_bytes(pdf_bytes([["Inleiding", "Dit rapport beschrijft de app."], REFERENCES, NEXT],
                               header="Ethische analyse van de app", page_numbers=True))
    document, chunks = split_file(path)
    pages = document.content.split("\f")
    assert pages[1].rstrip().endswith("Geert Munnichs, 2019")
    assert not any(page.rstrip().endswith(("\n2", "\n3")) for page in pages)  # the page numbers are gone
    reference = [c.content for c in chunks if "Burgers en Sensoren" in c.content]
    assert reference and reference[0].rstrip().endswith("2019")
    assert not any("Kernwaarden" in c.content for c in chunks if "2019" in c.content)


def test_the_cleaner_keeps_every_line_of_a_pdfs_layout_body():
    body = "\f".join(["Inleiding\nDit rapport beschrijft de app.", "\n".join(REFERENCES), "\n".join(NEXT)])
    laid_out = Document(content=body, meta={"format": "pdf", "layout": {"running_lines": 3}})
    cleaned = DutchTextCleaner().run(documents=[laid_out])["documents"][0].content.split("\f")
    assert cleaned[1].endswith("Geert Munnichs, 2019")


def test_in_text_a_bare_number_that_is_not_the_pages_number_stays():
    # printed numbers follow the pages (page N prints N): "2019" on page 2 is no page number, "2" is
    pages = [f"Tekst van pagina {n} met een zin.\nNog een zin op deze pagina.\n{n}" for n in range(1, 6)]
    pages[1] = "Rinie van Est,\n2019\n2"
    cleaned = clean_pages(pages)
    assert cleaned[1] == "Rinie van Est, 2019"
    assert all(not page.endswith(str(n)) for n, page in enumerate(cleaned, start=1) if n != 2)


def test_the_reference_year_of_the_ethical_analysis_stays():
    """ethische-analyse-coronamelder.pdf, PDF page 8: the last reference ends with "2019" on the page's last line,
    and the next page's heading "b. Kernwaarden" is no part of it."""
    document, chunks = split_file(_real("ethische-analyse-coronamelder.pdf"))
    page = document.content.split("\f")[7]
    assert page.rstrip().endswith("Dhoya Snijders, Geert Munnichs, Rinie van Est, 2019")
    reference = [c for c in chunks if "'Burgers en Sensoren'" in c.content]
    assert len(reference) == 1
    assert reference[0].content.rstrip().endswith("Rinie van Est, 2019")
    assert "Kernwaarden" not in reference[0].content


def test_numbered_headings_on_their_own_page_number_stay():
    """hr-modulewijzer.pdf opens pages 3-5 with "1 General description", "2 Course program", "3 Assessment"."""
    document, _ = split_file(_real("hr-modulewijzer.pdf"))
    pages = document.content.split("\f")
    assert pages[2].startswith("1 General description")
    assert pages[3].startswith("2 Course program")
    assert pages[4].startswith("3 Assessment")


def _question_form_pdf(path: Path) -> Path:
    """A form in the look of a DPIA: a bold numbered heading over a bold question (indented first line), then
    the answer in plain text."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    body = ("Voor zover gegevens worden verwerkt op de smartphone van de gebruiker is de verwerkingslocatie "
            "afhankelijk van de fysieke locatie van de desbetreffende smartphone. ") * 3
    y = 20.0
    for number, title, question, rest in [
        ("7.", "Verwerkingslocaties", "Benoem in welke landen de voorgenomen", "gegevensverwerkingen plaatsvinden."),
        ("8.", "Techniek en methode van gegevensverwerking",
         "Beschrijf op welke wijze en met gebruikmaking van welke (technische)",
         "middelen en methoden de persoonsgegevens worden verwerkt."),
    ]:
        pdf.set_font("Helvetica", "B", 10)
        pdf.text(25, y, f"{number} {title}")
        y += 7
        pdf.text(35, y, question)
        y += 5
        pdf.text(25, y, rest)
        y += 10
        pdf.set_font("Helvetica", "", 10)
        for start in range(0, len(body), 90):
            pdf.text(25, y, body[start:start + 90].strip())
            y += 5
        y += 10
    path.write_bytes(bytes(pdf.output()))
    return path


def test_a_bold_question_after_a_bold_heading_is_no_part_of_it(tmp_path):
    path = _question_form_pdf(tmp_path / "vragen.pdf")
    document, chunks = split_file(path)
    headings = [head[1] for page in document.meta.get("headings") or [] for head in page]
    assert headings == ["7. Verwerkingslocaties", "8. Techniek en methode van gegevensverwerking"]
    text = document.content
    assert ("Beschrijf op welke wijze en met gebruikmaking van welke (technische) middelen en methoden de "
            "persoonsgegevens worden verwerkt.") in text
    assert "gegevensverwerking Beschrijf" not in " ".join(c.content for c in chunks)


def test_the_question_of_the_dpia_form_is_no_heading():
    """dpia-coronamelder.pdf, PDF page 21: "8. Techniek en methode van gegevensverwerking" and the bold question
    after it ("Beschrijf op welke wijze ... (technische) / middelen en methoden ...") are a heading and a
    paragraph, and the question is one paragraph."""
    document, chunks = split_file(_real("dpia-coronamelder.pdf"))
    headings = [head[1] for head in document.meta["headings"][20]]
    assert headings == ["7. Verwerkingslocaties", "8. Techniek en methode van gegevensverwerking"]
    page = document.content.split("\f")[20]
    assert ("8. Techniek en methode van gegevensverwerking\n\nBeschrijf op welke wijze en met gebruikmaking van "
            "welke (technische) middelen en methoden de persoonsgegevens worden verwerkt.") in page
    assert "7. Verwerkingslocaties\n\nBenoem in welke landen de voorgenomen gegevensverwerkingen plaatsvinden." in page


def test_an_italic_numbered_title_stands_apart_from_its_paragraph():
    """dpia-coronamelder.pdf, PDF page 31: "(2) Het bereik van het contactonderzoek wordt in belangrijke mate
    vergroot" in italic over a paragraph in roman is a heading, not the start of that paragraph."""
    document, chunks = split_file(_real("dpia-coronamelder.pdf"))
    headings = [head[1] for head in document.meta["headings"][30]]
    assert "(2) Het bereik van het contactonderzoek wordt in belangrijke mate vergroot" in headings
    page = document.content.split("\f")[30]
    assert "wordt in belangrijke mate vergroot\n\nIemand kan in de nabijheid" in page
    assert not any("vergroot Iemand" in c.content for c in chunks)
