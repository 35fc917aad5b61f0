"""Work a parse does once that it did several times: the same results, fewer reads (issue 13, parse speed).

- a page's layout-mode text is read once for all its tables (``tables._LayoutRows``);
- a font named by ``Tf`` is looked up once per resources (``shifts.font_named``);
- a document's vocabulary is read once for its pages and its notes (``cleaning.Vocabulary.plus``).
"""

from __future__ import annotations

import io
from collections import Counter

from pypdf import PdfReader
from pypdf._page import PageObject

from kennisbank.ingest.cleaning import Vocabulary, clean_notes, page_vocabulary
from kennisbank.ingest.parsing import parse_file
from kennisbank.ingest.shifts import font_named
from tests.ingest.real_pdfs import REAL_PDFS, needs_real_pdfs, raw_pages


@needs_real_pdfs
def test_a_page_is_read_in_layout_mode_at_most_once(monkeypatch):
    reads: Counter = Counter()
    extract_text = PageObject.extract_text

    def counted(self, *args, **kwargs):
        if kwargs.get("extraction_mode") == "layout":
            reads[id(self)] += 1
        return extract_text(self, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", counted)
    # a report whose pages hold several small framed tables each, and a paper with tables of numbers
    for name in ("toegankelijkheidsonderzoek.pdf", "en-school-closures-paper.pdf"):
        reads.clear()
        parse_file(REAL_PDFS / name)
        assert reads, name  # layout mode was needed on some page
        assert max(reads.values()) == 1, (name, sorted(reads.values()))


@needs_real_pdfs
def test_a_font_is_found_by_its_name_in_the_resources_in_force():
    reader = PdfReader(io.BytesIO((REAL_PDFS / "ap-advies-coronamelder.pdf").read_bytes()))
    checked = 0
    for page in reader.pages[:3]:
        resources = page.get("/Resources")
        fonts = resources.get("/Font").get_object()
        for name in fonts:
            expected = fonts[name].get_object()
            assert font_named(resources, name) is expected
            assert font_named(resources, name) is expected  # from the cache: the same object
            checked += 1
        assert font_named(resources, "/NoSuchFont") is None
    assert checked >= 3
    assert font_named(None, "/F1") is None  # a page without resources


@needs_real_pdfs
def test_the_vocabulary_of_notes_plus_pages_is_that_of_them_all():
    pages = raw_pages("duidingsrapportage-coronamelder.pdf")
    notes, body = pages[:20], pages[20:]
    at_once = Vocabulary.from_lines([page.split("\n") for page in notes + body])
    added = Vocabulary.from_lines([page.split("\n") for page in notes]).plus(
        Vocabulary.from_lines([page.split("\n") for page in body]))
    assert added.words == at_once.words and list(added.words) == list(at_once.words)
    assert added.pairs == at_once.pairs and added.apart == at_once.apart
    assert added.joinable == at_once.joinable and added.hyphenated == at_once.hyphenated
    assert sum(at_once.joinable.values()) > 0 and at_once.hyphenated  # the check has something to compare


@needs_real_pdfs
def test_notes_clean_the_same_with_the_pages_vocabulary_given():
    parsed = parse_file(REAL_PDFS / "duidingsrapportage-coronamelder.pdf")
    pages = parsed.body
    assert sum(bool(note) for note in parsed.notes) >= 5
    assert clean_notes(parsed.notes, pages, page_vocabulary(pages)) == clean_notes(parsed.notes, pages)
