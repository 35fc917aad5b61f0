from kennisbank.search.thesaurus import Concept, Thesaurus, default_thesaurus, fold


class TestThesaurus:
    def test_english_terms_bring_their_dutch_terms(self):
        t = Thesaurus([Concept(("startende leraren",), ("beginning teachers",)), Concept(("leerlingen",), ("pupils",))])
        assert t.expansions("Do beginning teachers help pupils?") == ["startende leraren", "leerlingen"]

    def test_longest_term_wins_and_words_are_whole(self):
        t = Thesaurus([Concept(("lerarenopleiding",), ("teacher education",)), Concept(("onderwijs",), ("education",))])
        assert t.expansions("teacher education") == ["lerarenopleiding"]
        assert t.expansions("educational") == []

    def test_dutch_queries_are_not_expanded(self):
        t = default_thesaurus()
        assert t.expansions("Welke afspraken maken partnerschappen over begeleiding?") == []
        assert t.expansions("peer review in de regio") == []  # a term that is Dutch too says nothing

    def test_terms_already_in_the_query_are_not_repeated(self):
        t = Thesaurus([Concept(("groenpluk",), ("poaching",))])
        assert t.expansions("poaching groenpluk") == []

    def test_shipped_thesaurus_covers_the_field(self):
        t = default_thesaurus()
        assert len(t.concepts) >= 50
        assert "werkplekbegeleider" in t.expansions("What do mentor teachers gain?")
        assert "zij-instromers" in t.expansions("support for career changers")
        assert "behoud" in t.expansions("teacher retention")

    def test_fold(self):
        assert fold("Zij-Instromers’ école") == "zij instromers ecole"


def test_search_reports_its_expansions(kb):
    response = kb.search("Do mentor teachers benefit?", k=3)
    assert "werkplekbegeleider" in response["expansions"]
    assert kb.search("Do mentor teachers benefit?", k=3, expand=False)["expansions"] == []
