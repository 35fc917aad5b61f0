"""Maths marks that a TeX thesis draws and pypdf loses or misreads (issue 13, code O): a slash with a width drawn
over "∈" ("/∈" -> "∉"), small stacked fractions ("1 2" -> "1/2"), an exponent after a bracket taken for a note
marker ("(cx + d)[2]" -> "(cx + d)²"), an overline over a Greek letter (γ̅). On the real PDFs of ../shared/real-pdfs
(defects a judge found by eye) and on general cases of the rules."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from kennisbank.ingest.layout import Line, read_page
from kennisbank.ingest.maths import exponents_not_notes, linear_fractions, operator_limits
from kennisbank.ingest.overstrike import SlashPlaces, compose_slashes

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
needs_pdfs = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")
THESIS = "geotopo-thesis-de.pdf"


@lru_cache(maxsize=None)
def _reader(name: str) -> PdfReader:
    return PdfReader(io.BytesIO((REAL_PDFS / name).read_bytes()))


def _lines(name: str, page: int) -> list[str]:
    return [line.text for line in read_page(_reader(name).pages[page - 1], page).lines]


# --- a slash drawn over the next glyph ----------------------------------------------------------------------


@needs_pdfs
@pytest.mark.parametrize("page, shown", [
    (16, "aber z ∉ U1 ⇒ z ∈ U2"),
    (107, "Sei g eine Gerade, P ∈X und P ∉g"),
    (107, "da x ∉ g."),
    (73, "R ∉ PQ und A ∉ P̅Q̅∪P̅R̅∪Q̅R̅"),
])
def test_a_slash_over_the_element_sign_is_not_element(page, shown):
    """GeoTopo sets \\notin as a slash of the maths italic font (with a width) moved back over "∈" of the symbol
    font: pypdf gave "z /∈ U1"."""
    lines = _lines(THESIS, page)
    assert any(shown in line for line in lines), shown
    assert not any("/∈" in line or "⁄∈" in line for line in lines)


@needs_pdfs
def test_a_quotient_slash_beside_its_sign_stays():
    """p. 30: "(X ˙∪Y )/∼" is a quotient by a relation: the slash stands beside "∼", not over it (≁ would be
    another sign)."""
    assert any("/∼" in line for line in _lines(THESIS, 30))


def _places(found: dict) -> SlashPlaces:
    places = SlashPlaces(lambda: None, lambda: None)
    places.found = found
    return places


def test_slash_rules():
    width = lambda i, s: 6.0 * len(s)  # noqa: E731 - every glyph 6 points wide
    pieces = [(" x /", 100.0, 500.0, 10.0, False), ("∈", 112.0, 500.0, 10.0, False), (" M", 120.0, 500.0, 10.0, False)]
    texts = [piece[0] for piece in pieces]
    # the slash (113-118) lies over "∈" (112-118): one sign
    assert compose_slashes(pieces, texts, _places({0: [((113.0, 118.0, 500.0), None)]}), width) == [" x ", "∉", " M"]
    # the slash ends before "∈" starts: "x/∈" stays as drawn
    assert compose_slashes(pieces, texts, _places({0: [((105.0, 110.0, 500.0), None)]}), width) == texts
    # on another baseline (a raised slash): left
    assert compose_slashes(pieces, texts, _places({0: [((113.0, 118.0, 506.0), None)]}), width) == texts
    # a slash over a letter makes no character Unicode has: left
    letters = [(" a /", 100.0, 500.0, 10.0, False), ("b", 112.0, 500.0, 10.0, False)]
    assert compose_slashes(letters, [p[0] for p in letters], _places({0: [((113.0, 118.0, 500.0), None)]}),
                           width) == [" a /", "b"]
    # inside one array: "/=" with the slash over "=" is "≠"; "1/2" with the slash beside "2" stays
    one = [("a /= b", 100.0, 500.0, 10.0, False)]
    assert compose_slashes(one, ["a /= b"], _places({0: [((112.0, 117.0, 500.0), (111.0, 119.0, 500.0))]}),
                           width) == ["a ≠ b"]
    half = [("1/2", 100.0, 500.0, 10.0, False)]
    assert compose_slashes(half, ["1/2"], _places({0: [((106.0, 111.0, 500.0), (111.0, 117.0, 500.0))]}),
                           width) == ["1/2"]


# --- stacked fractions --------------------------------------------------------------------------------------


@needs_pdfs
@pytest.mark.parametrize("page, shown", [
    (50, "γ2(2t− 1) falls 1/2 ≤t≤ 1"),
    (50, "t− 1/4 falls 1/2 ≤t< 3/4"),
    (51, "H2(2t− 1,s) falls 1/2 ≤t≤ 1"),
    (106, "γ2(2x− 1) falls 1/2 <x≤ 1"),
])
def test_a_small_stacked_fraction_is_written_with_a_slash(page, shown):
    """The page sets ½ as "1" over a drawn rule over "2" in a smaller size; pypdf gave "falls 1 2 ≤t≤ 1"."""
    lines = _lines(THESIS, page)
    assert any(shown in line for line in lines), shown
    assert not any(" 1 2 " in line for line in lines)


def test_fraction_rules():
    width = lambda i, s: 4.0 * len(s)  # noqa: E731
    pieces = [(" falls", 300.0, 500.0, 10.0, False), (" 1", 340.0, 504.0, 7.0, False), (" 2", 340.0, 496.0, 7.0, False),
              (" ≤", 350.0, 500.0, 10.0, False)]
    texts = [piece[0] for piece in pieces]
    rule = (343.0, 501.5, 348.0, 502.0)
    assert linear_fractions(pieces, texts, width, [rule]) == [" falls", " 1", "/2", " ≤"]
    # no rule drawn between them: a raised and a lowered number (an index and an exponent), left
    assert linear_fractions(pieces, texts, width, [(343.0, 520.0, 348.0, 520.5)]) == texts
    # the same size as the text beside it: not a small fraction
    big = [(" falls", 300.0, 500.0, 7.0, False), *pieces[1:3], (" ≤", 350.0, 500.0, 7.0, False)]
    assert linear_fractions(big, [p[0] for p in big], width, [rule]) == [p[0] for p in big]
    # a long text over a rule (a line of a table over its rule): not a fraction
    long = [pieces[0], (" Summe", 340.0, 504.0, 7.0, False), pieces[2], pieces[3]]
    assert linear_fractions(long, [p[0] for p in long], width, [rule]) == [p[0] for p in long]


# --- exponents after a bracket ------------------------------------------------------------------------------


@needs_pdfs
def test_an_exponent_after_a_bracket_is_no_note_marker():
    """p. 84: "(cx + d)" with a raised "2" is a square; the page has no footnote 2."""
    lines = _lines(THESIS, 84)
    assert any("(cx + d)² + (cy)²" in line for line in lines)
    assert not any(")[2]" in line for line in lines)


@needs_pdfs
@pytest.mark.parametrize("page, marker", [(9, "(DP3T protocol)[6]"), (13, "(high, mid, low)[14]")])
def test_a_note_marker_after_a_bracket_stays_when_its_note_is_on_the_page(page, marker):
    assert any(marker in line for line in _lines("dpia-coronamelder.pdf", page))


def test_exponent_rules():
    def page(*texts: str) -> list[Line]:
        return [Line(text, text.replace("[2]", "2"), y=700.0 - 20 * at, markers=text.count("[2]"))
                for at, text in enumerate(texts)]

    lines = page("(cx + d)[2] + (cy)[2]", "weiter im Text")
    exponents_not_notes(lines)
    assert lines[0].text == "(cx + d)² + (cy)²" and lines[0].markers == 0
    # a footnote 2 below: the markers stay
    lines = page("(DP3T protocol)[2] zoals", "[2] https://example.org")
    exponents_not_notes(lines)
    assert lines[0].text == "(DP3T protocol)[2] zoals" and lines[0].markers == 1
    lines = page("(DP3T protocol)[2] zoals", "2 Zie de bijlage.")
    exponents_not_notes(lines)
    assert lines[0].markers == 1
    # after a word: a marker (ingest.layout's rule), not touched here
    lines = page("Gemeenten[2] doen", "tekst")
    exponents_not_notes(lines)
    assert lines[0].text == "Gemeenten[2] doen"


# --- overlines ----------------------------------------------------------------------------------------------


@needs_pdfs
def test_an_overline_over_a_greek_letter_is_kept():
    """p. 96: γ̅ (the reversed curve). The bar is as wide as "γ" (code 13 of the maths italic font, 0.52 em);
    the overline rule measured "γ" by its Unicode character, which the font's width table does not hold
    (1.3 em), so no run fitted the bar. A prime after γ̅ stands beside it, not over it as a numerator would."""
    lines = _lines(THESIS, 96)
    assert any("Sei γ̅(t) = γ(−t)" in line and "κNor(s,γ̅) = κNor(s,γ)" in line for line in lines)
    assert any("γ̅′′(0) = γ′′(0), da γ̅′(0) = −γ′(0)" in line for line in lines)


# --- limits of a large operator -----------------------------------------------------------------------------


@needs_pdfs
def test_the_limits_of_a_sum_follow_the_sign():
    """p. 45: a display sum with "n" above and "i=0" below was read "n ∑ i=0 (−1)i∂iσ"."""
    lines = [line.strip() for line in _lines(THESIS, 45)]
    assert lines.count("∑_{i=0}^{n}") == 3
    assert "∑_{j=0}^{n−1}" in lines and "∑_{0≤i≤j≤n−1}" in lines
    # p. 7: a limit of two lines (U⊆M over U∈T) is left as it is
    assert any(line.endswith("= ⋃") for line in _lines(THESIS, 7))


def test_limit_rules():
    width = lambda i, s: 5.0 * len(s)  # noqa: E731
    sign = ("∑", 100.0, 500.0, 10.0, False)
    pieces = [("(", 90.0, 500.0, 10.0, False), ("\n", 90.0, 500.0, 7.0, False), ("n", 102.0, 510.0, 7.0, False),
              sign, ("\n", 100.0, 500.0, 7.0, False), ("i", 100.0, 490.0, 7.0, False), ("=0", 105.0, 490.0, 7.0, False),
              ("\n", 105.0, 490.0, 10.0, False)]
    texts = [piece[0] for piece in pieces]
    out = operator_limits(pieces, texts, width)
    assert out[2] == "∑_{i=0}^{n}" and out[3] == " " and out[5] == " " and out[6] == " "
    assert "".join(out).count("\n") == "".join(texts).count("\n")  # the lines stay
    # nothing below the sign: left
    no_lower = pieces[:4] + [("(x)", 115.0, 500.0, 10.0, False)]
    assert operator_limits(no_lower, [p[0] for p in no_lower], width) == [p[0] for p in no_lower]
    # a small piece below but far to the right (a footnote line): not a limit
    far = pieces[:5] + [("i", 160.0, 490.0, 7.0, False), ("=0", 165.0, 490.0, 7.0, False)]
    assert operator_limits(far, [p[0] for p in far], width)[3] == "∑"
