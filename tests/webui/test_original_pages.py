"""The kept original, its page images with the passage marked, stable passage links and exports per page, on a
real index of a real PDF (made with fpdf2) and a text publication."""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pytest
import rispy

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.ingest.sources import Source
from kennisbank.search import csl
from kennisbank.webui.app import create_app
from tests.pdfmaker import pdf_bytes

PAGES = [
    ["Opleiden in de school: een verkenning", "Deze verkenning beschrijft hoe scholen samen opleiden."],
    ["Bevindingen uit onderzoek",
     "Leeferink (2016) laat zien dat studenten in opleidingsscholen",
     "sterker leren onderzoeken dan studenten elders.",
     "Begeleiding van starters verlaagt de uitval in de eerste jaren."],
    ["Tot slot", "Samen opleiden vraagt om tijd en een gedeelde visie."],
]
META = {"title": "Opleiden in de school", "organisation": "Kenniscentrum Opleiden", "year": 2019,
        "year_approximate": False, "kind": "onderzoeksrapport", "language": "nl", "sectors": ["po"], "url": ""}


def _ingest(kb, doc_id: str, path: Path, meta: dict) -> None:
    report = kb.indexer.ingest([Source(doc_id, path, meta)])
    assert report.summary()["added"] + report.summary()["replaced"] == 1, report.as_dict()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("originals")
    pdf = folder / "verkenning.pdf"
    pdf.write_bytes(pdf_bytes(PAGES))
    text = folder / "tekst.txt"
    text.write_text("Eerste pagina over starters.\n\fTweede pagina: begeleiding van starters werkt.\n", encoding="utf-8")
    settings = Settings.load({"data_dir": folder / "data"}, environ={})
    kb = KnowledgeBase.open(settings)
    _ingest(kb, "verkenning", pdf, META)
    _ingest(kb, "tekst", text, META | {"title": "Een tekst", "year": None})
    client = create_app(settings, kb=kb, test_config={"TESTING": True}).test_client()
    yield {"client": client, "kb": kb, "pdf": pdf, "text": text, "settings": settings, "folder": folder}
    kb.close()


def _leeferink_hit(client):
    results = client.get("/api/search?q=Leeferink+opleidingsscholen&mode=bm25").get_json()["results"]
    return next(r for r in results if r["document"]["id"] == "verkenning" and "Leeferink (2016)" in r["text"])


class TestOriginal:
    def test_the_kept_pdf_is_served_inline_with_a_safe_name(self, world):
        response = world["client"].get("/documenten/verkenning/bestand")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == 'inline; filename="verkenning.pdf"'
        assert response.get_data() == world["pdf"].read_bytes()

    def test_only_what_the_catalog_knows(self, world):
        client = world["client"]
        assert client.get("/documenten/bestaat-niet/bestand").status_code == 404
        assert client.get("/documenten/..%2F..%2Fetc/bestand").status_code == 404
        # a changed file on disk is not the original any more: not served
        world["text"].write_text("Iets anders.\n", encoding="utf-8")
        try:
            assert client.get("/documenten/tekst/bestand").status_code == 404
        finally:
            world["text"].write_text("Eerste pagina over starters.\n\fTweede pagina: begeleiding van starters werkt.\n",
                                     encoding="utf-8")
        response = client.get("/documenten/tekst/bestand")
        assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")


class TestPageView:
    def test_page_image_with_the_passage_marked(self, world):
        client = world["client"]
        hit = _leeferink_hit(client)
        assert hit["page"] == 2 and hit["page_link"] == f"/documenten/verkenning/pagina/2?passage={hit['anchor']}"
        assert hit["page_note"] is None  # a PDF page number is the PDF page: nothing to warn about
        data = client.get(hit["page_link"] + "&format=json").get_json()
        assert data["page_no"] == 2 and data["text"][data["marked"]["start"]:data["marked"]["end"]] == hit["text"]
        image = data["image"]
        assert image["src"] == "/documenten/verkenning/pagina/2.png" and image["width"] > 500
        # the passage's lines, found in the PDF's text layer: inside the page, below the heading, one per line
        boxes = image["boxes"]
        assert len(boxes) == len(PAGES[1]), (hit["text"], boxes)  # one rectangle per printed line
        assert all(0 <= b["x"] < image["width"] and 0 < b["y"] < image["height"] / 2 for b in boxes)
        assert boxes == sorted(boxes, key=lambda b: b["y"])
        png = client.get(image["src"])
        assert png.status_code == 200 and png.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
        cached = list((world["settings"].data_dir / "cache" / "pages").glob("*.png"))
        assert cached
        html = client.get(hit["page_link"]).get_data(as_text=True)
        assert html.count('<rect class="marking"') == len(boxes)
        assert f'<mark class="passage-mark" id="passage">{hit["text"]}</mark>' in html
        assert 'href="/documenten/verkenning#' + hit["anchor"] + '"' in html  # back to the passage
        assert 'href="/documenten/verkenning/bestand#page=2"' in html  # the browser's PDF viewer, at the page
        assert "Paginanummers tellen de pagina&#39;s van het PDF-bestand" in html

    def test_no_mark_when_the_passage_is_elsewhere_and_bad_pages(self, world):
        client = world["client"]
        hit = _leeferink_hit(client)
        data = client.get(f"/documenten/verkenning/pagina/1.json?passage={hit['anchor']}").get_json()
        assert data["marked"] is None and data["image"]["boxes"] == []
        for bad in ("/documenten/verkenning/pagina/0", "/documenten/verkenning/pagina/99",
                    "/documenten/verkenning/pagina/99.png", "/documenten/tekst/pagina/1.png"):
            assert client.get(bad).status_code == 404, bad

    def test_a_text_publication_shows_its_text_page(self, world):
        html = world["client"].get("/documenten/tekst/pagina/2").get_data(as_text=True)
        assert "Tweede pagina: begeleiding van starters werkt." in html and "<svg" not in html
        assert "tekstversie" in html or "alleen de tekst bewaard" in html


class TestStableLinks:
    def test_anchor_survives_replacement_and_a_gone_passage_gets_a_notice(self, world):
        folder = world["folder"] / "replace"
        folder.mkdir()
        first, second = folder / "v1.pdf", folder / "v2.pdf"
        first.write_bytes(pdf_bytes(PAGES))
        # version 2: a new first page, the Leeferink passage unchanged (now on page 3), the last page rewritten
        second.write_bytes(pdf_bytes([["Voorwoord", "Een nieuw voorwoord bij de tweede druk."]] + PAGES[:2]
                                     + [["Tot slot", "Samen opleiden vraagt om geld."]]))
        settings = Settings.load({"data_dir": folder / "data"}, environ={})
        with KnowledgeBase.open(settings) as kb:
            client = create_app(settings, kb=kb, test_config={"TESTING": True}).test_client()
            _ingest(kb, "verkenning", first, META)
            old = client.get("/api/documents/verkenning").get_json()["chunks"]
            hit = _leeferink_hit(client)
            last_old = next(c for c in old if c["page"] == 3)
            _ingest(kb, "verkenning", second, META)
            new = client.get("/api/documents/verkenning").get_json()
            again = _leeferink_hit(client)
            assert again["anchor"] == hit["anchor"] and again["page"] == 3 and again["chunk_id"] != hit["chunk_id"]
            response = client.get(f"/documenten/verkenning/passage/{hit['anchor']}")
            assert response.status_code == 302 and response.headers["Location"].endswith(f"#{hit['anchor']}")
            assert last_old["anchor"] not in {c["anchor"] for c in new["chunks"]}
            for gone in (last_old["anchor"], hit["chunk_id"]):  # a changed passage; an old version-bound link
                response = client.get(f"/documenten/verkenning/passage/{gone}")
                assert response.status_code == 302 and "#" not in response.headers["Location"]
                html = client.get(response.headers["Location"]).get_data(as_text=True)
                assert 'id="verdwenen"' in html and "staat niet (meer) in deze versie" in html
            assert client.get("/documenten/verkenning/passage/onzin").status_code == 404


class TestExports:
    def test_document_page_offers_exports_that_parse(self, world):
        client = world["client"]
        html = client.get("/documenten/verkenning").get_data(as_text=True)
        links = dict(re.findall(r'<a href="(/referenties\.[a-z]+\?document=verkenning)">([^<]+)</a>', html))
        assert set(links.values()) == {"BibTeX", "RIS", "CSL-JSON"}
        bib = client.get("/referenties.bib?document=verkenning").get_data(as_text=True)
        entry = bibtexparser.parse_string(bib).entries[0]
        assert entry.entry_type == "report" and entry.fields_dict["title"].value == "{Opleiden in de school}"
        assert entry.fields_dict["institution"].value == "Kenniscentrum Opleiden"
        ris = rispy.loads(client.get("/referenties.ris?document=verkenning").get_data(as_text=True))
        assert ris[0]["authors"] == ["Kenniscentrum Opleiden,"] and ris[0]["year"] == "2019"
        items = client.get("/referenties.json?document=verkenning").get_json()

        assert csl.reference(items[0]).text == "Kenniscentrum Opleiden. (2019). Opleiden in de school."


class TestHostileInput:
    @pytest.mark.parametrize("path, status", [
        ("/documenten/verkenning/pagina/2?passage=%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("/documenten/verkenning/pagina/2?passage=" + "a" * 5000, 200),
        ("/documenten/verkenning/pagina/-1", 404),
        ("/documenten/verkenning/pagina/99999999999999999999999", 404),
        ("/documenten/verkenning/passage/%3Cscript%3E", 404),
        ("/documenten/verkenning/passage/verkenning.t0123456789ab%0aX", 404),
        ("/documenten/verkenning?verdwenen=%3Cscript%3E", 200),
        ("/referenties.json?document=..%2F..%2Fetc", 400),
        ("/referenties.xml?document=verkenning", 404),
        ("/documenten/%3Cscript%3E/bestand", 404),
    ])
    def test_a_clear_answer_never_a_500(self, world, path, status):
        response = world["client"].get(path)
        assert response.status_code == status, response.get_data(as_text=True)[:300]
        assert "<script>alert" not in response.get_data(as_text=True)
