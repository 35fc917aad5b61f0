"""The done-when of issue 10, in headless Chromium against a real server: search, open a finding of "Leeferink
(2016)", copy its secondary citation and the reference entry (rich and plain text), open the original page
with the passage marked, and come back.

The server holds the shipped corpus plus one real PDF (made with fpdf2) that reports Leeferink (2016): the
corpus is text only, so the page image is shown for the PDF, and the text page for the corpus."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from kennisbank.app import KnowledgeBase
from kennisbank.ingest.sources import Source
from tests.conftest import make_settings
from tests.pdfmaker import pdf_bytes
from tests.webui.conftest import SERVER_START_SECONDS
from tests.webui.staff_helpers import Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
QUESTION = "Blijven startende leraren langer in het onderwijs?"
PDF_PAGES = [
    ["Opleiden in de school: een verkenning", "Deze verkenning beschrijft hoe scholen samen opleiden."],
    ["Bevindingen uit onderzoek", "Leeferink (2016) laat zien dat studenten in opleidingsscholen",
     "sterker leren onderzoeken dan studenten elders.", "Begeleiding van starters verlaagt de uitval."],
]


@pytest.fixture(scope="module")
def server(built_data_dir, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("citation-browser")
    data_dir = shutil.copytree(built_data_dir, workdir / "data")
    pdf = workdir / "verkenning.pdf"
    pdf.write_bytes(pdf_bytes(PDF_PAGES))
    meta = {"title": "Opleiden in de school", "organisation": "Kenniscentrum Opleiden", "year": 2019,
            "year_approximate": False, "kind": "onderzoeksrapport", "language": "nl", "sectors": ["po"], "url": ""}
    with KnowledgeBase.open(make_settings(data_dir)) as kb:
        assert kb.indexer.ingest([Source("verkenning", pdf, meta)]).summary()["added"] == 1
    server = Server(data_dir, workdir / "server.log")
    try:
        yield server.start(SERVER_START_SECONDS).base_url
    finally:
        server.stop()


def _copy_and_read(page, button) -> dict[str, str]:
    """Click a copy button and read back what the clipboard holds, as HTML and as plain text.

    The click is the element's own click() (a DOM click event to the button): with a synthetic mouse click,
    headless Chromium writes the clipboard but settles the write's promise only much later."""
    assert button.is_visible()  # the script ran (and the CSP let it)
    flashed = button.evaluate("""b => new Promise(resolve => {
        const seen = [];
        new MutationObserver(() => seen.push(b.textContent)).observe(b, {childList: true, characterData: true, subtree: true});
        b.click();
        setTimeout(() => resolve(seen), 1000);
    })""")
    assert flashed[:1] == ["Gekopieerd"], flashed
    return page.evaluate("""async () => {
        const items = await navigator.clipboard.read();
        const out = {};
        for (const type of items[0].types) { out[type] = await (await items[0].getType(type)).text(); }
        return out;
    }""")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the Debian package chromium (/usr/bin/chromium)")
def test_copy_the_secondary_citation_and_check_the_original_page(server, tmp_path):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 900})
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
            page = context.new_page()
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            # 1. The Platform's finding of Leeferink (2016), in the shipped corpus
            page.goto(server + "/")
            page.get_by_label("Uw vraag of zoekwoorden").fill(QUESTION)
            page.get_by_role("button", name="Zoeken").click()
            page.wait_for_selector(".result-title a")
            result = page.locator(".result", has_text="Leeferink (2016)").first
            secondary = result.locator(".cite-block[data-kind='secondary']", has_text="Leeferink, 2016").first
            in_text = secondary.locator(".in-text")
            expected = in_text.get_attribute("data-plain")
            assert expected.startswith("(Leeferink, 2016, zoals geciteerd in Platform Samen Opleiden & "
                                       "Professionaliseren, z.d., p. ")
            copied = _copy_and_read(page, secondary.get_by_role("button", name="Kopieer verwijzing in de tekst"))
            assert copied["text/plain"] == expected
            copied = _copy_and_read(page, secondary.get_by_role("button", name="Kopieer literatuurverwijzing"))
            assert copied["text/plain"] == ("Platform Samen Opleiden & Professionaliseren. (z.d.). Samen Opleiden in de "
                                            "Onderwijsregio: waarde en randvoorwaarden.")
            assert "<i>Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden</i>" in copied["text/html"]
            # its page: the corpus is text, so the text page with the passage marked
            result.locator("a.to-page").click()
            page.wait_for_selector("mark.passage-mark")
            assert "Leeferink (2016)" in page.locator("mark.passage-mark").inner_text()
            page.go_back()
            page.wait_for_selector(".result-title a")
            assert urlsplit(page.url).path == "/zoeken"

            # 2. A kept PDF that reports Leeferink (2016): the original page image with the passage marked
            page.goto(server + "/zoeken?q=" + quote("Leeferink opleidingsscholen onderzoeken"))
            result = page.locator(".result", has=page.locator(".result-title", has_text="Opleiden in de school")).first
            secondary = result.locator(".cite-block[data-kind='secondary']").first
            copied = _copy_and_read(page, secondary.get_by_role("button", name="Kopieer verwijzing in de tekst"))
            assert copied["text/plain"] == "(Leeferink, 2016, zoals geciteerd in Kenniscentrum Opleiden, 2019, p. 2)"
            copied = _copy_and_read(page, secondary.get_by_role("button", name="Kopieer literatuurverwijzing"))
            assert copied["text/plain"] == "Kenniscentrum Opleiden. (2019). Opleiden in de school."
            assert copied["text/html"].endswith("<i>Opleiden in de school</i>.")
            results_url = page.url
            result.locator("a.to-page").click()
            page.wait_for_selector(".page-image svg rect.marking")
            assert urlsplit(page.url).path == "/documenten/verkenning/pagina/2"
            assert page.locator("rect.marking").count() == len(PDF_PAGES[1])  # each printed line of the passage
            loaded = page.evaluate("""() => new Promise(resolve => {
                const img = new Image(); img.onload = () => resolve(img.naturalWidth); img.onerror = () => resolve(0);
                img.src = document.querySelector('.page-image image').getAttribute('href'); })""")
            assert loaded > 500
            box = page.locator(".page-image svg").bounding_box()
            marks = [page.locator("rect.marking").nth(i).bounding_box() for i in range(page.locator("rect.marking").count())]
            assert all(box["x"] <= m["x"] and m["y"] + m["height"] <= box["y"] + box["height"] for m in marks)
            page.screenshot(path=str(tmp_path / "page-view.png"), full_page=True)
            print("screenshot:", tmp_path / "page-view.png")
            page.go_back()
            page.wait_for_selector(".result-title a")
            assert page.url == results_url

            # 3. An old, version-bound passage link never lands silently on another passage
            page.goto(server + "/documenten/waarde-en-randvoorwaarden#waarde-en-randvoorwaarden.c2")
            assert page.locator("#anker-onbekend").is_visible()
            page.goto(server + "/documenten/verkenning/passage/verkenning.c1")
            assert page.locator("#verdwenen").is_visible() and urlsplit(page.url).fragment == ""
        finally:
            browser.close()
    assert problems == []
