"""The framework pages on the real index: overview, value, sources, JSON API, reference downloads."""

from __future__ import annotations

import bibtexparser
import rispy

DOC = "waarde-en-randvoorwaarden"


def _stored(client, doc_id: str, span: dict) -> str:
    pages = client.get(f"/api/documents/{doc_id}").get_json()["pages"]
    return pages[span["page"] - 1]["text"][span["start"]:span["end"]]


class TestValuesApi:
    def test_all_values(self, client):
        data = client.get("/api/values").get_json()
        assert [v["id"] for v in data["values"]] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "2.4", "2.5"]
        assert len(data["summary_values"]) == 5
        counts = {v["id"]: (v["counts"]["findings"], v["counts"]["quotes"]) for v in data["values"]}
        assert counts["1.1"] == (11, 5) and counts["2.1"] == (0, 1) and counts["2.4"] == (4, 0)
        assert data["stale"] is False

    def test_one_value_has_the_promised_fields(self, client):
        value = client.get("/api/values/1.4").get_json()
        assert value["id"] == "1.4" and value["title"] == "Behoud van startende leraren"
        assert [p["text"][:20] for p in value["preconditions"]] == ["Studenten worden goe", "Studenten krijgen vo", "Nabij en veilig netw"]
        helms = value["findings"][1]
        assert helms["source"] == {**helms["source"], "authors": "Helms-Lorenz et al.", "year": "2019"}
        assert helms["document_id"] == DOC and helms["page"] == 10
        assert helms["text"] == _stored(client, DOC, helms["spans"][0])
        assert value["quotes"][0]["person"] == "Mieke van Dijk"

    def test_links_go_to_the_passage_holding_the_statement(self, client):
        value = client.get("/api/values/1.1").get_json()
        chunks = client.get(f"/api/documents/{DOC}").get_json()["chunks"]
        for item in value["findings"] + value["quotes"] + value["preconditions"]:
            path, anchor = item["link"].split("#")
            assert path == f"/documenten/{DOC}"
            chunk = next(c for c in chunks if c["anchor"] == anchor)
            first = item.get("spans", [None])[0]
            if first:
                assert chunk["page"] == first["page"] and chunk["start"] <= first["start"] < chunk["end"]
        page = client.get(f"/documenten/{DOC}").get_data(as_text=True)
        assert f'id="{value["findings"][0]["link"].split("#")[1]}"' in page

    def test_findings_grouped_by_source_and_related_passages(self, client):
        value = client.get("/kader/1.3.json").get_json()
        groups = {g["source"]["id"]: g["findings"] for g in value["findings_by_source"]}
        assert groups == {"roelofs-2003": ["1.3-roelofs-2003"], "rug-2017": ["1.3-rug-2017"], "ecbo-2021": ["1.3-ecbo-2021"]}
        assert value["related"] and all(r["document"]["id"] != DOC for r in value["related"])
        tagged = [r for r in value["related"] if "1.3" in r["values"]]
        assert value["related"][: len(tagged)] == tagged  # passages the classifier gave this value come first

    def test_unknown_value_is_a_dutch_404(self, client):
        response = client.get("/api/values/9.9")
        assert response.status_code == 404 and "1.1" in response.get_json()["error"]["message"]
        assert client.get("/kader/<script>").status_code == 404


class TestPages:
    def test_overview_is_the_table_alive(self, client):
        html = client.get("/kader").get_data(as_text=True)
        assert "Goed opgeleide leraren voor de Onderwijsregio" in html and "Toereikende stagevergoeding." in html
        assert 'href="/kader/1.1#onderzoek">11 bevindingen</a>' in html
        assert "Kopieer bronvermelding" in html

    def test_value_page(self, client):
        html = client.get("/kader/2.5").get_data(as_text=True)
        assert "Onderwijsraad (2025)" in html and "Schoolopleider 4OLS" in html
        assert 'href="/documenten/waarde-en-randvoorwaarden#waarde-en-randvoorwaarden.t' in html

    def test_source_page_lists_statements_across_documents(self, client):
        data = client.get("/bronnen/ecbo-2021.json").get_json()
        assert data["apa"] == "ECBO. (2021). De meerwaarde van Samen Opleiden & Professionaliseren. OCW."
        assert {s["document_id"] for s in data["statements"]} == {DOC, "partnerschappen-onderwijsregio"}
        assert data["related"][0]["id"] == "ecbo-meerwaarde-sop" and data["publication"] is None
        html = client.get("/bronnen/leeferink-2016").get_data(as_text=True)
        assert "voorletters, titel, uitgever" in html and "Uitspraken die deze bron citeren (9)" in html
        assert client.get("/bronnen/onbekend-1999").status_code == 404

    def test_sources_list(self, client):
        data = client.get("/api/sources").get_json()
        assert len(data["sources"]) == 14
        assert "Bronnen" in client.get("/bronnen").get_data(as_text=True)


class TestDownloads:
    def test_single_bibtex(self, client):
        response = client.get("/referenties.bib?bron=ecbo-2021")
        assert response.mimetype == "application/x-bibtex"
        assert 'filename="ecbo-2021.bib"' in response.headers["Content-Disposition"]
        library = bibtexparser.parse_string(response.get_data(as_text=True))
        assert [e.key for e in library.entries] == ["ecbo-2021"] and not library.failed_blocks

    def test_selection_ris(self, client):
        response = client.get(f"/referenties.ris?document={DOC}&bron=leeferink-2016&bron=rug-2018")
        records = rispy.loads(response.get_data(as_text=True))
        assert [r["id"] for r in records] == [DOC, "leeferink-2016", "rug-2018"]

    def test_everything_and_bad_requests(self, client):
        library = bibtexparser.parse_string(client.get("/referenties.bib").get_data(as_text=True))
        assert len(library.entries) == 14 + 4
        assert client.get("/referenties.bib?bron=bestaat-niet").status_code == 400
        assert client.get("/referenties.xml").status_code == 404


class TestSearchByValue:
    def test_filter_on_the_search_page(self, client):
        data = client.get("/zoeken.json?q=startende+leraren&waarde=1.4").get_json()
        assert data["filters"]["values"] == ["1.4"]
        assert data["results"] and all("1.4" in r["values"] for r in data["results"])
        html = client.get("/zoeken?q=startende+leraren&waarde=1.4").get_data(as_text=True)
        assert '<option value="1.4" selected>' in html

    def test_unknown_value_is_refused(self, client):
        response = client.get("/api/search?q=leraren&waarde=9.9")
        assert response.status_code == 400 and "waarde" in response.get_json()["error"]["message"]

    def test_value_page_links_to_a_filtered_search(self, client):
        link = client.get("/api/values/2.1").get_json()["search_link"]
        assert "waarde=2.1" in link
        assert client.get(link + "&format=json").get_json()["filters"]["values"] == ["2.1"]


class TestCitations:
    def test_every_statement_of_a_source_offers_its_secondary_citation(self, client):
        data = client.get("/api/sources/leeferink-2016").get_json()
        assert data["apa"] == "Leeferink. (2016)." and data["missing"] == ["voorletters", "titel", "uitgever"]
        documents = {d["id"]: d for d in client.get("/api/documents").get_json()["documents"]}
        for statement in data["statements"]:
            cite = statement["cite"]
            assert cite["in_text"].startswith("(Leeferink, 2016, zoals geciteerd in ")
            assert cite["in_text"].endswith(f"p. {statement['page']})")
            assert cite["reference"] == documents[statement["document_id"]]["citation"]
        html = client.get("/bronnen/leeferink-2016").get_data(as_text=True)
        assert html.count('data-kind="secondary"') == len(data["statements"])

    def test_value_findings_offer_the_secondary_citation(self, client):
        value = client.get("/api/values/2.5").get_json()
        for finding in value["findings"]:
            names = [s["authors"].removesuffix(" et al.") for s in finding["sources"]]
            assert finding["cite"]["kind"] == "secondary" and all(n in finding["cite"]["in_text"] for n in names)
        html = client.get("/kader/2.5").get_data(as_text=True)
        assert "zoals geciteerd in Platform Samen Opleiden &amp; Professionaliseren, z.d., p." in html
