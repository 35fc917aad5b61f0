"""Where a passage sits, shown as a reader cites it (issue 13 items 4, 6, 7): the printed page, a range for a
passage over a page break ("pp. 20–21"), and the headings above it, in the API and on the result cards.

Real pages of a published report (../shared/real-pdfs, read by the tests only): twelve pages of the
Duidingsrapportage, which prints its page numbers two behind the PDF's pages.
"""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from kennisbank.app import KnowledgeBase
from kennisbank.core.model import publication_meta
from kennisbank.ingest.pipeline import split_file
from kennisbank.webui.app import create_app
from tests.conftest import make_settings

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs" / "duidingsrapportage-coronamelder.pdf"
pytestmark = pytest.mark.skipif(not REAL.is_file(), reason="needs ../shared/real-pdfs")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    reader, writer = PdfReader(REAL), PdfWriter()
    for index in range(19, 31):
        writer.add_page(reader.pages[index])
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path_factory.mktemp("slice") / "duiding.pdf"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture(scope="module")
def run_on(report):
    """A passage over a page break with a section path, as the pipeline cuts it (found, not hard-coded)."""
    _document, chunks = split_file(report)
    chunk = next(c for c in chunks if c.meta.get("page_end") and c.meta.get("section")
                 and str(c.meta.get("page_label", "")).isdigit())
    return chunk.meta, chunk.content


@pytest.fixture(scope="module")
def client(built_data_dir, tmp_path_factory, report):
    data_dir = shutil.copytree(built_data_dir, tmp_path_factory.mktemp("place") / "data")
    with KnowledgeBase.open(make_settings(data_dir)) as kb:
        publications = kb.publications
        received = publications.receive(io.BytesIO(report.read_bytes()), "duiding.pdf")
        file = publications.place(received, "duiding")
        meta = publication_meta({"title": "Duidingsrapportage", "organisation": "Ministerie van VWS",
                                 "year": 2020, "kind": "rapport"}, "test")
        assert publications.apply("add", "duiding", file=file, meta=meta)["status"] == "added"
        yield create_app(kb.settings, kb=kb, test_config={"TESTING": True}).test_client()


def _query(text: str) -> str:
    words = re.findall(r"[A-Za-zÀ-ÿ]{4,}", text.split("\n", 1)[-1])
    return " ".join(words[:10])


def test_a_passage_over_a_page_break_carries_its_printed_range_and_section(client, run_on):
    meta, text = run_on
    body = client.get("/api/search", query_string={"q": _query(text), "mode": "bm25", "k": 5}).get_json()
    hit = next(r for r in body["results"] if r["document"]["id"] == "duiding"
               and r["page"] == meta["page_number"] and r["start"] == meta["start"])
    first = int(meta["page_label"])
    assert hit["page_end"] == meta["page_end"] == meta["page_number"] + 1
    assert hit["page_label"] == str(first) and first == meta["page_number"] + 17  # printed two behind the PDF
    assert hit["pages"] == f"{first}-{first + 1}"
    assert hit["section"] == meta["section"]
    assert f"pp. {first}–{first + 1}" in hit["citation_in_text"]


def test_the_result_card_shows_the_range_and_the_headings(client, run_on):
    meta, text = run_on
    page = html.unescape(client.get("/zoeken", query_string={"q": _query(text), "mode": "bm25"}).get_data(as_text=True))
    first = int(meta["page_label"])
    cards = [re.sub(r"<[^>]+>", "", c) for c in page.split('<li class="result">')[1:]]
    card = next(c for c in cards if " ".join(text.split("\n")[-1].split()[:6]) in " ".join(c.split()))
    assert f"pp. {first}–{first + 1}" in card  # the source line and the link into the document
    assert f"(PDF-pagina {meta['page_number']}–{meta['page_end']})" in card
    assert "In: " in card and meta["section"][-1] in card
