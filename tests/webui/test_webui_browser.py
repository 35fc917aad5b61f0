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


FOCUS_PROBE = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let node = el.parentElement, background = [255, 255, 255];
  while (node) {  // the colour behind the outline: the nearest ancestor with an opaque background
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) { background = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  return {tag: el.tagName, text: (el.textContent || el.id || "").trim().slice(0, 40), style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), outline: rgb(style.outlineColor).slice(0, 3), background};
}"""


def _luminance(rgb: list[float]) -> float:
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: list[float], b: list[float]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_helper():
    assert round(contrast([255, 255, 255], [0, 0, 0]), 1) == 21.0
    assert contrast([240, 165, 0], [255, 255, 255]) < 3  # the old outline (#f0a500) on white failed


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the Debian package chromium (/usr/bin/chromium)")
def test_keyboard_focus_outline_contrast_and_copy_buttons_on_the_answer_page(live_server):
    """WCAG 1.4.11: every element reached with Tab shows an outline of at least 3:1 against what is behind it
    (the header's links on blue as well as the form and the results on white)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(f"{live_server}/zoeken?q={quote(QUESTION)}")
            seen = []
            for _ in range(16):
                page.keyboard.press("Tab")
                probe = page.evaluate(FOCUS_PROBE)
                seen.append(probe)
                assert probe["style"] != "none" and probe["width"] >= 2, probe
                assert contrast(probe["outline"], probe["background"]) >= 3, probe
            backgrounds = {tuple(p["background"]) for p in seen}
            assert len(backgrounds) >= 2, seen  # both the header (blue) and the page were checked

            page.goto(f"{live_server}/vraag?q={quote(QUESTION)}")
            buttons = page.locator(".copy-button")
            assert buttons.count() >= 2 and buttons.first.is_visible()
        finally:
            browser.close()
