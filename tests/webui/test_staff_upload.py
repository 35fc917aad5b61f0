"""Uploads and ingestion jobs over HTTP (Flask test client) on a real index and a real background worker.

Each bad input goes through the whole path: the request, the content check, the queued job, the sandboxed
parser, the indexer; what the staff member sees is asserted (status code, job reason, search results).
"""

from __future__ import annotations

import io
import threading
import time

import pytest

from kennisbank.app import KnowledgeBase
from kennisbank.webui.app import create_app
from tests.conftest import PDF_SAMPLES, make_settings
from tests.ingest.docx_maker import docx_bytes
from tests.webui.staff_helpers import new_token, pdf_bytes, upload, wait_for_job

NEW_PAGES = [
    ["Kwartiermakers in de onderwijsregio Zeeland", "De zeeuwse kwartiermakers verbinden scholen en pabo's."],
    ["Tweede bevinding", "Het kwartiermakersoverleg halveert de wachttijd voor zij-instromers in Zeeland."],
]


@pytest.fixture(scope="module")
def staff(built_data_dir, tmp_path_factory):
    """(client factory, auth headers, settings): an app on its own copy of the real index, worker running."""
    import shutil


    data_dir = shutil.copytree(built_data_dir, tmp_path_factory.mktemp("staff") / "data")
    settings = make_settings(data_dir, max_upload_mb=5, parse_timeout_s=60)
    kb = KnowledgeBase.open(settings)
    app = create_app(settings, kb=kb, test_config={"TESTING": True})
    headers = {"Authorization": f"Bearer {new_token(settings, 'redacteur')}"}
    yield app, headers, settings
    app.extensions["kennisbank.jobs.worker"].stop()
    app.extensions["kennisbank.jobs.worker"].join(timeout=120)
    kb.close()


def _search(client, q):
    return client.get("/api/search", query_string={"q": q, "k": 5}).get_json()["results"]


def _run(client, headers, data, filename, **meta):
    response = upload(client, data, filename, headers=headers, **meta)
    assert response.status_code == 202, response.get_json()
    return wait_for_job(client, response.get_json()["job"]["id"], headers=headers)


class TestLifecycle:
    def test_upload_search_edit_replace_delete(self, staff):
        app, headers, settings = staff
        client = app.test_client()
        original = pdf_bytes(NEW_PAGES)
        response = upload(client, original, "kwartiermakers.pdf", headers=headers,
                          title="Kwartiermakers in Zeeland")
        assert response.status_code == 202
        job = response.get_json()["job"]
        assert job["state"] in ("queued", "running") and job["kind"] == "add"
        job = wait_for_job(client, job["id"], headers=headers)
        assert job["state"] == "done", job
        assert job["report"]["status"] == "added" and job["report"]["pages"] == 2 and job["report"]["chunks"] >= 1
        # the worker recorded how far the embedding got, page by page (the last step: every page, every passage)
        assert job["progress"] == {"pages": 2, "pages_done": 2, "passages": job["report"]["chunks"],
                                   "passages_done": job["report"]["chunks"]}
        doc_id = job["doc_id"]
        assert doc_id == "kwartiermakers-in-zeeland"
        kept = sorted(p.name for p in settings.files_dir.iterdir() if p.name.startswith(doc_id))
        assert kept == [f"{doc_id}-{job['content_hash'][:12]}.pdf", f"{doc_id}.json"]

        hit = next(r for r in _search(client, "kwartiermakersoverleg wachttijd zij-instromers")
                   if r["document"]["id"] == doc_id)
        assert hit["page"] == 2 and hit["document"]["sectors"] == ["po", "vo"]
        assert hit["citation_in_text"].endswith("p. 2)")

        # the same content again is not indexed twice
        again = upload(client, original, "kopie.pdf", headers=headers, title="Kopie")
        assert again.status_code == 409 and doc_id in again.get_json()["error"]["message"]

        # metadata only: no file, same version, new title in search results
        response = client.patch(f"/api/documents/{doc_id}", headers=headers,
                                data={"title": "Kwartiermakers in Zeeland (herzien)", "year": "2025"})
        assert response.status_code == 202
        job = wait_for_job(client, response.get_json()["job"]["id"], headers=headers)
        assert job["state"] == "done" and job["report"]["status"] == "updated"
        hit = next(r for r in _search(client, "kwartiermakersoverleg wachttijd") if r["document"]["id"] == doc_id)
        assert hit["document"]["title"] == "Kwartiermakers in Zeeland (herzien)" and hit["document"]["year"] == 2025

        # a new version of the file: the old text is gone, the new one found, the metadata kept
        new_pages = [NEW_PAGES[0], ["Derde bevinding", "Het kwartiermakersoverleg verdubbelt de stageplaatsen."]]
        response = client.put(f"/api/documents/{doc_id}/file", headers=headers, content_type="multipart/form-data",
                              data={"file": (io.BytesIO(pdf_bytes(new_pages)), "versie2.pdf")})
        assert response.status_code == 202
        job = wait_for_job(client, response.get_json()["job"]["id"], headers=headers)
        assert job["state"] == "done" and job["report"]["status"] == "replaced"
        texts = [r["text"] for r in _search(client, "kwartiermakersoverleg") if r["document"]["id"] == doc_id]
        assert any("verdubbelt de stageplaatsen" in t for t in texts)
        assert not any("halveert de wachttijd" in t for t in texts)
        document = client.get(f"/api/documents/{doc_id}").get_json()["document"]
        assert document["title"] == "Kwartiermakers in Zeeland (herzien)"

        # delete: refused without confirmation, done with it
        assert client.delete(f"/api/documents/{doc_id}", headers=headers).status_code == 400
        response = client.delete(f"/api/documents/{doc_id}?confirm={doc_id}", headers=headers)
        job = wait_for_job(client, response.get_json()["job"]["id"], headers=headers)
        assert job["state"] == "done" and job["report"]["status"] == "deleted"
        assert client.get(f"/api/documents/{doc_id}").status_code == 404
        assert not [r for r in _search(client, "kwartiermakersoverleg") if r["document"]["id"] == doc_id]
        assert not (settings.files_dir / f"{doc_id}.json").exists()
        assert list((settings.files_dir / "deleted").glob(f"*-{doc_id}.json"))

        # every step in the audit log, by the token's user
        actions = [(e["action"], e["user"]) for e in client.get("/api/audit", headers=headers).get_json()["entries"]
                   if e["doc_id"] == doc_id]
        for action in ("upload", "add-done", "update", "update-done", "replace", "replace-done", "delete",
                       "delete-done"):
            assert (action, "redacteur") in actions


class TestBadFiles:
    @pytest.mark.parametrize("data,name", [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "rapport.pdf"),  # an image named .pdf
        (b"PK\x03\x04" + b"\x00" * 64, "rapport.docx"),  # a broken/other ZIP named .docx
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "oud.doc"),  # legacy Word
        ("Coördinatie".encode("latin-1"), "latin1.txt"),  # not UTF-8
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "pagina.txt"),
    ])
    def test_not_what_the_name_says_is_415(self, staff, data, name):
        app, headers, settings = staff
        response = upload(app.test_client(), data, name, headers=headers, title=f"Fout {name}")
        assert response.status_code == 415, response.get_json()
        assert "geen PDF" in response.get_json()["error"]["message"]
        assert not list(settings.files_dir.glob(".incoming-*"))

    def test_pdf_named_txt_is_read_as_pdf(self, staff):
        app, headers, _ = staff
        job = _run(app.test_client(), headers, pdf_bytes([["Een PDF met een verkeerde naam over mentoraat."] * 3]),
                   "notities.txt", title="PDF met txt-naam")
        assert job["state"] == "done" and job["file"].endswith(".pdf")

    def test_empty_file_is_400(self, staff):
        app, headers, _ = staff
        assert upload(app.test_client(), b"", "leeg.pdf", headers=headers, title="Leeg").status_code == 400

    @pytest.mark.parametrize("sample,reason", [
        ("libreoffice-writer-password.pdf", "encrypted"),
        ("imagemagick-images.pdf", "no_text_layer"),
        ("unreadablemetadata.pdf", "corrupt"),
    ])
    def test_bad_pdfs_fail_their_job_with_the_reason(self, staff, sample, reason):
        app, headers, _ = staff
        client = app.test_client()
        job = _run(client, headers, (PDF_SAMPLES / sample).read_bytes(), sample, title=f"Voorbeeld {sample}")
        assert job["state"] == "failed" and job["report"]["reason"] == reason and job["retryable"]
        assert client.get(f"/api/documents/{job['doc_id']}").status_code == 404
        page = client.get(f"/beheer/taken/{job['id']}", headers=headers).get_data(as_text=True)
        assert reason in page and "Opnieuw proberen" in page

    def test_truncated_pdf_is_corrupt(self, staff):
        app, headers, _ = staff
        data = pdf_bytes([["Afgebroken document over begeleiding."]])
        job = _run(app.test_client(), headers, data[: len(data) // 3], "afgebroken.pdf", title="Afgebroken")
        assert job["state"] == "failed" and job["report"]["reason"] == "corrupt"

    def test_empty_user_password_opens(self, staff):
        app, headers, _ = staff
        data = pdf_bytes([["Versleuteld maar zonder wachtwoord: inductieprogramma voor starters."]], user_password="")
        assert b"/Encrypt" in data
        job = _run(app.test_client(), headers, data, "open.pdf", title="Versleuteld zonder wachtwoord")
        assert job["state"] == "done" and job["report"]["pages"] == 1

    def test_real_password_is_encrypted(self, staff):
        app, headers, _ = staff
        data = pdf_bytes([["Geheim rapport over inductie."]], user_password="geheim")
        job = _run(app.test_client(), headers, data, "dicht.pdf", title="Versleuteld met wachtwoord")
        assert job["state"] == "failed" and job["report"]["reason"] == "encrypted"

    def test_docx_upload(self, staff):
        app, headers, _ = staff
        client = app.test_client()
        job = _run(client, headers, docx_bytes([["Wordverslag over opleidingsscholen in Drenthe."],
                                                ["Drentse opleidingsscholen werken met leerteams."]]),
                   "verslag.docx", title="Wordverslag Drenthe")
        assert job["state"] == "done" and job["report"]["pages"] == 2 and job["file"].endswith(".docx")
        hit = next(r for r in _search(client, "Drentse leerteams") if r["document"]["id"] == job["doc_id"])
        assert hit["page"] == 2

    def test_hostile_file_name_is_data_not_a_path(self, staff):
        app, headers, settings = staff
        name = '../../../etc/passwd<script>alert(1)</script>.md'
        job = _run(app.test_client(), headers, "# Kop\n\nMarkdown over *werkplekleren* en coaching.\n".encode(),
                   name, title="Vijandige bestandsnaam")
        assert job["state"] == "done"
        assert "/" not in job["file"] and job["file"].endswith(".md")
        assert (settings.files_dir / job["file"]).is_file()
        page = app.test_client().get(f"/beheer/taken/{job['id']}", headers=headers).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "&lt;script&gt;" in page

    def test_oversized_upload_is_413_before_the_body_is_read(self, staff):
        app, headers, _ = staff

        class Body(io.BytesIO):
            reads = 0

            def read(self, *args):
                Body.reads += 1
                return super().read(*args)

        size = 6 * 1024 * 1024  # settings allow 5 MiB
        response = app.test_client().post(
            "/api/documents", headers={**headers, "Content-Type": "multipart/form-data; boundary=x"},
            input_stream=Body(b"x" * 10), environ_overrides={"CONTENT_LENGTH": str(size)})
        assert response.status_code == 413 and Body.reads == 0
        # the public site keeps its 1 MiB limit
        response = app.test_client().post("/api/jobs/x/retry", headers=headers, input_stream=Body(b""),
                                          environ_overrides={"CONTENT_LENGTH": str(2 << 20)})
        assert response.status_code == 413 and Body.reads == 0

    def test_oversized_chunked_upload_is_cut_off(self, staff):
        app, headers, settings = staff
        response = upload(app.test_client(), b"a" * (6 * 1024 * 1024), "groot.txt", headers=headers, title="Groot")
        assert response.status_code == 413
        assert not list(settings.files_dir.glob(".incoming-*"))

    def test_xss_in_metadata_and_text_is_escaped(self, staff):
        app, headers, _ = staff
        client = app.test_client()
        evil = '<script>alert("titel")</script><img src=x onerror=alert(1)>'
        text = 'Mentoren <script>alert("tekst")</script> begeleiden <b>startende</b> leraren in Friesland.\n'
        job = _run(client, headers, text.encode(), "xss.txt", title=evil, organisation=evil, kind=evil,
                   url="https://example.org/\"onmouseover=alert(1)")
        assert job["state"] == "done"
        for url in (f"/documenten/{job['doc_id']}", "/zoeken?q=mentoren+Friesland", "/documenten",
                    f"/beheer/documenten/{job['doc_id']}", "/beheer/logboek", f"/beheer/taken/{job['id']}"):
            html = client.get(url, headers=headers).get_data(as_text=True)
            assert "<script>alert" not in html and "<img src=x" not in html, url
            assert "&lt;script&gt;" in html, url
        assert upload(client, b"tekst over iets", "u.txt", headers=headers, title="URL",
                      url="javascript:alert(1)").status_code == 400


class TestJobs:
    def test_search_while_a_job_runs(self, staff):
        app, headers, _ = staff
        client = app.test_client()
        errors, seen = [], []
        stop = threading.Event()

        def searcher():
            local = app.test_client()
            while not stop.is_set():
                response = local.get("/api/search?q=zandvoortse+lerarenopleiders+schoolbesturen&k=5")
                if response.status_code != 200:
                    errors.append(response.status_code)
                    continue
                ids = {r["document"]["id"] for r in response.get_json()["results"]}
                if "zandvoort" in ids:
                    detail = local.get("/api/documents/zandvoort").get_json()
                    seen.append(detail["document"]["chunk_count"] if "document" in detail else None)

        thread = threading.Thread(target=searcher)
        thread.start()
        try:
            pages = [[f"Zandvoortse lerarenopleiders en schoolbesturen, bevinding {n}."] * 4 for n in range(12)]
            job = _run(client, headers, pdf_bytes(pages), "zandvoort.pdf", title="Zandvoort")
            time.sleep(0.5)
        finally:
            stop.set()
            thread.join()
        assert job["state"] == "done" and job["doc_id"] == "zandvoort"
        assert not errors
        # whenever a search found it, the whole document was there
        assert seen and all(count == job["report"]["chunks"] for count in seen)

    def test_job_page_and_list(self, staff):
        app, headers, _ = staff
        client = app.test_client()
        jobs = client.get("/api/jobs", headers=headers).get_json()["jobs"]
        assert jobs and {"id", "state", "stage", "report", "kind", "doc_id", "user"} <= set(jobs[0])
        assert client.get("/api/jobs/19990101000000-deadbeef", headers=headers).status_code == 404
        assert client.get("/api/jobs/../../etc", headers=headers).status_code == 404

    def test_failed_job_can_be_retried(self, staff):
        app, headers, _ = staff
        client = app.test_client()
        job = _run(client, headers, (PDF_SAMPLES / "imagemagick-images.pdf").read_bytes(), "scan.pdf",
                   title="Scan om opnieuw te proberen")
        assert job["state"] == "failed"
        response = client.post(f"/api/jobs/{job['id']}/retry", headers=headers)
        assert response.status_code == 202
        again = wait_for_job(client, job["id"], headers=headers)
        assert again["state"] == "failed" and again["report"]["reason"] == "no_text_layer"
        done = next(j for j in client.get("/api/jobs", headers=headers).get_json()["jobs"] if j["state"] == "done")
        assert client.post(f"/api/jobs/{done['id']}/retry", headers=headers).status_code == 409
