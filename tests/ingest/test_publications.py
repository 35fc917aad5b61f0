"""The one change path (ingest/publications.py) on a real index: add, replace, update, delete."""

import io

import pytest

from kennisbank.app import KnowledgeBase
from kennisbank.core.model import publication_meta
from kennisbank.ingest import library
from kennisbank.ingest.publications import Conflict
from tests.pdfmaker import pdf_bytes

TEXT = "Werkplekbegeleiders in de opleidingsschool spreken elke week met de student over de lespraktijk.\n" * 3


@pytest.fixture()
def kb(fresh_settings):
    with KnowledgeBase.open(fresh_settings) as knowledge_base:
        yield knowledge_base


def _add(kb, content: bytes, title: str, name: str = "rapport.txt", kind: str = "add", doc_id: str | None = None):
    publications = kb.publications
    meta = publication_meta({"title": title, "organisation": "Testorganisatie", "year": 2024}, "test")
    received = publications.receive(io.BytesIO(content), name)
    publications.check_new(received, doc_id if kind == "replace" else None)
    doc_id = doc_id or publications.new_id(title)
    file = publications.place(received, doc_id)
    return publications.apply(kind, doc_id, file=file, meta=meta, original_name=name, discard_failed=True)


def test_a_second_publication_with_the_same_title_gets_a_new_id(kb):
    first = _add(kb, TEXT.encode(), "Begeleiding op de werkplek")
    second = _add(kb, (TEXT + "Een tweede rapport.\n").encode(), "Begeleiding op de werkplek")
    assert (first["status"], first["doc_id"]) == ("added", "begeleiding-op-de-werkplek")
    assert (second["status"], second["doc_id"]) == ("added", "begeleiding-op-de-werkplek-2")
    assert kb.catalog.get("begeleiding-op-de-werkplek") is not None  # the first one was not replaced
    assert library.sidecar(kb.settings, "begeleiding-op-de-werkplek")["file"] != \
        library.sidecar(kb.settings, "begeleiding-op-de-werkplek-2")["file"]


def test_the_same_content_is_refused_and_the_received_file_removed(kb):
    _add(kb, TEXT.encode(), "Eerste")
    incoming_before = sorted(kb.settings.files_dir.iterdir())
    with pytest.raises(Conflict, match="staat al in de kennisbank als “eerste”"):
        _add(kb, TEXT.encode(), "Tweede")
    assert sorted(kb.settings.files_dir.iterdir()) == incoming_before


def test_replace_keeps_the_id_and_the_new_text_is_found(kb):
    _add(kb, TEXT.encode(), "Vervangbaar")
    old_file = library.sidecar(kb.settings, "vervangbaar")["file"]
    result = _add(kb, b"De nieuwe versie gaat over kwaliteitszorg in het mbo.\n", "Vervangbaar", kind="replace",
                  doc_id="vervangbaar")
    assert result["status"] == "replaced"
    assert not (kb.settings.files_dir / old_file).exists()  # the old version's original is gone with it
    hits = kb.search("kwaliteitszorg in het mbo", k=3, mode="bm25")["results"]
    assert hits and hits[0]["document"]["id"] == "vervangbaar"


def test_a_failed_add_leaves_nothing_behind(kb):
    result = _add(kb, b"%PDF-1.4\n% niet echt een pdf\n", "Kapot", name="kapot.pdf")
    assert result["status"] == "failed" and result["reason"] == "corrupt"
    assert kb.catalog.get("kapot") is None and library.sidecar(kb.settings, "kapot") is None
    assert not list(kb.settings.files_dir.glob("kapot-*"))


def test_delete_removes_it_from_search_and_keeps_the_original_aside(kb):
    _add(kb, TEXT.encode(), "Weg ermee")
    assert kb.publications.apply("delete", "weg-ermee")["status"] == "deleted"
    assert kb.catalog.get("weg-ermee") is None
    assert list((kb.settings.files_dir / "deleted").glob("*weg-ermee*"))


def test_progress_is_reported_page_by_page_while_the_passages_are_embedded(kb):
    sentence = ("De werkplekbegeleider van pagina {page} bespreekt in blok {block} met de student hoe de les over "
                "breuken verliep en wat de volgende stap in de begeleiding wordt.")
    pages = [[sentence.format(page=p, block=b) for b in range(1, 9)] for p in range(1, 25)]
    reported: list[dict[str, int]] = []
    publications = kb.publications
    received = publications.receive(io.BytesIO(pdf_bytes(pages)), "voortgang.pdf")
    file = publications.place(received, "voortgang")
    meta = publication_meta({"title": "Voortgang", "organisation": "Testorganisatie", "year": 2024}, "test")
    result = publications.apply("add", "voortgang", file=file, meta=meta, on_progress=reported.append)
    assert result["status"] == "added" and result["chunks"] > 32  # more than one step of passages
    assert len(reported) >= 2
    assert [r["passages_done"] for r in reported] == sorted({r["passages_done"] for r in reported})  # growing
    assert [r["pages_done"] for r in reported] == sorted(r["pages_done"] for r in reported)
    assert reported[-1] == {"pages": 24, "pages_done": 24, "passages": result["chunks"],
                            "passages_done": result["chunks"]}
    assert 1 <= reported[0]["pages_done"] < 24
