"""Every route and its JSON twin, in process, on the real KnowledgeBase and the index of corpus/."""

from __future__ import annotations

import atexit
import json
import re
from urllib.parse import quote

import pytest

from kennisbank.app import KnowledgeBase
from kennisbank.webui.app import create_app

QUESTION = "Blijven startende leraren langer in het onderwijs?"
FRAMEWORK = "waarde-en-randvoorwaarden"
FRAMEWORK_TITLE = "Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden"
ALL_IDS = {"waarde-en-randvoorwaarden", "ecbo-meerwaarde-sop", "partnerschappen-onderwijsregio",
           "zet-kwaliteit-op-de-eerste-plaats"}


def get_json(client, url, status=200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def get_html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


# -- search -----------------------------------------------------------------------------------------------

class TestSearchPage:
    def test_form_is_labelled_and_offers_the_real_facets(self, client):
        html = get_html(client, "/")
        assert '<html lang="nl">' in html
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        for field in ("q", "kind", "organisation", "year_from", "year_to", "k", "mode"):
            assert f'<label for="{field}">' in html and f'id="{field}" name="{field}"' in html
        # filter values with their titles and counts (publications per kind, organisation and sector)
        for kind, title, count in (("platformpublicatie", "Platformpublicatie", 1),
                                   ("onderzoekssamenvatting", "Onderzoekssamenvatting", 1),
                                   ("positiedocument", "Positiedocument", 2)):
            assert f'<option value="{kind}">{title} ({count})</option>' in html
        assert '<option value="Platform Samen Opleiden &amp; Professionaliseren">' in html
        assert '<option value="ECBO">ECBO (1)</option>' in html
        assert '<option value="mbo">Middelbaar beroepsonderwijs (mbo) (4)</option>' in html
        assert '<form class="search-form" action="/zoeken" method="get"' in html

    def test_json_twin_of_the_empty_page_lists_the_facets(self, client):
        data = get_json(client, "/?format=json")
        assert data["query"] is None and data["results"] == []
        assert "ECBO" in data["facets"]["organisations"]
        assert data["facets"]["years"] == [2021, 2025]

    def test_api_search_answers_with_the_documented_shape(self, client):
        data = get_json(client, "/api/search?" + "q=" + quote(QUESTION) + "&k=5")
        assert data["query"] == QUESTION and data["mode"] == "hybrid"
        assert isinstance(data["took_ms"], (int, float))
        assert len(data["results"]) == 5
        assert [r["rank"] for r in data["results"]] == [1, 2, 3, 4, 5]
        for result in data["results"]:
            assert {"rank", "score", "text", "page", "chunk_id", "start", "end", "document", "citation", "link",
                    "citation_in_text", "anchor", "page_label", "cite", "secondary", "page_link"} <= set(result)
            assert {"kind", "in_text", "in_text_html", "reference", "reference_html", "reference_id"} <= set(result["cite"])
            assert result["cite"]["reference"] == result["citation"]  # the reference entry: no page in it
            assert result["cite"]["in_text"] == result["citation_in_text"]
            assert {"id", "title", "organisation", "year", "year_approximate", "kind", "language", "sectors", "url"} <= set(
                result["document"]
            )
            assert result["link"] == f"/documenten/{result['document']['id']}#{result['anchor']}"

    def test_the_question_finds_leeferink_2016_in_the_top_5_with_title_and_page(self, client):
        data = get_json(client, "/api/search?q=" + quote(QUESTION) + "&k=5")
        hits = [r for r in data["results"] if "Leeferink (2016)" in r["text"]]
        assert hits, [r["text"][:80] for r in data["results"]]
        hit = hits[0]
        assert hit["document"]["id"] == FRAMEWORK
        assert hit["document"]["title"] == FRAMEWORK_TITLE
        assert isinstance(hit["page"], int) and hit["page"] >= 1
        assert hit["citation"] == f"Platform Samen Opleiden & Professionaliseren. (z.d.). {FRAMEWORK_TITLE}."
        assert hit["citation_in_text"] == f"(Platform Samen Opleiden & Professionaliseren, z.d., p. {hit['page']})"
        # the finding in it is Leeferink's research as the Platform reports it: the secondary form (APA 7, 8.6)
        secondary = {s["label"]: s["cite"] for s in hit["secondary"]}
        assert secondary["Leeferink (2016)"]["in_text"] == (
            f"(Leeferink, 2016, zoals geciteerd in Platform Samen Opleiden & Professionaliseren, z.d., p. {hit['page']})")
        assert secondary["Leeferink (2016)"]["reference"] == hit["citation"]

    def test_result_text_is_exactly_the_cited_span_of_the_document(self, client):
        data = get_json(client, "/api/search?q=" + quote(QUESTION) + "&k=10")
        documents = {}
        for result in data["results"]:
            doc_id = result["document"]["id"]
            if doc_id not in documents:
                documents[doc_id] = get_json(client, f"/api/documents/{doc_id}")
            pages = documents[doc_id]["pages"]
            page = pages[result["page"] - 1] if result["page"] is not None else pages[0]
            assert page["text"][result["start"]:result["end"]] == result["text"]

    @pytest.mark.parametrize(
        "url, headers",
        [
            ("/zoeken.json?q={q}", {}),
            ("/zoeken?q={q}&format=json", {}),
            ("/?q={q}&format=json", {}),
            ("/zoeken?q={q}", {"Accept": "application/json"}),
        ],
    )
    def test_json_twins_agree_with_the_api(self, client, url, headers):
        q = quote(QUESTION)
        api = get_json(client, f"/api/search?q={q}")
        twin = get_json(client, url.format(q=q), headers=headers)
        assert [r["chunk_id"] for r in twin["results"]] == [r["chunk_id"] for r in api["results"]]
        assert twin["query"] == api["query"]

    def test_results_page_shows_source_page_citation_and_passage_link(self, client):
        api = get_json(client, "/api/search?q=" + quote(QUESTION))
        html = get_html(client, "/zoeken?q=" + quote(QUESTION))
        home = get_html(client, "/?q=" + quote(QUESTION))  # / with q shows the same results
        assert re.findall(r'class="to-passage" href="([^"]+)"', home) == [r["link"] for r in api["results"]]
        first = api["results"][0]
        assert f'<h3 class="result-title"><a href="{first["link"]}">' in html
        assert f'<a class="to-passage" href="{first["link"]}">' in html
        assert f'id="bron-1-referentie" data-plain="{first["citation"].replace("&", "&amp;")}">{first["cite"]["reference_html"]}</p>' in html
        assert f'id="bron-1-in-tekst" data-plain="{first["citation_in_text"].replace("&", "&amp;")}">' in html
        for result in api["results"]:
            if result["page"] is not None:
                assert f'<span class="page-number">p. {result["page"]}</span>' in html
        assert "<span>z.d.</span>" in html and "jaar geschat: 2025" in html  # the framework's estimated year
        # the corpus is kept as text: its page numbers are said not to be the printed ones
        assert f'p. {first["page"]}: paginanummer van de tekstversie in de kennisbank' in html
        assert "<mark>leraren</mark>" in html and "<mark>langer</mark>" in html
        assert f'value="{QUESTION}"' in html  # the form keeps the question

    def test_kind_filter(self, client):
        data = get_json(client, "/api/search?q=leraren&kind=onderzoekssamenvatting&k=50")
        assert data["results"]
        assert {r["document"]["kind"] for r in data["results"]} == {"onderzoekssamenvatting"}
        assert data["filters"]["kind"] == ["onderzoekssamenvatting"]

    def test_repeated_kind_and_organisation_filters(self, client):
        data = get_json(
            client,
            "/api/search?q=leraren&k=50&kind=onderzoekssamenvatting&kind=positiedocument"
            "&organisation=ECBO&organisation=" + quote("Platform Samen Opleiden & Professionaliseren"),
        )
        kinds = {r["document"]["kind"] for r in data["results"]}
        assert kinds and kinds <= {"onderzoekssamenvatting", "positiedocument"}
        assert "platformpublicatie" not in kinds

    def test_year_filter(self, client):
        data = get_json(client, "/api/search?q=leraren&k=50&year_to=2021")
        assert data["results"]
        assert {r["document"]["id"] for r in data["results"]} == {"ecbo-meerwaarde-sop"}
        data = get_json(client, "/api/search?q=leraren&k=50&year_from=2024&year_to=2030")
        assert data["results"]
        assert {r["document"]["year"] for r in data["results"]} == {2025}

    @pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
    def test_each_mode_answers(self, client, mode):
        data = get_json(client, f"/api/search?q=opleidingsschool&mode={mode}&k=3")
        assert data["mode"] == mode
        assert len(data["results"]) == 3

    def test_k_limits_the_results(self, client):
        assert len(get_json(client, "/api/search?q=leraren&k=2")["results"]) == 2


class TestBadInput:
    @pytest.mark.parametrize(
        "query, message",
        [
            ("q=", "Vul een zoekvraag in."),
            ("q=%20%20", "Vul een zoekvraag in."),
            ("k=5", "Vul een zoekvraag in."),
            ("q=" + "a" * 1001, "De zoekvraag is te lang (1001 tekens); gebruik maximaal 1000 tekens."),
            ("q=leraren&k=tien", "Het aantal resultaten (k) moet een geheel getal zijn, niet “tien”."),
            ("q=leraren&k=0", "Het aantal resultaten (k) moet tussen 1 en 50 liggen (niet 0)."),
            ("q=leraren&k=51", "Het aantal resultaten (k) moet tussen 1 en 50 liggen (niet 51)."),
            ("q=leraren&year_from=2020a", "Het jaar ‘vanaf’ moet een geheel getal zijn, niet “2020a”."),
            ("q=leraren&year_to=2.5", "Het jaar ‘tot en met’ moet een geheel getal zijn, niet “2.5”."),
            ("q=leraren&year_from=2025&year_to=2020", "Het jaar ‘vanaf’ (2025) ligt na het jaar ‘tot en met’ (2020)."),
            ("q=leraren&mode=semantic", "Onbekende zoekmethode “semantic”. Kies uit: hybrid, dense, bm25."),
            ("q=leraren&kind=boek", "Onbekende soort: “boek”."),
        ],
    )
    def test_api_refuses_with_400_and_a_json_error(self, client, query, message):
        data = get_json(client, "/api/search?" + query, status=400)
        assert set(data) == {"error"}
        assert data["error"]["status"] == 400
        assert data["error"]["message"].startswith(message)

    def test_html_page_refuses_with_400_dutch_message_and_the_form(self, client):
        html = get_html(client, "/zoeken?q=leraren&k=tien", status=400)
        assert "<h1>Dat ging niet goed</h1>" in html
        assert "Het aantal resultaten (k) moet een geheel getal zijn, niet “tien”." in html
        assert 'name="q" type="search" value="leraren"' in html

    def test_html_empty_question(self, client):
        html = get_html(client, "/zoeken?q=", status=400)
        assert '<p class="error-message">Vul een zoekvraag in.</p>' in html

    def test_json_twin_of_a_refused_page_is_the_json_error(self, client):
        data = get_json(client, "/zoeken.json?q=", status=400)
        assert data == {"error": {"status": 400, "message": "Vul een zoekvraag in."}}


# -- documents --------------------------------------------------------------------------------------------

class TestDocuments:
    def test_list_and_its_twins(self, client):
        data = get_json(client, "/api/documents")
        assert {d["id"] for d in data["documents"]} == ALL_IDS
        assert get_json(client, "/documenten.json") == data
        assert get_json(client, "/documenten?format=json") == data
        html = get_html(client, "/documenten")
        for doc in data["documents"]:
            assert f'<a href="/documenten/{doc["id"]}">{doc["title"].replace("&", "&amp;")}</a>' in html
            assert doc["link"] == f"/documenten/{doc['id']}"
        assert "De kennisbank doorzoekt 4 publicaties." in html
        assert "z.d." in html  # "zet kwaliteit op de eerste plaats" has no year

    def test_document_twins_agree(self, client):
        data = get_json(client, f"/api/documents/{FRAMEWORK}")
        assert data["document"]["title"] == FRAMEWORK_TITLE
        assert get_json(client, f"/documenten/{FRAMEWORK}.json") == data
        assert get_json(client, f"/documenten/{FRAMEWORK}?format=json") == data
        assert {"document", "citation", "pages", "chunks"} <= set(data)

    def test_document_page_has_every_page_and_every_passage_anchored(self, client, element_text):
        data = get_json(client, f"/api/documents/{FRAMEWORK}")
        html = get_html(client, f"/documenten/{FRAMEWORK}")
        assert len(data["pages"]) > 10
        for page in data["pages"]:
            assert f'<section class="page" id="p-{page["page"]}"' in html
            assert f'<a href="#p-{page["page"]}">{page["page"]}</a>' in html
        for chunk in data["chunks"]:
            text = data["pages"][chunk["page"] - 1]["text"]
            assert element_text(html, chunk["anchor"]) == text[chunk["start"]:chunk["end"]]
        # the page sections hold the whole text, nothing dropped, nothing added
        for page in data["pages"]:
            assert element_text(html, f"p-{page['page']}") == f"Pagina {page['page']}" + page["text"]

    def test_a_search_result_link_lands_on_its_passage(self, client, element_text):
        result = next(
            r for r in get_json(client, "/api/search?q=" + quote(QUESTION) + "&k=5")["results"]
            if "Leeferink (2016)" in r["text"]
        )
        path, anchor = result["link"].split("#")
        html = get_html(client, path)
        assert element_text(html, anchor) == result["text"]
        section = element_text(html, f"p-{result['page']}")
        assert result["text"] in section

    def test_unpaginated_document(self, client, element_text):
        data = get_json(client, "/api/documents/ecbo-meerwaarde-sop")
        html = get_html(client, "/documenten/ecbo-meerwaarde-sop")
        assert "ECBO. (z.d.)." in html
        if data["pages"][0]["page"] is None:
            assert '<section class="page" id="tekst"' in html
        for chunk in data["chunks"]:
            page = data["pages"][0] if chunk["page"] is None else data["pages"][chunk["page"] - 1]
            assert element_text(html, chunk["anchor"]) == page["text"][chunk["start"]:chunk["end"]]

    def test_unknown_document_is_404_in_dutch(self, client):
        html = get_html(client, "/documenten/bestaat-niet", status=404)
        assert "<h1>Niet gevonden</h1>" in html
        assert "Er is geen document met de code “bestaat-niet”." in html
        for url in ("/api/documents/bestaat-niet", "/documenten/bestaat-niet.json"):
            assert get_json(client, url, status=404) == {
                "error": {"status": 404, "message": "Er is geen document met de code “bestaat-niet”."}
            }

    def test_unknown_page_is_404_in_the_format_asked_for(self, client):
        assert "Deze pagina bestaat niet." in get_html(client, "/bestaat/niet", status=404)
        assert get_json(client, "/api/bestaat-niet", status=404)["error"]["status"] == 404

    def test_wrong_method_is_405(self, client):
        response = client.post("/api/search?q=leraren")
        assert response.status_code == 405
        assert response.get_json()["error"]["status"] == 405


# -- cross-cutting ----------------------------------------------------------------------------------------

PAGES = ["/", "/zoeken?q=leraren", "/documenten", f"/documenten/{FRAMEWORK}", "/documenten/bestaat-niet", "/zoeken?q="]


@pytest.mark.parametrize("url", PAGES + ["/api/search?q=leraren", "/static/style.css", "/static/kennisbank.js"])
def test_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style(client, url):
    html = client.get(url).get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script src="/static/kennisbank.js" defer>']
    assert re.search(r"<script[^>]*>(?!</script>)", html) is None  # every script element is empty
    assert " style=" not in html and "<style" not in html
    assert re.search(r"<[^>]+\son[a-z]+=", html) is None  # no inline event handlers


def test_static_files(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert b"@media" in css.data
    js = client.get("/static/kennisbank.js")
    assert js.status_code == 200 and b"data-copy" in js.data


def test_json_is_utf8_not_ascii_escaped(client):
    body = client.get("/api/documents").get_data(as_text=True)
    assert "&" in body and "\\u" not in body
    json.loads(body)


def test_create_app_opens_one_knowledge_base_and_closes_it_at_exit(fresh_settings):
    app = create_app(fresh_settings)
    kb = app.extensions["kennisbank"]
    try:
        assert isinstance(kb, KnowledgeBase)
        client = app.test_client()
        assert client.get("/api/documents").status_code == 200
        assert client.get("/api/search?q=leraren").status_code == 200
        assert app.extensions["kennisbank"] is kb  # not reopened per request
    finally:
        atexit.unregister(kb.close)
        kb.close()
