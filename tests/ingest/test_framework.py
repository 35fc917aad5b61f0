"""The framework parser against the publication.

Expected values below were typed from reading the publication (corpus/waarde-en-randvoorwaarden-...txt), not
copied from the parser's output; the raw-file checks count citations and quotation marks independently.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kennisbank.cli import main
from kennisbank.ingest.framework import (
    FrameworkParseError,
    dumps,
    extract,
    extract_from_catalog,
    source_key,
    span_text,
)
from kennisbank.search.framework import FRAMEWORK_FILE, Framework

REPO = Path(__file__).resolve().parents[2]
RAW = (REPO / "corpus" / "waarde-en-randvoorwaarden-samen-opleiden.txt").read_text(encoding="utf-8")
DOC = "waarde-en-randvoorwaarden"

TITLES = {
    "1.1": "Goed opgeleide leraren voor de Onderwijsregio",
    "1.2": "Studenten en startende leraren op de juiste plek",
    "1.3": "Hoog opleidingsrendement/ studiesucces",
    "1.4": "Behoud van startende leraren",
    "1.5": "Samen Opleiden als vliegwiel voor ontwikkeling en innovatie in de Onderwijsregio",
    "1.6": "Inspelen op veranderingen op de onderwijsarbeidsmarkt (kwantitatief en kwalitatief)",
    "2.1": "Solidair Samen Opleiden/ maatschappelijke verantwoordelijkheid voor de (bredere) Onderwijsregio",
    "2.2": "Studenten en startende leraren op de juiste plek",
    "2.3": "Leren van en met elkaar/ krachten en expertise in het Samen Opleiden benutten",
    "2.4": "Vliegwiel voor bredere (bovenbestuurlijke) samenwerking (tussen scholen, schoolbesturen en/of lerarenopleidingen)",
    "2.5": "Sterke kwaliteitscultuur in de samenwerkende organisaties",
}
# number of preconditions per row, and the first and last one (as the cleaned text writes them)
PRECONDITIONS = {
    "1.1": (6, "Rijke leeromgeving met grote praktijkcomponent in de opleiding.", "zowel binnen als buiten de partnerschappen."),
    "1.2": (3, "Afspraken over rouleren/ doorplaatsen van studenten.", "(bijv. via een banenmarkt)."),
    "1.3": (8, "Gezamenlijke opleidingsverantwoordelijkheid (opleiden, begeleiden, beoordelen)", "Toereikende stagevergoeding."),
    "1.4": (3, "Studenten worden goed voorbereid op het werken", "in een doorgaande begeleidingslijn."),
    "1.5": (5, "Structurele ontmoeting tussen betrokkenen", "het partnerschap en de Onderwijsregio."),
    "1.6": (4, "Inzicht in (ontwikkelingen in) vraag en aanbod", "Samen Opleiden en de Onderwijsregio."),
    "2.1": (5, "Cultuur van solidariteit en samenwerking", "begeleidingsinfrastructuur."),
    "2.2": (3, "Voldoende tijd en aandacht voor de student", "scholen en opleidingen."),
    "2.3": (4, "Scholen en lerarenopleidingen vormen samen een partnerschap", "Een gezamenlijke taal."),
    "2.4": (4, "Korte lijnen tussen besturen", "gelijkwaardigheid en vertrouwen."),
    "2.5": (4, "Heldere opleidings- en begeleidingsinfrastructuur.", "Kwaliteitsafspraken over Samen Opleiden en professionaliseren."),
}
# every (value, cited source) pair of the table
SOURCES = {
    "1.1": {"rug-2017", "rug-2018", "roelofs-2003", "darling-hammond-2017", "zeichner-2010", "timmermans-2012", "leeferink-2016"},
    "1.2": {"darling-hammond-2006"},
    "1.3": {"roelofs-2003", "rug-2017", "ecbo-2021"},
    "1.4": {"leeferink-2016", "helms-lorenz-et-al-2019", "rug-2018"},
    "1.5": {"onderwijsraad-2025", "leeferink-2016", "ecbo-2021", "furlong-et-al-2000", "timmermans-2012"},
    "1.6": {"roelofs-2003", "timmermans-2012"},
    "2.1": set(),
    "2.2": {"darling-hammond-2006"},
    "2.3": {"onderwijsraad-2025", "leeferink-2016", "ecbo-2021", "furlong-et-al-2000", "timmermans-2012"},
    "2.4": {"hooge-2024"},
    "2.5": {"onderwijsraad-2025", "leeferink-2016"},
}
FINDINGS = {"1.1": 11, "1.2": 1, "1.3": 3, "1.4": 3, "1.5": 7, "1.6": 2, "2.1": 0, "2.2": 1, "2.3": 7, "2.4": 4, "2.5": 2}
QUOTES = {"1.1": 5, "1.2": 1, "1.3": 4, "1.4": 1, "1.5": 0, "1.6": 0, "2.1": 1, "2.2": 0, "2.3": 0, "2.4": 0, "2.5": 3}


def fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@pytest.fixture(scope="module")
def stored_pages(kb) -> list[str]:
    return [p["text"] for p in kb.document(DOC)["pages"]]


@pytest.fixture(scope="module")
def framework(stored_pages) -> dict:
    return extract(stored_pages)


@pytest.fixture(scope="module")
def values(framework) -> dict:
    return {v["id"]: v for v in framework["values"]}


class TestAgainstThePublication:
    def test_the_reviewed_data_file_is_what_the_parser_reads_from_the_stored_text(self, kb):
        assert FRAMEWORK_FILE.read_text(encoding="utf-8") == dumps(extract_from_catalog(kb.catalog))

    def test_eleven_values_with_their_titles(self, values):
        assert {k: v["title"] for k, v in values.items()} == TITLES
        assert [v["level"] for v in values.values()] == ["1"] * 6 + ["2"] * 5

    def test_preconditions(self, values):
        for value_id, (count, first, last) in PRECONDITIONS.items():
            texts = [p["text"] for p in values[value_id]["preconditions"]]
            assert len(texts) == count, (value_id, texts)
            assert texts[0].startswith(first) and texts[-1].endswith(last), (value_id, texts)

    def test_every_value_source_pair_and_nothing_else(self, values):
        pairs = {k: {s["key"] for f in v["findings"] for s in f["sources"]} for k, v in values.items()}
        assert pairs == SOURCES

    def test_finding_and_quote_counts(self, values):
        assert {k: len(v["findings"]) for k, v in values.items()} == FINDINGS
        assert {k: len(v["quotes"]) for k, v in values.items()} == QUOTES

    def test_counts_agree_with_the_raw_file(self, framework):
        table = RAW[RAW.index("Op het niveau van de Onderwijsregio\n"):RAW.index("Het Platform Samen Opleiden & Professionaliseren is een")]
        citations = {(f["citation_span"]["page"], f["citation_span"]["start"]): len(f["sources"])
                     for v in framework["values"] for f in v["findings"]}
        assert sum(citations.values()) == len(re.findall(r"\(\d{4}\)", table)) == 39
        assert sum(len(v["quotes"]) for v in framework["values"]) == table.count("\u201c") == 15

    def test_five_summary_values(self, framework):
        assert [s["title"] for s in framework["summary_values"]] == [
            "Kwaliteit van het onderwijs", "Toegankelijkheid en inclusie", "Hoog opleidingsrendement",
            "Startende leraren behouden", "Innovatie en ontwikkeling",
        ]


class TestVerbatim:
    def test_every_span_is_the_stored_text(self, framework, stored_pages):
        items = [i for v in framework["values"] for key in ("preconditions", "findings", "quotes") for i in v[key]]
        assert len(items) == 49 + 41 + 15
        for item in items:
            assert item["text"] == span_text(stored_pages, item["spans"])
            for span in item["spans"]:
                piece = stored_pages[span["page"] - 1][span["start"]:span["end"]]
                assert piece and piece == piece.strip()
                assert fold(piece) in fold(RAW), piece  # nothing invented: it stands in the publication

    def test_statements_are_without_the_citation_and_quotes_without_their_marks(self, values):
        assert values["1.1"]["findings"][0]["text"].startswith("Studenten ontwikkelen betere lesvaardigheden")
        darling = values["1.1"]["findings"][3]
        assert darling["citation"] == "Darling-Hammond (2017), Zeichner, (2010)"
        assert darling["text"].startswith("Samen Opleiden leidt tot een betere aansluiting")
        quote = values["2.1"]["quotes"][0]
        assert quote["text"].startswith("Het partnerschap vindt") and quote["text"].endswith("van grote waarde.")

    def test_cells_broken_over_a_page_are_one_item(self, values):
        rug = values["1.1"]["findings"][1]
        assert [s["page"] for s in rug["spans"]] == [3, 4]
        assert rug["text"].endswith("effectiever lesgeven en beter in staat zijn om een positieve leeromgeving te creëren.")
        roelofs = values["1.1"]["findings"][8]
        assert "samenwerkingsvaardigheden en probleem oplossend vermogen." in roelofs["text"]
        assert [s["page"] for s in values["1.3"]["preconditions"][2]["spans"]] == [7, 8]
        student = values["1.3"]["quotes"][3]
        assert [s["page"] for s in student["spans"]] == [8, 9] and "om mij te helpen." in student["text"]
        assert student["role"] == "Student" and student["partnership"] == "4OLS"
        last = values["2.5"]["quotes"][1]
        assert [s["page"] for s in last["spans"]] == [21, 22] and last["text"].endswith("formulieren klaar.")

    def test_a_source_heading_bullets(self, values):
        hooge = values["2.4"]["findings"]
        assert [f["id"] for f in hooge] == ["2.4-hooge-2024", "2.4-hooge-2024-2", "2.4-hooge-2024-3", "2.4-hooge-2024-4"]
        assert hooge[1]["text"].startswith("Door de samenwerking worden financiële")

    def test_speakers(self, values):
        mieke = values["1.4"]["quotes"][0]
        assert (mieke["person"], mieke["role"]) == ("Mieke van Dijk", "hoofd Opleidingsschool VO Veghel")
        assert mieke["reference"].startswith("Inspiratie | Handreiking voor de begeleiding van startende leraren")
        alice = values["1.3"]["quotes"][0]
        assert (alice["person"], alice["organisation"]) == ("Alice Middelkoop", "Driestar Hogeschool")
        assert values["1.2"]["quotes"][0]["role"] == "Schoolcoördinator/-opleider"

    def test_ids_are_unique(self, framework):
        ids = [i["id"] for v in framework["values"] for key in ("preconditions", "findings", "quotes") for i in v[key]]
        assert len(ids) == len(set(ids))


class TestParserRules:
    def test_source_keys(self):
        assert source_key("Helms-Lorenz et al", "2019") == "helms-lorenz-et-al-2019"
        assert source_key("Kohnstamm Instituut", "2020") == "kohnstamm-instituut-2020"

    def test_text_that_continues_nothing_is_refused(self):
        pages = ["1. Op het niveau van X\n\n1.1 Titel\n\n• Een voorwaarde.\n\nlosse tekst midden op de pagina"]
        with pytest.raises(FrameworkParseError, match="continues no cell"):
            extract(pages)

    def test_no_table_is_refused(self):
        with pytest.raises(FrameworkParseError, match="no table"):
            extract(["Alleen een inleiding.\n\nGeen tabel."])

    def test_loader(self, stored_pages):
        fw = Framework.load()
        assert fw.value_ids == list(TITLES)
        assert fw.check_text(stored_pages) and not fw.stale
        assert not fw.check_text(stored_pages[:-1]) and fw.stale
        first = fw.value("1.1")["extent"]["from"]
        assert fw.values_at(first["page"], first["offset"], first["offset"] + 10) == ["1.1"]
        assert fw.values_at(1, 0, 50) == []


def test_cli_extract_and_check(indexed_settings, tmp_path, capsys):
    out = tmp_path / "framework.json"
    data = ["--data-dir", str(indexed_settings.data_dir), "framework", "extract", "--output", str(out)]
    assert main(data) == 0
    assert out.read_text(encoding="utf-8") == FRAMEWORK_FILE.read_text(encoding="utf-8")
    assert main(data + ["--check"]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("Toereikende", "Ruime"), encoding="utf-8")
    assert main(data + ["--check"]) == 1
