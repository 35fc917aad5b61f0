"""The highlighter: escape everything, mark the words BM25 matched (stem, compound part), keep a passage's lines."""

import re

from markupsafe import Markup

from kennisbank.search.terms import QueryTerms
from kennisbank.webui.highlight import blocks, highlight, match_spans, passage


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
    """Words match as BM25 counts them (search.terms): by stem and compound part, never by substring."""

    def test_case_insensitive(self):
        assert highlight("De LERAREN en Leraren", "leraren") == "De <mark>LERAREN</mark> en <mark>Leraren</mark>"

    def test_accent_insensitive_both_ways(self):
        assert highlight("er is geïnvesteerd", "geinvesteerd") == "er is <mark>geïnvesteerd</mark>"
        assert highlight("er is geinvesteerd", "geïnvesteerd") == "er is <mark>geinvesteerd</mark>"

    def test_same_stem(self):
        assert "<mark>leraren</mark>" in highlight("startende leraren", "leraar")
        assert "<mark>leraar</mark>" in highlight("een leraar", "leraren")
        assert "<mark>scholen</mark>" in highlight("op scholen", "school")

    def test_compound_parts_as_the_index_splits_them(self):
        assert "<mark>lerarenopleiding</mark>" in highlight("de lerarenopleiding", "leraren")
        assert highlight("lerarenopleiding", "opleiding") == "<mark>lerarenopleiding</mark>"
        assert highlight("opleidingsschool", "opleiding") == "<mark>opleidingsschool</mark>"
        assert highlight("werkplekbegeleiders", "begeleiders") == "<mark>werkplekbegeleiders</mark>"
        # a compound in the query marks its parts where they stand alone
        assert highlight("de werkplek en de begeleider", "werkplekbegeleider") == (
            "de <mark>werkplek</mark> en de <mark>begeleider</mark>")

    def test_no_substring_matches(self):
        assert highlight("de samenstelling van het team", "samen") == "de samenstelling van het team"
        assert highlight("in de gaten houden", "gat") == "in de <mark>gaten</mark> houden"  # same stem: gat/gaten
        assert highlight("begeleiding", "leiding") == "begeleiding"
        assert highlight("samenwerken", "werk") == "<mark>samenwerken</mark>"  # the index splits it: samen + werken
        assert highlight("po, vo en mbo; pollen", "po") == "<mark>po</mark>, vo en mbo; pollen"

    def test_stopwords_are_not_marked(self):
        assert highlight("de leraar in de klas", "de leraar in de klas") == (
            "de <mark>leraar</mark> in de <mark>klas</mark>"
        )

    def test_expansion_terms_are_marked(self):
        terms = QueryTerms("beginning teachers", ["startende leraren"])
        assert highlight("startende leraren en hun begeleiders", terms) == (
            "<mark>startende</mark> <mark>leraren</mark> en hun begeleiders")

    def test_marks_cover_whole_words(self):
        text = "Straße en STRASSE"
        assert match_spans(text, "straße") == [(0, 6)]


class TestPassageLayout:
    """Line breaks stay; bullet and numbered lines become lists; no word is added or lost."""

    TEXT = "Randvoorwaarden:\n• Tijd voor begeleiding\n• Scholing van werkplekbegeleiders\n\n1. Eerste stap\n2) Tweede stap\nSlotzin een\nSlotzin twee"

    def test_blocks(self):
        assert blocks(self.TEXT) == [
            ("text", ["Randvoorwaarden:"]),
            ("bullet", ["• Tijd voor begeleiding", "• Scholing van werkplekbegeleiders"]),
            ("number", ["1. Eerste stap", "2) Tweede stap"]),
            ("text", ["Slotzin een", "Slotzin twee"]),
        ]

    def test_html(self):
        out = passage(self.TEXT, "begeleiding")
        assert out == (
            "<p>Randvoorwaarden:</p>"
            '<ul class="passage-items"><li>• Tijd voor <mark>begeleiding</mark></li>'
            "<li>• Scholing van werkplekbegeleiders</li></ul>"
            '<ol class="passage-items"><li>1. Eerste stap</li><li>2) Tweede stap</li></ol>'
            "<p>Slotzin een<br>Slotzin twee</p>"
        )

    def test_every_word_kept_and_markup_escaped(self):
        text = "Kop <b>\n- <script>x</script> punt\nrest & meer"
        out = passage(text)
        assert "<script>" not in out and "&lt;script&gt;" in out
        plain = re.sub(r"<[^>]+>", " ", str(out)).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert plain.split() == text.split()

    def test_lines_kept_in_a_real_passage(self, kb):
        hit = next(r for r in kb.search("randvoorwaarden werkplekbegeleiders", k=20)["results"] if "\n• " in r["text"])
        out = str(passage(hit["text"]))
        assert '<ul class="passage-items">' in out and out.count("<li>") >= hit["text"].count("\n• ")
