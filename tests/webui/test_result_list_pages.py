"""The result list as a reader sees it (issue 11, part 2): repeats, the relevance gate, why a passage was found,
typos, filters, and reading (lines, words instead of scores, copy buttons, examples, the menu)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

from kennisbank.search.results import passage_key
from kennisbank.webui.search_pages import EXAMPLE_QUESTIONS

REPEATED_QUESTION = "Wat zegt de Onderwijsraad over schoolopleiders bij de beoordeling van studenten?"
OFF_TOPIC = "kwantumfysica van zwarte gaten"
ANSWERED = "Helpt samen opleiden tegen uitval van startende leraren?"


def get_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def get_json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_json()


class TestRepeats:
    def test_api_lists_the_other_places(self, client):
        data = get_json(client, "/api/search?q=" + quote(REPEATED_QUESTION))
        assert len({passage_key(r["text"]) for r in data["results"]}) == len(data["results"]) == 10
        grouped = [r for r in data["results"] if r["also"]]
        assert grouped
        place = grouped[0]["also"][0]
        assert set(place) >= {"page", "chunk_id", "anchor", "document", "link"}
        assert place["link"] == f"/documenten/{place['document']['id']}#{place['anchor']}"

    def test_page_says_where_else(self, client):
        data = get_json(client, "/api/search?q=" + quote(REPEATED_QUESTION))
        html = get_html(client, "/zoeken?q=" + quote(REPEATED_QUESTION))
        grouped = next(r for r in data["results"] if r["also"])
        pages = ", ".join(f"p. {a['page']}" for a in grouped["also"] if a["document"]["id"] == grouped["document"]["id"])
        also = re.findall(r'<p class="also">(.*?)</p>', html, re.S)
        assert any(re.sub(r"<[^>]+>", "", a) == f"Ook op {pages}" for a in also), also


class TestRelevanceGate:
    def test_off_topic_says_so_and_shows_the_nearest_passages_unmarked(self, client, element_text):
        html = get_html(client, "/zoeken?q=" + quote(OFF_TOPIC))
        assert element_text(html, "resultaten-kop").strip() == "Niets gevonden dat genoeg op uw vraag lijkt"
        assert "Passages die er het dichtst bij komen" in html
        assert html.count('class="result"') > 0
        assert "<mark>" not in html  # "gaten" in "in de gaten houden" is no reason to mark anything
        data = get_json(client, "/zoeken.json?q=" + quote(OFF_TOPIC))
        assert data["status"] == "not_relevant" and data["relevant"] is False and data["results"]
        answer = get_json(client, "/api/answer?q=" + quote(OFF_TOPIC))
        assert answer["status"] == "no_evidence" and answer["passages"] == []
        assert answer["nearest"][0]["chunk_id"] == data["results"][0]["chunk_id"]  # one retrieval, one nearest
        assert all(p["link"] == f"/documenten/{p['document']['id']}#{p['anchor']}" for p in answer["nearest"])
        page = get_html(client, "/vraag?q=" + quote(OFF_TOPIC))
        assert "Geen onderbouwing gevonden" in page and "Passages die er het dichtst bij komen" in page

    def test_relevant_question(self, client, element_text):
        data = get_json(client, "/api/search?q=" + quote(ANSWERED))
        assert data["status"] == "found" and data["relevant"] is True
        html = get_html(client, "/zoeken?q=" + quote(ANSWERED))
        assert element_text(html, "resultaten-kop").startswith(f"{len(data['results'])} passages voor")
        assert "<mark>" in html


class TestWhyFound:
    def test_expansions_are_named_and_marked(self, client, element_text):
        html = get_html(client, "/zoeken?q=" + quote("beginning teachers"))
        assert "Ook gezocht op:" in element_text(html, "uitbreiding")
        assert "startende leraren" in element_text(html, "uitbreiding")
        assert re.search(r"<mark>[Ss]tartende</mark>", html)

    def test_value_on_the_card_with_its_title(self, client, app):
        data = get_json(client, "/api/search?q=" + quote(ANSWERED))
        result = next(r for r in data["results"] if r["values"])
        html = get_html(client, "/zoeken?q=" + quote(ANSWERED))
        value = app.extensions["kennisbank"].framework.value(result["values"][0])
        assert f'<a href="/kader/{value["id"]}">{value["id"]} {value["title"]}</a>' in html
        assert '<span class="kind">Platformpublicatie</span>' in html  # the kind by its title


class TestTypos:
    def test_did_you_mean(self, client, element_text):
        html = get_html(client, "/zoeken?q=werkplekbegeleidng&kind=platformpublicatie")
        assert element_text(html, "suggestie").strip() == "Bedoelde u: werkplekbegeleiding?"
        link = re.search(r'<p class="suggestion" id="suggestie">Bedoelde u: <a href="([^"]+)"', html).group(1)
        args = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert args["q"] == ["werkplekbegeleiding"] and args["kind"] == ["platformpublicatie"]  # filters kept
        assert get_json(client, "/api/search?q=werkplekbegeleidng")["suggestion"] == "werkplekbegeleiding"


class TestFilters:
    def test_sector_filter_and_the_heading_names_the_filters(self, client, element_text):
        html = get_html(client, "/zoeken?q=leraren&sector=po&kind=positiedocument")
        heading = element_text(html, "resultaten-kop")
        assert "soort: Positiedocument" in heading and "sector: Primair onderwijs (po)" in heading
        assert '<option value="po" selected>' in html
        data = get_json(client, "/api/search?q=leraren&sector=po")
        assert data["filters"]["sectors"] == ["po"] and data["results"]
        assert all("po" in r["document"]["sectors"] for r in data["results"])

    def test_unknown_sector_is_refused(self, client):
        response = client.get("/api/search?q=leraren&sector=hbo")
        assert response.status_code == 400
        assert "Onbekende sector: “hbo”" in response.get_json()["error"]["message"]

    def test_value_filter_offers_titles_and_counts(self, client, app):
        html = get_html(client, "/")
        counts = {c["value"]: c for c in app.extensions["kennisbank"].facets()["counts"]["values"]}
        c = counts["1.3"]
        assert f'<option value="1.3">{c["title"]} ({c["count"]} passages)</option>' in html


class TestReading:
    def test_bullets_are_a_list(self, client):
        data = get_json(client, "/api/search?q=" + quote("randvoorwaarden werkplekbegeleiders scholing"))
        assert any("\n• " in r["text"] for r in data["results"])
        html = get_html(client, "/zoeken?q=" + quote("randvoorwaarden werkplekbegeleiders scholing"))
        assert '<ul class="passage-items"><li>• ' in html

    def test_answer_page_shows_words_not_scores_and_copy_buttons(self, client):
        html = get_html(client, "/vraag?q=" + quote(ANSWERED))
        assert not re.search(r"score \d|\d\.\d{2,}", re.sub(r"<[^>]+>", " ", html)), "a raw score is shown"
        assert "past het best bij uw vraag" in html
        assert html.count('class="copy-button" data-copy=') >= 2
        off = get_html(client, "/vraag?q=" + quote(OFF_TOPIC))
        assert "beste overeenkomst" not in off and not re.search(r"\d\.\d\d", re.sub(r"<[^>]+>", " ", off))

    def test_start_page_offers_example_questions_that_find_something(self, client):
        html = get_html(client, "/")
        section = re.search(r'<section class="examples".*?</section>', html, re.S).group(0)
        links = [parse_qs(urlsplit(href.replace("&amp;", "&")).query)["q"][0]
                 for href in re.findall(r'<a href="(/zoeken\?[^"]+)"', section)]
        assert links == list(EXAMPLE_QUESTIONS)
        for question in EXAMPLE_QUESTIONS:
            assert get_json(client, "/api/search?q=" + quote(question))["relevant"], question
        assert '<section class="examples"' not in get_html(client, "/zoeken?q=leraren")

    def test_sources_in_the_menu(self, client):
        html = get_html(client, "/")
        nav = re.search(r'<nav aria-label="Hoofdmenu">(.*?)</nav>', html, re.S).group(1)
        assert '<a href="/bronnen">Bronnen</a>' in nav
        assert '<a href="/bronnen" aria-current="page">Bronnen</a>' in get_html(client, "/bronnen")
