"""Code listings keep their line breaks; headings never stand alone; title blocks are not indexed (issue 13).

Generated PDFs (fpdf2) and the real PDFs of ../shared/real-pdfs (skipped when absent).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from kennisbank.ingest.chunking import split_pages
from kennisbank.ingest.code import code_spans, is_code_passage, listing_lines
from kennisbank.ingest.pipeline import split_file
from kennisbank.ingest.tables import is_title_block
from tests.pdfmaker import FONT

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"

LISTING = ["1 class Driver {", "2 private Car car;", "3 void Drive() {", "4 this.car.Move();", "5 }", "6 }"]
PROSE = ("De klasse Driver kent de klasse Car en al haar publieke methoden. Daardoor hangen de twee klassen sterk "
         "samen, en een wijziging in Car raakt ook Driver.")
SENTENCES = " ".join(f"Zin nummer {n} beschrijft een deel van de tweede fase van het framework in detail." for n in
                     range(1, 12))


def _pdf(tmp_path: Path, name: str, pages: list[list[str | tuple[int, str]]]) -> Path:
    """One paragraph per entry, in 11 pt; an entry (size, text) in that size."""
    if not FONT.is_file():
        pytest.skip(f"{FONT} is missing (Debian fonts-dejavu-core)")
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    for lines in pages:
        pdf.add_page()
        for line in lines:
            size, text = line if isinstance(line, tuple) else (11, line)
            pdf.set_font("DejaVu", size=size)
            pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / name
    path.write_bytes(bytes(pdf.output()))
    return path


# --- listings ------------------------------------------------------------------------------------------------


def test_listing_lines_need_consecutive_numbers_and_code():
    assert listing_lines(["Tekst ervoor", *LISTING, "Tekst erna"]) == [(1, 6)]
    assert listing_lines(["1 Inleiding", "2 Methode", "3 Resultaten"]) == []  # a numbered list of words
    assert listing_lines(["1 class A {", "3 }", "5 }"]) == []  # numbers that do not count up by one
    assert listing_lines(["2019 12 {", "2020 13 {", "2021 14 {"]) == []  # years are no line numbers
    assert listing_lines(LISTING[:2]) == []  # two lines are not enough
    # a long source line wrapped onto a line without a number, and an empty source line ("3" alone)
    assert listing_lines(["7 int x = f(a,", "b);", "8 return x;", "9", "10 }"]) == [(0, 4)]


def test_code_spans_cover_the_text_and_mark_the_listing():
    text = PROSE + "\n\n" + "\n".join(LISTING) + "\n\nNa de code."
    spans = code_spans(text)
    assert "".join(text[s:e] for s, e, _ in spans) == text
    assert [text[s:e].strip() for s, e, code in spans if code] == ["\n".join(LISTING)]
    assert is_code_passage("\n".join(LISTING)) and not is_code_passage(PROSE)


def test_a_listing_in_a_pdf_is_a_code_passage_with_its_line_breaks(tmp_path):
    path = _pdf(tmp_path, "code.pdf", [[PROSE, *LISTING, "Na de code volgt weer gewone tekst over het ontwerp."]])
    document, chunks = split_file(path)
    code = [c for c in chunks if c.meta.get("kind") == "code"]
    assert [c.content for c in code] == ["\n".join(LISTING)]
    assert "\n".join(LISTING) in document.content  # the stored page keeps the lines as the PDF has them
    body = [c.content for c in chunks if c.meta.get("kind", "body") == "body"]
    assert body and not any("class Driver" in text for text in body)
    assert any(text.startswith("De klasse Driver") for text in body)


def test_numbered_lines_without_code_stay_prose(tmp_path):
    lines = ["1 Inleiding van het rapport", "2 Methode van het onderzoek", "3 Resultaten van de meting"]
    _document, chunks = split_file(_pdf(tmp_path, "lijst.pdf", [[PROSE, *lines]]))
    assert not [c for c in chunks if c.meta.get("kind") == "code"]


# --- headings ------------------------------------------------------------------------------------------------


def test_a_heading_takes_the_start_of_a_long_paragraph_after_it():
    page = "4.2.2 Tweede fase\n" + SENTENCES
    assert len(page) > 700
    chunks = split_pages([page], True, 700, 200, heading_starts=[{0}])
    assert all(len(c.text) <= 700 for c in chunks)
    assert chunks[0].text.startswith("4.2.2 Tweede fase\nZin nummer 1 ")
    assert chunks[0].text.endswith(".") and len(chunks) == 2
    # the same when the layout did not mark the heading
    assert split_pages([page], True, 700, 200)[0].text.startswith("4.2.2 Tweede fase\nZin nummer 1 ")


def test_a_heading_at_a_page_end_goes_with_the_text_on_the_next_page():
    first = "Een alinea die netjes eindigt op deze pagina, met een punt.\n\n5.1 Aanbevelingen"
    second = "De AP beveelt aan de app niet te gebruiken zonder wet. Dat is het eerste advies.\n\nNog een alinea."
    chunks = split_pages([first, second], True, 700, 200, flow=True,
                         heading_starts=[{first.index("5.1")}, set()])
    heading = [c for c in chunks if "5.1 Aanbevelingen" in c.text]
    assert len(heading) == 1 and heading[0].page_end == 2
    assert heading[0].text.endswith("Dat is het eerste advies.")
    assert heading[0].text == first[heading[0].start:heading[0].end] + " " + second[: heading[0].end_on_page_end]


def test_a_short_piece_before_the_first_heading_of_a_page_goes_with_the_page_before():
    first = "Criterium 1.4.2: Geluid\n\nAls een geluid langer dan drie seconden speelt, kan men het stoppen."
    second = "• Geen problemen aangetroffen\n\nCriterium 1.4.3: Contrast\n\nDe tekst heeft genoeg contrast."
    chunks = split_pages([first, second], True, 700, 200, flow=True,
                         heading_starts=[{0}, {second.index("Criterium")}])
    assert not [c for c in chunks if c.text == "• Geen problemen aangetroffen"]
    assert chunks[0].page_end == 2 and chunks[0].text.endswith("kan men het stoppen. • Geen problemen aangetroffen")


# --- title blocks --------------------------------------------------------------------------------------------


def test_title_blocks():
    assert is_title_block("Two-Column Document with Lorem Ipsum\n\nYour Name January 3, 2024")
    assert is_title_block("Machine\n\nLearning 101 Jeanne Goossens The Space Leiden 21-01-2021")
    assert not is_title_block("Op 7 juli 2020 verzochten de ministers de AP om een voorafgaande raadpleging.")
    assert not is_title_block("Kosten van de zorg in 2021")  # no date


def test_a_title_block_on_the_first_page_is_not_indexed(tmp_path):
    pages = [[(20, "Eenzaamheid in de wijk"), "Jan Jansen, Universiteit Utrecht", "3 januari 2024", "",
              (15, "Samenvatting"), PROSE],
             [(15, "Inleiding"), SENTENCES]]
    _document, chunks = split_file(_pdf(tmp_path, "titel.pdf", pages), keep_noise=True)
    title = [c for c in chunks if "Jan Jansen" in c.content]
    assert title and all(c.meta.get("kind") == "noise" for c in title)
    _document, indexed = split_file(_pdf(tmp_path, "titel.pdf", pages))
    assert not [c for c in indexed if "Jan Jansen" in c.content]
    assert [c for c in indexed if "De klasse Driver" in c.content]


# --- real PDFs -----------------------------------------------------------------------------------------------


def _real(name: str):
    path = REAL_PDFS / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return split_file(path)[1]


def _on_page(chunks, page: int, kind: str | None = None) -> list[str]:
    return [c.content for c in chunks if c.meta.get("page_number") == page
            and (kind is None or c.meta.get("kind", "body") == kind)]


def test_real_slide_listing_keeps_its_lines():
    chunks = _real("hr-slides-lec1.pdf")
    assert "1 class Driver {\n2 private Car car;\n3 void Drive() {\n4 public this.car.Move();\n5 }" in \
        _on_page(chunks, 16, "code")[0]
    assert not any("1 class Driver" in text for text in _on_page(chunks, 16, "body"))
    assert _on_page(chunks, 43, "code") == ["1 class Some<T> : IOption<T> {\n2 public T value;\n3 public Some(T value) {"
                                            "\n4 this.value = value;\n5 }\n6 public U Visit<U>(IOptionVisitor<T, U> "
                                            "visitor) {\n7 return visitor.onSome(this.value);\n8 }\n9 }"]


def test_real_course_guide_listing_is_neither_table_nor_footnote():
    chunks = _real("hr-modulewijzer.pdf")
    code = _on_page(chunks, 6, "code")
    assert len(code) == 2 and code[1].startswith("1 public interface Option<T>\n2 {\n3 U Visit<U>")
    assert "24 int inc_number = number.Visit(() => {" in code[0]
    assert not _on_page(chunks, 6, "footnote") and not _on_page(chunks, 6, "table")


def test_real_headings_do_not_stand_alone():
    ap = _real("ap-advies-coronamelder.pdf")
    assert "4.2.2 Tweede fase" not in _on_page(ap, 9)
    assert any(text.startswith("4.2.2 Tweede fase\nGoogle en Apple") for text in _on_page(ap, 9))
    geo = _real("geotopo-thesis-de.pdf")
    assert not [t for t in _on_page(geo, 28) if t.strip() == "Bemerkung 24 (Mächtigkeit von Mannigfaltigkeiten)"]
    wcag = _real("toegankelijkheidsonderzoek.pdf")
    assert "• Geen problemen aangetroffen" not in _on_page(wcag, 16)


def test_real_title_blocks_are_not_indexed():
    assert not [t for t in _on_page(_real("latex-multicolumn.pdf"), 1) if "Your Name" in t]
    assert not [t for t in _on_page(_real("slides-ml101.pdf"), 1) if "Jeanne Goossens" in t]
