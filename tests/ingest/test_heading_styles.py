"""Headings glued into the text (defect code Hd of the eleventh to thirteenth samples), each on a real page
(../shared/real-pdfs; skipped when absent) and failing on the code before the fix: a heading told only by its
colour (a blue italic objective, a grey glossary term), a bold run-in title without a full stop ("Motivation for
grade" + "A professional ..."), a list item's run-in title cut off from its sentence, and a paragraph after a list
run on into its last item. Plus the colour reader on a PDF made here.
"""

from __future__ import annotations

from pypdf import PdfReader

from kennisbank.ingest.colours import FillColours
from kennisbank.ingest.layout import read_page
from tests.ingest.real_pdfs import assert_faithful as _faithful
from tests.ingest.real_pdfs import needs_real_pdfs as real
from tests.ingest.real_pdfs import split_real as _real


def _on_page(name: str, number: int) -> list:
    return [c for c in _real(name)[1] if c.meta["page_number"] == number and c.meta.get("kind") != "footnote"]


def test_fill_colours_follow_the_colour_operators_and_the_graphics_state(tmp_path):
    """The colour of each piece pypdf gives: the colour in force where its text is shown, restored by Q."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.set_text_color(0, 0, 0)
    pdf.text(20, 20, "Zwarte tekst")
    pdf.set_text_color(46, 84, 150)
    pdf.text(20, 40, "Blauwe kop")
    pdf.set_text_color(128, 128, 128)
    pdf.text(20, 60, "Grijze term")
    path = tmp_path / "kleuren.pdf"
    pdf.output(str(path))
    lines = [line for line in read_page(PdfReader(path).pages[0], 1).lines if line.text.strip()]
    colours = {line.text.strip(): line.colour for line in lines}
    assert colours["Zwarte tekst"] == (0.0, 0.0, 0.0)
    assert colours["Blauwe kop"] == (0.18, 0.33, 0.59)
    assert colours["Grijze term"] == (0.5, 0.5, 0.5)
    watcher = FillColours()
    for operator, operands in [(b"q", []), (b"rg", [1, 0, 0]), (b"Tj", [b"abc"]), (b"Q", []), (b"Tj", [b"de"])]:
        watcher.before(operator, operands)
        if operator == b"Tj":
            watcher.flushed()
    assert watcher.found == {0: (1.0, 0.0, 0.0), 1: (0.0, 0.0, 0.0)}
    watcher.before(b"k", [0, 0, 0, 1])
    assert watcher.colour == (0.0, 0.0, 0.0)


@real
def test_a_heading_set_apart_only_by_colour_and_italic_starts_the_passage_after_it():
    """hu-voorbeeldscriptie p. 30: three objectives in blue italic in the body size ("De applicatie behaalt een goede
    GPU-performance ... rond de 60 FPS.", over two lines) ran into the paragraphs around them."""
    chunks = _on_page("hu-voorbeeldscriptie.pdf", 30)
    heading = ("De applicatie behaalt een goede GPU-performance op de verschillende platformen van gemiddeld rond de "
               "60 FPS.")
    passage = next(c for c in chunks if heading in c.content)
    assert passage.content.startswith(heading + "\n\nOm dit te kunnen bevestigen is er een benchmark")
    assert passage.meta["section"][-1] == heading
    assert not any(c.content.rstrip().endswith("minimale impact van systeemupdates. " + heading) for c in chunks)
    assert any(c.content.startswith("De impact van systeemupdates van Android en iOS moet minimaal zijn voor het gebruik "
                                    "van het framework.\n\nDeze vraag is") for c in chunks)
    _faithful("hu-voorbeeldscriptie.pdf", 30)


@real
def test_a_glossary_term_in_another_colour_goes_with_its_definition():
    """hu-voorbeeldscriptie p. 51: the grey terms of the glossary ("Framework", "Native apps") ended the definition
    before them ("... HTML en Javascript\\nFramework\\nEen verzameling ...")."""
    chunks = _on_page("hu-voorbeeldscriptie.pdf", 51)
    framework = next(c for c in chunks if "Een verzameling aan voorgeschreven" in c.content)
    assert framework.content.startswith("Framework\n\nEen verzameling aan voorgeschreven functionaliteiten")
    assert framework.meta["section"][-2:] == ["8. Begrippenlijst", "Framework"]
    for term in ("Cross-platform", "Framework", "Native apps", "Ov-Plaza", "Scrum", "Xamarin"):
        assert not any(c.content.rstrip().endswith(term) for c in chunks), term
        assert any(c.content.startswith(term + "\n\n") for c in chunks), term
    _faithful("hu-voorbeeldscriptie.pdf", 51)


@real
def test_a_bold_run_in_title_without_a_full_stop_stands_on_its_own_line():
    """hr-modulewijzer p. 5: "Motivation for grade" (bold, LaTeX's \\paragraph) + "A professional software developer
    ..." read as "grade A"; the title is now a line of its own above its paragraph, every word kept."""
    chunks = _on_page("hr-modulewijzer.pdf", 5)
    passage = next(c for c in chunks if "A professional software developer" in c.content)
    assert passage.content.startswith("Motivation for grade\n\nA professional software developer is required")
    assert passage.meta["section"][-1] == "Motivation for grade"
    _faithful("hr-modulewijzer.pdf", 5)


@real
def test_a_list_items_run_in_title_stays_with_its_sentence():
    """dpia-coronamelder p. 39: "4. Software ontwikkeling. Bij het ontwikkelen van de software zijn er diverse
    maatregelen getroffen:" was cut after the title, which ended the passage of item c before it."""
    chunks = _on_page("dpia-coronamelder.pdf", 39)
    assert not any(c.content.rstrip().endswith("4. Software ontwikkeling.") for c in chunks)
    passage = next(c for c in chunks if "4. Software ontwikkeling." in c.content)
    assert passage.content.startswith("4. Software ontwikkeling. Bij het ontwikkelen van de software zijn er diverse "
                                      "maatregelen getroffen:\na. Het ontwerpen op basis van privacy by design")


@real
def test_a_paragraph_after_a_list_is_no_part_of_its_last_item():
    """programma-van-eisen p. 3 (items on one line each, no hanging indent) and vng-vertrouwen p. 4 (numbered items
    wrapped to a hanging indent): the paragraph after the list, back at the margin, ran on in the last item."""
    chunks = _on_page("programma-van-eisen.pdf", 3)
    assert any(c.content.rstrip().endswith("• Niet-functionele eisen: aan welke kwaliteitseisen moet de app voldoen?")
               for c in chunks)
    assert any(c.content.startswith("Eisen met betrekking tot “kwaliteit in gebruik” [2]") for c in chunks)
    chunks = _on_page("vng-vertrouwen.pdf", 4)
    item = next(c for c in chunks if "5. Consequent toepassen van regels" in c.content)
    assert item.content.rstrip().endswith("vertrouwen onder de inwoners.")
    assert any(c.content.startswith("Betrouwbaarheid en ontvankelijkheid worden veruit") for c in chunks)
    _faithful("programma-van-eisen.pdf", 3)
    _faithful("vng-vertrouwen.pdf", 4)
