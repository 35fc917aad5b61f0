"""The source registry and references (APA, BibTeX, RIS) on the real index of corpus/."""

from __future__ import annotations

import bibtexparser
import pytest
import rispy

from kennisbank.app import KnowledgeBase
from kennisbank.core.model import publication_meta
from kennisbank.ingest.sources import Source
from kennisbank.search import csl, references
from kennisbank.search.csl import document_item
from kennisbank.search.framework import Framework
from kennisbank.search.sources import registry_for

CITED = {
    "darling-hammond-2006", "darling-hammond-2017", "ecbo-2021", "furlong-et-al-2000", "helms-lorenz-et-al-2019",
    "hooge-2024", "kohnstamm-instituut-2020", "leeferink-2016", "onderwijsraad-2025", "roelofs-2003", "rug-2017",
    "rug-2018", "timmermans-2012", "zeichner-2010",
}


@pytest.fixture(scope="module")
def registry(kb):
    return registry_for(kb, Framework.load())


def stored(kb, doc_id: str, span: dict) -> str:
    return kb.document(doc_id)["pages"][span["page"] - 1]["text"][span["start"]:span["end"]]


class TestRegistry:
    def test_every_cited_source_once(self, registry):
        assert {s.id for s in registry.all()} == CITED

    def test_footnote_reference_gives_the_full_reference(self, registry, kb):
        ecbo = registry.get("ecbo-2021")
        assert ecbo.reference["title"] == "De meerwaarde van Samen Opleiden & Professionaliseren"
        assert (ecbo.reference["place"], ecbo.reference["publisher"]) == ("Den Haag", "OCW")
        assert ecbo.reference["document_id"] == "partnerschappen-onderwijsregio"
        assert stored(kb, "partnerschappen-onderwijsregio", ecbo.reference["spans"][0]).startswith("ECBO (2021). De meerwaarde")

    def test_a_reference_continued_on_the_next_line(self, registry):
        kohnstamm = registry.get("kohnstamm-instituut-2020")
        assert kohnstamm.reference["title"] == "Uitbreiding van Samen Opleiden en professionaliseren: in gesprek met opleidingsscholen"
        assert kohnstamm.reference["place"] == "Utrecht"
        assert kohnstamm.reference["publisher"] == "Platform Samen Opleiden & Professionaliseren VO"

    def test_every_statement_citing_a_source_across_documents(self, registry, kb):
        ecbo = registry.get("ecbo-2021")
        kinds = sorted((s["kind"], s["document_id"], s["value_id"]) for s in ecbo.statements)
        assert kinds == [
            ("finding", "waarde-en-randvoorwaarden", "1.3"), ("finding", "waarde-en-randvoorwaarden", "1.5"),
            ("finding", "waarde-en-randvoorwaarden", "2.3"), ("footnote", "partnerschappen-onderwijsregio", None),
        ]
        footnote = next(s for s in ecbo.statements if s["kind"] == "footnote")
        assert footnote["text"].startswith("Onderzoek1,2 laat dan ook zien dat partnerschappen")
        assert footnote["text"].endswith("aan het lerarentekort.")
        assert registry.get("kohnstamm-instituut-2020").statements[0]["text"] == footnote["text"]
        for source in registry.all():
            for statement in source.statements:
                assert " ".join(stored(kb, statement["document_id"], s) for s in statement["spans"]) == statement["text"]
        assert len(registry.get("leeferink-2016").statements) == 9

    def test_a_summary_of_the_same_author_and_year_is_related_not_the_source(self, registry):
        ecbo = registry.get("ecbo-2021")
        assert ecbo.publication is None
        assert ecbo.related == ["ecbo-meerwaarde-sop"]

    def test_adding_the_cited_report_connects_it_by_metadata(self, fresh_settings, tmp_path):
        report = tmp_path / "ecbo-rapport.txt"
        report.write_text("De meerwaarde van Samen Opleiden & Professionaliseren\n\nOnderzoek naar partnerschappen.\n",
                          encoding="utf-8")
        meta = publication_meta({"title": "De meerwaarde van Samen Opleiden & Professionaliseren", "organisation": "ECBO",
                               "year": 2021, "kind": "onderzoeksrapport"}, "test")
        with KnowledgeBase.open(fresh_settings) as kb:
            kb.indexer.ingest([Source(id="ecbo-meerwaarde-rapport", path=report, meta=meta)])
            registry = registry_for(kb, Framework.load())
        ecbo = registry.get("ecbo-2021")
        assert ecbo.publication == "ecbo-meerwaarde-rapport"
        assert ecbo.related == ["ecbo-meerwaarde-sop"]
        assert registry.get("rug-2017").publication is None


class TestReferences:
    def test_apa_for_cited_sources_from_the_style_engine_leaves_unknowns_out(self, registry):
        assert references.apa_source(registry.get("ecbo-2021")) == (
            "ECBO. (2021). De meerwaarde van Samen Opleiden & Professionaliseren. OCW."
        )
        assert references.apa_source(registry.get("leeferink-2016")) == "Leeferink. (2016)."
        assert references.apa_source(registry.get("helms-lorenz-et-al-2019")) == "Helms-Lorenz et al. (2019)."
        assert references.apa_source(registry.get("rug-2018")) == "RuG. (2018)."
        assert references.source_record(registry.get("darling-hammond-2017"))["missing"] == ["initials", "title", "publisher"]
        assert references.source_record(registry.get("helms-lorenz-et-al-2019"))["missing"] == [
            "initials", "other_authors", "title", "publisher"]
        assert references.apa_source_in_text(registry.get("furlong-et-al-2000")) == "(Furlong et al., 2000)"

    def test_completed_reference_is_used(self, registry):
        completed = {"authors": ["Leeferink, H."], "title": "Learning to teach", "publisher": "Radboud Universiteit",
                     "doi": "https://doi.org/10.1234/abc"}
        assert references.apa_source(registry.get("leeferink-2016"), completed) == (
            "Leeferink, H. (2016). Learning to teach. Radboud Universiteit. https://doi.org/10.1234/abc")
        assert references.source_record(registry.get("leeferink-2016"), completed)["missing"] == []

    def _entries(self, kb, registry, doc_ids=None, source_ids=None):
        docs = [d for d in kb.documents() if doc_ids is None or d["id"] in doc_ids]
        entries = [references.document_entry(kb.citation_item(d), d) for d in docs]
        sources = registry.all() if source_ids is None else [registry.get(s) for s in source_ids]
        return entries + [references.source_entry(s) for s in sources]

    def test_bibtex_for_biblatex_apa_parses_and_keeps_what_we_know(self, registry, kb):
        text = references.export("bib", self._entries(kb, registry))
        library = bibtexparser.parse_string(text)
        assert not library.failed_blocks
        entries = {e.key: e for e in library.entries}
        assert set(entries) == CITED | {d["id"] for d in kb.documents()}
        ecbo = entries["ecbo-2021"].fields_dict
        assert entries["ecbo-2021"].entry_type == "report"
        assert ecbo["author"].value == "{ECBO}" and ecbo["institution"].value == "OCW"
        assert ecbo["title"].value == r"{De meerwaarde van Samen Opleiden \& Professionaliseren}"  # brace-protected
        assert ecbo["location"].value == "Den Haag" and ecbo["date"].value == "2021"
        leeferink = entries["leeferink-2016"].fields_dict
        assert entries["leeferink-2016"].entry_type == "misc"
        assert "title" not in leeferink and "voorletters, titel, uitgever" in leeferink["note"].value
        assert entries["helms-lorenz-et-al-2019"].fields_dict["author"].value == "{Helms-Lorenz et al.}"
        platform = entries["waarde-en-randvoorwaarden"]
        assert platform.entry_type == "report"
        assert platform.fields_dict["langid"].value == "dutch"
        assert platform.fields_dict["institution"].value == r"Platform Samen Opleiden \& Professionaliseren"
        assert "date" not in platform.fields_dict  # an estimated year is no date: biblatex-apa prints "n.d."
        undated = entries["zet-kwaliteit-op-de-eerste-plaats"].fields_dict
        assert "date" not in undated and undated["note"].value == "Jaar onbekend (z.d.)"

    def test_ris_keeps_group_authors_whole(self, registry, kb):
        entries = self._entries(kb, registry, {"waarde-en-randvoorwaarden"}, ["ecbo-2021", "timmermans-2012"])
        records = rispy.loads(references.export("ris", entries))
        assert [r["type_of_reference"] for r in records] == ["RPRT", "RPRT", "GEN"]
        assert records[0]["title"] == "Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden"
        assert records[0]["authors"] == ["Platform Samen Opleiden & Professionaliseren,"]  # Zotero: one name
        assert records[1]["authors"] == ["ECBO,"] and records[1]["publisher"] == "OCW" and records[1]["year"] == "2021"
        assert "title" not in records[2] and records[2]["authors"] == ["Timmermans"]

    def test_csl_json_renders_back_through_the_style_engine(self, registry, kb):
        import json


        entries = self._entries(kb, registry, {"waarde-en-randvoorwaarden"}, ["ecbo-2021"])
        items = json.loads(references.export("json", entries))
        assert [i["id"] for i in items] == ["waarde-en-randvoorwaarden", "ecbo-2021"]
        assert csl.reference(items[1]).text == "ECBO. (2021). De meerwaarde van Samen Opleiden & Professionaliseren. OCW."
        assert csl.reference(items[0]).text == (
            "Platform Samen Opleiden & Professionaliseren. (z.d.). Samen Opleiden in de Onderwijsregio: waarde en "
            "randvoorwaarden.")

    def test_a_field_can_never_add_a_record(self):
        hostile = {"id": "x", "title": "Titel\nER  - \nTY  - JOUR\r\nTI  - Vals}\n@misc{y,", "organisation": "Org\x0b",
                   "year": 2020, "kind": "rapport", "language": "nl"}
        entry = references.document_entry(document_item(hostile), hostile)
        records = rispy.loads(references.export("ris", [entry]))
        assert len(records) == 1 and records[0]["title"].startswith("Titel ER - TY - JOUR")
        library = bibtexparser.parse_string(references.export("bib", [entry]))
        assert len(library.entries) == 1 and not library.failed_blocks
        assert "\n" not in library.entries[0].fields_dict["title"].value

    def test_unknown_format_is_refused(self):
        with pytest.raises(ValueError, match="bib, ris or json"):
            references.export("xml", [])
