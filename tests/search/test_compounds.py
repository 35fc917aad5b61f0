from kennisbank.search.compounds import CompoundSplitter, default_splitter


class TestCompoundSplitter:
    def test_splits_into_known_parts_with_linking_letters(self):
        s = CompoundSplitter({"kwaliteit", "afspraken", "opleiding", "school", "leraren", "tekort", "werkplek", "begeleider"})
        assert s.split("Kwaliteitsafspraken") == ["kwaliteit", "afspraken"]
        assert s.split("opleidingsschool") == ["opleiding", "school"]
        assert s.split("lerarentekort") == ["leraren", "tekort"]
        assert s.split("werkplekbegeleider") == ["werkplek", "begeleider"]

    def test_leaves_other_words_alone(self):
        s = CompoundSplitter({"kwaliteit", "afspraken"})
        assert s.split("kwaliteit") == [] and s.split("onbekendewoorden") == []
        assert s.parts("De kwaliteitsafspraken en 2024") == ["kwaliteit", "afspraken"]

    def test_shipped_lexicon_knows_the_field(self):
        s = default_splitter()
        assert s.split("werkplekbegeleiding") == ["werkplek", "begeleiding"]
        assert s.split("schoolbesturen") == ["school", "besturen"]
        assert len(s.fingerprint()) == 12


def test_bm25_query_matches_a_compound_by_its_parts(kb):
    results = kb.search("afspraken over kwaliteit", k=5, mode="bm25")["results"]
    assert any("Kwaliteitsafspraken" in r["text"] for r in results)
