from kennisbank.search.citation import apa_in_text, apa_reference

DOC = {
    "title": "Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden",
    "organisation": "Platform Samen Opleiden & Professionaliseren",
    "year": 2025,
    "year_approximate": True,
}


class TestApa:
    def test_group_author_approximate_year_with_page(self):
        assert apa_reference(DOC, 7) == (
            "Platform Samen Opleiden & Professionaliseren. (ca. 2025). "
            "Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden (p. 7)."
        )
        assert apa_in_text(DOC, 7) == "(Platform Samen Opleiden & Professionaliseren, ca. 2025, p. 7)"

    def test_exact_year_and_url(self):
        doc = DOC | {"year": 2021, "year_approximate": False, "organisation": "ECBO", "url": "https://example.org/r"}
        assert apa_reference(doc) == (
            "ECBO. (2021). Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden. https://example.org/r"
        )

    def test_unknown_year_says_so(self):
        doc = DOC | {"year": None}
        assert "(z.d.)" in apa_reference(doc) and "z.d." in apa_in_text(doc)

    def test_no_author_moves_title_forward(self):
        doc = DOC | {"organisation": ""}
        assert apa_reference(doc).startswith("Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden. (ca. 2025).")

    def test_missing_title_is_marked_not_invented(self):
        assert "[Titel onbekend]" in apa_reference({"organisation": "ECBO", "year": 2021})
