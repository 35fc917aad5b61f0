"""APA 7 from the style engine (citeproc-py + apa.csl, nl-NL): references, in-text and secondary citations."""

from __future__ import annotations

import pytest

from kennisbank.search import csl
from kennisbank.search.service import _pages
from kennisbank.search.sources import Source

PLATFORM = {
    "id": "waarde", "title": "Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden",
    "organisation": "Platform Samen Opleiden & Professionaliseren", "year": 2025, "year_approximate": True,
    "kind": "platformpublicatie", "language": "nl", "url": "",
}


class TestItems:
    def test_group_author_is_one_literal_name_and_an_estimated_year_is_no_date(self):
        item = csl.document_item(PLATFORM)
        assert item["author"] == [{"literal": "Platform Samen Opleiden & Professionaliseren"}]
        assert "issued" not in item and "2025" in item["note"]
        assert item["type"] == "report"

    def test_cited_source_keeps_only_what_is_known(self):
        item = csl.source_item(Source("leeferink-2016", "Leeferink", "2016"))
        assert item == {"id": "leeferink-2016", "author": [{"family": "Leeferink"}],
                        "issued": {"date-parts": [[2016]]}, "type": "document"}

    def test_undated_online_work_carries_the_version_date(self):
        item = csl.document_item(PLATFORM | {"url": "https://example.org/r", "year": None}, version_date=1764201600)
        assert item["accessed"] == {"date-parts": [[2025, 11, 27]]}
        assert csl.reference(item).text.endswith("Geraadpleegd 27 november 2025, van https://example.org/r")


class TestRendering:
    def test_reference_has_no_page_and_an_italic_title_in_html(self):
        entry = csl.reference(csl.document_item(PLATFORM))
        assert entry.text == ("Platform Samen Opleiden & Professionaliseren. (z.d.). Samen Opleiden in de "
                              "Onderwijsregio: waarde en randvoorwaarden.")
        assert entry.html == ("Platform Samen Opleiden &amp; Professionaliseren. (z.d.). <i>Samen Opleiden in de "
                              "Onderwijsregio: waarde en randvoorwaarden</i>.")
        assert "ca." not in entry.text

    @pytest.mark.parametrize("pages, expected", [("9", "p. 9"), ("9-10", "pp. 9–10"), (None, None)])
    def test_in_text_with_page_or_range(self, pages, expected):
        cited = csl.in_text(csl.document_item(PLATFORM | {"year_approximate": False}), pages).text
        assert cited == "(Platform Samen Opleiden & Professionaliseren, 2025" + (f", {expected})" if expected else ")")

    def test_secondary_citation_apa_8_6(self):
        leeferink = csl.source_item(Source("leeferink-2016", "Leeferink", "2016"))
        cited = csl.secondary_in_text([leeferink], csl.document_item(PLATFORM), "9")
        assert cited.text == "(Leeferink, 2016, zoals geciteerd in Platform Samen Opleiden & Professionaliseren, z.d., p. 9)"
        assert cited.html == cited.text.replace("&", "&amp;")
        block = csl.cite_block(csl.document_item(PLATFORM), "9", [leeferink])
        assert block["kind"] == "secondary" and block["reference_id"] == "waarde"  # cite what was read
        assert block["reference"].startswith("Platform Samen Opleiden & Professionaliseren. (z.d.).")

    def test_two_originals_alphabetical(self):
        zeichner = csl.source_item(Source("zeichner-2010", "Zeichner", "2010"))
        darling = csl.source_item(Source("darling-hammond-2017", "Darling-Hammond", "2017"))
        cited = csl.secondary_in_text([zeichner, darling], csl.document_item(PLATFORM), "12").text
        assert cited.startswith("(Darling-Hammond, 2017; Zeichner, 2010, zoals geciteerd in Platform")

    def test_et_al_and_group_authors_in_text(self):
        assert csl.in_text(csl.source_item(Source("h", "Helms-Lorenz et al.", "2019"))).text == "(Helms-Lorenz et al., 2019)"
        assert csl.in_text(csl.source_item(Source("r", "RuG", "2018"))).text == "(RuG, 2018)"

    def test_markup_in_metadata_is_escaped_in_html(self):
        doc = PLATFORM | {"title": "Titel <script>alert(1)</script>", "organisation": "Org <b>&</b> Co"}
        entry = csl.reference(csl.document_item(doc))
        assert "<script>" not in entry.html and "&lt;script&gt;" in entry.html and "<b>" not in entry.html
        assert "<script>alert(1)</script>" in entry.text  # the plain text is the text

    def test_page_locator(self):
        assert csl.page_locator([{"page": 9}, {"page": 10}]) == "9-10"
        assert csl.page_locator([{"page": 3}], {3: "iii"}) == "iii"
        assert csl.page_locator([{"page": None}]) is None


def test_a_passage_over_a_page_break_is_cited_with_its_page_range():
    assert _pages({"page": 3, "page_end": 4}, "5") == "5-6"  # printed labels 5 and 6
    assert _pages({"page": 3}, "5") == "5"
    assert _pages({"page": 3, "page_end": 4}, "iv") == "iv"  # the end's label is not known: no guess
    assert csl.in_text(csl.document_item(PLATFORM | {"year_approximate": False}), _pages({"page": 3, "page_end": 4}, "5")).text.endswith(
        "pp. 5–6)")


WORKS = [
    {"id": "a", "type": "report", "title": "Samen opleiden", "author": [{"family": "Leeferink", "given": "H."}],
     "issued": {"date-parts": [[2016]]}},
    {"id": "b", "type": "report", "title": "Rapport 2025", "author": [{"literal": "Onderwijsraad"}],
     "issued": {"date-parts": [[2025]]}},
    {"id": "c", "type": "webpage", "title": "Zonder datum", "author": [{"literal": "Platform Samen Opleiden"}],
     "URL": "https://example.org/x"},
    {"id": "d", "type": "article-journal", "title": "Drie auteurs", "container-title": "Pedagogische Studiën",
     "author": [{"family": "Bakker", "given": "A."}, {"family": "Jansen", "given": "B."}, {"family": "Smit", "given": "C."}],
     "issued": {"date-parts": [[2019]]}},
]


@pytest.mark.parametrize("pages", ["1", "9", "17", "12-13", "1-2", "99-100", "321-328", "1024-1025", "iv",
                                   "ii-iii", "A-3"])
@pytest.mark.parametrize("work", WORKS, ids=lambda w: w["id"])
def test_a_citation_from_the_works_placeholder_rendering_is_the_engines_own(work, pages):
    """Citations are rendered once per work with placeholder page numbers and the page put in afterwards
    (speed: a work has many pages). It must be exactly what the engine renders for that page."""
    key = csl._key(work)
    for html in (False, True):
        assert csl._cite_at(key, pages, None, html) == csl._cite(key, pages, None, html)
        assert csl._cite_at(key, pages, "Leeferink, 2016, zoals geciteerd in ", html) == \
            csl._cite(key, pages, "Leeferink, 2016, zoals geciteerd in ", html)


def test_pages_of_one_work_are_rendered_by_the_engine_once():
    csl._cite.cache_clear()
    for page in range(1, 41):
        assert csl.in_text(WORKS[0], str(page)).text == f"(Leeferink, 2016, p. {page})"
    assert csl.in_text(WORKS[0], "40-41").text == "(Leeferink, 2016, pp. 40–41)"
    info = csl._cite.cache_info()
    assert info.misses == 4  # single page and range, plain and HTML
