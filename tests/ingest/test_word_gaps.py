"""Word gaps pypdf reads as none, a number wrapped inside a digit group, the line-end hyphens of a document set
without hyphenation (issue 14): on the real PDFs of ../shared/real-pdfs (defects a judge found by eye), and the
word check that tells a parted word (a raw word parted into its pieces at the page's word gaps) from an
invented one."""

from __future__ import annotations

import io

from pypdf import PdfReader

from kennisbank.ingest.check import page_word_faults, parted_words
from kennisbank.ingest.cleaning import (Vocabulary, _without_hyphenation, clean_pages, grouped_number_runs_on,
                                        hyphen_join)
from kennisbank.ingest.layout import read_page
from kennisbank.ingest.tj_gaps import _spaced_run
from tests.ingest.real_pdfs import REAL_PDFS
from tests.ingest.real_pdfs import needs_real_pdfs as needs_pdfs
from tests.ingest.real_pdfs import raw_pages as _raw
from tests.ingest.real_pdfs import split_real as _split

THESIS = "geotopo-thesis-de.pdf"
DPIA = "dpia-coronamelder.pdf"
BURENHULP = "vng-burenhulp.pdf"


def _line(name: str, page: int, words: str) -> str:
    reader = PdfReader(io.BytesIO((REAL_PDFS / name).read_bytes()))
    found = [line.text for line in read_page(reader.pages[page - 1], page).lines if words in line.text]
    assert found, f"{words!r} is not on {name} p. {page}"
    return found[0]


# --- word gaps of a TJ array and between pieces (ingest.tj_gaps) ------------------------------------------------


@needs_pdfs
def test_a_caption_keeps_the_word_gaps_of_its_tj_array():
    """p. 78: the caption's TJ array shifts a third of an em between its words, which pypdf reads as no space
    after a figure set in a symbol font: "Abbildung4.13:DieDreiecke"."""
    assert _line(THESIS, 78, "Abbildung 4.13").startswith("Abbildung 4.13: Die Dreiecke")
    page = _split(THESIS)[0][77]
    assert "Abbildung 4.13: Die Dreiecke" in page and "Abbildung4.13" not in page


@needs_pdfs
def test_a_word_gap_between_text_and_a_maths_letter_is_a_space():
    """p. 62: "Sei" + "x0" and "nach x}" + "und" + "p" set a word gap apart in other fonts (TeX's maths italic
    and symbols): pypdf glued them ("Seix0", "x}undp"); p. 7 and p. 66: glued words inside TJ arrays."""
    line = _line(THESIS, 62, "Beweis: Sei x0 ∈X und")
    # "}" of a symbol font: not measured; the tilde over X is its combining mark after it (ingest.accents)
    assert "und p : X̃ →X" in line
    assert "ein topologischer Raum mit X = { 0, 1, 2 }" in _line(THESIS, 7, "Raum mit X")
    assert "a) Die Gruppenoperation von" in _line(THESIS, 66, "Gruppenoperation")
    assert "auf X entsprechen bijektiv den Gruppenhomomorphismen" in _line(THESIS, 66, "Gruppenoperation")


@needs_pdfs
def test_the_thesis_has_parted_words_but_no_invented_ones():
    """The parted words ("Die" of "Die Dreiecke" where pypdf has "DieDreiecke"; "Dreiecke" is also a word of
    the page on its own) are no invented words."""
    stored, raw = _split(THESIS)[0], _raw(THESIS)
    faults = page_word_faults(stored[77], raw[77], raw[:77])
    assert "Die" in faults["parted"]
    assert not faults["invented"] and not faults["false_joins"]


def test_a_glued_pair_is_parted_only_at_word_bounds():
    pairs = [("Die", "Dreiecke"), ("Abbildung", "4.13:"), ("4.13:", "Die"), ("in", "der")]
    assert _spaced_run("Abbildung4.13:DieDreiecke", pairs) == "Abbildung 4.13: Die Dreiecke"
    assert _spaced_run("inderdaad", pairs) == "inderdaad"  # "in"+"der" is no whole word of the run
    assert _spaced_run("eintopologischerRaummit", [("ein", "topologischer"), ("topologischer", "Raum"),
                                                   ("Raum", "mit")]) == "ein topologischer Raum mit"
    assert _spaced_run("https://a.nl/DieDreiecke", pairs) == "https://a.nl/DieDreiecke"  # never in a link


# --- the word check: parted words are no fault, invented words still are --------------------------------------


def test_a_parted_word_is_not_invented():
    raw = "Abbildung4.13:DieDreiecke sind ähnlich. Beweis: Seix0 ∈X"
    faults = page_word_faults("Abbildung 4.13: Die Dreiecke sind ähnlich. Beweis: Sei x0 ∈X", raw)
    assert sorted(faults["parted"]) == ["Die", "Dreiecke", "Sei", "x"]
    assert not faults["invented"] and not faults["false_joins"]


def test_a_word_that_is_no_consecutive_piece_of_one_raw_word_is_invented():
    raw = "Abbildung4.13:DieDreiecke sind ähnlich."
    # a piece whose neighbour does not complete the raw word
    assert page_word_faults("Abbildung 4.13: Die Drei sind ähnlich.", raw)["invented"] == ["Die", "Drei"]
    # the letters of the raw word, but not in order / with a mark between: no parting
    assert page_word_faults("Die Dreiecke Dreiecke Die", "DieDreiecke")["invented"] == []
    assert page_word_faults("Drei-ecke", "Dreiecke")["invented"] == ["Drei", "ecke"]
    assert page_word_faults("ecke Drei", "Dreiecke")["invented"] == ["ecke", "Drei"]
    # a word no raw word holds
    assert page_word_faults("Die Dreiecke Kreise", "DieDreiecke")["invented"] == ["Kreise"]
    assert parted_words("Die Dreiecke", {"DieDreiecke"}) == {"Die", "Dreiecke"}


# --- a number wrapped inside a digit group (ingest.cleaning) ----------------------------------------------------


@needs_pdfs
def test_a_number_wrapped_inside_a_digit_group_is_one_number():
    """DPIA p. 55: 2^256 written out in groups of three digits wraps after "039.45" and goes on "7.584..."."""
    page = _split(DPIA)[0][54]
    assert "640.564.039.457.584.007.913.129.639.936 TEKs mogelijk" in page
    assert "039.45 7.584" not in page


def test_grouped_number_rule():
    assert grouped_number_runs_on("ofwel 115.792.089.45", "7.584.007 TEKs")
    assert grouped_number_runs_on("total 1,234,567,8", "90,123 items")
    assert not grouped_number_runs_on("ofwel 115.792.089.45", "7,584 TEKs")  # another separator
    assert not grouped_number_runs_on("ofwel 115.792.089.45", "78.584 TEKs")  # four digits in the group
    assert not grouped_number_runs_on("in 2020.45", "7.584 TEKs")  # no whole groups before
    assert not grouped_number_runs_on("ofwel 115.792.089.45", "7 TEKs")  # no group after: no clear evidence
    assert clean_pages(["Er zijn 1.234.567.89\n0.123 mogelijkheden."])[0] == "Er zijn 1.234.567.890.123 mogelijkheden."


# --- line-end hyphens of a document set without hyphenation (ingest.cleaning) ---------------------------------


@needs_pdfs
def test_a_word_document_without_hyphenation_keeps_its_line_end_hyphens():
    """vng-burenhulp p. 1 and 2 print "Corona-" at a line end and "pandemie" on the next: a Word document
    without automatic hyphenation (none of its line-end hyphens is a hyphenation), so the hyphen is the
    author's."""
    pages = _split(BURENHULP)[0]
    assert "gedurende de Corona-pandemie juist wel toenam" in pages[1]
    assert "Coronapandemie" not in "".join(pages)


def _vocab(lines: list[str]) -> Vocabulary:
    vocab = Vocabulary.from_lines([lines])
    vocab.unhyphenated = _without_hyphenation([lines], vocab)
    return vocab


def test_without_hyphenation_is_a_document_property():
    lines = [f"regel {n} van een brief zonder afbreking" for n in range(120)]
    plain = _vocab(lines + ["de uitbraak van de Corona-", "pandemie lag"])
    assert plain.unhyphenated and hyphen_join("Corona", "pandemie", plain) == "Corona-pandemie"
    # the same document with one confirmed hyphenation ("onder-" + "zoek" beside "onderzoek"): hyphenated
    hyphenated = _vocab(lines + ["het onderzoek en het onder-", "zoek", "de Corona-", "pandemie"])
    assert not hyphenated.unhyphenated and hyphen_join("Corona", "pandemie", hyphenated) == "Coronapandemie"
    # a real hyphenation in a document without evidence: a part in lower case is still joined
    assert hyphen_join("ver", "andering", plain) == "verandering"
    # too short to tell; a vocabulary of its own (a table's) never tells
    assert not _vocab(["de uitbraak van de Corona-", "pandemie lag"]).unhyphenated
    assert not Vocabulary.from_lines([lines + ["de Corona-", "pandemie"]]).unhyphenated
    assert clean_pages(["\n".join(lines + ["de uitbraak van de Corona-", "pandemie lag"])])[0].endswith(
        "de uitbraak van de Corona-pandemie lag")


def test_a_raw_word_joined_over_a_line_end_hyphen_may_be_parted():
    raw = "(b)ZweiweiterekongruenteDrei-\necke"
    faults = page_word_faults("(b) Zwei weitere kongruente Dreiecke", raw)
    assert not faults["invented"] and set(faults["parted"]) == {"Zwei", "weitere", "kongruente", "Dreiecke"}
