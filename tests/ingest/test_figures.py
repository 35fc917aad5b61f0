"""Figures, tables of papers and front-matter noise on real PDFs (../shared/real-pdfs), and the rules alone.

ingest.figures keeps the labels that stand in a page's drawings ("V U a b", "(c) K5 (d) K3,3", a chart's axis
numbers) out of the body text; ingest.tables reads a LaTeX table whose rows pypdf gives as one piece each in
layout mode even beside the other column of a two-column page; a contents list lower on a page, a cover page
inside a document and a single letterhead field are not indexed. Each real-PDF test failed before these rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kennisbank.ingest.drawings import Drawings
from kennisbank.ingest.figures import _labels, figure_boxes
from kennisbank.ingest.layout import Line, PageLayout
from kennisbank.ingest.pipeline import split_file
from kennisbank.ingest.tables import _align, is_cover_page, is_field, noise_kinds

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
REAL = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")

_CACHE: dict[str, tuple] = {}


def _real(name: str):
    if name not in _CACHE:
        document, chunks = split_file(REAL_PDFS / name, keep_noise=True)
        _CACHE[name] = (document.content.split("\f"), chunks)
    return _CACHE[name]


def _passages(chunks, page: int, kinds=("body", "table")) -> list[str]:
    return [c.content for c in chunks if c.meta["page_number"] == page and c.meta.get("kind", "body") in kinds]


# --- Real PDFs -------------------------------------------------------------------------------------------


@REAL
def test_real_latex_table_beside_a_column_is_rows_with_its_header():
    pages, chunks = _real("fr-medical-mt-paper.pdf")
    assert "| Entrées EN | Brut: 445 186 | Nettoyé: 2 515" in pages[2]
    assert "| Faux positifs uniques | Brut: 502 | Nettoyé: 6" in pages[2]
    body = [text for text in _passages(chunks, 3, ("body",))]
    assert any(text.endswith("moins de paires à évaluer.") for text in body)  # the paragraph before the table
    assert not any("Brut Nettoyé" in text or "Précision 0,494" in text for text in body)
    # a table in the right-hand column, header of short names, numbers with a minus sign (U+2212)
    assert "| Métrique: COMET-QE | Moy.: 0,198 | Pearson r: −0,138 | p: 0,511 | Spearman ρ: −0,143" in pages[4]
    assert "| Score: 4/5 | Docs: 17 | %: 68 %" in pages[4]
    assert "| TABLE |" not in pages[4]  # a caption set in small capitals is no table
    assert "TABLE 6 – Distribution des scores du médecin (n=25)." in pages[4]


@REAL
def test_real_figure_labels_leave_the_body_text():
    pages, chunks = _real("geotopo-thesis-de.pdf")
    page55 = pages[54]
    assert "Abbildung 3.9: a∗b = b∗a⇔a∗b∗a\u0305∗b\u0305∼e" in page55  # the caption stays (ā, b̄: drawn overlines, ingest.maths)
    assert "2) Torus: π1(T 2,X) wird erzeugt von a und b." in page55
    assert "\nV\n" not in page55 and "U a b" not in page55 and "V a b" not in page55
    page41 = pages[40]
    assert "Abbildung 2.9: Beispiele für Graphen" in page41
    assert "(c) K5 (d) K3,3" not in page41 and "Planare Einbettung" not in page41
    assert "c) Ein zusammenhängender Graph heißt Baum, wenn er keinen Kreis enthält." in page41
    assert "(a) Halbraum" not in pages[31] and "Hinweis: Mannigfaltigkeiten mit Rand sind keine" in pages[31]


@REAL
def test_real_chart_axis_labels_and_legend_leave_the_body_text():
    pages, _chunks = _real("en-school-closures-paper.pdf")
    page14 = pages[13]
    assert "Figure 7: Enrollment-weighted average change in pass rates" in page14
    assert "−8 −4 0" not in page14 and "\nLow\n" not in page14 and "Spring 2019" not in page14


@REAL
def test_real_contents_lower_on_a_page_and_its_footnote():
    pages, chunks = _real("en-school-closures-paper.pdf")
    assert "Table of contents" not in pages[0] and ". . ." not in pages[0] and "1 Introduction 2" not in pages[0]
    assert "2.2.2 Average Number" not in pages[1] and "References 20" not in pages[1]
    notes = [c.content for c in chunks if c.meta["page_number"] == 1 and c.meta.get("kind") == "footnote"]
    assert any(note.startswith("∗Code and data are available at:") for note in notes)
    assert not any("Code and data are available" in text for text in _passages(chunks, 1))


@REAL
def test_real_letterhead_field_and_cover_page_are_not_indexed():
    _pages, chunks = _real("ap-advies-coronamelder.pdf")
    kinds = {c.content: c.meta.get("kind", "body") for c in chunks if c.meta["page_number"] == 1}
    assert kinds.get("Contactpersoon\n\n070 8888 500") == "noise"
    assert any(kind == "body" and text.startswith("Samenvatting") for text, kind in kinds.items())
    _pages, chunks = _real("hu-voorbeeldscriptie.pdf")
    cover = [c for c in chunks if c.meta["page_number"] == 39]
    assert cover and all(c.meta.get("kind") == "noise" for c in cover)


# --- The rules alone ------------------------------------------------------------------------------------


def _line(text: str, x: float, y: float, size: float = 10.0) -> Line:
    return Line(text, text, x=x, y=y, size=size, positioned=True)


def test_drawings_keep_painted_paths_in_page_space():
    drawings = Drawings()
    cm = [2, 0, 0, 2, 100, 50]  # scaled by 2, moved
    drawings.before(b"re", [0, 0, 30, 20], cm, None)
    drawings.before(b"f", [], cm, None)
    drawings.before(b"m", [0, 0], cm, None)
    drawings.before(b"l", [10, 0], cm, None)
    drawings.before(b"n", [], cm, None)  # a clipping path paints nothing
    drawings.before(b"S", [], cm, None)
    assert drawings.boxes == [(100.0, 50.0, 160.0, 90.0)]


def test_figure_labels_are_short_lines_in_a_drawing_not_prose_beside_it():
    page = PageLayout(number=1, lines=[], width=600, height=800, drawings=[(200, 400, 400, 600)])
    assert figure_boxes(page, 10.0) == [(200, 400, 400, 600)]
    label, axis = _line("x", 300, 500), _line("−4 −2 0 2 4", 210, 395)
    wrapped = [_line("Vertrouwen in", 250, 450), _line("de app", 250, 438)]
    sentence = _line("Also für n = 1:", 210, 590)
    near = {id(line) for line in [label, axis, *wrapped, sentence]}
    assert _labels([label, axis, *wrapped, sentence], near) == [label, axis, *wrapped]


def test_row_with_fewer_cells_goes_to_the_nearest_columns_in_order():
    middles = [10.0, 50.0, 80.0]
    header = [(40.0, 48.0, "Brut"), (60.0, 72.0, "Nettoyé")]  # over the two value columns
    assert _align(header, middles) == [1, 2]
    assert _align([(0.0, 20.0, "Moyenne"), (45.0, 55.0, "4,32")], middles) == [0, 1]


def test_cover_page_and_field_rules():
    cover = ("PLAN VAN AANPAK\n\nInfoplaza BV & Hogeschool Utrecht\n\nCROSS-PLATFORM FRAMEWORKS\n\n"
             "Martin Luhrman - 1638082")
    assert is_cover_page(cover)
    assert not is_cover_page("Inleiding\n\nDit rapport beschrijft de app. Het gaat over privacy.\n\nZie ook")
    assert not is_cover_page("Afkortingen\n- AP Autoriteit Persoonsgegevens\n- GGD Gemeentelijke Gezondheidsdienst")
    assert is_field("Contactpersoon\n\n070 8888 500") and is_field("Ons kenmerk\n\nz2020-11824")
    assert not is_field("Datum\n\nOp 6 augustus 2020 heeft de AP het advies gegeven. Daarna volgde overleg.")
    assert not is_field("Conclusie\n\nDe app mag niet starten")
    kinds = noise_kinds([cover, "Een gewone alinea met een zin. En nog een zin."], [39, 40], ["body", "body"], False)
    assert kinds == ["noise", "body"]
