"""Rendering of text the corpus does not have (markup, missing years), on a real index of such documents."""

import pytest

from kennisbank.core.errors import ConfigError
from kennisbank.core.model import publication_meta
from kennisbank.search.anchors import passage_anchors
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

    anchor = passage_anchors("paged", ["Pagina twee: Leeferink (2016) over opleidingsscholen."])[0]
    assert f'<a href="/documenten/paged#{anchor}">Een gepagineerd rapport</a>' in html
    assert '<span class="organisation">ECBO</span>' in html
    assert "<span>z.d.</span>" in html and "jaar geschat: 2021" in html  # an estimated year is no date (APA 7)
    assert '<span class="page-number">p. 2</span>' in html
    assert ('class="citation-text reference" id="bron-1-referentie" data-plain="ECBO. (z.d.). Een gepagineerd rapport.">'
            'ECBO. (z.d.). <i>Een gepagineerd rapport</i>.</p>') in html
    assert 'id="bron-1-in-tekst" data-plain="(ECBO, z.d., p. 2)">(ECBO, z.d., p. 2)</p>' in html
    assert 'data-copy="bron-1-referentie" hidden>Kopieer literatuurverwijzing</button>' in html
    # the passage reports Leeferink (2016): the secondary form, citing the report that was read
    assert ">(Leeferink, 2016, zoals geciteerd in ECBO, z.d., p. 2)</p>" in html
    # a text publication: the page view shows its text page with the passage marked
    page = html.split('class="to-page" href="')[1].split('"')[0].replace("&amp;", "&")
    view = odd_client.get(page).get_data(as_text=True)
    assert '<mark class="passage-mark" id="passage">Pagina twee: Leeferink (2016) over opleidingsscholen.</mark>' in view
    assert "alleen de tekst bewaard" in view


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
    anchor = odd_client.get("/documenten/evil.json").get_json()["chunks"][0]["anchor"]
    assert anchor.startswith("evil.t")
    assert f'<span class="passage-span" id="{anchor}">Intro. Leraren &lt;script&gt;' in html


@pytest.mark.parametrize(
    "doc, label",
    [
        ({"year": 2016, "year_approximate": False}, "2016"),
        ({"year": 2025, "year_approximate": True}, "z.d."),  # APA 7: "ca." is for historical works
        ({"year": None, "year_approximate": True}, "z.d."),
        ({}, "z.d."),
    ],
)
def test_year_label(doc, label):
    assert year_label(doc) == label


def test_page_segments_cover_the_text_exactly_and_wrap_each_chunk():
    pages = [{"page": 1, "text": "aaa bbb ccc ddd"}, {"page": 2, "text": "eee"}]
    chunks = [
        {"anchor": "d.t1", "page": 1, "start": 8, "end": 15},
        {"anchor": "d.t0", "page": 1, "start": 4, "end": 10},  # overlaps t1: t1 starts where t0 ends
        {"anchor": "d.t2", "page": 2, "start": 0, "end": 3},
    ]
    out = page_segments(pages, chunks)
    assert [s["text"] for s in out[0]["segments"]] == ["aaa ", "bbb cc", "c ddd"]
    assert [s["anchor"] for s in out[0]["segments"]] == [None, "d.t0", "d.t1"]
    assert out[1] == {"page": 2, "segments": [{"text": "eee", "anchor": "d.t2"}]}
    for page, rendered in zip(pages, out):
        assert "".join(s["text"] for s in rendered["segments"]) == page["text"]
