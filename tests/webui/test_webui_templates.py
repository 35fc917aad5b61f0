"""Rendering of text the corpus does not have (markup, missing years), on a real index of such documents."""

import pytest

from kennisbank.core.errors import ConfigError
from kennisbank.core.model import publication_meta
from kennisbank.webui.document_pages import page_segments
from kennisbank.webui.templating import http_url, year_label


def test_result_passage_is_escaped_and_highlighted(odd_client):
    html = odd_client.get("/zoeken?q=leraar+script&mode=bm25").get_data(as_text=True)
    assert "<script>alert" not in html
    assert '&lt;<mark>script</mark>&gt;alert(&#34;x&#34;)&lt;/<mark>script</mark>&gt;' in html
    assert "<mark>Leraren</mark>" in html and "<mark>leraar</mark>" in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html and "<b>vet</b>" not in html
    # the title and the citation are escaped too
    assert "Titel &lt;i&gt;met&lt;/i&gt; markup" in html and "<i>met</i>" not in html


def test_result_shows_source_year_page_and_links_to_the_passage(odd_client):
    html = odd_client.get("/zoeken?q=Leeferink&mode=bm25").get_data(as_text=True)
    assert '<a href="/documenten/paged#paged.c1">Een gepagineerd rapport</a>' in html
    assert '<span class="organisation">ECBO</span>' in html
    assert "<span>ca. 2021</span>" in html
    assert '<span class="page-number">p. 2</span>' in html
    assert 'class="citation-text" id="bron-1">ECBO. (ca. 2021). Een gepagineerd rapport (p. 2).</p>' in html
    assert 'data-copy="bron-1" hidden>Kopieer bronvermelding</button>' in html


def test_unknown_year_reads_zd_and_no_page_label(odd_client):
    html = odd_client.get("/zoeken?q=script&mode=bm25").get_data(as_text=True)
    assert "<span>z.d.</span>" in html
    assert "page-number" not in html


def test_no_results_is_an_answer_not_an_error(odd_client):
    response = odd_client.get("/zoeken?q=kwantumfysica&mode=bm25")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Geen passages gevonden voor “kwantumfysica”" in html


def test_javascript_url_in_metadata_is_not_linked():
    assert http_url("javascript:alert(1)") == "" and http_url(" JavaScript:alert(1)") == ""
    assert http_url("https://example.org/r.pdf") == "https://example.org/r.pdf"


def test_ingest_refuses_a_url_that_is_not_http():
    with pytest.raises(ConfigError, match="http"):
        publication_meta({"title": "T", "url": "javascript:alert(1)"}, "test")


def test_unpaginated_document_has_text_anchor_and_escaped_passage(odd_client):
    html = odd_client.get("/documenten/evil").get_data(as_text=True)
    assert '<section class="page" id="tekst"' in html
    assert '<span class="passage-span" id="evil.c0">Intro. Leraren &lt;script&gt;' in html


@pytest.mark.parametrize(
    "doc, label",
    [
        ({"year": 2016, "year_approximate": False}, "2016"),
        ({"year": 2025, "year_approximate": True}, "ca. 2025"),
        ({"year": None, "year_approximate": True}, "z.d."),
        ({}, "z.d."),
    ],
)
def test_year_label(doc, label):
    assert year_label(doc) == label


def test_page_segments_cover_the_text_exactly_and_wrap_each_chunk():
    pages = [{"page": 1, "text": "aaa bbb ccc ddd"}, {"page": 2, "text": "eee"}]
    chunks = [
        {"chunk_id": "d.c1", "page": 1, "start": 8, "end": 15},
        {"chunk_id": "d.c0", "page": 1, "start": 4, "end": 10},  # overlaps c1: c1 starts where c0 ends
        {"chunk_id": "d.c2", "page": 2, "start": 0, "end": 3},
    ]
    out = page_segments(pages, chunks)
    assert [s["text"] for s in out[0]["segments"]] == ["aaa ", "bbb cc", "c ddd"]
    assert [s["chunk_id"] for s in out[0]["segments"]] == [None, "d.c0", "d.c1"]
    assert out[1] == {"page": 2, "segments": [{"text": "eee", "chunk_id": "d.c2"}]}
    for page, rendered in zip(pages, out):
        assert "".join(s["text"] for s in rendered["segments"]) == page["text"]
