"""Run-in headings, step numbers and figure labels on the real PDFs of ../shared/real-pdfs (issue 13).

Cases from the fourth by-eye sample (evaluation/real-pdfs-judged-4.jsonl): LaTeX ``\\paragraph`` titles
(bold, run-in, numbered 3.2.0.x) glued into the paragraph before them; the first step number of a slide lost
as a running line; a chart's axis titles kept as a heading before the figure's caption.
Skipped when the real PDFs are absent.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from kennisbank.ingest.pipeline import split_file

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"


@lru_cache(maxsize=None)
def _passages(name: str) -> tuple[tuple[int, tuple[str, ...], str], ...]:
    path = REAL_PDFS / name
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    _document, chunks = split_file(path)
    return tuple((chunk.meta.get("page_number"), tuple(chunk.meta.get("section", [])), chunk.content)
                 for chunk in chunks)


def _on(name: str, page: int) -> list[tuple[tuple[str, ...], str]]:
    return [(section, text) for number, section, text in _passages(name) if number == page]


# --- LaTeX \paragraph titles ---------------------------------------------------------------------------------


def test_numbered_paragraph_title_on_its_own_line_is_a_heading():
    passages = _on("hr-modulewijzer.pdf", 6)
    # never glued onto the paragraph before it
    assert not any("open questions. 3.2.0.1" in text for _, text in passages)
    opening = [(section, text) for section, text in passages if text.startswith("3.2.0.1 Question 1:")]
    assert opening, [text[:80] for _, text in passages]
    section, text = opening[0]
    assert section[-1] == "3.2.0.1 Question 1:"
    assert text.startswith("3.2.0.1 Question 1:\n\nGeneral shape of the question: Given the following class")
    following = [section for section, text in passages if text.startswith("3.2.0.2 Question 2:")]
    assert following and following[0][-1] == "3.2.0.2 Question 2:"
    assert "3.2.0.1 Question 1:" not in following[0]  # the same level, not under question 1


def test_numbered_run_in_title_opens_its_paragraph():
    passages = _on("hr-modulewijzer.pdf", 7)
    assert not any("UNDBEH 3.2.0.3" in text for _, text in passages)
    opening = [(section, text) for section, text in passages if text.startswith("3.2.0.3 Question 3: General shape")]
    assert opening, [text[:80] for _, text in passages]
    assert opening[0][0][-1] == "3.2.0.3 Question 3:"
    assert "3.2.0.2 Question 2:" not in opening[0][0]


def test_unpunctuated_run_in_title_opens_its_paragraph():
    passages = _on("hr-modulewijzer.pdf", 5)
    assert not any("else return 0 Motivation" in text for _, text in passages)
    # the title stands on a line of its own (judged a defect run in: "grade A professional", issue 14)
    opening = [(section, text) for section, text in passages if text.startswith("Motivation for grade\n\nA professional")]
    assert opening and opening[0][0][-1] == "Motivation for grade"


def test_bold_field_labels_stay_text():
    """A bold label with a colon and no section number ("Points:", "Module name:") is no heading."""
    sections = {part for name_page in (5, 6, 7, 2) for section, _ in _on("hr-modulewijzer.pdf", name_page)
                for part in section}
    assert not {"Points:", "Grading:", "Module name:", "General shape of the question:"} & sections


# --- slide step numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page, first, last", [
    (9, "1 Sneller en hoger verkocht", "4 Eén aanspreekpunt"),
    (11, "1 Postcode-check", "6 Definitief label"),
])
def test_first_step_number_of_a_slide_is_kept(page, first, last):
    text = "\n".join(text for _, text in _on("slides-energiebehoud.pdf", page))
    assert first in text and last in text


def test_page_numbers_of_slides_still_leave():
    text = "\n".join(text for _, text in _on("slides-energiebehoud.pdf", 9))
    assert "9 / 14" not in text


# --- chart labels --------------------------------------------------------------------------------------------


def test_axis_titles_of_a_chart_are_no_heading():
    passages = _on("en-school-closures-paper.pdf", 8)
    assert not any("Region Mean Days Closed" in text or "Mean Days Closed" in section
                   for section, text in passages)
    captions = [text for _, text in passages if "Figure 1: Average number of days of school closed" in text]
    assert captions and not captions[0].startswith(("Region", "Mean"))
    assert not any("Sub−Saharan Africa" in text for _, text in passages)  # the slanted tick labels too


def test_short_label_under_a_drawing_does_not_run_onto_the_page_before():
    """A screenshot's label at the top of the next page ("Technische uitleg") is not glued onto the last bullet
    of the page before (the passage ended "... - Technische uitleg Technische uitleg")."""
    texts = [text for number, _, text in _passages("toegankelijkheidsonderzoek.pdf") if number == 20]
    assert any(text.endswith("• In scherm: Menu - Over de app - Technische uitleg") for text in texts), texts


# --- captions ------------------------------------------------------------------------------------------------


def test_table_caption_in_its_own_size_is_its_own_paragraph():
    passages = [text for _, text in _on("fr-medical-mt-paper.pdf", 5)]
    caption = [text for text in passages if "TABLE 8 – Corrélation point-bisériale" in text]
    assert caption, passages
    # the body paragraph after the caption starts a paragraph of its own (blank line), not the caption's line
    assert any("(p > 0,05).\n\nLa corrélation point-bisériale entre MedTerm" in text
               or text.startswith("La corrélation point-bisériale entre MedTerm") for text in passages), passages
    assert not any("(p > 0,05). La corrélation" in text for text in passages)
