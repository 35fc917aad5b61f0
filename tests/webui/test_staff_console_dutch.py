"""The staff console as platform staff use it (issue 12): Dutch throughout, errors on the form with the input
kept, states and audit entries in words, local time, a language field, refused uploads in the audit log, and
every staff page usable at 390 px (headless Chromium). All on a real `kennisbank serve`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import PDF_SAMPLES, make_settings
from tests.webui.staff_helpers import PASSWORD, Browser, Server, add_user, csrf_from, pdf_bytes

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DOC = "zet-kwaliteit-op-de-eerste-plaats"
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@pytest.fixture(scope="module")
def server(built_data_dir, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("console")
    data_dir = shutil.copytree(built_data_dir, workdir / "data")
    add_user(make_settings(data_dir), "els")
    srv = Server(data_dir, workdir / "server.log").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def els(server) -> Browser:
    browser = Browser(server.base_url)
    _, _, html = browser.get("/inloggen")
    status, _, _ = browser.post_form("/inloggen", {"name": "els", "password": PASSWORD, "csrf_token": csrf_from(html)})
    assert status == 302
    return browser


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'\s(?:datetime|data-reason|value|href|class|id|name|for|action)="[^"]*"', " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def _upload_form(els: Browser, fields: dict, filename: str, content: bytes):
    _, _, html = els.get("/beheer")
    return els.post_form("/beheer/documenten", {"csrf_token": csrf_from(html), **fields}, {"file": (filename, content)})


def test_a_refused_upload_shows_the_form_again_with_what_was_typed(els):
    """Before: the search error page, the form and everything typed lost, and nothing in the audit log."""
    fields = {"title": "Mijn plaatje", "organisation": "Hogeschool Noord", "year": "2023", "kind": "rapport",
              "sectors": "po, vo", "url": "https://example.org/x", "language": "en"}
    status, _, html = _upload_form(els, fields, "plaatje.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    assert status == 415
    assert 'id="form-error"' in html and "geen PDF" in html and "kies het bestand opnieuw" in html
    assert 'value="Mijn plaatje"' in html and 'value="Hogeschool Noord"' in html and 'value="2023"' in html
    assert 'value="po, vo"' in html and '<option value="en" selected>' in html
    assert "Publicatie toevoegen" in html  # the staff page, not the search error page
    entries = els.get_json("/api/audit")["entries"]
    refused = next(e for e in entries if e["action"] == "upload-refused")
    assert refused["detail"]["file"] == "plaatje.pdf" and refused["detail"]["title"] == "Mijn plaatje"
    status, _, page = els.get("/beheer/logboek")
    assert "upload geweigerd" in page


def test_language_field_and_states_reasons_and_times_in_words(els):
    """Before: no language field (an English PDF was stored as Dutch); states, reasons and audit entries as
    English codes; times in UTC ISO format."""
    status, headers, _ = _upload_form(els, {"title": "Teacher induction in English", "organisation": "OECD",
                                            "year": "2024", "kind": "rapport", "language": "en"}, "induction.pdf",
                                      pdf_bytes([["Teacher induction programmes support beginning teachers."] * 3]))
    assert status == 302
    job = els.wait_for_job(headers["Location"].rsplit("/", 1)[-1])
    assert job["state"] == "done"
    assert els.get_json(f"/api/documents/{job['doc_id']}")["document"]["language"] == "en"

    status, headers, _ = _upload_form(els, {"title": "Beveiligd rapport", "kind": "rapport"}, "dicht.pdf",
                                      (PDF_SAMPLES / "libreoffice-writer-password.pdf").read_bytes())
    failed = els.wait_for_job(headers["Location"].rsplit("/", 1)[-1])
    assert failed["state"] == "failed"
    _, _, page = els.get(f"/beheer/taken/{failed['id']}")
    state = re.search(r'id="job-state">([^<]*)<', page).group(1)
    assert state.strip() == "mislukt"
    assert "met een wachtwoord beveiligd" in page
    for path in ("/beheer", "/beheer/taken", "/beheer/logboek", f"/beheer/taken/{failed['id']}"):
        _, _, html = els.get(path)
        text = _visible_text(html)
        for code in ("queued", "running", "done", "failed", "encrypted", "add-done", "add-failed", "upload-refused", "login-failed"):
            assert not re.search(rf"(?<![\w-]){re.escape(code.strip())}(?![\w-])", text), (path, code)
        assert not ISO_TIME.search(text), (path, ISO_TIME.search(text).group())
    _, _, audit = els.get("/beheer/logboek")
    assert "toegevoegd" in audit and "toevoegen mislukt" in audit and "ingelogd" in audit
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00">', audit)  # Europe/Amsterdam


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the Debian package chromium (/usr/bin/chromium)")
def test_every_staff_page_fits_a_phone(server, els):
    """Before: /kader, /beheer and /beheer/logboek were 725, 506 and 607 px wide at 390 px."""
    from playwright.sync_api import sync_playwright

    job_id = els.get_json("/api/jobs")["jobs"][0]["id"]
    paths = ["/kader", "/beheer", "/beheer/logboek", "/beheer/taken", f"/beheer/taken/{job_id}",
             f"/beheer/documenten/{DOC}", f"/beheer/documenten/{DOC}/verwijderen", "/inloggen", "/"]
    widths = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(server.base_url + "/inloggen")
            page.get_by_label("Gebruikersnaam").fill("els")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_load_state("load")
            for path in paths:
                page.goto(server.base_url + path)
                widths[path] = page.evaluate("document.documentElement.scrollWidth")
        finally:
            browser.close()
    too_wide = {path: width for path, width in widths.items() if width > 390}
    assert not too_wide, too_wide
