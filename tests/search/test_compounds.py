from search.compounds import LEXICON_PATH, CompoundSplitter, build_lexicon, default_splitter


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

    def test_shipped_lexicon_is_up_to_date_with_the_corpus(self):
        """Fails when corpus/ or the thesaurus changed without `python -m search.compounds corpus`."""
        from pathlib import Path

        from ingest.cleaning import clean_pages
        from ingest.converters import parse_file
        from search.thesaurus import default_thesaurus

        corpus = Path(__file__).resolve().parents[2] / "corpus"
        texts = [p for f in sorted(corpus.glob("*.txt")) for p in clean_pages(parse_file(f).pages)]
        extra = [t for c in default_thesaurus().concepts for t in c.nl]
        assert LEXICON_PATH.read_text(encoding="utf-8").split() == build_lexicon(texts, extra)


def test_bm25_query_matches_a_compound_by_its_parts(kb):
    results = kb.search("afspraken over kwaliteit", k=5, mode="bm25")["results"]
    assert any("Kwaliteitsafspraken" in r["text"] for r in results)
