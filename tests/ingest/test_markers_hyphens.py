"""Note markers glued into their text piece, subscripts, and line-end hyphens between two words, on the real
PDFs of ../shared/real-pdfs (found by eye in evaluation/real-pdfs-judged-4.jsonl) and on general cases."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from kennisbank.ingest.cleaning import Vocabulary, hyphen_join
from kennisbank.ingest.layout import read_page
from kennisbank.ingest.markers import split_piece
from kennisbank.ingest.pipeline import split_file

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
needs_pdfs = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")


@lru_cache(maxsize=None)
def _reader(name: str) -> PdfReader:
    return PdfReader(io.BytesIO((REAL_PDFS / name).read_bytes()))


def _line(name: str, page: int, words: str) -> str:
    lines = [line.text for line in read_page(_reader(name).pages[page - 1], page).lines]
    found = [text for text in lines if words in text]
    assert found, f"{words!r} is not on {name} p. {page}"
    return found[0]


@lru_cache(maxsize=None)
def _stored_pages(name: str) -> list[str]:
    document, _chunks = split_file(REAL_PDFS / name)
    return (document.content or "").split("\f")


# --- markers ------------------------------------------------------------------------------------------------


@needs_pdfs
@pytest.mark.parametrize("name, page, words, marked", [
    # raised by a text matrix in a smaller scale, with no font change: pypdf gives one piece for the line
    ("dpia-coronamelder.pdf", 6, "IC-opnames", "IC-opnames.[4] Het"),
    ("dpia-coronamelder.pdf", 9, "(DP3T protocol)", "(DP3T protocol)[6] zoals"),
    ("dpia-coronamelder.pdf", 9, "(Android).", "(Android).[7]"),
    ("dpia-coronamelder.pdf", 10, "identificatiesleutels.", "identificatiesleutels. [8]"),
    ("programma-van-eisen.pdf", 3, "kwaliteit in gebruik", "gebruik” [2] zijn"),
    # raised after a year
    ("vng-eenzaamheid.pdf", 3, "In recente metingen", "2022[4]. In recente"),
])
def test_raised_smaller_number_is_a_marker(name, page, words, marked):
    assert marked in _line(name, page, words)


@needs_pdfs
def test_lowered_smaller_number_is_a_subscript_not_a_marker():
    line = _line("geotopo-thesis-de.pdf", 54, "idπ")
    assert "idπ1(Y,f(X)" in line and "[1]" not in line


@needs_pdfs
def test_markers_reach_the_stored_text_and_keep_its_words():
    page = _stored_pages("dpia-coronamelder.pdf")[5]
    assert "IC-opnames.[4] Het OMT" in page and "opnames.4" not in page


def test_split_piece_cuts_only_a_number_standing_alone_near_its_place():
    shown = [("4", 293.4, 207.6, 6.0, 40)]
    text = "in het aantal ziekenhuis- en IC-opnames.4 Het OMT"
    parts = split_piece(text, shown, 0)
    assert "".join(part for part, _ in parts) == text
    assert [part for part, item in parts if item] == ["4"]
    assert split_piece("in 2024 het", [("4", 0, 0, 6.0, 5)], 0) == [("in 2024 het", None)]  # inside a number
    # right after digits only at the very place it was shown ("ISO/IEC 25010" + raised "4"); the text is the same,
    # and ingest.layout writes it as a marker only when the page has note 4 (test_judged_defects_13w)
    assert [part for part, _ in split_piece("(ISO/IEC 250104);", [("4", 0, 0, 6.0, 14)], 0)] == \
        ["(ISO/IEC 25010", "4", ");"]
    assert split_piece("x.4 en veel meer tekst", [("4", 0, 0, 6.0, 90)], 0) == [("x.4 en veel meer tekst", None)]


# --- hyphens ------------------------------------------------------------------------------------------------


@needs_pdfs
@pytest.mark.parametrize("name, page, kept, wrong", [
    ("second-opinion.pdf", 16, "near-anonymous", "nearanonymous"),  # the document writes "near anonymous"
    ("fr-medical-mt-paper.pdf", 1, "reflètent-elles", "reflètentelles"),  # a French inverted pronoun
    ("hr-modulewijzer.pdf", 2, "knowledge", "knowl- edge"),  # a line end inside a table cell
    ("hr-modulewijzer.pdf", 2, "software", "soft- ware"),
    ("geotopo-thesis-de.pdf", 113, "Bemerkung 37", "Bemer- kung"),
    ("geotopo-thesis-de.pdf", 113, "Fundamentalgruppen", "Fundamental- gruppen"),
])
def test_line_end_hyphens(name, page, kept, wrong):
    text = _stored_pages(name)[page - 1]
    assert kept in text and wrong not in text


def test_hyphen_between_words_the_document_writes_apart():
    vocab = Vocabulary.from_lines([["a near anonymous dataset", "the onder side", "meisje"]])
    assert hyphen_join("near", "anonymous", vocab) == "near-anonymous"
    assert hyphen_join("meis", "je", vocab) == "meisje"  # no pair "meis je", the joined word is known
    assert hyphen_join("onder", "zoek", vocab) == "onderzoek"  # never written apart: a syllable break
    assert hyphen_join("peut", "il", Vocabulary()) == "peut-il"
    assert hyphen_join("reflètent", "elles", Vocabulary()) == "reflètent-elles"
