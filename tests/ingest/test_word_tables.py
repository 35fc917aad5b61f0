"""Tables drawn with rules in real Word PDFs (ingest.ruled_tables): rows and cells from the rules the page draws.

pypdf gives these tables cell by cell (all lines of a row's first cell, then its second cell) or with the numbers
of neighbouring cells glued together; each case below was wrong before ``ingest.ruled_tables`` (judged by eye on
the rendered page). The PDFs are in ../shared/real-pdfs; the tests skip when they are absent.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from kennisbank.ingest.check import page_word_faults
from kennisbank.ingest.layout import Line, PageLayout
from kennisbank.ingest.pipeline import split_file
from kennisbank.ingest.ruled_tables import ruled_apart, ruled_grids

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
REAL = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")


@lru_cache(maxsize=2)
def _real(name: str):
    return split_file(REAL_PDFS / name)


def _page(name: str, number: int) -> str:
    document, _chunks = _real(name)
    return document.content.split("\f")[number - 1]


def _table_passages(name: str, number: int) -> list[str]:
    _document, chunks = _real(name)
    return [c.content for c in chunks if c.meta["page_number"] == number and c.meta.get("kind") == "table"]


@REAL
def test_planning_table_keeps_numbers_of_adjacent_cells_apart_with_their_week():
    """hu-voorbeeldscriptie p. 13 (Tabel 3): before, "Uren per week40 40 ..." and "Uren totaal40 80120160...",
    the rows as lines of numbers without their columns."""
    page = _page("hu-voorbeeldscriptie.pdf", 13)
    assert "80120160" not in page and "week40" not in page
    assert "| Taak: Plan van aanpak | week Februari 6: 32 | week Februari 7: 28 | week Februari 8: 16 | Uren Totaal: 76" \
        in page
    assert "| Taak: Uren totaal | week Februari 6: 40 | week Februari 7: 80 | week Februari 8: 120 |" in page
    assert any("| Taak: Sprint 1 | week M&A 13: 37 | week April 14: 30 | Uren Totaal: 67" in text
               for text in _table_passages("hu-voorbeeldscriptie.pdf", 13))
    # the legend under the table is text of its own, not the end of the last row's last cell
    assert "\nlegenda: Deadline Oplevering" in page and not any("legenda" in line for line in page.split("\n")
                                                                if line.startswith("| "))
    _assert_faithful("hu-voorbeeldscriptie.pdf", 13)


@REAL
def test_last_row_of_a_ruled_table_is_a_row_of_its_own():
    """hu-voorbeeldscriptie p. 49: the last row ran into the Maatregel cell of the row above."""
    page = _page("hu-voorbeeldscriptie.pdf", 49)
    assert ("| Mogelijk risico: De student is snel afgeleid door gesprekken van andere collegas. | Maatregel(en): De "
            "student kan zichzelf afscheiden door in een aparte ruimte te gaan zitten.") in page
    assert "| Maatregel(en): Als het mogelijk is zoeken of er een omweg is" in page
    rows = [line for line in page.split("\n") if line.startswith("| Mogelijk risico:")]
    assert len(rows) == 6 and all("De student is snel" not in row for row in rows[:-1])
    _assert_faithful("hu-voorbeeldscriptie.pdf", 49)


@REAL
def test_trailing_crosses_keep_their_column_headers():
    """duidingsrapportage p. 80 (printed 78): the header Onderdeel/Maatregel/Omschrijving/Preventief/... over
    three lines; the first rows lost their cells and the crosses their column ("| X")."""
    page = _page("duidingsrapportage-coronamelder.pdf", 80)
    assert ("| Onderdeel: Ontwikkeling | Maatregel: Pseudonimisering | Omschrijving: Doordat er gewerkt wordt met zeer "
            "sterk gepseudonimiseerde gegevens is bij ongeautoriseerde toegang nog geen inzicht in de betrokken "
            "personen | Preventief: X | Repressief: X") in page  # "Repres" / "sief": a word the narrow cell cut
    assert "| Maatregel: Interne code reviews | Omschrijving: Interne mensen reviewen de broncode van collega's | " \
           "Preventief: X | Detectief: X | Correctief: X" in page
    assert not any(line.rstrip().endswith("| X") for line in page.split("\n"))
    _assert_faithful("duidingsrapportage-coronamelder.pdf", 80)


@REAL
def test_parties_table_rows_keep_their_cells_apart():
    """duidingsrapportage p. 86-87: Onderdeel/Partij/Taak rows run together as plain lines ("CoronaMelder.
    Beveiligingsonderzoek NFIR Uitvoeren van ...")."""
    page = _page("duidingsrapportage-coronamelder.pdf", 86)
    # the table goes on from p. 85 without its header repeated: its rows carry the names of p. 85's header
    assert ("| Onderdeel: Beveiligingsonderzoek | Betrokken partij: NFIR | Rol: Uitvoeren van een penetratietest "
            "(hackerstest) op de serveromgeving, de app en de combinatie.") in page
    assert "| Betrokken partij: Europese Commissie | Rol: Onderzoek naar broncode Apple/Google API uitgevoerd door " \
           "Radically Open Security." in page
    assert "| Onderdeel: Privacy(recht) | Betrokken partij: Autoriteit Persoonsgegevens | Rol: Geven van advies op de " \
           "DPIA" in page
    # p. 87 has no text in the first column: its table has two columns, not the header's three (not carried)
    assert "| Raad van State | Advisering op het wetsvoorstel" in _page("duidingsrapportage-coronamelder.pdf", 87)
    header = _page("duidingsrapportage-coronamelder.pdf", 85)
    assert "| Onderdeel: Beheer | Betrokken partij: Ministerie van VWS | Rol: Doorontwikkeling en regie." in header
    _assert_faithful("duidingsrapportage-coronamelder.pdf", 85, 86, 87)


@REAL
def test_risk_matrix_rows_carry_the_column_headers():
    """duidingsrapportage p. 131: 'Niet ernstig Acceptabel Acceptabel Acceptabel Laag Midden' as a passage."""
    page = _page("duidingsrapportage-coronamelder.pdf", 131)
    assert ("| Niet ernstig | Zeer zelden: Acceptabel | Zelden: Acceptabel | Komt voor: Acceptabel | Regelmatig: Laag "
            "| Veelvoorkomend: Midden") in page
    assert "| Catastrofaal | Zeer zelden: Midden | Zelden: Hoog |" in page
    assert "| 2 | 9-27 | Mogelijk | Vraagt om aandacht | 12 maanden" in page
    assert any("Niet ernstig | Zeer zelden: Acceptabel" in text
               for text in _table_passages("duidingsrapportage-coronamelder.pdf", 131))
    _assert_faithful("duidingsrapportage-coronamelder.pdf", 131)


def _assert_faithful(name: str, *numbers: int) -> None:
    """The stored pages have only the PDF page's words (a table's header words repeated): no join of words that
    stand apart, nothing invented."""
    document, _chunks = _real(name)
    pages = document.content.split("\f")
    raw = _raw_pages(name)
    for number in numbers:
        faults = page_word_faults(pages[number - 1], raw[number - 1], raw[: number - 1])
        assert not faults["false_joins"] and not faults["invented"], (number, faults)


@lru_cache(maxsize=2)
def _raw_pages(name: str) -> list[str]:
    return [page.extract_text() for page in PdfReader(REAL_PDFS / name).pages]


def _line(text: str, x: float, y: float, size: float = 10.0) -> Line:
    width = 0.5 * size * len(text)
    return Line(text, text, x=x, y=y, size=size, positioned=True, pieces=[(text, x, y, size, False)],
                ends=[x + width], right=x + width)


def test_a_ruled_grid_made_here_gives_rows_and_columns():
    """A grid of rules drawn around two columns, the text of each cell given cell by cell (as Word writes it)."""
    rules = [(50.0, y - 0.25, 350.0, y + 0.25) for y in (700.0, 680.0, 640.0, 620.0)]
    rules += [(x - 0.25, 620.0, x + 0.25, 700.0) for x in (50.0, 200.0, 350.0)]
    lines = [_line("Naam", 55, 686), _line("Waarde", 205, 686),
             _line("eerste regel van", 55, 666), _line("een cel", 55, 652),
             _line("tien", 205, 666),
             _line("tweede", 55, 626), _line("twintig", 205, 626)]
    lines[0].pieces = [("Naam", 55, 686, 10.0, True)]
    lines[1].pieces = [("Waarde", 205, 686, 10.0, True)]
    page = PageLayout(number=1, lines=lines, height=842, width=595, drawings=rules)
    grids = ruled_grids(page, lambda cell, text: cell + " " + text)
    assert len(grids) == 1
    assert grids[0].header and grids[0].rows == [["Naam", "Waarde"], ["eerste regel van een cel", "tien"],
                                                 ["tweede", "twintig"]]


def test_rules_without_text_between_them_or_a_frame_are_no_table():
    """A framed paragraph (a box of four rules around running text) and a chart's grid lines are no table."""
    frame = [(50.0, 699.75, 350.0, 700.25), (50.0, 599.75, 350.0, 600.25),
             (49.75, 600.0, 50.25, 700.0), (349.75, 600.0, 350.25, 700.0)]
    lines = [_line("Een kader met gewone tekst die doorloopt", 55, 686 - 14 * i) for i in range(6)]
    page = PageLayout(number=1, lines=lines, height=842, width=595, drawings=frame)
    assert ruled_grids(page, lambda cell, text: cell + " " + text) == []


@REAL
def test_rows_of_a_ruled_one_column_list_stay_apart():
    """toegankelijkheidsonderzoek pp. 8-9: a ruled table of screens whose second column is empty (no table: one
    column of text) ran a long row into the next one as if it wrapped: "... Locatie-instellingen Status - De
    app ...", "... Locatie staat uit Status - De app is deels actief - Bluetooth ...". The rule between the rows
    parts them; a row's own wrapped line still runs on ("... van" + "mijn telefoon")."""
    for number in (8, 9):
        _document, chunks = _real("toegankelijkheidsonderzoek.pdf")
        text = "\n".join(c.content for c in chunks if c.meta["page_number"] == number)
        assert "Locatie-instellingen Status" not in text and "staat uit Status" not in text
    lines = [line for c in _real("toegankelijkheidsonderzoek.pdf")[1] if c.meta["page_number"] == 9
             for line in c.content.split("\n")]
    assert "Status - De app is deels actief - Locatie staat uit - Locatie-instellingen" in lines
    assert "Status - De app is deels actief - Locatie staat uit - Locatie-instellingen - Hoe zit dat precies" in lines
    assert "FAQ - Veelgestelde vraag - hoe verwijder ik de bluetoothgegevens van mijn telefoon" in lines
    _assert_faithful("toegankelijkheidsonderzoek.pdf", 9)


def test_a_rule_between_two_lines_parts_them_but_not_a_fraction_rule_or_an_underline():
    """ruled_apart on made pages: a rule across both lines between them parts them; a short rule (a fraction's),
    a rule right under a line's baseline (an underline) and no rule at all do not."""
    def page(*boxes):
        above = Line(text="Status - De app is deels actief", x=60.0, y=430.0, size=12.0, positioned=True, right=300.0)
        below = Line(text="Status - De app is actief", x=60.0, y=401.0, size=12.0, positioned=True, right=250.0)
        return PageLayout(number=1, lines=[above, below], height=842.0, width=595.0, drawings=list(boxes)), above

    layout, above = page((56.0, 417.0, 538.0, 418.0))
    assert ruled_apart(layout) == {id(above)}
    assert ruled_apart(page()[0]) == set()
    assert ruled_apart(page((60.0, 417.0, 100.0, 418.0))[0]) == set()  # shorter than the lines: a fraction's rule
    assert ruled_apart(page((56.0, 427.0, 538.0, 428.0))[0]) == set()  # under the upper line's letters: an underline
