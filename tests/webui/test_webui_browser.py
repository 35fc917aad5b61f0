"""One browser test: headless Chromium searches, follows the first result and lands on the passage."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
QUESTION = "Blijven startende leraren langer in het onderwijs?"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the Debian package chromium (/usr/bin/chromium)")
def test_search_click_first_result_lands_on_the_passage(live_server):
    from playwright.sync_api import sync_playwright

    with urllib.request.urlopen(f"{live_server}/api/search?q={quote(QUESTION)}", timeout=60) as response:
        first = json.load(response)["results"][0]

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 375, "height": 740})
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(live_server + "/")
            page.get_by_label("Uw vraag of zoekwoorden").fill(QUESTION)
            page.get_by_role("button", name="Zoeken").click()
            page.wait_for_selector(".result-title a")
            assert urlsplit(page.url).path == "/zoeken"

            result = page.locator(".result").first
            assert result.locator(".result-title").inner_text() == first["document"]["title"]
            assert result.locator(".copy-button").first.is_visible()  # the script ran (and CSP let it)
            assert result.locator("mark").count() > 0
            # No horizontal scroll at phone width.
            assert page.evaluate("document.documentElement.scrollWidth") <= 375

            result.locator(".result-title a").click()
            page.wait_for_load_state("load")
            url = urlsplit(page.url)
            assert url.path == f"/documenten/{first['document']['id']}"
            assert url.fragment == first["anchor"]

            target = page.locator(":target")
            assert target.get_attribute("id") == first["anchor"]
            assert target.text_content() == first["text"]
            # The browser scrolled the passage into view.
            box = target.bounding_box()
            assert box is not None and 0 <= box["y"] < 740
            if first["page"] is not None:
                section = page.locator(f"#p-{first['page']}")
                assert first["text"] in section.text_content()
        finally:
            browser.close()
    assert problems == []
