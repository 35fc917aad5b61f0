"""The staff console on a real ``kennisbank serve`` subprocess, over HTTP: the whole flow, a kill mid-job,
an oversized upload refused before its body is sent, and security headers on every page."""

from __future__ import annotations

import http.client
import json
import shutil
import sqlite3
import time
from urllib.parse import quote, urlparse

import pytest

from tests.conftest import PDF_SAMPLES, make_settings
from tests.webui.staff_helpers import (
    Browser,
    Server,
    add_user,
    csrf_from,
    new_token,
    pdf_bytes,
)

PAGES = [
    ["Leernetwerken in de Achterhoek", "Achterhoekse leernetwerken brengen pabo's en basisscholen samen."],
    ["Resultaat", "In de Achterhoekse leernetwerken blijven startende leraren vaker behouden voor het vak."],
]


@pytest.fixture()
def server(built_data_dir, tmp_path):
    data_dir = shutil.copytree(built_data_dir, tmp_path / "data")
    add_user(make_settings(data_dir), "els")
    srv = Server(data_dir, tmp_path / "server.log")
    yield srv
    srv.stop()


def _signed_in(base_url: str) -> Browser:
    browser = Browser(base_url)
    status, _, html = browser.get("/inloggen")
    status, headers, _ = browser.post_form("/inloggen", {"name": "els", "password": "correct horse battery",
                                                         "csrf_token": csrf_from(html)})
    assert status == 302 and headers["Location"] == "/beheer"
    return browser


def _job_id(location: str) -> str:
    return urlparse(location).path.rsplit("/", 1)[-1]


def test_done_when_flow_over_http(server):
    server.start()
    browser = _signed_in(server.base_url)
    status, _, html = browser.get("/beheer")
    assert status == 200 and "Publicatie toevoegen" in html
    token = csrf_from(html)

    # upload through the page's form
    status, headers, _ = browser.post_form(
        "/beheer/documenten",
        {"csrf_token": token, "title": "Leernetwerken Achterhoek", "organisation": "Platform", "year": "2024",
         "kind": "onderzoeksrapport", "sectors": "po", "url": "https://example.org/achterhoek"},
        {"file": ("achterhoek.pdf", pdf_bytes(PAGES))})
    assert status == 302 and headers["Location"].startswith("/beheer/taken/")
    job_id = _job_id(headers["Location"])
    status, _, page = browser.get(headers["Location"])
    assert status == 200 and "Leernetwerken Achterhoek" in page
    job = browser.wait_for_job(job_id)
    assert job["state"] == "done" and job["report"]["pages"] == 2, job
    doc_id = job["doc_id"]

    # found in search with its page number
    results = browser.get_json("/api/search?q=" + quote("Achterhoekse leernetwerken startende leraren behouden"))
    hit = next(r for r in results["results"] if r["document"]["id"] == doc_id)
    assert hit["page"] == 2 and hit["citation_in_text"].endswith("p. 2)")

    # replace it with a new version through the edit page
    status, _, html = browser.get(f"/beheer/documenten/{doc_id}")
    assert status == 200
    new_pages = [PAGES[0], ["Nieuw resultaat", "Achterhoekse leernetwerken verkorten de inwerkperiode."]]
    status, headers, _ = browser.post_form(f"/beheer/documenten/{doc_id}/bestand", {"csrf_token": csrf_from(html)},
                                           {"file": ("achterhoek-v2.pdf", pdf_bytes(new_pages))})
    assert status == 302
    job = browser.wait_for_job(_job_id(headers["Location"]))
    assert job["state"] == "done" and job["report"]["status"] == "replaced"
    results = browser.get_json("/api/search?q=" + quote("Achterhoekse leernetwerken inwerkperiode"))
    texts = [r["text"] for r in results["results"] if r["document"]["id"] == doc_id]
    assert any("inwerkperiode" in t for t in texts) and not any("behouden voor het vak" in t for t in texts)

    # delete it after the confirmation page
    status, _, html = browser.get(f"/beheer/documenten/{doc_id}/verwijderen")
    assert status == 200 and "Ja, verwijderen" in html
    status, headers, _ = browser.post_form(f"/beheer/documenten/{doc_id}/verwijderen",
                                           {"csrf_token": csrf_from(html), "confirm": doc_id})
    assert status == 302
    job = browser.wait_for_job(_job_id(headers["Location"]))
    assert job["state"] == "done" and job["report"]["status"] == "deleted"
    assert Browser(server.base_url).get(f"/api/documents/{doc_id}")[0] == 404

    # each step in the audit log, as JSON and on the page
    entries = [e for e in browser.get_json("/api/audit")["entries"] if e["doc_id"] == doc_id]
    actions = [e["action"] for e in reversed(entries)]
    assert actions == ["upload", "add-done", "replace", "replace-done", "delete", "delete-done"]
    assert {e["user"] for e in entries} == {"els"}
    status, _, page = browser.get("/beheer/logboek")
    assert status == 200 and page.count(doc_id) >= 6

    # anonymous: searching works, the console does not
    anonymous = Browser(server.base_url)
    assert anonymous.get("/api/search?q=leraren")[0] == 200
    assert anonymous.get("/api/audit")[0] == 401
    assert anonymous.get("/beheer")[0] == 302


def test_security_headers_on_every_page(server):
    server.start()
    browser = _signed_in(server.base_url)
    for path in ("/", "/zoeken?q=leraren", "/documenten", "/documenten/zet-kwaliteit-op-de-eerste-plaats",
                 "/api/search?q=leraren", "/inloggen", "/beheer", "/beheer/taken", "/beheer/logboek", "/api/jobs",
                 "/bestaat-niet", "/beheer/documenten/zet-kwaliteit-op-de-eerste-plaats"):
        status, headers, _ = browser.get(path)
        assert "default-src 'self'" in headers["Content-Security-Policy"], path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY", path
        if path.startswith("/beheer") or path == "/api/jobs":
            assert headers["Cache-Control"] == "no-store", path


def test_oversized_upload_is_refused_before_the_body_is_sent(server):
    server.start()
    token = new_token(make_settings(server.data_dir), "script")
    host = urlparse(server.base_url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    connection.putrequest("POST", "/api/documents")
    connection.putheader("Authorization", f"Bearer {token}")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(10 * 1024 * 1024 * 1024))  # 10 GiB announced, nothing sent
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    # waitress refuses a body above the upload limit itself, before reading it (its own short text answer)
    body = response.read().decode("utf-8", "replace")
    assert "Too Large" in body or json.loads(body)["error"]["status"] == 413
    connection.close()


def test_killed_mid_job_resumes_and_nothing_half_indexed_is_searchable(server):
    """kill -9 the server while it indexes a 117-page PDF; restart; the job finishes; meanwhile nothing shows."""
    server.start()
    settings = make_settings(server.data_dir)
    token = new_token(settings, "script")
    browser = Browser(server.base_url, headers={"Authorization": f"Bearer {token}"})
    status, _, body = browser.post_form("/api/documents", {"title": "Geometrie und Topologie", "kind": "boek"},
                                        {"file": ("geotopo.pdf", (PDF_SAMPLES / "GeoTopo-komprimiert.pdf").read_bytes())})
    assert status == 202, body
    job_id = json.loads(body)["job"]["id"]
    deadline = time.monotonic() + 120
    while browser.get_json(f"/api/jobs/{job_id}")["job"]["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.0)  # inside the job (parsing or embedding)
    server.kill()

    console = sqlite3.connect(server.data_dir / "console.sqlite")
    state = console.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]
    console.close()
    assert state == "running"  # the acknowledged upload is still there, interrupted
    catalog = sqlite3.connect(server.data_dir / "catalog.sqlite")
    assert catalog.execute("SELECT COUNT(*) FROM documents WHERE id = 'geometrie-und-topologie'").fetchone()[0] == 0
    catalog.close()

    server.start()
    browser = Browser(server.base_url, headers={"Authorization": f"Bearer {token}"})
    # while it resumes, searching works and the half-done document never shows
    job = browser.get_json(f"/api/jobs/{job_id}")["job"]
    while job["state"] not in ("done", "failed"):
        results = browser.get_json("/api/search?q=" + quote("Geometrie und Topologie") + "&k=10")["results"]
        found = [r for r in results if r["document"]["id"] == "geometrie-und-topologie"]
        if found:  # only once it is published: then the whole document is there
            assert browser.get_json("/api/documents/geometrie-und-topologie")["document"]["page_count"] == 117
        time.sleep(0.3)
        job = browser.get_json(f"/api/jobs/{job_id}")["job"]
    assert job["state"] == "done" and job["attempts"] == 2, job
    assert job["report"]["pages"] == 117
    results = browser.get_json("/api/search?q=" + quote("Geometrie und Topologie"))["results"]
    assert any(r["document"]["id"] == "geometrie-und-topologie" for r in results)
