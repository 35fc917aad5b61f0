"""ingest.tables on PDFs made here (fpdf2 tables) and on real PDFs with tables (../shared/real-pdfs).

A table is kept as rows with their header ("| Land: Oostenrijk | Inwoners (miljoen): 8,9 | ..."), never as one
line of soup; table passages quote the stored page exactly and carry ``kind: table``; a contents page without
dot leaders, cover/letterhead fields and a lone heading are not indexed.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from kennisbank.ingest.check import check_file, page_word_faults
from kennisbank.ingest.pipeline import split_file
from kennisbank.ingest.chunking import front_and_back_noise
from kennisbank.ingest.tables import is_opening_title, is_row, noise_kinds, table_spans
from tests.pdfmaker import FONT

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"

ROWS = [
    ("Land", "Inwoners (miljoen)", "Oppervlakte (km2)", "Hoofdstad"),
    ("Oostenrijk", "8,9", "83.879", "Wenen"),
    ("België", "11,5", "30.689", "Brussel"),
    ("Denemarken", "5,8", "42.951", "Kopenhagen"),
    ("Finland", "5,5", "338.424", "Helsinki"),
]
INTRO = ("Deze paragraaf beschrijft de landen van de studie. De tabel hieronder geeft per land het aantal "
         "inwoners, de oppervlakte en de hoofdstad, zoals gemeten in het jaar van het onderzoek.")
AFTER = "Na de tabel gaat de tekst gewoon verder met een nieuwe alinea over de resultaten van de studie."


def _pdf(tmp_path: Path, name: str, build) -> Path:
    if not FONT.is_file():
        pytest.skip(f"{FONT} is missing (Debian fonts-dejavu-core)")
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_font("DejaVu", style="B", fname=str(FONT).replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    build(pdf)
    path = tmp_path / name
    path.write_bytes(bytes(pdf.output()))
    return path


def _table_report(pdf: FPDF) -> None:
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, INTRO, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    with pdf.table(col_widths=(40, 40, 40, 40), text_align="LEFT", borders_layout="HORIZONTAL_LINES") as table:
        for values in ROWS:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.ln(4)
    pdf.multi_cell(0, 6, AFTER, new_x="LMARGIN", new_y="NEXT")


def test_a_table_is_kept_as_rows_with_their_header(tmp_path):
    path = _pdf(tmp_path, "tabel.pdf", _table_report)
    document, chunks = split_file(path)
    page = document.content.split("\f")[0]
    rows = [line for line in page.split("\n") if is_row(line)]
    assert rows == [
        "| Land: Oostenrijk | Inwoners (miljoen): 8,9 | Oppervlakte (km2): 83.879 | Hoofdstad: Wenen",
        "| Land: België | Inwoners (miljoen): 11,5 | Oppervlakte (km2): 30.689 | Hoofdstad: Brussel",
        "| Land: Denemarken | Inwoners (miljoen): 5,8 | Oppervlakte (km2): 42.951 | Hoofdstad: Kopenhagen",
        "| Land: Finland | Inwoners (miljoen): 5,5 | Oppervlakte (km2): 338.424 | Hoofdstad: Helsinki",
    ]
    # the stored page has only the PDF's own words (the header words repeated), nothing joined
    raw = PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text()
    faults = page_word_faults(page, raw)
    assert not faults["false_joins"] and not faults["invented"], faults
    # one table passage, apart from the text before and after it, quoting the page exactly
    tables = [c for c in chunks if c.meta.get("kind") == "table"]
    assert len(tables) == 1 and tables[0].content == "\n".join(rows)
    assert tables[0].content == page[tables[0].meta["start"]: tables[0].meta["end"]]
    body = [c.content for c in chunks if c.meta.get("kind", "body") == "body"]
    assert any(INTRO[:40] in text for text in body) and any(AFTER[:40] in text for text in body)
    assert not any("Wenen" in text for text in body)
    report = check_file(path)
    assert report["tables"] == 1 and report["table_rows"] == 4 and report["table_passages"] == 1


def test_many_rows_make_several_passages_each_row_with_its_header(tmp_path):
    def build(pdf: FPDF) -> None:
        pdf.add_page()
        pdf.set_font("DejaVu", size=10)
        with pdf.table(col_widths=(30, 60, 30), text_align="LEFT", borders_layout="HORIZONTAL_LINES") as table:
            head = table.row()
            for name in ("Code", "Omschrijving van de maatregel", "Kosten"):
                head.cell(name)
            for number in range(1, 31):
                row = table.row()
                row.cell(f"M{number:02d}")
                row.cell(f"Maatregel voor school {number} in de regio")
                row.cell(f"{number * 125} euro")

    _document, chunks = split_file(_pdf(tmp_path, "lang.pdf", build))
    tables = [c for c in chunks if c.meta.get("kind") == "table"]
    assert len(tables) >= 2  # 30 rows do not fit one passage of 700 characters
    for chunk in tables:
        for line in chunk.content.split("\n"):
            assert line.startswith("| Code: M") and "| Omschrijving van de maatregel: Maatregel" in line
            assert "| Kosten: " in line
    assert sum(len(c.content.split("\n")) for c in tables) == 30


def test_running_text_is_not_a_table(tmp_path):
    def build(pdf: FPDF) -> None:
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        for _ in range(3):
            pdf.multi_cell(0, 6, INTRO + " " + AFTER, new_x="LMARGIN", new_y="NEXT")
        for item in ("eerste punt van de lijst", "tweede punt van de lijst", "derde punt van de lijst"):
            pdf.cell(8, 6, "•")
            pdf.cell(0, 6, item, new_x="LMARGIN", new_y="NEXT")

    document, chunks = split_file(_pdf(tmp_path, "tekst.pdf", build))
    assert not any(is_row(line) for line in document.content.split("\n"))
    assert not any(c.meta.get("kind") == "table" for c in chunks)


def test_contents_page_without_dot_leaders_and_a_lone_heading_are_not_indexed(tmp_path):
    entries = [("1 Inleiding", 3), ("2 Aanpak van het onderzoek", 5), ("2.1 Interviews", 6), ("3 Resultaten", 9),
               ("4 Conclusies", 14), ("Bijlagen", 17)]

    def build(pdf: FPDF) -> None:
        pdf.add_page()
        pdf.set_font("DejaVu", "B", size=16)
        pdf.cell(0, 10, "Inhoud", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=11)
        for title, page in entries:
            pdf.cell(150, 7, title)
            pdf.cell(0, 7, str(page), align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 6, INTRO + " " + AFTER, new_x="LMARGIN", new_y="NEXT")
        pdf.add_page()
        pdf.set_font("DejaVu", "B", size=16)
        pdf.cell(0, 10, "Bijlagen", new_x="LMARGIN", new_y="NEXT")

    path = _pdf(tmp_path, "inhoud.pdf", build)
    document, chunks = split_file(path)
    assert "Aanpak van het onderzoek" not in document.content.split("\f")[0]
    assert all(c.meta["page_number"] == 2 for c in chunks), [c.content for c in chunks]
    _document, every = split_file(path, keep_noise=True)
    assert [c.content for c in every if c.meta.get("kind") == "noise"] == ["Bijlagen"]
    report = check_file(path)
    assert report["contents_pages"] == 1 and report["noise_passages_dropped"] == 1


def test_noise_kinds():
    texts = ["Privacy Partners\nadres Laan 5 3521 GH Utrecht telefoon 085 401 e-mail info@pp.nl website www.pp.nl",
             "Maatregelen", "Een gewone alinea met een zin. En nog een zin die verder gaat.",
             "Een gewone alinea met een zin. En nog een zin die verder gaat.", "Klasse?"]
    assert noise_kinds(texts, [1, 2, 3, 3, 4], ["body"] * 5, slides=False) == [
        "noise", "noise", "body", "noise", "body"]
    assert noise_kinds(["Klasse? Geslacht?"], [4], ["body"], slides=True) == ["noise"]
    assert noise_kinds(["| a | b"], [1], ["table"], slides=False) == ["table"]
    chart = "N\nS vu\n(a) Kugelkoordinaten 1 0 1 22 1 0 1 2 0.6 0.8 1\n(b) π 2 π 3π 2 2π −1 −0.5 0.5 1 x y sin x cos x"
    numbers = "In 2020 waren 25 van de 100 scholen dicht (25%). Dat is 5 minder dan in 2019 en 10 meer dan in 2018."
    assert noise_kinds([chart, numbers], [1, 1], ["body", "body"], slides=False) == ["figure", "body"]


def test_table_spans_cover_the_text():
    text = "Inleiding van de tabel.\nTabel 2 Kosten\n| Post: huur | Bedrag: 10\n| Post: licht | Bedrag: 5\n\nNa."
    spans = table_spans(text)
    assert [(text[s:e].strip(), table) for s, e, table in spans] == [
        ("Inleiding van de tabel.", False),
        ("Tabel 2 Kosten\n| Post: huur | Bedrag: 10\n| Post: licht | Bedrag: 5", True),
        ("Na.", False),
    ]
    assert spans[0][0] == 0 and spans[-1][1] == len(text)


REAL = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")


def _real(name: str):
    return split_file(REAL_PDFS / name)


@REAL
def test_real_definitions_table_keeps_term_and_definition_together():
    document, chunks = _real("programma-van-eisen.pdf")
    page = document.content.split("\f")[2]
    assert "| contactcode | Een unieke, anonieme code die de app genereert (en meermaals per dag wijzigt)" in page
    assert "| index (case) | bevestigde patiënt COVID-19" in page
    tables = [c.content for c in chunks if c.meta["page_number"] == 3 and c.meta.get("kind") == "table"]
    assert any(not text.startswith("Dit document hanteert") and "| contact | Persoon die" in text
               for text in tables)


@REAL
def test_real_scale_table_rows_do_not_run_into_the_paragraph_after():
    document, chunks = _real("duidingsrapportage-coronamelder.pdf")
    page = document.content.split("\f")[128]
    assert ("| 1 | Niet ernstig | Kleine verstoring van niet- kernprocessen (bijvoorbeeld minuten). Er lekken zeer "
            "beperkt gegevens uit. Schade is verwaarloosbare schaal (minder dan € 1.000).") in page
    assert "| Waarde: 5 | Omschrijving: Veelvoorkomend | Criterium: Een incident komt een of meerdere malen" in page
    for chunk in chunks:
        if chunk.meta["page_number"] == 129 and "Nogmaals" in chunk.content:
            assert chunk.meta.get("kind", "body") == "body" and "Niet ernstig" not in chunk.content


@REAL
def test_real_table_with_header_in_every_row():
    document, _chunks = _real("hu-voorbeeldscriptie.pdf")
    page = document.content.split("\f")[29]
    assert "| Telefoon: Oneplus One | OS Versie: Android 6.0.1 | Gemiddelde framerate: 52 FPS" in page


@REAL
def test_real_form_table_of_a_course_description():
    document, _chunks = _real("hr-modulewijzer.pdf")
    page = document.content.split("\f")[1]
    assert "| Examination: | Written examination and practicums (with oral check)" in page
    assert "| Course owners: | The DEV team" in page


@REAL
def test_real_latex_table_of_one_piece_rows_is_read_in_layout_mode():
    document, chunks = _real("latex-multicolumn.pdf")
    page = document.content.split("\f")[2]
    assert ("| Country: Belgium | Population (millions): 11.5 | Area (km2): 30,689 | Capital: Brussels | "
            "Official Language: Dutch, French, German") in page
    assert any(c.meta.get("kind") == "table" and "Country: Finland" in c.content for c in chunks)


def test_the_opening_title_block_of_a_document_is_noise():
    """The document's first passage on page 1 that holds no sentence (title, authors with initials and degrees,
    affiliations, an addressee) is its title block: not indexed (judged N in the twelfth sample). Only the first
    body passage of page 1, and never one with a sentence or a list item."""
    title = ("Ethische analyse van de COVID-19 notificatie-app\n\n14 juli 2020\n\nProf.dr.ir. P.P.C.C. Verbeek, "
             "Universiteit Twente (voorzitter) Prof.dr. Philip Brey, Universiteit Twente")
    body = "De Autoriteit Persoonsgegevens heeft op 7 juli 2020 een verzoek ontvangen. Zij adviseert daarover."

    def kinds(texts, pages):
        return front_and_back_noise(texts, pages, ["body"] * len(texts), 10, False)

    assert is_opening_title(title) and not is_opening_title(body)
    assert kinds([title, body], [1, 1]) == ["noise", "body"]
    # the same text later in the document, or a first passage with a sentence or a list, stays
    assert kinds([body, title], [1, 1]) == ["body", "body"]
    assert kinds([title, body], [2, 2]) == ["body", "body"]
    assert kinds(["Samenvatting\n\n" + body], [1]) == ["body"]
    assert not is_opening_title("Kernpunten\n• minder uitval\n• betere begeleiding")


@REAL
def test_title_blocks_of_real_publications_are_not_indexed():
    """ap-advies p. 1 (title and addressee), fr-medical p. 1 (title and authors), ethische-analyse p. 1 (title,
    date, the committee with degrees): judged N before; the text stays on the stored page."""
    for name, words in (("ap-advies-coronamelder.pdf", "Postbus 20350"), ("fr-medical-mt-paper.pdf", "Ikram Abid"),
                        ("ethische-analyse-coronamelder.pdf", "Philip Brey")):
        document, chunks = _real(name)
        assert not any(words in c.content for c in chunks if c.meta["page_number"] == 1)
        assert words in document.content.split("\f")[0]
