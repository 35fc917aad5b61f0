"""End to end: the real ``kennisbank serve`` on a loopback port, queried over HTTP with urllib."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

QUESTION = "Blijven startende leraren langer in het onderwijs?"
FRAMEWORK_TITLE = "Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden"


def fetch(url: str, accept: str | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def test_question_cites_leeferink_2016_in_the_top_5(live_server):
    status, headers, body = fetch(f"{live_server}/api/search?q={quote(QUESTION)}&k=5")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    results = json.loads(body)["results"]
    assert len(results) == 5
    hit = next((r for r in results if "Leeferink (2016)" in r["text"]), None)
    assert hit is not None, [r["text"][:60] for r in results]
    assert hit["document"]["title"] == FRAMEWORK_TITLE
    assert isinstance(hit["page"], int)
    assert hit["citation_in_text"].endswith(f"p. {hit['page']})")

    # The HTML page shows the same hit: title, page, a link to the passage.
    status, headers, html = fetch(f"{live_server}/zoeken?q={quote(QUESTION)}&k=5")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f'<a href="{hit["link"]}">{FRAMEWORK_TITLE}</a>' in html
    assert f'<span class="page-number">p. {hit["page"]}</span>' in html
    assert "Content-Security-Policy" in headers and headers["X-Content-Type-Options"] == "nosniff"

    # Following the link gives the document page with that passage under that anchor.
    path, anchor = hit["link"].split("#")
    status, _, page = fetch(live_server + path)
    assert status == 200
    assert f'<span class="passage-span" id="{anchor}">' in page
    assert f'<section class="page" id="p-{hit["page"]}"' in page


@pytest.mark.parametrize("url", ["/api/search?q=", "/api/search?q=%20", "/zoeken.json?q="])
def test_empty_query_is_400_json(live_server, url):
    status, headers, body = fetch(live_server + url)
    assert status == 400
    assert json.loads(body) == {"error": {"status": 400, "message": "Vul een zoekvraag in."}}


def test_empty_query_html_page_is_400_in_dutch(live_server):
    status, headers, html = fetch(live_server + "/zoeken?q=")
    assert status == 400 and headers["Content-Type"].startswith("text/html")
    assert "Vul een zoekvraag in." in html


def test_unknown_document_is_404(live_server):
    status, _, html = fetch(live_server + "/documenten/bestaat-niet")
    assert status == 404
    assert "Er is geen document met de code “bestaat-niet”." in html
    status, _, body = fetch(live_server + "/api/documents/bestaat-niet")
    assert status == 404 and json.loads(body)["error"]["status"] == 404
    status, _, body = fetch(live_server + "/documenten/bestaat-niet", accept="application/json")
    assert status == 404 and json.loads(body)["error"]["message"].startswith("Er is geen document")


def test_document_list_over_http(live_server):
    status, _, html = fetch(live_server + "/documenten")
    assert status == 200
    assert len(re.findall(r'<a href="/documenten/[a-z0-9-]+">', html)) == 4
