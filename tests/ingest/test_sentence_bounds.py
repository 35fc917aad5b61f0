"""Passages that start and end at sentence bounds, lists kept with their lead-in, and a few text rules, on the
real PDFs (../shared/real-pdfs). The pages named are defects a reader found in the judged sample
(evaluation/real-pdfs-judged-6.jsonl); the rules are general (``ingest.chunking``: ``_mend_sentence_cuts``,
``_pack_list_item``, ``_full_stops_first``).
"""

from __future__ import annotations

import re

import pytest

from kennisbank.ingest.chunking import LIST_STRETCH, split_pages
from kennisbank.ingest.cleaning import clean_pages
from tests.ingest.test_real_pdfs import FILES, ingested

pytestmark = pytest.mark.skipif(not FILES, reason="the real PDFs (../shared/real-pdfs) are absent")


def body(name: str, page: int) -> list[str]:
    return [c.content for c in ingested(name).chunks
            if c.meta.get("page_number") == page and c.meta.get("kind", "body") == "body"]


def holding(name: str, page: int, text: str) -> str:
    found = [c for c in body(name, page) if text in c]
    assert found, f"no passage of {name} p. {page} holds {text!r}"
    return found[0]


class TestNoPassageStartsInsideASentence:
    @pytest.mark.parametrize("name, page, start, rest", [
        # a paragraph break inside the sentence: "... de toestemming ziet op" / "(1) het opslaan van"
        ("dpia-coronamelder.pdf", 28, "Daarbij zal duidelijk worden gemaakt dat de toestemming ziet op",
         "(1) het opslaan van de notificatieapp"),
        # "Uit deze definitie blijkt dat – anders dan ..." / "– het uitgeven van software geen 'verwerking' is"
        ("duidingsrapportage-coronamelder.pdf", 72, "Uit deze definitie blijkt dat – anders dan",
         "– het uitgeven van software geen 'verwerking' is"),
        # a long paragraph was cut at a semicolon: "...broadband usage across all US districts;" / "with the latter"
        ("en-school-closures-paper.pdf", 7, "With the former dataset, we obtained the broadband usage",
         "with the latter, we regrouped all districts"),
    ])
    def test_the_sentence_is_one_passage(self, name, page, start, rest):
        passage = holding(name, page, rest)
        assert start in passage and passage.index(start) < passage.index(rest)

    @pytest.mark.parametrize("name", ["dpia-coronamelder.pdf", "duidingsrapportage-coronamelder.pdf"])
    def test_no_passage_opens_in_lower_case_after_one_on_its_page_that_ends_open(self, name):
        chunks = [c for c in ingested(name).chunks if c.meta.get("kind", "body") == "body"]
        cut = [(a.meta["page_number"], b.content[:50]) for a, b in zip(chunks, chunks[1:])
               if a.meta["page_number"] == b.meta["page_number"] and not a.meta.get("page_end")
               and a.content.rstrip()[-1] not in ".?!:;)”’\"'" and len(a.content.rsplit("\n", 1)[-1].split()) >= 4
               and b.content.lstrip("–—-([ 0123456789)")[:1].islower()
               and not re.match(r"[a-z][.)]\s", b.content)]  # "e. Dr. Nicole ...": the items of a list
        assert not cut, cut


class TestAListStaysWithItsLeadIn:
    @pytest.mark.parametrize("name, page, lead_in, items", [
        ("programma-van-eisen.pdf", 3, "De eisen zijn verdeeld over twee categorieën:",
         ["• Functionele eisen:", "• Niet-functionele eisen:"]),
        ("second-opinion.pdf", 16, "Dit lost ook een tweetal problemen op:",
         ["1. Het feit dat het praktisch gezien", "2. Het feit dat VWS zich"]),
        ("second-opinion.pdf", 17, "de volgende omstandigheden:",
         ["• De unieke codes zijn steeds", "• De TEKs worden samen met", "• De IP-adressen worden door"]),
    ])
    def test_lead_in_and_items_in_one_passage(self, name, page, lead_in, items):
        passage = holding(name, page, lead_in)
        assert all(item in passage for item in items), passage

    def test_a_list_too_long_for_one_passage_is_cut_between_items_and_its_lead_in_leads(self):
        page = ("Eerst een alinea die iets uitlegt over het onderwerp van dit stuk. " * 4).strip() + "\n" + \
            "De volgende punten zijn van belang:\n" + \
            "\n".join(f"• Punt {n}: " + "een toelichting van enige lengte bij dit punt, " * 3 + "klaar." for n in range(1, 7))
        chunks = split_pages([page], paginated=True, max_chars=500, min_chars=150)
        texts = [c.text for c in chunks]
        with_lead = [t for t in texts if "De volgende punten zijn van belang:" in t]
        assert len(with_lead) == 1 and with_lead[0].startswith("De volgende punten") and "• Punt 1:" in with_lead[0]
        for text in texts:  # every cut falls between two items, never inside one
            assert text.startswith(("Eerst", "De volgende", "• Punt")) and text.endswith((".", ":"))
        assert sum(t.count("• Punt") for t in texts) == 6  # nothing repeated, nothing lost

    def test_a_list_a_little_longer_than_a_passage_stays_whole_with_its_lead_in(self):
        # vng-vertrouwen p. 4: "... in volgorde van belangrijkheid:" and five pillars; a passage that stops after
        # the third leaves a reader quoting "the factors" with half of them
        intro = ("Eerst een alinea die iets uitlegt over het onderwerp van dit stuk. " * 4).strip()
        items = [f"{n}. Punt {n}: " + "een toelichting bij dit punt, met wat meer woorden. " * 2 for n in range(1, 6)]
        page = intro + "\n" + "De volgende punten zijn van belang:\n" + "\n".join(i.strip() for i in items)
        lead_and_items = len(page) - len(intro) - 1
        assert 500 < lead_and_items <= 500 * LIST_STRETCH
        texts = [c.text for c in split_pages([page], paginated=True, max_chars=500, min_chars=150)]
        assert texts[0] == intro  # the paragraph before stays apart: the stretch is for the list only
        assert texts[1].startswith("De volgende punten") and all(f"{n}. Punt {n}:" in texts[1] for n in range(1, 6))

    def test_a_numbered_item_is_not_taken_for_the_rest_of_the_line_before_it(self):
        # toegankelijkheidsonderzoek p. 12: "• In scherm: Pause status - Pausing the app" (no closing stop) and
        # then "3. Er staan ...": the next finding, not the rest of the bullet
        passage = holding("toegankelijkheidsonderzoek.pdf", 12, "2. De tekst 'Weet je zeker")
        assert passage.rstrip().endswith("• In scherm: Pause status - Pausing the app")
        assert "3. Er staan meerdere blokjes" not in passage


class TestSmallTextRules:
    def test_a_numbered_heading_line_stands_apart_from_its_paragraph(self):
        # ap-advies p. 12: "4.3.2 Informatieverplichtingen ... van betrokkenen" in the body font, then its paragraph
        passage = holding("ap-advies-coronamelder.pdf", 12, "4.3.2 Informatieverplichtingen")
        assert "de rechten van betrokkenen\nDe informatie die krachtens" in passage

    def test_a_heading_wrapped_at_a_hyphen_is_joined_and_heads_its_section(self):
        # en-school p. 9: "3.2 Average Number of School Closures by Local Demographic Character-" / "istics"
        name = "en-school-closures-paper.pdf"
        assert not any("Character- istics" in c.content or "Character-istics" in c.content
                       for c in ingested(name).chunks)
        passage = [c for c in ingested(name).chunks if c.meta.get("page_number") == 9
                   and c.content.startswith("3.2 Average Number of School Closures by Local Demographic Characteristics\n")]
        assert passage and passage[0].meta["section"][-1] == \
            "3.2 Average Number of School Closures by Local Demographic Characteristics"

    def test_the_closing_dash_of_an_aside_at_a_line_end_stays(self):
        # vng-eenzaamheid p. 6: "de situatie -over het geheel genomen-" / "nog zorgwekkender geworden"
        assert "-over het geheel genomen- nog zorgwekkender" in holding("vng-eenzaamheid.pdf", 6, "over het geheel")
        assert "genomennog" not in ingested("vng-eenzaamheid.pdf").document.content

    def test_a_hyphen_at_a_line_end_without_an_aside_still_joins(self):
        text = clean_pages(["De situatie is -over het geheel genomen-\nnog zorgwekkender. Het onder-\nzoek loopt."])[0]
        assert "genomen- nog" in text and "onderzoek loopt" in text
        text = clean_pages(["Een woord -dat hier staat- en meer. Daarna een onder-\nzoek zonder aside."])[0]
        assert "onderzoek zonder" in text


class TestMendRules:
    def test_a_sentence_cut_by_packing_is_mended_and_a_list_item_is_not_taken_for_its_rest(self):
        first = "Eine Aussage ueber Mengen steht hier als Vorrede. " * 5 + "Da p injektiv auf V ist, folgt f(z) = z,"
        page = first + "\nd. h. Fix(f) ist nicht leer. " + "Weitere Saetze folgen hier im Beweis. " * 6
        texts = [c.text for c in split_pages([page], paginated=True, max_chars=300, min_chars=100)]
        assert any("Da p injektiv auf V ist, folgt f(z) = z,\nd. h. Fix(f)" in t for t in texts), texts
        items = "Vorrede eines Satzes mit genug Woertern darin. " * 5 + "b) Die Menge Fix(f) ist offen und abgeschlossen"
        page = items + "\nd) Es gilt die Aussage fuer alle Punkte. " + "Noch ein Satz im Beweis steht hier. " * 6
        texts = [c.text for c in split_pages([page], paginated=True, max_chars=300, min_chars=100)]
        assert any(t.startswith("d) Es gilt") for t in texts), texts  # a list item opens its own passage
