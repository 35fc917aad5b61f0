"""A LaTeX maths thesis, a two-column paper and a book index (issue 13): captions as units of their own,
fraction numerators that are no note markers, drawn overlines kept, index pages line by line, a column's
footnote out of a hyphenated word. On the real PDFs of ../shared/real-pdfs (defects a judge found by eye) and
on general cases of the rules."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from kennisbank.ingest.captions import is_caption
from kennisbank.ingest.chunking import _sentence_ends
from kennisbank.ingest.index_pages import index_lines, is_index_passage
from kennisbank.ingest.layout import read_page
from kennisbank.ingest.maths import OVERLINE, fraction_numerator, overlined_texts
from kennisbank.ingest.pipeline import split_file
from kennisbank.ingest.tex_glyphs import compose_glyphs, tex_delimiter
from tests.pdfmaker import FONT

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
needs_pdfs = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")
THESIS = "geotopo-thesis-de.pdf"
PAPER = "fr-medical-mt-paper.pdf"
SLIDES = "hr-slides-lec1.pdf"


@lru_cache(maxsize=None)
def _split(name: str):
    document, chunks = split_file(REAL_PDFS / name)
    return (document.content or "").split("\f"), chunks


def _passages(name: str, page: int) -> list:
    return [chunk for chunk in _split(name)[1] if chunk.meta.get("page_number") == page]


def _line(name: str, page: int, words: str) -> str:
    reader = PdfReader(io.BytesIO((REAL_PDFS / name).read_bytes()))
    found = [line.text for line in read_page(reader.pages[page - 1], page).lines if words in line.text]
    assert found, f"{words!r} is not on {name} p. {page}"
    return found[0]


# --- captions -----------------------------------------------------------------------------------------------


@needs_pdfs
def test_a_caption_at_the_top_of_a_page_is_not_taken_over_the_break():
    """p. 38 ends with item c) of a definition; p. 39 opens (under its figure) with the caption of Abbildung 2.7."""
    last = _passages(THESIS, 38)[-1]
    assert "Dimension von K." in last.content
    assert "Abbildung 2.7" not in last.content and last.meta.get("page_end") is None
    assert any(chunk.content.startswith("Abbildung 2.7: Beispiele für Simplizialkomplexe")
               for chunk in _passages(THESIS, 39))


@needs_pdfs
def test_captions_are_paragraphs_of_their_own():
    """p. 79: three captions between sentences; each stands apart, none runs into a sentence."""
    page = _split(THESIS)[0][78]
    for caption in ("Abbildung 4.14: Flächengleichheit", "Abbildung 4.15: Flächenberechnung im Dreieck",
                    "Abbildung 4.16:"):
        at = page.index(caption)
        assert at == 0 or page[at - 2: at] == "\n\n", caption
    assert "Höhe.\n\nAbbildung 4.15" in page
    assert "im Dreieck\n\nZu zeigen:" in page
    # p. 38: the caption of Abbildung 2.6 apart from the sub-figure labels above it
    assert "\n\nAbbildung 2.6: Beispiele für k-Simplexe" in _split(THESIS)[0][37]


@pytest.mark.parametrize("text, caption", [
    ("Abbildung 2.7: Beispiele für Simplizialkomplexe", True),
    ("Figure 3. Mean days closed", True),
    ("Tabel 2: Kosten per jaar", True),
    ("TABLE II. Results", True),
    ("Fig. 4 - Overview", True),
    ("Abb. 4.16:∆ABL", True),
    ("Table 2.5 shows the results", False),
    ("Tabelle 3 zeigt die Werte", False),
    ("Definition 37", False),
    ("Satz 4.7 (Satz des Pythagoras)", False),
])
def test_caption_labels(text, caption):
    assert is_caption(text) is caption


# --- fractions and overlines ---------------------------------------------------------------------------------


@needs_pdfs
def test_a_fraction_numerator_is_not_a_note_marker():
    """p. 79 prints ½ (a raised small 1, a slash, a small 2); p. 49 a stacked 1 over 2 (\\frac)."""
    assert "Dreiecks ist 1/2 ·Grundseite" in _line(THESIS, 79, "Flächeninhalt")
    assert "[1]" not in _line(THESIS, 49, "falls")
    page = _split(THESIS)[0][78]
    assert "ist 1/2 ·Grundseite·Höhe." in page and "[1]/2" not in page


def test_fraction_numerator_rules():
    size = 10.9
    # ¹/₂: a raised 1, a slash on the baseline, a small 2
    nicefrac = [("ist", 90.0, 617.7, size, False), ("1", 264.3, 619.7, 7.97, False), ("/", 267.4, 617.7, size, False),
                ("2", 272.2, 617.7, 7.97, False)]
    assert fraction_numerator(nicefrac, 1)
    # a stacked fraction: the 2 lowered right under the 1
    stacked = [("(", 336.4, 113.7, size, False), ("1", 341.9, 118.0, 7.97, False), (" 2", 341.9, 110.0, 7.97, False)]
    assert fraction_numerator(stacked, 1)
    # a note marker after a word, followed by the next word on the baseline
    marker = [("partnerschappen", 90.0, 600.0, size, False), ("1", 170.0, 603.0, 7.0, False),
              (" en", 174.0, 600.0, size, False)]
    assert not fraction_numerator(marker, 1)


def _width(pieces):
    return lambda index, text: 0.55 * pieces[index][3] * len(text)


def test_a_drawn_bar_over_a_symbol_is_an_overline():
    size = 10.9
    pieces = [("b)", 121.6, 519.5, size, False), (" M", 137.3, 519.5, size, False), (" :=", 152.1, 519.5, size, False)]
    width = 0.55 * size
    bar = (137.3, 528.5, 137.3 + width, 528.5)
    texts = overlined_texts(pieces, [p[0] for p in pieces], _width(pieces), [bar])
    assert texts == ["b)", " M" + OVERLINE, " :="]
    # the same bar with a numerator centred on it is a fraction rule: nothing is added
    numerator = ("1", 137.3 + width / 2 - 0.55 * 7.97 / 2, 531.0, 7.97, False)
    with_numerator = pieces + [numerator]
    assert overlined_texts(with_numerator, [p[0] for p in with_numerator], _width(with_numerator), [bar]) == \
        [p[0] for p in with_numerator]
    # a bar as wide as a letter inside a word ("a" of "aard") is no overline; nor a bar joined to a table's rule
    word = [("aard", 100.0, 500.0, size, False)]
    assert overlined_texts(word, ["aard"], _width(word), [(100.0, 509.0, 100.0 + width, 509.0)]) == ["aard"]
    grid = [bar, (bar[2], 500.0, bar[2], 540.0)]
    assert overlined_texts(pieces, [p[0] for p in pieces], _width(pieces), grid) == [p[0] for p in pieces]


@needs_pdfs
def test_the_closure_bar_is_kept():
    """p. 7: the closure of M is printed with a bar (a drawn line); the stored text has M̅, the raw text M."""
    assert "Dann gilt: M̅ = R und" in _line(THESIS, 7, "euklidischer Topologie und M")
    page = _split(THESIS)[0][6]
    assert "M̅ = [a,b]" in page and "wenn M̅ = X ist" in page
    assert "M ist Umgebung" in page  # a plain M stays plain


# --- an index -------------------------------------------------------------------------------------------------


@needs_pdfs
def test_an_index_page_keeps_its_entries_apart():
    """p. 115, the Stichwortverzeichnis: two columns of "term, pages"; entries never run together."""
    chunks = _passages(THESIS, 115)
    index = [chunk for chunk in chunks if chunk.meta.get("kind") == "index"]
    assert len(index) >= 2
    text = "\n".join(chunk.content for chunk in index)
    assert "Dimension, 34\ndiskret, 53\n" in text
    assert "Abbildung\naffine, 107\ndifferenzierbare, 29" in text
    assert not any("34 diskret" in chunk.content or "107 differenzierbare" in chunk.content for chunk in chunks)
    # an index passage does not run on over the page break into the next page's entries
    assert not any(chunk.meta.get("kind") == "index" and chunk.meta.get("page_end") for chunk in _split(THESIS)[1])


def test_index_lines_rules():
    entries = ["Stichwortverzeichnis", "Abbildung", "affine, 107", "stetige, 9", "Abschluss, 3", "Abstand, 86",
               "Aktion, siehe Gruppenoperation", "Atlas, 24", "Gruppe operiert durch Homöomorphismen,", "61",
               "Gauß-Krümmung, 92, 91–94", "Axiom, 64", "Basis, 3"]
    assert index_lines(entries) == [(1, len(entries) - 1)]
    prose = ["De app is in 2020 ingevoerd, en in 2021 weer afgeschaft.", "Zie pagina 12 voor meer.",
             "Amsterdam, 2019", "Rotterdam, 2020", "Daarna volgde een evaluatie van het gebruik."]
    assert index_lines(prose) == []
    assert is_index_passage("Abschluss, 3\nAbstand, 86\nAtlas, 24")
    assert not is_index_passage("Dit is een zin, 3 keer.\nAbstand, 86")


# --- a footnote in a two-column paper -------------------------------------------------------------------------


@needs_pdfs
def test_a_column_footnote_leaves_the_hyphenated_word_whole():
    """fr-medical p. 1: the note "0. Code disponible sur ..." stands under a footnote rule at the foot of the
    left column, between "che-" and "vauchement" (the top of the right column)."""
    chunks = _passages(PAPER, 1)
    body = " ".join(chunk.content for chunk in chunks if chunk.meta.get("kind") is None)
    assert "principalement le chevauchement de n-grammes" in body
    assert "che-" not in body and "Code disponible" not in body
    notes = [chunk.content for chunk in chunks if chunk.meta.get("kind") == "footnote"]
    assert "0. Code disponible sur https://github.com/11Maroua/Evaluating_medical_machine_translation" in notes


def _index_pdf(path: Path) -> Path:
    """A register in two columns written row by row (as a word processor does): pypdf gives one line per row."""
    left = ["Abbildung", "  affine, 107", "  stetige, 9", "Abschluss, 3", "Abstand, 86", "Aktion, siehe Gruppenoperation",
            "Atlas, 24", "Axiom, 64", "Basis, 3", "Baum, 37", "Betti-Zahl, 41", "Dimension, 34", "diskret, 53"]
    right = ["Homotopie, 44", "Inneres, 3", "Isometrie, 6, 10", "Karte, 24", "Knoten, 20, 17–21", "  trivialer, 20",
             "Kreis, 37", "Kurve, 87", "Lot, 86", "Menge", "  offene, 2", "Metrik, 6", "Torus, iii, 5"]
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=16)
    pdf.cell(0, 10, "Register", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=11)
    for first, second in zip(left, right):
        y = pdf.get_y()
        pdf.set_xy(20 + (5 if first.startswith(" ") else 0), y)
        pdf.cell(80, 6, first.strip())
        pdf.set_xy(110 + (5 if second.startswith(" ") else 0), y)
        pdf.cell(80, 6, second.strip(), new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))
    return path


def test_an_index_written_row_by_row_is_read_column_by_column(tmp_path):
    _document, chunks = split_file(_index_pdf(tmp_path / "register.pdf"))
    index = [chunk.content for chunk in chunks if chunk.meta.get("kind") == "index"]
    text = "\n".join(index)
    assert "Dimension, 34\ndiskret, 53\nHomotopie, 44\nInneres, 3" in text  # the left column, then the right one
    assert "Knoten, 20, 17–21\ntrivialer, 20\n" in text and "Menge\noffene, 2\n" in text
    assert "Torus, iii, 5" in text
    assert not any("Abbildung Homotopie" in chunk.content or "| " in chunk.content for chunk in chunks)


# --- glyphs drawn on top of each other, brace and bar pieces (TeX maths) --------------------------------------


@needs_pdfs
def test_a_negation_slash_over_a_sign_is_one_character():
    """p. 12: TeX draws \\neq as a zero-width negation slash over "="; pypdf gives "x⁄= y"."""
    assert "x≠ y. Da (xn) gegen" in _line(THESIS, 12, "konvergiert")
    pages = _split(THESIS)[0]
    assert "falls x≠ y" in pages[11]
    assert "mit ∅≠ U1,U2 ∈" in pages[15]  # the slash ends a piece (" ∅⁄"), "=" opens the next without a gap
    assert "wegzusammenhängend ⇍X" in pages[21]
    # no negation slash is left alone in the thesis's text (a row taken for a table keeps pypdf's cells, p. 22)
    assert not [line for page in pages for line in page.split("\n") if "⁄" in line and not line.startswith("|")]


@needs_pdfs
def test_mapsto_is_one_arrow():
    """p. 34 and p. 15: \\mapsto is a zero-width bar over "→" ("x↦→x3")."""
    assert "x↦x3 ist kein" in _line(THESIS, 34, "Diffeomorphismus".replace("ff", "ﬀ"))
    pages = _split(THESIS)[0]
    assert "(u,v) ↦ (R cos v cos u" in pages[33]
    assert not any("↦→" in page for page in pages)


@needs_pdfs
def test_brace_tips_carry_no_word_and_the_label_follows_its_expression():
    """p. 15: an overbrace "genau ein Punkt" over LP ∩ H; p. 20: an underbrace under (Uxj,yi × Vxj,yi); pypdf
    gives the cmex tips as "z }| {" and "| {z }", the overbrace's label before the expression."""
    pages = _split(THESIS)[0]
    assert "P ↦\nLP ∩H genau ein Punkt wobei" in pages[14]
    assert "i=1 ( Uxj,yi ×Vxj,yi )" in pages[19]  # the opening "(" is cmex's parenleftbig, code 0
    for page in pages:
        flat = "".join(page.split())
        assert "z}|{" not in flat and "|{z}" not in flat


@needs_pdfs
def test_a_tall_bar_is_one_character():
    """p. 15: the set-builder bar of a tall set is a stack of cmex "vextendsingle" pieces ("⏐⏐⏐⏐⏐")."""
    page = _split(THESIS)[0][14]
    assert "Sn = { x∈ Rn+1 |‖x‖ = 1 }" in page
    assert "⏐" not in page


def test_overlays_need_a_zero_width_glyph_at_the_next_glyphs_place():
    symbols = {"/FirstChar": 50, "/Widths": [667, 667, 667, 667, 0, 0, 278]}  # codes 54, 55: no width
    names = {50: "element", 54: "negationslash", 55: "mapsto", 56: "slash"}
    size = 10.9
    pieces = [("x", 110.0, 174.3, size, False), ("⁄", 119.2, 174.3, size, False), ("=", 119.2, 174.3, size, False),
              (" y ↦→x", 130.6, 174.3, size, False), (" ⁄∈ ⁄≡ ⁄⊂", 160.0, 174.3, size, False)]
    fonts = [None, symbols, None, symbols, symbols]
    texts = compose_glyphs(pieces, [p[0] for p in pieces], fonts, lambda font: names)
    assert "".join(texts) == "x≠ y ↦x ∉ ≢ ⊄"
    # the slash last in a piece after another glyph, the sign opening the next piece without pypdf's space
    ending = [("mit", 257.5, 363.8, size, False), (" ∅⁄", 277.4, 363.8, size, False), ("=", 285.9, 363.8, size, False)]
    assert compose_glyphs(ending, ["mit", " ∅⁄", "="], [None, symbols, None], lambda font: names) == ["mit", " ∅", "≠"]
    assert compose_glyphs(ending, ["mit", " ∅⁄", " ="], [None, symbols, None], lambda font: names) == \
        ["mit", " ∅⁄", " ="]
    # a slash with a width is a slash; an overlay whose next glyph stands elsewhere is left
    plain = {"/FirstChar": 54, "/Widths": [278, 278]}
    assert compose_glyphs(pieces[:3], ["x", "⁄", "="], [None, plain, None], lambda font: names) == ["x", "⁄", "="]
    apart = [pieces[0], pieces[1], ("=", 140.0, 174.3, size, False)]
    assert compose_glyphs(apart, ["x", "⁄", "="], [None, symbols, None], lambda font: names) == ["x", "⁄", "="]


def test_brace_tips_only_in_the_order_of_a_brace():
    extension = {"/FirstChar": 122, "/Widths": [450, 450, 450, 450]}
    names = {122: "bracehtipdownleft", 123: "bracehtipdownright", 124: "bracehtipupleft", 125: "bracehtipupright"}
    size = 10.9
    under = [("( U )", 200.0, 508.4, size, False), ("|", 210.0, 490.9, size, False), (" {z", 230.0, 490.9, size, False),
             (" }", 250.0, 490.9, size, False)]
    texts = compose_glyphs(under, [p[0] for p in under], [None, extension, extension, extension], lambda font: names)
    assert "".join(texts).split() == ["(", "U", ")"]
    # the same letters in another order are left (no brace), and so are they in a font without such names
    other = [("z", 210.0, 490.9, size, False), (" {|}", 230.0, 490.9, size, False)]
    assert compose_glyphs(other, ["z", " {|}"], [extension, extension], lambda font: names) == ["z", " {|}"]
    assert compose_glyphs(under, [p[0] for p in under], [None] * 4, lambda font: names) == [p[0] for p in under]
    assert tex_delimiter("parenleftbig") == "(" and tex_delimiter("bracketrightBigg") == "]"
    assert tex_delimiter("bracehtipdownleft") == ""


@needs_pdfs
def test_the_rest_of_a_line_cut_by_a_formulas_limits_is_no_heading():
    """p. 7: "a) M◦ := {...} = ⋃ U" with the limits U⊆M, U∈T under the union; the line goes on "U heißt
    Inneres oder offener" (bold words) on the same baseline: no heading, and the definition stays one passage."""
    passages = [chunk.content for chunk in _passages(THESIS, 7)]
    assert any("= ⋃\nU⊆M\nU∈T\nU heißt Inneres oder offener\nKern von M.\nb)" in text for text in passages)


@needs_pdfs
def test_a_derivation_step_over_a_page_break_runs_on_to_its_closing_bracket():
    """p. 20 ends "Sei V := ⋂ Vxi"; p. 21 opens "⇒V ∩ ( ⋃ i=1" + (limits) "Uxi ) = ∅ ⇒V ∩K = ∅ ...". The limits
    are written after the union (ingest.maths.operator_limits)."""
    over = [chunk for chunk in _passages(THESIS, 20) if chunk.meta.get("page_end") == 21]
    assert over and over[0].content.endswith("⇒V ∩ ( ⋃_{i=1}^{n}\nUxi ) = ∅ ⇒V ∩K = ∅ ⇒V ist Überdeckung von y, die "
                                             "ganz in X\\K enthalten ist. ⇒X\\K ist offen")
    assert not any(chunk.content.startswith("Uxi )") for chunk in _passages(THESIS, 21))


@needs_pdfs
def test_a_display_formula_on_a_slide_is_one_paragraph():
    """hr-slides-lec1 p. 19: I ≃ (∑_{i=2}^N N!/(2(N−i)!)) was five paragraphs ("( N ∑", "i=2", ...); the sum's
    limits are written after it (ingest.maths.operator_limits), the fraction with a slash (ingest.display_fractions)."""
    text = _passages(SLIDES, 19)[0].content
    start, end = text.index("I ≃"), text.index("It is a very big number!")
    formula = text[start:end].rstrip("• \n")  # the next bullet ("•", drawn) is not part of it
    assert "\n\n" not in formula and formula.startswith("I ≃ ( ∑_{i=2}^{N}\nN !") and formula.endswith(" /(2(N − i)!) )")
    assert "given N classes, it is:\n\nI ≃" in text


@needs_pdfs
def test_a_raised_number_before_a_bracket_is_an_exponent():
    """p. 34: cos²(v) is "cos" + a raised "2" + "(v)"; the 2 is no note marker ("cos[2](v)")."""
    line = _line(THESIS, 34, "sin2(u)")
    assert "R2 cos2(v) cos2(u) + R2 cos2(v) sin2(u)" in line and "[2]" not in line
    # a marker after a word, the text going on after a space, stays a marker
    assert "„französische Eisenbahnmetrik“" in _line(THESIS, 12, "Eisenbahnmetrik")
    assert "(SNCF-Metrik[1])" in _line(THESIS, 12, "SNCF")


# --- round 11: abbreviations over a page break, word gaps of a TJ array ---------------------------------------


@needs_pdfs
def test_a_sentence_runs_on_past_an_abbreviation_over_the_page_break():
    """p. 81 ends in a formula; p. 82 opens "die obere Halbebene bzw. Poincaré-Halbebene und G = ...": "bzw." is
    no sentence end, the definition's sentence runs on past it."""
    definition = next(chunk for chunk in _passages(THESIS, 81) if "Definition 63" in chunk.content)
    assert "die obere Halbebene bzw. Poincaré-Halbebene und G = G1" in definition.content
    assert definition.meta.get("page_end") == 82


@pytest.mark.parametrize("text", ["die obere Halbebene bzw. Poincaré-Halbebene", "vgl. Satz 4 und",
                                  "z.B. eine Kurve", "d.h. die Menge", "u.a. die Gruppe", "bijv. de school"])
def test_a_period_after_an_abbreviation_is_no_sentence_end(text):
    assert _sentence_ends(text, 0, len(text)) == []


@needs_pdfs
def test_a_small_fraction_with_a_letter_is_written_linearly_not_as_a_note():
    """p. 92: "konstant" + "1" over a rule over "r" (an inline 1/r set in 8 pt): pypdf gives " 1" " r" and the
    raised "1" read as a note marker ("konstant [1] r"); the maths font's missing space glyph pushed the "r"
    off its rule in the check."""
    line = _line(THESIS, 92, "konstant")
    assert "konstant 1/r, da gilt" in line and "[1]" not in line
