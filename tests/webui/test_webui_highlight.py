"""The highlighter: escape everything, mark the query's words (case-, accent- and inflection-tolerant)."""

from markupsafe import Markup

from kennisbank.webui.highlight import fold, highlight, match_spans, query_terms, stems


class TestEscaping:
    def test_markup_in_text_is_escaped_and_never_becomes_html(self):
        out = highlight('<script>alert("x")</script> leraren', "leraren")
        assert isinstance(out, Markup)
        assert "<script>" not in out
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in out
        assert out.endswith("<mark>leraren</mark>")

    def test_query_matching_a_tag_name_marks_escaped_text_only(self):
        out = highlight("<script>evil()</script>", "script")
        assert out == "&lt;<mark>script</mark>&gt;evil()&lt;/<mark>script</mark>&gt;"

    def test_query_never_matches_inside_an_entity(self):
        # "amp" and "lt" are in the escaped form of & and <, but not in the text.
        out = highlight("a & b < c", "amp lt")
        assert out == "a &amp; b &lt; c"

    def test_markup_in_the_query_is_harmless(self):
        out = highlight("tekst met <b>vet</b> erin", "<b>vet</b>")
        assert out == "tekst met &lt;b&gt;<mark>vet</mark>&lt;/b&gt; erin"

    def test_empty_inputs(self):
        assert highlight(None, "x") == ""
        assert highlight("a < b", None) == "a &lt; b"
        assert highlight("a < b", "") == "a &lt; b"


class TestMatching:
    def test_case_insensitive(self):
        assert highlight("De LERAREN en Leraren", "leraren") == "De <mark>LERAREN</mark> en <mark>Leraren</mark>"

    def test_accent_insensitive_both_ways(self):
        assert highlight("er is geïnvesteerd", "geinvesteerd") == "er is <mark>geïnvesteerd</mark>"
        assert highlight("er is geinvesteerd", "geïnvesteerd") == "er is <mark>geinvesteerd</mark>"

    def test_dutch_plural_and_vowel_doubling(self):
        assert "<mark>leraren</mark>" in highlight("startende leraren", "leraar")
        assert "<mark>leraar</mark>" in highlight("een leraar", "leraren")
        assert "<mark>scholen</mark>" in highlight("op scholen", "school")
        assert "<mark>lerarenopleiding</mark>" in highlight("de lerarenopleiding", "leraren")

    def test_prefix_only_at_word_start(self):
        # "opleiding" must not mark the middle of "lerarenopleiding" ...
        assert highlight("lerarenopleiding", "opleiding") == "lerarenopleiding"
        # ... but does mark its own longer forms.
        assert highlight("opleidingsschool", "opleiding") == "<mark>opleidingsschool</mark>"

    def test_short_words_match_whole_words_only(self):
        assert highlight("po, vo en mbo; pollen", "po") == "<mark>po</mark>, vo en mbo; pollen"

    def test_stopwords_are_not_marked(self):
        assert highlight("de leraar in de klas", "de leraar in de klas") == (
            "de <mark>leraar</mark> in de <mark>klas</mark>"
        )

    def test_marks_keep_the_original_characters(self):
        # ß folds to "ss" (two characters); the mark must still cover exactly the original word.
        text = "Straße en STRASSE"
        assert match_spans(text, "strasse") == [(0, 6), (10, 17)]

    def test_query_terms_dedup_and_fold(self):
        assert query_terms("Blijven startende leraren langer in het onderwijs? Leraren!") == [
            "blijven", "startende", "leraren", "langer", "onderwijs",
        ]

    def test_stems(self):
        assert stems("leraar") == {"leraar", "lerar"}
        assert {"leraren", "lerar", "leraar"} <= stems("leraren")
        assert stems("po") == set()

    def test_fold_maps_back_to_original_indices(self):
        folded, index = fold("Ĳs é")
        assert folded == "ijs e"
        assert index == [0, 0, 1, 2, 3]
