"""Golden tests on real publications nobody here made (../shared/real-pdfs, see its README and SOURCES.tsv).

Every PDF goes through the product's parse -> clean -> split steps once (cached for the session). What every
PDF must satisfy: the stored text of a page has only words that pypdf's raw text of the same page has (no
false joins, no invented words, no URL broken by a removed hyphen), no running header or footer inside a
passage, passages quote exactly from the stored page texts (also across a page break), and few passages end
mid-sentence. Then expected passages, labels and footnotes for chosen pages of chosen files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from haystack import Document
from pypdf import PdfReader

from kennisbank.evaluation.pdf_quality import running_lines
from kennisbank.ingest.check import broken_urls, check_file, mid_sentence_ends, page_word_faults
from kennisbank.ingest.chunking import run_on_joiner
from kennisbank.ingest.pipeline import split_file
from kennisbank.core.text import normalize_text

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
FILES = sorted(p.name for p in REAL_PDFS.glob("*.pdf")) if REAL_PDFS.is_dir() else []
WITH_TEXT = [name for name in FILES if not name.startswith("scan-")]

pytestmark = pytest.mark.skipif(not FILES, reason=f"the real PDFs are not at {REAL_PDFS} (../shared is absent)")


@dataclass
class Ingested:
    raw: list[str]  # pypdf's plain extract_text() of each page: the reference
    document: Document  # cleaned: pages joined by form feeds
    chunks: list[Document]

    @property
    def pages(self) -> list[str]:
        return (self.document.content or "").split("\f")

    def passages(self, page: int, kind: str = "body") -> list[str]:
        return [c.content for c in self.chunks if c.meta["page_number"] == page and c.meta.get("kind", "body") == kind]


_CACHE: dict[str, Ingested] = {}


def ingested(name: str) -> Ingested:
    if name not in _CACHE:
        path = REAL_PDFS / name
        raw = [page.extract_text() or "" for page in PdfReader(io.BytesIO(path.read_bytes())).pages]
        document, chunks = split_file(path)
        _CACHE[name] = Ingested(raw, document, chunks)
    return _CACHE[name]


@pytest.mark.parametrize("name", WITH_TEXT)
class TestEveryRealPdf:
    def test_stored_words_are_the_pdfs_own(self, name):
        doc = ingested(name)
        assert len(doc.pages) == len(doc.raw)
        faults = []
        for number, (stored, raw) in enumerate(zip(doc.pages, doc.raw), start=1):
            found = page_word_faults(stored, raw, doc.raw[: number - 1])
            faults += [(number, kind, word) for kind in ("false_joins", "invented") for word in found[kind]]
            faults += [(number, "broken_url", url) for url in broken_urls(stored, raw)]
        assert not faults, faults[:10]

    def test_no_running_lines_in_passages(self, name):
        doc = ingested(name)
        running = running_lines(doc.raw)
        left = []
        for number, lines in enumerate(running, start=1):
            contents = [" ".join(text.split()) for text in doc.passages(number) + doc.passages(number, "footnote")]
            raw = " ".join(normalize_text(doc.raw[number - 1]).split())
            left += [(number, line) for line in lines
                     if sum(content.count(line) for content in contents) >= max(1, raw.count(line))]
        assert not left, left[:10]

    def test_passages_quote_the_stored_pages_exactly(self, name):
        doc = ingested(name)
        pages = doc.pages
        for chunk in doc.chunks:
            page, start, end = chunk.meta["page_number"], chunk.meta["start"], chunk.meta["end"]
            text = pages[page - 1][start:end]
            if chunk.meta.get("page_end"):
                assert chunk.meta["page_end"] == page + 1
                rest = pages[page][chunk.meta.get("start_on_page_end", 0): chunk.meta["end_on_page_end"]]
                text += run_on_joiner(text, rest) + rest
            assert chunk.content == text
            assert chunk.content.strip() == chunk.content and chunk.content

    def test_footnotes_stay_out_of_body_passages(self, name):
        doc = ingested(name)
        starts = doc.document.meta.get("note_starts") or [None] * len(doc.pages)
        for chunk in doc.chunks:
            at = starts[chunk.meta["page_number"] - 1]
            if at is None:
                assert chunk.meta.get("kind", "body") in ("body", "table", "code", "index")
            elif chunk.meta.get("kind") == "footnote":
                assert chunk.meta["start"] >= at
            else:
                assert chunk.meta["end"] <= at


def test_few_passages_end_mid_sentence():
    ends = passages = 0
    for name in WITH_TEXT:
        doc = ingested(name)
        slides = bool((doc.document.meta.get("layout") or {}).get("slides"))
        ends += len(mid_sentence_ends(doc.chunks, slides))
        passages += len(doc.chunks)
    assert ends / passages < 0.005, (ends, passages)


class TestPageLabels:
    def test_printed_numbers_two_behind_the_pdf_pages(self):
        # The Duidingsrapportage prints p. N on PDF page N + 2 (a cover and a colophon come first).
        doc = ingested("duidingsrapportage-coronamelder.pdf")
        labels = doc.document.meta["page_labels"]
        assert labels[:3] == [None, None, "1"]
        assert all(labels[n - 1] == str(n - 2) for n in range(3, len(labels) + 1))
        chunk = next(c for c in doc.chunks if c.meta["page_number"] == 14)
        assert chunk.meta["page_label"] == "12"

    def test_roman_front_matter_from_page_labels(self):
        labels = ingested("geotopo-thesis-de.pdf").document.meta["page_labels"]
        assert labels[:5] == ["i", "ii", "iii", "1", "2"]
        assert labels[-1] == str(len(labels) - 3)


class TestWordsApart:
    def test_the_examples_of_the_issue(self):
        ethics = ingested("ethische-analyse-coronamelder.pdf").pages[3]
        assert "hoogleraar Filosofie van Mens en Techniek en co-directeur" in ethics
        assert "Mensen Techniek" not in ethics
        report = ingested("duidingsrapportage-coronamelder.pdf").pages[59]
        assert "de identiteit onbekend en blijft ook na fysiek onderzoek" in report

    def test_a_link_broken_at_its_own_hyphen_keeps_it(self):
        page = ingested("ap-advies-coronamelder.pdf").pages[3]
        assert "https://autoriteitpersoonsgegevens.nl/nl/nieuws/ap-privacy-corona-apps-niet-aangetoond" in page


class TestFootnotes:
    def test_markers_and_notes_of_a_research_brief(self):
        doc = ingested("vng-burenhulp.pdf")
        body = " ".join(doc.passages(1))
        assert "bevindingen uit 10 jaar Burgerpeiling 'Waar staat je gemeente'[1] de kracht van burenhulp" in body
        assert "Lees meer over de betekenis" not in body  # the note's text is not in the body
        notes = doc.passages(1, "footnote")
        assert notes and notes[0].startswith("[1] Burgerpeiling 'Waar staat je gemeente', onderdeel van")
        assert "[2] Lees meer over de betekenis van vertrouwen bij de samenwerking in de buurt" in notes[-1]

    def test_notes_with_links_of_a_long_report(self):
        doc = ingested("duidingsrapportage-coronamelder.pdf")
        notes = "\n".join(doc.passages(14, "footnote"))
        assert notes.startswith("[11] https://www.cdc.gov/flu/about/burden/2017-2018.htm - geverifieerd op 15-08-2020")
        assert "[12] https://www.nature.com/articles/d41586-020-01738-2 - geverifieerd op 16-08-2020" in notes
        body = " ".join(doc.passages(14))
        assert "de seizoensgriep, die zo rond de 0,1 procent ligt.[11] Het wetenschappelijke tijdschrift" in body
        assert "cdc.gov" not in body


class TestRunningLinesAndSlides:
    def test_title_and_page_count_footer_is_gone(self):
        doc = ingested("toegankelijkheidsonderzoek.pdf")
        assert not any("Toegankelijkheidsonderzoek CoronaMelder 2.4.1 (Android 10) op WCAG 2.1" in c.content
                       and c.meta["page_number"] > 1 for c in doc.chunks)

    def test_beamer_sidebar_and_build_steps(self):
        doc = ingested("hr-slides-lec1.pdf")
        (slide,) = doc.passages(4)  # one slide, one passage, without the sidebar's table of contents
        # the title and the block's heading set apart (ingest.slides: a box's heading is a block of its own)
        # its items' bullets are drawn (shaded balls): each item a line "• ..." (tests/ingest/test_slide_lists_tables.py)
        assert slide.startswith("Introduction\n\nLecture topics\n\n• Intro to INFDEV02-4")
        assert slide.endswith("• Course agenda\n• Conclusions")
        assert "Visiting" not in slide and "lambdas" not in slide
        assert not any("/ 65" in c.content for c in doc.chunks)
        assert (doc.document.meta["layout"]["build_slides"]) >= 1
        assert not any(c.meta.get("page_end") for c in doc.chunks)  # a slide never runs on


class TestRunOn:
    def test_a_sentence_over_a_page_break_is_one_passage(self):
        doc = ingested("hu-voorbeeldscriptie.pdf")
        chunk = next(c for c in doc.chunks if c.meta["page_number"] == 14 and c.meta.get("page_end"))
        assert chunk.meta["page_end"] == 15
        # a table's cell cut at the break: the whole rest of the cell (the first line of p. 15) goes with its row
        assert chunk.content.endswith("Windows Phone heeft een .NET SDK. Apps die gemaakt zijn voor deze apparaten in "
                                      "de bijbehorende taal worden ook wel native apps genoemd.")
        following = doc.passages(15) + doc.passages(15, "table")  # p. 15 goes on with the table's rows
        assert following and not any(text[0].islower() for text in following)


def test_check_report_of_a_real_pdf():
    report = check_file(REAL_PDFS / "vng-burenhulp.pdf")
    assert report["ok"] and report["pages"] == 4 and report["footnotes"] >= 5
    assert report["flags"]["false_joins"] == report["flags"]["broken_urls"] == 0
    assert report["running_lines_removed"] >= 3 and report["page_labels"] == "printed"
    scan = check_file(REAL_PDFS / "scan-pubquiz-grayscale4.pdf")
    assert not scan["ok"] and scan["reason"] == "no_text_layer"
