"""Exports that import cleanly: BibTeX (biblatex-apa), RIS and CSL-JSON, parsed back by their parsers."""

from __future__ import annotations

import json

import bibtexparser
import rispy

from kennisbank.search import csl, references

DOC = {"id": "proef", "title": "Leren onderzoeken in de school", "organisation": "Jansen, P.", "year": 2016,
       "year_approximate": False, "kind": "proefschrift", "language": "nl", "url": "https://example.org/p"}
WEB = {"id": "web", "title": "Samen opleiden: de stand van zaken", "organisation": "Platform Samen Opleiden",
       "year": None, "year_approximate": False, "kind": "webpagina", "language": "nl", "url": "https://example.org/w"}


def _entries():
    return [references.document_entry(csl.document_item(DOC), DOC),
            references.document_entry(csl.document_item(WEB, version_date=1764201600), WEB)]


def test_bibtex_types_and_fields_for_biblatex_apa():
    library = bibtexparser.parse_string(references.export("bib", _entries()))
    assert not library.failed_blocks
    thesis, online = library.entries
    assert thesis.entry_type == "thesis" and thesis.fields_dict["type"].value == "phdthesis"
    assert thesis.fields_dict["title"].value == "{Leren onderzoeken in de school}"
    assert thesis.fields_dict["langid"].value == "dutch" and thesis.fields_dict["date"].value == "2016"
    assert online.entry_type == "online" and online.fields_dict["url"].value == "https://example.org/w"
    assert online.fields_dict["urldate"].value == "2025-11-27" and "date" not in online.fields_dict
    assert online.fields_dict["author"].value == "{Platform Samen Opleiden}"


def test_ris_types():
    records = rispy.loads(references.export("ris", _entries()))
    assert [r["type_of_reference"] for r in records] == ["THES", "ELEC"]
    assert records[1]["authors"] == ["Platform Samen Opleiden,"] and records[1]["urls"] == ["https://example.org/w"]
    assert records[1]["access_date"] == "2025-11-27"


def test_csl_json_round_trip():
    items = json.loads(references.export("json", _entries()))
    assert csl.reference(items[1]).text == ("Platform Samen Opleiden. (z.d.). Samen opleiden: de stand van zaken. "
                                            "Geraadpleegd 27 november 2025, van https://example.org/w")
    assert items[1]["note"] == "Jaar onbekend (z.d.)"


def test_a_newline_in_a_field_cannot_add_a_record():
    """Issue 12 case 9: a title or organisation with a line break (and RIS tags after it) stays one record."""
    hostile = dict(DOC, id="kwaad", title="Titel\nTY  - JOUR\nTI  - Ingevoegd\nER  - ",
                   organisation="Org\r\nAU  - Ander, X.")
    entries = [references.document_entry(csl.document_item(hostile), hostile)]
    records = rispy.loads(references.export("ris", entries))
    assert len(records) == 1 and records[0]["type_of_reference"] == "THES"
    assert "Ingevoegd" in records[0]["title"]  # kept as text of the one title, not as a new record
    library = bibtexparser.parse_string(references.export("bib", entries))
    assert len(library.entries) == 1 and not library.failed_blocks
