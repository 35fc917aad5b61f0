"""The answer page /vraag and its JSON twin /api/answer, on the real index of corpus/."""

from __future__ import annotations

import html


def test_api_answer_json(client):
    r = client.get("/api/answer", query_string={"q": "Helpt samen opleiden tegen uitval van startende leraren?"})
    assert r.status_code == 200 and r.is_json
    data = r.get_json()
    assert data["status"] == "answered" and "1.4" in [v["id"] for v in data["values"][:3]]
    for kind in ("findings", "quotes", "passages"):
        for item in data[kind]:
            assert {"document_id", "page", "start", "end", "text", "key", "link"} <= set(item)


def test_page_shows_findings_and_quotes_without_js(client):
    r = client.get("/vraag", query_string={"q": "Helpt samen opleiden tegen uitval van startende leraren?"})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    data = client.get("/vraag.json", query_string={"q": "Helpt samen opleiden tegen uitval van startende leraren?"}).get_json()
    assert 'lang="nl"' in body and "answer.css" in body
    for item in data["findings"] + data["quotes"]:
        assert html.escape(item["text"], quote=False) in body or item["text"] in html.unescape(body)
        assert item["link"] in html.unescape(body)
    assert data["values"][0]["title"] in html.unescape(body)


def test_out_of_domain_page(client):
    r = client.get("/vraag", query_string={"q": "Wat is de hoofdstad van Peru?"})
    assert r.status_code == 200
    body = html.unescape(r.get_data(as_text=True))
    assert "Geen onderbouwing gevonden" in body and "Wat is de hoofdstad van Peru?" in body
    assert client.get("/api/answer?q=Hoe+bak+ik+een+appeltaart%3F").get_json()["status"] == "no_evidence"


def test_bad_queries_are_400(client):
    assert client.get("/api/answer?q=").status_code == 400
    assert client.get("/api/answer").status_code == 400
    r = client.get("/api/answer", query_string={"q": "x" * 1001})
    assert r.status_code == 400 and "te lang" in r.get_json()["error"]["message"]
    assert client.get("/vraag", query_string={"q": "  "}).status_code == 400


def test_empty_form(client):
    r = client.get("/vraag")
    assert r.status_code == 200 and 'action="/vraag"' in r.get_data(as_text=True)


def test_every_finding_offers_its_secondary_citation_and_the_answer_exports(client):
    import bibtexparser
    import rispy

    data = client.get("/api/answer", query_string={"q": "Helpt samen opleiden tegen uitval van startende leraren?"}).get_json()
    assert data["findings"]
    for finding in data["findings"]:
        cite = finding["cite"]
        assert cite["kind"] == "secondary" and cite["reference_id"] == finding["document_id"]
        assert "zoals geciteerd in Platform Samen Opleiden & Professionaliseren, z.d., p" in cite["in_text"]
        for source in finding["sources"]:
            assert f"{source['authors'].removesuffix(' et al.')}" in cite["in_text"]
        assert cite["reference"] == finding["document_citation"]
    for quote in data["quotes"]:
        label = quote["page_label"]  # a quote over two pages: "8-9", cited as "pp. 8–9"
        pages = f"pp. {label.replace('-', '–')}" if "-" in label else f"p. {label}"
        assert quote["cite"]["kind"] == "direct" and quote["cite"]["in_text"].endswith(f", {pages})")
    for passage in data["passages"]:
        assert passage["cite"]["kind"] == "direct" and passage["cite"]["in_text"] == passage["citation_in_text"]
    bib = client.get(data["exports"]["BibTeX"]).get_data(as_text=True)
    keys = {e.key for e in bibtexparser.parse_string(bib).entries}
    assert {"waarde-en-randvoorwaarden"} | {s["id"] for f in data["findings"] for s in f["sources"]} <= keys
    assert rispy.loads(client.get(data["exports"]["RIS"]).get_data(as_text=True))
    body = client.get("/vraag", query_string={"q": "Helpt samen opleiden tegen uitval van startende leraren?"}).get_data(as_text=True)
    first = data["findings"][0]
    assert f'id="bron-{first["key"]}-in-tekst" data-plain="{html.escape(first["cite"]["in_text"])}">' in body
