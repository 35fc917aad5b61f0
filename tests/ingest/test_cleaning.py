from __future__ import annotations

import re

import pytest
from haystack import Document
from haystack.core.serialization import component_from_dict, component_to_dict

from kennisbank.ingest.cleaning import (
    DutchTextCleaner,
    Vocabulary,
    clean_pages,
    hyphen_join,
    normalize_text,
)
from kennisbank.ingest.parsing import parse_file


def clean(text: str) -> str:
    """Clean a single page."""
    return clean_pages([text])[0]


class TestNormalizeText:
    @pytest.mark.parametrize(
        "raw,expected",
        [
            ("de ﬁnanciering en ﬂexibiliteit zijn eﬀectief", "de financiering en flexibiliteit zijn effectief"),
            ("onder\u00adzoek", "onderzoek"),
            ("Werkplek\ufffdbegeleider", "Werkplekbegeleider"),
            ("samen\u200bwerking\u200d en\ufeff regio", "samenwerking en regio"),
            ("100%\u00a0Samen\u202fOpleiden\u2003nu", "100% Samen Opleiden nu"),
            ("regio\u2019s en \u2018quote\u2019", "regio's en 'quote'"),
            ("  veel   ruimte\n\nen\tregels  ", "veel ruimte en regels"),
            ("Noord\u2011Holland", "Noord-Holland"),
            ("lerarenopleiding\x00en\x07", "lerarenopleidingen"),
            ("ĳverig", "ijverig"),
        ],
    )
    def test_examples(self, raw, expected):
        assert normalize_text(raw) == expected

    def test_idempotent(self):
        once = normalize_text("ﬁ \u00ad x\u00a0 y ’")
        assert normalize_text(once) == once == "fi x y '"

    def test_query_and_page_agree(self):
        page = clean("De opleidings\u00adverantwoordelijkheid in de Onderwijsregio\u2019s")
        query = normalize_text("opleidings\u00adverantwoordelijkheid onderwijsregio\u2019s")
        assert all(word in page.lower() for word in query.lower().split())


class TestHyphenJoin:
    @pytest.mark.parametrize(
        "before,after,expected",
        [
            ("onder", "zoek", "onderzoek"),
            ("opleidings", "verantwoordelijkheid", "opleidingsverantwoordelijkheid"),
            ("school", "overstijgende", "schooloverstijgende"),
            ("onderwijs", "contexten", "onderwijscontexten"),
            ("Onderwijs", "regio", "Onderwijsregio"),
            ("Noord", "Holland", "Noord-Holland"),
            ("PO", "Raad", "PO-Raad"),
            ("Darling", "Hammond", "Darling-Hammond"),
            ("opleidings", "en", "opleidings- en"),
            ("in", "of", "in- of"),
            ("zij", "instromers", "zij-instromers"),
            ("kern", "schil", "kern-schil"),
            ("niet", "opleidingsscholen", "niet-opleidingsscholen"),
            ("mbo", "studenten", "mbo-studenten"),
            ("zonne", "energie", "zonne-energie"),
            ("2010", "2012", "2010-2012"),
        ],
    )
    def test_without_document_evidence(self, before, after, expected):
        assert hyphen_join(before, after) == expected

    def test_document_evidence_decides(self):
        seen_hyphenated = Vocabulary.from_lines([["De Werkplek-begeleider en de student."]])
        assert hyphen_join("Werkplek", "begeleider", seen_hyphenated) == "Werkplek-begeleider"
        assert hyphen_join("Werkplek", "begeleider") == "Werkplekbegeleider"
        seen_joined = Vocabulary.from_lines([["Studenten creëren een netwerk."]])
        assert hyphen_join("cre", "eren", seen_joined) == "creëren"
        assert hyphen_join("cre", "eren") == "cre-eren"  # a vowel clash without evidence keeps the hyphen


class TestCharacters:
    def test_ligatures_soft_hyphens_and_replacement_characters(self):
        assert clean("De ﬁnanciering is eﬀectief en ﬂexibel; onder\u00adzoek\ufffd helpt.") == (
            "De financiering is effectief en flexibel; onderzoek helpt."
        )

    @pytest.mark.parametrize(
        "raw,expected",
        [
            ("•\t\ufffd Rijke leeromgeving", "• Rijke leeromgeving"),
            ("•\u2002\ufffd\ufffdRuG (2017)", "• RuG (2017)"),
            ("\uf0b7 Symbol-font bullet", "• Symbol-font bullet"),
            ("▪\titem", "• item"),
            ("1.\t\ufffd Kwaliteit van het onderwijs", "1. Kwaliteit van het onderwijs"),
            ("1.1\u2002\ufffdGoed opgeleide leraren", "1.1 Goed opgeleide leraren"),
        ],
    )
    def test_bullet_artefacts(self, raw, expected):
        assert clean(raw) == expected

    def test_private_use_glyphs_are_dropped(self):
        assert clean("Indonesia \U000f03d9 en \ue000Jakarta") == "Indonesia en Jakarta"


class TestHyphenationInPages:
    @pytest.mark.parametrize(
        "raw,expected",
        [
            ("Dit onder-\nzoek toont het aan.", "Dit onderzoek toont het aan."),
            ("gezamenlijk opleidings-\nverantwoordelijkheid nemen", "gezamenlijk opleidingsverantwoordelijkheid nemen"),
            ("scholen in Noord-\nHolland en elders", "scholen in Noord-Holland en elders"),
            ("de PO-\nRaad en de VO-raad", "de PO-Raad en de VO-raad"),
            ("een opleidings-\nen begeleidingsinfrastructuur", "een opleidings- en begeleidingsinfrastructuur"),
            ("in (school-\noverstijgende) teams", "in (schooloverstijgende) teams"),
            ("collega's in niet-\nopleidingsscholen", "collega's in niet-opleidingsscholen"),
            ("over regionale regie\n- en bedrijfsvoering, om", "over regionale regie- en bedrijfsvoering, om"),
            ("Hoog opleidings- \nrendement", "Hoog opleidingsrendement"),
            ("Schoolcoördinator/-\nopleider 4OLS", "Schoolcoördinator/-opleider 4OLS"),
        ],
    )
    def test_line_end_hyphens(self, raw, expected):
        assert clean(raw) == expected

    def test_a_compound_with_a_hyphen_of_its_own_keeps_its_line_end_hyphen_where_the_document_writes_it_so(self):
        # ap-advies p. 1: "notificatie-app-" / "software" was "notificatie-appsoftware" (only "app" was looked at)
        page = "De notificatie-app-software is klaar. Over de notificatie-app-\nsoftware zeggen we meer."
        assert clean_pages([page])[0] == ("De notificatie-app-software is klaar. Over de notificatie-app-software "
                                          "zeggen we meer.")
        # without that evidence the hyphenation of the last part is joined as before: "e-mail-" / "adres"
        assert clean_pages(["Het e-mail-\nadres staat hier."])[0] == "Het e-mailadres staat hier."

    @pytest.mark.parametrize("word", ["zij-instromers", "kern-schil", "Helms-Lorenz", "Darling-Hammond", "co-creatie"])
    def test_hyphens_within_a_line_are_kept(self, word):
        assert clean(f"Onderzoek over {word} in de regio.") == f"Onderzoek over {word} in de regio."

    def test_corpus_examples(self, corpus_texts):
        cleaned = {name: "\f".join(clean_pages(text.split("\f"))) for name, text in corpus_texts.items()}
        waarde = cleaned["waarde-en-randvoorwaarden-samen-opleiden"]
        assert "gezamenlijk opleidingsverantwoordelijkheid. Hiermee" in waarde  # was "opleidings-\nverantwoor..."
        assert "opleidings-verantwoordelijkheid" not in waarde and "opleidings- verantwoordelijkheid" not in waarde
        assert "Werkplek-begeleider 4OLS" in waarde
        assert "werken in verschillende onderwijscontexten, bijvoorbeeld" in waarde
        assert "Flexibiliteit van de samenwerkende partijen" in waarde
        assert "collega's in niet-opleidingsscholen" in waarde
        assert "(opleidings- cq. werkgeversverantwoordelijkheid)" in waarde
        assert "Borging van de opleidings- en begeleidingsinfrastructuur" in waarde
        assert "Samen Opleiden door school- en instituutsopleiders in (schooloverstijgende) teams" in waarde
        assert "Helms-Lorenz et al" in waarde and "Darling-Hammond (2006)" in waarde
        assert "Hoog opleidingsrendement" in waarde and "maatschappelijke verantwoordelijkheid" in waarde

        zet = cleaned["zet-kwaliteit-op-de-eerste-plaats"]
        # "kwaliteits   ontwikkeling": a wide gap, and the joined word occurs in the document
        assert "onvoldoende oog is voor kwaliteitsontwikkeling en kwaliteitsborging" in zet
        assert "Er is een kwaliteitscultuur waarin" in zet  # "kwaliteits cultuur", the first part never stands alone
        assert "de beste remedie is voor het leraren tekort" in zet  # "leraren" is a word: left alone
        assert "in het versterken van kwaliteit en kwaliteitszorg" in zet
        assert "Wij pleiten ervoor dat Onderwijsregio's de kwaliteit" in zet
        assert "andere twee functies- werven en matchen" in zet

        partners = cleaned["partnerschappen-sop-in-onderwijsregio"]
        assert "is een opleidings- en begeleidingsinfrastructuur opgebouwd" in partners
        ecbo = cleaned["ecbo-conclusies-meerwaarde-sop"]
        assert "Vergroot kennis over regionale regie- en bedrijfsvoering, om taken" in ecbo
        assert "maatwerk en co-creatie, ook sectoroverstijgend" in ecbo

    def test_names_are_not_joined(self):
        pages = ["Geschreven door Martin Thoma.", "Zie github.com/MartinThoma voor meer."]
        assert clean_pages(pages)[0] == "Geschreven door Martin Thoma."

    def test_phrases_are_not_joined(self):
        page = "Scholen samen werken is goed.\nHet samenwerken loont en samen leren ook."
        assert clean(page).startswith("Scholen samen werken is goed.")


class TestRunningLines:
    def test_headers_footers_and_page_numbers_go(self):
        pages = [
            f"Kennisbank rapport\nInhoud van pagina {n} met tekst.\nDe samenwerking loopt {n}.\nPagina {n} van 5"
            for n in range(1, 6)
        ]
        expected = [f"Inhoud van pagina {n} met tekst. De samenwerking loopt {n}." for n in range(1, 6)]
        assert clean_pages(pages) == expected

    def test_a_line_repeated_at_the_bottom_of_every_page_is_a_footer(self):
        pages = [f"Inhoud {n}.\nMeer inhoud {n}.\n© Platform Samen Opleiden" for n in range(1, 5)]
        assert clean_pages(pages) == [f"Inhoud {n}. Meer inhoud {n}." for n in range(1, 5)]

    def test_a_line_on_a_few_pages_is_content(self):
        pages = ["Samenvatting\nTekst een.", "Samenvatting\nTekst twee.", "Inleiding\nTekst drie.",
                 "Methode\nTekst vier.", "Resultaten\nTekst vijf.", "Discussie\nTekst zes."]
        assert [page.startswith("Samenvatting") for page in clean_pages(pages)][:2] == [True, True]

    def test_printed_page_numbers_that_follow_the_page_order(self):
        # Pages 7..10 print 4..7 in a header with the section title (as in GeoTopo-komprimiert.pdf).
        pages = [f"{n - 3} 1.{n}. TOPOLOGISCHE RÄUME\nInhoud nummer {n}." for n in range(7, 11)]
        assert clean_pages(["Voorwoord.", "x", "y", "z", "w", "v"] + pages)[6:] == [
            f"Inhoud nummer {n}." for n in range(7, 11)
        ]

    @pytest.mark.parametrize("number", ["12", "- 12 -", "(12)", "xii", "Pagina 12", "p. 12", "12 / 40", "12 van 40"])
    def test_bare_page_numbers(self, number):
        assert clean(f"Tekst van de pagina.\n{number}\nhttps://example.org/link") == (
            "Tekst van de pagina. https://example.org/link"
        )

    def test_real_running_headers(self, pdf_samples):
        pages = clean_pages(parse_file(pdf_samples / "GeoTopo-komprimiert.pdf").pages)
        assert len(pages) == 117
        assert pages[0] == "Einführung in die Geometrie und Topologie\n0. Auflage, 31. Dezember 2016 Martin Thoma"
        for number in (10, 11, 12):  # printed "7 1.2. METRISCHE RÄUME" .. "9 1.2. METRISCHE RÄUME"
            assert "METRISCHE RÄUME" not in pages[number - 1], number
        assert pages[10].startswith("Beispiel 10\nX = R2")
        assert pages[2].startswith("(a) S2")  # the roman page number "iii" is gone
        assert pages[5].startswith("1 Topologische Grundbegriffe")  # a chapter title, not a page number

    def test_repeated_table_header_kept_once(self, corpus_texts):
        raw = corpus_texts["waarde-en-randvoorwaarden-samen-opleiden"].split("\f")
        pages = clean_pages(raw)
        assert len(pages) == len(raw) == 23
        with_header = [n for n, page in enumerate(pages, start=1) if "Voorbeelden/quotes uit de praktijk" in page]
        assert with_header == [3]  # where the table starts, under its introduction
        for number in range(4, 23):
            assert not pages[number - 1].startswith("Waarde van Samen"), number
            assert "Randvoorwaarden\nOnderzoek naar Samen Opleiden" not in pages[number - 1]
        assert pages[3].startswith("• Studenten opleiden voor de Onderwijsregio")
        assert pages[6].startswith("1.2 Studenten en startende leraren op de juiste plek\n\n• Afspraken over")
        assert pages[7].startswith("studenten wordt versterkt")  # continues a cell of page 7 (its bullet glyph lost)
        assert "\n3\n" not in pages[0] and not pages[0].endswith("3")  # the printed page number "3"


class TestReflow:
    def test_paragraph_lines_join_and_paragraphs_stay_apart(self):
        page = "Eerste regel van een\nalinea die doorloopt.\n\nTweede alinea\nook hier."
        assert clean(page) == "Eerste regel van een alinea die doorloopt.\n\nTweede alinea ook hier."

    def test_bullets_start_their_own_line(self):
        lines = ["Binnen de partnerschappen:", "• worden leraren", "opgeleid;", "- een item", "– nog een"]
        page = "\n".join(lines + ["1. genummerd", "a) letter"])
        assert clean(page).split("\n") == [
            "Binnen de partnerschappen:",
            "• worden leraren opgeleid;",
            "- een item",
            "– nog een",
            "1. genummerd",
            "a) letter",
        ]

    def test_double_spaced_extraction(self, corpus_texts):
        first = clean_pages(corpus_texts["partnerschappen-sop-in-onderwijsregio"].split("\f"))[0]
        paragraphs = first.split("\n\n")
        assert paragraphs[0].startswith("De partnerschappen SO&P zijn een belangrijke partner")
        assert "In de afgelopen 20 jaar is stevig geïnvesteerd" in paragraphs[0]
        assert paragraphs[0].endswith("als partner onderdeel van deze partnerschappen.")
        assert paragraphs[1].startswith("De ervaringen met het Samen Opleiden")

    def test_short_heading_line_ends_a_block(self, corpus_texts):
        ecbo = clean(corpus_texts["ecbo-conclusies-meerwaarde-sop"])
        assert "Meerwaarde van SO&P volgens SO&P partnerschappen\nSO&P verbetert:\n1. de samenwerking" in ecbo

    def test_markdown_structure(self):
        page = "# Titel\nEerste alinea\nloopt door.\n\n## Kop\n| a | b |\n| 1 | 2 |\n* punt"
        assert clean(page).split("\n") == [
            "# Titel", "Eerste alinea loopt door.", "", "## Kop", "| a | b |", "| 1 | 2 |", "* punt"
        ]

    def test_runs_of_spaces_collapse(self):
        assert clean("veel     ruimte   hier") == "veel ruimte hier"


class TestCleanPages:
    def test_same_number_of_pages_and_empty_pages_stay(self):
        assert clean_pages(["Tekst.", "", "  \n ", "Meer tekst."]) == ["Tekst.", "", "", "Meer tekst."]
        assert clean_pages([]) == []

    def test_idempotent_and_deterministic_on_the_corpus(self, corpus_texts):
        for name, text in corpus_texts.items():
            once = clean_pages(text.split("\f"))
            assert clean_pages(text.split("\f")) == once, name
            assert clean_pages(once) == once, name

    def test_no_artefacts_left_in_the_corpus(self, corpus_texts):
        for name, text in corpus_texts.items():
            cleaned = "\f".join(clean_pages(text.split("\f")))
            assert not re.search("[\ufffd\u00ad\u200b\ufb00-\ufb06\t]", cleaned), name
            assert "  " not in cleaned and " \n" not in cleaned and "\n " not in cleaned, name
            assert not re.search(r"\w-\n", cleaned), name  # no line-end hyphenation left

    def test_generated_report(self, report_pdf):
        pages = clean_pages(parse_file(report_pdf).pages)
        assert len(pages) == 4
        text = "\f".join(pages)
        assert "Kennisbank Samen Opleiden" not in text and "testrapport" not in text
        assert not re.search(r"(?m)^\d+$", text)  # no page number left
        assert pages[0] == (
            "Samen opleiden in de praktijk\n"
            "Dit onderzoek laat zien dat scholen en instituten de opleidingsverantwoordelijkheid delen. "
            "De financiering en de flexibiliteit van de partnerschappen zijn belangrijk voor zij-instromers en "
            "voor de samenwerkende scholen in Noord-Holland."
        )
        assert pages[1].split("\n") == [
            "Aanbevelingen voor de onderwijsregio",
            "• Zorg voor een opleidings- en begeleidingsinfrastructuur die past bij de regio.",
            "• Betrek de PO-Raad en de werkplekbegeleiders bij de schooloverstijgende afspraken.",
        ]
        assert pages[2] == ""  # only header and page number were on it
        assert "Samen opleiden is effectief: studenten leren" in pages[3]
        assert "volgens Darling-Hammond." in pages[3]


class TestDutchTextCleaner:
    def test_init_and_serialisation(self):
        cleaner = DutchTextCleaner(keep_id=True)
        data = component_to_dict(cleaner, "cleaner")
        assert data == {"type": "kennisbank.ingest.cleaning.DutchTextCleaner", "init_parameters": {"keep_id": True}}
        restored = component_from_dict(DutchTextCleaner, data, "cleaner")
        assert restored.keep_id is True
        assert DutchTextCleaner().keep_id is False

    def test_run_keeps_pages_and_meta(self):
        doc = Document(content="Dit onder-\nzoek.\f\fPagina ﬁjn.", meta={"page_count": 3, "title": "T"})
        (cleaned,) = DutchTextCleaner().run(documents=[doc])["documents"]
        assert cleaned.content == "Dit onderzoek.\f\fPagina fijn."
        assert cleaned.meta == {"page_count": 3, "title": "T"}
        assert cleaned.id != doc.id

    def test_keep_id_and_documents_without_content(self):
        doc = Document(content="tekst", meta={})
        empty = Document(content=None, meta={"x": 1})
        result = DutchTextCleaner(keep_id=True).run(documents=[doc, empty])["documents"]
        assert result[0].id == doc.id
        assert result[1] is empty
