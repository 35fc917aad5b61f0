"""Slides read box by box (ingest.slides) and ligatures of Type 3 bitmap fonts (ingest.glyphs).

Golden tests on the real slide decks of ../shared/real-pdfs (a PowerPoint export, a PowerPoint print-to-PDF
and a Beamer deck): the defects a reader found there (codes L, N, O of its README) must be gone, and the
stored words stay the PDF's own (tests/ingest/test_real_pdfs.py checks that for every real PDF). Then the
reading order on boxes made by hand.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from kennisbank.ingest.check import page_word_faults
from kennisbank.ingest.glyphs import type3_ligatures
from kennisbank.ingest.layout import Line
from kennisbank.ingest.pipeline import split_file
from kennisbank.ingest.slides import Box, reading_order

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
needs_pdfs = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")

_SPLIT: dict[str, tuple] = {}


def passages(name: str, page: int) -> list[tuple[str, str, list[str]]]:
    """(kind, text, section) of every passage of a page, noise and figures included."""
    if name not in _SPLIT:
        _SPLIT[name] = split_file(REAL_PDFS / name, keep_noise=True)
    _document, chunks = _SPLIT[name]
    return [(c.meta.get("kind", "body"), c.content, c.meta.get("section", [])) for c in chunks
            if c.meta["page_number"] == page]


def slide(name: str, page: int) -> str:
    (found,) = [text for kind, text, _ in passages(name, page) if kind == "body"]  # a slide is one passage
    return found


@needs_pdfs
class TestBoxesOfAPowerPointDeck:
    NAME = "slides-energiebehoud.pdf"

    def test_a_step_number_goes_before_its_box_never_after_a_sentence(self):
        text = slide(self.NAME, 4)
        assert "afmelden. 2" not in text and "vast. 3" not in text
        assert "1 Gecertificeerde adviseur\n\nSinds 2021 mag alleen" in text
        assert "label opnemen en afmelden.\n\n2 Opname ter plaatse\n\nDe adviseur legt" in text
        assert "bouwjaarwaarden.\n\n“Niet vastgelegd" in text  # the quote under the columns: its own paragraph

    def test_numbered_rows_and_arrows(self):
        text = slide(self.NAME, 9)
        assert "verkoopbaar.\n\n2 Advies dat je onderscheidt\n\nWijs verkopers" in text
        text = slide(self.NAME, 13)  # "1 → 2 → 3" over three columns: the arrows carry no word
        assert "→" not in text
        assert "1 Jij verwijst door\n\nEen klant die verkoopt, verhuurt of wil verduurzamen.\n\n2 Wij nemen op" in text

    def test_a_box_heading_is_never_glued_after_another_box(self):
        text = slide(self.NAME, 5)
        assert "op te plannen. ★" not in text
        assert "op te plannen.\n\n★ Geregistreerd energielabel\n\nDezelfde meting, nu officieel" in text
        text = slide(self.NAME, 12)
        assert "niet bij. STRAKS" not in text
        assert "\n\nSTRAKS\n\nGeregistreerde maatwerkadviezen komen erbij." in text
        text = slide(self.NAME, 7)
        assert "meld je het label af.\n\n€ Het maatwerkadvies\n\n" in text

    def test_a_title_over_two_lines_is_one_title(self):
        ((kind, text, section),) = passages(self.NAME, 1)
        assert section == ["Energielabel, maatwerkadvies & verduurzaming"]
        assert "Energielabel, maatwerkadvies & verduurzaming\n\nWat ze betekenen" in text
        # two boxes side by side on the footer's baseline stay apart
        assert "Berend van Berkel\n\nLabellift.nl — dit jaar online" in text

    def test_the_slide_path_is_its_title_not_a_box_heading(self):
        ((_, _, section),) = passages(self.NAME, 13)
        assert section == ["Samen voor betere labels"]


@needs_pdfs
class TestPrintedDeck:
    NAME = "slides-ml101.pdf"

    def test_a_quote_in_the_largest_font_is_no_title_and_the_box_under_it_stays_apart(self):
        ((kind, text, section),) = passages(self.NAME, 7)
        assert not any("Learning can be" in head for head in section)  # the path of the slides before it
        assert text.startswith("“Learning can be understood as a learning way to automatically find patterns and")
        assert text.endswith("(source).\n\n80% cleaning, 20% modelling")

    def test_a_line_after_a_list_at_a_wider_gap_is_a_paragraph_of_its_own(self):
        text = slide(self.NAME, 26)
        assert text.endswith("- Rij verwijderen of kolom verwijderen\n\nExtra data toevoegen?")

    def test_slides_of_diagram_labels_are_not_indexed(self):
        for page in (8, 14):
            assert [kind for kind, _, _ in passages(self.NAME, page)] == ["figure"]
        assert [kind for kind, _, _ in passages(self.NAME, 21)] == ["body"]  # short questions, a sentence
        _document, chunks = split_file(REAL_PDFS / self.NAME)  # as the index holds them
        assert not any(c.meta["page_number"] in (8, 14) for c in chunks)


@needs_pdfs
class TestTypeThreeLigatures:
    NAME = "hr-slides-lec1.pdf"

    def test_fi_read_from_the_glyph_picture(self):
        text = slide(self.NAME, 23)
        assert "hides the specifics of some classes" in text
        assert "(defined as interfaces), each exposing a specific and controlled behavior" in text
        assert "define operations over it" in slide(self.NAME, 44)
        assert "Interactions between entities affect maintainability;" in slide(self.NAME, 12)
        raw = PdfReader(io.BytesIO((REAL_PDFS / self.NAME).read_bytes())).pages[22].extract_text()
        assert "speci\x1ccs" in raw  # pypdf gives the bare code
        faults = page_word_faults(text, raw)
        assert not faults["invented"] and not faults["false_joins"]
        assert {"specifics", "defined", "specific"} <= set(faults["recovered"])

    def test_a_ligature_after_a_space_is_a_recovered_word(self):
        raw = PdfReader(io.BytesIO((REAL_PDFS / self.NAME).read_bytes())).pages[8].extract_text()
        assert "and you \x1cll them back" in raw
        text = slide(self.NAME, 9)
        # each item its own line (its bullet is drawn: tests/ingest/test_slide_lists_tables.py)
        assert "and you fill them back in\n• the oral" in text and "gives you the final grade" in text
        faults = page_word_faults(text, raw)
        assert not faults["invented"] and {"fill", "final"} <= set(faults["recovered"])

    def test_only_what_the_pictures_show(self):
        reader = PdfReader(io.BytesIO((REAL_PDFS / self.NAME).read_bytes()))
        fonts = {name: ref.get_object() for page in reader.pages[:44]
                 for name, ref in page["/Resources"]["/Font"].items()}
        # the body font: "fi" (f and i side by side) and "ff" (two f's joined by their bar)
        assert type3_ligatures(fonts["/F26"], reader) == {27: "ff", 28: "fi"}
        # the title font has no "f" of its own size to compare with: alone, its ligature stays unread ...
        assert type3_ligatures(fonts["/F21"]) == {}
        # ... with the document, its "i" part agrees with the "fi" every other font reads at 28 from its pictures
        assert type3_ligatures(fonts["/F21"], reader) == {28: "fi"}
        assert type3_ligatures(fonts["/F33"], reader) == {}  # not a Type 3 font

    def test_a_title_ligature_read_with_the_document(self):
        raw = PdfReader(io.BytesIO((REAL_PDFS / self.NAME).read_bytes())).pages[30].extract_text()
        assert "Our \x1crst design pattern" in raw
        text = "\n".join(text for kind, text, _ in passages(self.NAME, 31) if kind == "body")
        assert "Our first design pattern" in text
        faults = page_word_faults(text, raw)
        assert not faults["invented"] and not faults["false_joins"] and "first" in faults["recovered"]


# --- Reading order on boxes made by hand ---------------------------------------------------------------------


def box(order: int, x: float, y: float, width: float, text: str = "text", size: float = 12.0) -> Box:
    line = Line(text, text, x=x, y=y, size=size, positioned=True, right=x + width)
    return Box([line], order=order)


def test_three_numbered_columns_are_read_column_by_column():
    # each column: a number over a box; the numbers stand in one row, the boxes in the next
    boxes = [box(0, 100, 300, 10, "1"), box(1, 80, 250, 200), box(2, 400, 300, 10, "2"), box(3, 380, 250, 200),
             box(4, 700, 300, 10, "3"), box(5, 680, 250, 200)]
    assert [b.order for b in reading_order(boxes)] == [0, 1, 2, 3, 4, 5]


def test_a_grid_numbered_row_by_row_is_read_row_by_row():
    boxes = [box(0, 80, 300, 200), box(1, 400, 300, 200), box(2, 80, 200, 200), box(3, 400, 200, 200)]
    assert [b.order for b in reading_order(boxes)] == [0, 1, 2, 3]


def test_a_title_written_last_is_read_first():
    boxes = [box(0, 60, 300, 300), box(1, 60, 250, 300), box(2, 60, 400, 100, "Titel")]
    assert [b.order for b in reading_order(boxes)] == [2, 0, 1]
    # a column the stream gives first, right of a column of two boxes beside it: left column first
    tall = Box([Line("a", "a", x=400, y=300, size=12, positioned=True, right=600),
                Line("b", "b", x=400, y=200, size=12, positioned=True, right=600)], order=0)
    boxes = [tall, box(1, 60, 300, 200), box(2, 60, 200, 200)]
    assert [b.order for b in reading_order(boxes)] == [1, 2, 0]
