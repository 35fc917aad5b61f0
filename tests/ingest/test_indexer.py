"""The indexer on the real engine: idempotent runs, atomic replacement, failures reported, crash recovery."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from kennisbank.app import KnowledgeBase
from kennisbank.core.errors import IndexMismatch
from kennisbank.ingest.sources import Source, load_folder
from kennisbank.maintenance import rebuild
from kennisbank.search.embedders import _bm25
from kennisbank.search.schema import ChunkPoint, point_id
from tests.conftest import CORPUS, PDF_SAMPLES, make_settings

DOC = "partnerschappen-onderwijsregio"


def _corpus_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def _doc_points(kb, doc_id: str) -> set[tuple[str, str]]:
    return {v for v in kb.store.versions() if v[0] == doc_id}


class TestIdempotence:
    def test_unchanged_corpus_writes_nothing(self, fresh_settings, monkeypatch):
        catalog_before = fresh_settings.catalog_path.read_bytes()
        with KnowledgeBase.open(fresh_settings) as kb:
            writes = []
            for name in ("upsert", "delete_version", "set_payload"):  # spy on the real store, still calling it
                real = getattr(kb.store, name)
                monkeypatch.setattr(kb.store, name, lambda *a, _n=name, _r=real, **k: (writes.append(_n), _r(*a, **k)))
            points = kb.store.count()
            report = kb.indexer.ingest(load_folder(CORPUS))
            assert report.summary() == {"added": 0, "unchanged": 4, "replaced": 0, "updated": 0, "failed": 0}
            assert kb.store.count() == points
            assert writes == []
        assert fresh_settings.catalog_path.read_bytes() == catalog_before


class TestReplacement:
    def test_changed_document_is_replaced_not_doubled(self, fresh_settings, tmp_path):
        folder = _corpus_copy(tmp_path)
        path = folder / "partnerschappen-sop-in-onderwijsregio.txt"
        path.write_text(path.read_text().replace("circa 130 Partnerschappen", "circa 140 Partnerschappen"))
        with KnowledgeBase.open(fresh_settings) as kb:
            old_count = kb.catalog.get(DOC).chunk_count
            report = kb.indexer.ingest(load_folder(folder))
            assert report.summary()["replaced"] == 1 and report.summary()["unchanged"] == 3
            record = kb.catalog.get(DOC)
            assert _doc_points(kb, DOC) == {(DOC, record.version)}
            texts = [r["text"] for r in kb.search("hoeveel partnerschappen telt Nederland", k=10)["results"]]
            assert any("circa 140 Partnerschappen" in t for t in texts)
            assert not any("circa 130 Partnerschappen" in t for t in texts)
            assert kb.catalog.hidden_versions() == []
            assert record.chunk_count >= old_count - 1

    def test_searches_during_replacement_see_exactly_one_version(self, fresh_settings, tmp_path):
        folder_a, folder_b = _corpus_copy(tmp_path / "a"), _corpus_copy(tmp_path / "b")
        path = folder_b / "partnerschappen-sop-in-onderwijsregio.txt"
        path.write_text(path.read_text().replace("netwerkorganisatie", "netwerk-organisatie"))
        sources_a = [s for s in load_folder(folder_a) if s.id == DOC]
        sources_b = [s for s in load_folder(folder_b) if s.id == DOC]
        query = "partnerschappen als netwerkorganisatie in de regio"
        with KnowledgeBase.open(fresh_settings) as kb:
            stop = threading.Event()
            seen: list[set[str]] = []
            errors: list[BaseException] = []

            def searcher():
                try:
                    while not stop.is_set():
                        results = kb.search(query, k=50, organisations=["Platform Samen Opleiden & Professionaliseren"])
                        ids = {r["chunk_id"] for r in results["results"] if r["document"]["id"] == DOC}
                        texts = [r["text"] for r in results["results"] if r["document"]["id"] == DOC]
                        seen.append(ids)
                        assert len(texts) == len(ids), "a chunk appeared twice"
                        assert ids, "the document was missing"
                except BaseException as exc:  # reported in the main thread
                    errors.append(exc)

            thread = threading.Thread(target=searcher)
            thread.start()
            try:
                for sources in (sources_b, sources_a, sources_b):
                    assert kb.indexer.ingest(sources).summary()["replaced"] == 1
            finally:
                stop.set()
                thread.join(timeout=60)
            assert not errors, errors[0]
            assert len(seen) > 3
            # every observed result set belongs to one version: all its chunks exist in that version
            total = kb.catalog.get(DOC).chunk_count
            assert all(len(ids) <= total for ids in seen)

    def test_metadata_change_updates_without_reembedding(self, fresh_settings, tmp_path):
        folder = _corpus_copy(tmp_path)
        meta = folder / "publications.toml"
        meta.write_text(meta.read_text().replace(
            'title = "Partnerschappen Samen Opleiden & Professionaliseren in de onderwijsregiovorming"',
            'title = "Partnerschappen in de onderwijsregio (herzien)"',
        ))
        with KnowledgeBase.open(fresh_settings) as kb:
            version = kb.catalog.get(DOC).version
            report = kb.indexer.ingest(load_folder(folder))
            assert report.summary()["updated"] == 1 and report.summary()["unchanged"] == 3
            assert kb.catalog.get(DOC).version == version
            results = kb.search("30.000 studenten", k=3, organisations=["Platform Samen Opleiden & Professionaliseren"])
            assert results["results"][0]["document"]["title"] == "Partnerschappen in de onderwijsregio (herzien)"


class TestFailures:
    def test_bad_pdfs_are_reported_and_the_rest_goes_on(self, tmp_path):
        folder = tmp_path / "in"
        folder.mkdir()
        shutil.copy(PDF_SAMPLES / "libreoffice-writer-password.pdf", folder / "versleuteld.pdf")
        shutil.copy(PDF_SAMPLES / "imagemagick-images.pdf", folder / "scan.pdf")
        (folder / "kapot.pdf").write_bytes((PDF_SAMPLES / "minimal-document.pdf").read_bytes()[:300])
        shutil.copy(PDF_SAMPLES / "pdflatex-4-pages.pdf", folder / "goed.pdf")
        (folder / "notitie.txt").write_text("Werkplekbegeleiders leren ook van studenten.\n")
        with KnowledgeBase.open(make_settings(tmp_path / "data")) as kb:
            report = kb.indexer.ingest(load_folder(folder))
            reasons = {Path(o.source).name: o.reason for o in report.failed}
            assert reasons == {"versleuteld.pdf": "encrypted", "scan.pdf": "no_text_layer", "kapot.pdf": "corrupt"}
            assert report.summary()["added"] == 2
            assert all(o.message for o in report.failed)
            assert {d["id"] for d in kb.documents()} == {"goed", "notitie"}
            assert kb.document("goed")["document"]["page_count"] == 4

    def test_same_file_under_two_ids_is_refused(self, tmp_path):
        text = CORPUS / "ecbo-conclusies-meerwaarde-sop.txt"
        with KnowledgeBase.open(make_settings(tmp_path / "data")) as kb:
            first = kb.indexer.ingest([Source(id="een", path=text, meta=_meta())])
            second = kb.indexer.ingest([Source(id="twee", path=text, meta=_meta())])
        assert first.summary()["added"] == 1
        assert second.failed[0].reason == "duplicate" and "'een'" in second.failed[0].message


def _meta(**changes):
    return {
        "title": "T", "organisation": "O", "year": 2020, "year_approximate": False, "kind": "k",
        "language": "nl", "sectors": [], "url": "",
    } | changes


class TestRecovery:
    def test_interrupted_write_is_cleaned_up_and_never_visible(self, fresh_settings):
        with KnowledgeBase.open(fresh_settings) as kb:
            points = kb.store.count()
            dense = [0.0] * (kb.fingerprint["dim"] - 1) + [1.0]
            # A crash after staging and writing, before publishing:
            kb.catalog.stage("half", "vhalf", [(1, "halve tekst")], [(0, 1, 0, 5)])

            terms = _bm25().embed_document("halve tekst")
            kb.store.upsert([
                ChunkPoint(point_id("half", "vhalf", 0), dense, list(terms.indices), list(terms.values),
                           {"doc_id": "half", "doc_version": "vhalf", "text": "halve", "chunk_id": "half.c0",
                            "page": 1, "start": 0, "end": 5})
            ])
            for mode in ("bm25", "hybrid"):  # it would be the best BM25 match, were it visible
                assert all(r["document"]["id"] != "half" for r in kb.search("halve tekst", k=50, mode=mode)["results"])
        with KnowledgeBase.open(fresh_settings) as kb:  # reopening recovers
            assert kb.store.count() == points
            assert kb.catalog.versions_in_state("pending") == []

    def test_remove(self, fresh_settings):
        with KnowledgeBase.open(fresh_settings) as kb:
            assert kb.indexer.remove(DOC)
            assert _doc_points(kb, DOC) == set()
            assert all(r["document"]["id"] != DOC for r in kb.search("partnerschappen", k=50)["results"])
            assert not kb.indexer.remove(DOC)


@pytest.mark.parametrize("model", ["use-multilingual-v3", "minilm-l6-v2"])
def test_other_model_refuses_the_index_then_rebuilds(fresh_settings, model):
    """The corpus index is built with the default model (multilingual-e5-small); another model refuses it."""
    other = fresh_settings.replace(embedding_model=model)
    with pytest.raises(IndexMismatch, match="re-index|Re-index"):
        KnowledgeBase.open(other)
    report = rebuild(other, [])
    assert report.summary()["added"] == 4
    with KnowledgeBase.open(other) as kb:
        assert kb.fingerprint["embedding_model"] == model
        assert kb.fingerprint["dim"] == {"use-multilingual-v3": 512, "minilm-l6-v2": 384}[model]
        assert kb.search("korte lijnen tussen besturen", k=3)["results"]


class TestGeneratedDutchPdf:
    def test_pdf_to_cited_search_result(self, report_pdf, tmp_path):
        """A generated Dutch PDF, through the real pipeline and engine, to a search result with the right page."""
        with KnowledgeBase.open(make_settings(tmp_path / "data")) as kb:
            source = Source(id="rapport", path=report_pdf, meta=_meta(title="Testrapport", organisation="Testbureau"))
            assert kb.indexer.ingest([source]).summary()["added"] == 1
            doc = kb.document("rapport")
            assert doc["document"]["page_count"] == 4 and doc["document"]["format"] == "pdf"
            text = {p["page"]: p["text"] for p in doc["pages"]}
            assert "onderzoek" in text[1] and "opleidingsverantwoordelijkheid" in text[1]
            assert "financiering" in text[1] and "zij-instromers" in text[1] and "Noord-Holland" in text[1]
            assert "testrapport 2024" not in " ".join(text.values())  # running header dropped
            hit = kb.search("Is samen opleiden effectief volgens Darling-Hammond?", k=1)["results"][0]
            assert hit["page"] == 4 and "effectief" in hit["text"]
            assert hit["citation"] == "Testbureau. (2020). Testrapport."
            assert hit["citation_in_text"] == "(Testbureau, 2020, p. 4)"
            hit = kb.search("opleidingsverantwoordelijkheid delen", k=1, mode="bm25")["results"][0]
            assert hit["page"] == 1


def test_optimize_runs_only_after_a_change(fresh_settings, tmp_path, monkeypatch):
    with KnowledgeBase.open(fresh_settings) as kb:
        calls = []
        real = kb.store.optimize
        monkeypatch.setattr(kb.store, "optimize", lambda: (calls.append(1), real()))
        kb.indexer.ingest(load_folder(CORPUS), optimize=True)
        assert calls == []  # nothing changed
        folder = _corpus_copy(tmp_path)
        path = folder / "ecbo-conclusies-meerwaarde-sop.txt"
        path.write_text(path.read_text() + "\nExtra zin.\n")
        assert kb.indexer.ingest(load_folder(folder), optimize=True).summary()["replaced"] == 1
        assert calls == [1]
        assert kb.search("tevredenheid", k=1)["results"]  # the optimized store answers
