from __future__ import annotations

import re
import statistics

import pytest
from haystack import Document, Pipeline
from haystack.core.serialization import component_from_dict, component_to_dict

from kennisbank.ingest.chunking import LIST_STRETCH, Chunk, StructureSplitter, split_pages
from kennisbank.ingest.cleaning import DutchTextCleaner, clean_pages
from kennisbank.ingest.converters import PublicationConverter

SIZES = [(700, 200), (300, 100), (120, 40), (1000, 0), (200, 200)]


def check_invariants(pages: list[str], chunks: list[Chunk], paginated: bool, max_chars: int) -> None:
    """What every chunking must satisfy: exact offsets, bounded size, whole words, nothing lost."""
    assert [c.split_id for c in chunks] == list(range(len(chunks)))
    covered = [[False] * len(page) for page in pages]
    previous = (0, 0)
    for chunk in chunks:
        number = chunk.page if paginated else 1
        assert chunk.page == (number if paginated else None)
        page = pages[number - 1]
        assert chunk.text == page[chunk.start: chunk.end]
        assert chunk.text.strip() == chunk.text and chunk.text
        assert "\f" not in chunk.text
        # a list its lead-in opens ("... de volgende:") may stretch to LIST_STRETCH x max_chars to stay whole
        limit = int(max_chars * LIST_STRETCH) if re.search(r":\n|;\s", chunk.text) else max_chars  # a list, or items ending in ";"
        assert len(chunk.text) <= limit or " " not in chunk.text, chunk
        assert chunk.start == 0 or page[chunk.start - 1].isspace() or not page[chunk.start - 1].isalnum(), chunk
        assert chunk.end == len(page) or page[chunk.end].isspace(), chunk  # never cut inside a word
        assert (number, chunk.start) >= previous  # in reading order, never overlapping
        previous = (number, chunk.end)
        for i in range(chunk.start, chunk.end):
            covered[number - 1][i] = True
    for number, page in enumerate(pages, start=1):
        lost = [ch for ch, hit in zip(page, covered[number - 1]) if not hit and not ch.isspace()]
        assert not lost, f"page {number} lost {''.join(lost)[:80]!r}"


class TestSplitPages:
    @pytest.mark.parametrize("max_chars,min_chars", SIZES)
    def test_invariants_on_the_whole_corpus(self, corpus_texts, max_chars, min_chars):
        for name, text in corpus_texts.items():
            pages = clean_pages(text.split("\f"))
            paginated = "\f" in text
            chunks = split_pages(pages, paginated, max_chars, min_chars)
            check_invariants(pages, chunks, paginated, max_chars)
            assert split_pages(pages, paginated, max_chars, min_chars) == chunks  # deterministic

    def test_corpus_statistics_with_the_defaults(self, corpus_texts):
        sizes = []
        for text in corpus_texts.values():
            sizes += [len(c.text) for c in split_pages(clean_pages(text.split("\f")), "\f" in text)]
        assert max(sizes) <= 700
        assert 300 <= statistics.median(sizes) <= 650
        assert sum(size < 100 for size in sizes) <= len(sizes) // 10  # few crumbs

    def test_long_paragraph_is_split_at_sentence_ends(self):
        sentences = [f"Zin nummer {i} gaat over samen opleiden in de regio en is best lang." for i in range(30)]
        page = " ".join(sentences)
        assert len(page) == 2029
        chunks = split_pages([page], True, 700, 200)
        assert len(chunks) == 3  # ceil(2029 / 700) pieces of about 676 characters
        assert all(c.text.endswith(".") and c.text.startswith("Zin nummer") for c in chunks)
        assert max(len(c.text) for c in chunks) - min(len(c.text) for c in chunks) < 150  # balanced pieces
        check_invariants([page], chunks, True, 700)

    def test_semicolons_count_as_sentence_ends(self):
        page = "; ".join(f"onderdeel {i} van een opsomming zonder punten" for i in range(40))
        chunks = split_pages([page], True, 300, 100)
        assert all(c.text.endswith(";") for c in chunks[:-1])

    def test_abbreviations_do_not_end_a_sentence(self):
        page = ("Studenten leren o.a. lesgeven. " * 3 + "Begeleiding bijv. door de school. ") * 20
        chunks = split_pages([page.strip()], True, 250, 50)
        assert not any(c.text.endswith(("o.a.", "bijv.")) for c in chunks)

    def test_without_sentence_ends_it_splits_at_whitespace(self):
        page = " ".join(f"woord{i}" for i in range(400))
        chunks = split_pages([page], False, 200, 50)
        check_invariants([page], chunks, False, 200)
        assert all(re.fullmatch(r"woord\d+( woord\d+)*", c.text) for c in chunks)

    def test_a_word_longer_than_max_is_kept_whole(self):
        url = "https://www.platformsamenopleiden.nl/" + "x" * 300
        page = f"Zie {url} voor meer."
        chunks = split_pages([page], True, 100, 20)
        assert url in [c.text for c in chunks] or any(url in c.text for c in chunks)
        check_invariants([page], chunks, True, 100)

    def test_heading_stays_with_its_paragraph(self):
        para = "Samen opleiden werkt. " * 25  # 550 characters
        page = f"{para.strip()}\n\nAanbevelingen voor de regio\n\n{para.strip()}"
        chunks = split_pages([page], True, 700, 200)
        assert [c.text.split("\n")[0] for c in chunks] == ["Samen opleiden werkt. " * 24 + "Samen opleiden werkt.",
                                                           "Aanbevelingen voor de regio"]
        assert chunks[1].text.endswith("werkt.")

    def test_small_blocks_are_packed(self):
        page = "\n".join(f"• punt {i} van de lijst" for i in range(10))
        chunks = split_pages([page], True, 700, 200)
        assert len(chunks) == 1 and chunks[0].text == page

    def test_chunks_never_cross_pages_and_keep_page_numbers(self):
        pages = ["Korte eerste pagina.", "", "Korte derde pagina."]
        chunks = split_pages(pages, True)
        assert [(c.page, c.text, c.split_id) for c in chunks] == [
            (1, "Korte eerste pagina.", 0),
            (3, "Korte derde pagina.", 1),
        ]

    def test_unpaginated_has_no_page_number(self):
        (chunk,) = split_pages(["  Een tekst zonder pagina's.  \n"], False)
        assert (chunk.page, chunk.start, chunk.end, chunk.text) == (None, 2, 28, "Een tekst zonder pagina's.")

    def test_nothing_to_split(self):
        assert split_pages(["", " \n\n "], True) == []

    @pytest.mark.parametrize("max_chars,min_chars", [(0, 0), (100, 101), (100, -1), (10.5, 2)])
    def test_bad_sizes_are_refused(self, max_chars, min_chars):
        with pytest.raises(ValueError, match="must be"):
            split_pages(["tekst"], True, max_chars, min_chars)


class TestStructureSplitter:
    def test_init_and_serialisation_round_trip(self):
        splitter = StructureSplitter(max_chars=500, min_chars=150)
        data = component_to_dict(splitter, "splitter")
        assert data == {
            "type": "kennisbank.ingest.chunking.StructureSplitter",
            "init_parameters": {"max_chars": 500, "min_chars": 150, "keep_noise": False},
        }
        restored = component_from_dict(StructureSplitter, data, "splitter")
        assert (restored.max_chars, restored.min_chars) == (500, 150)
        assert (StructureSplitter().max_chars, StructureSplitter().min_chars) == (700, 200)

    def test_bad_setting_raises_at_construction(self):
        with pytest.raises(ValueError, match="min_chars must be between 0 and max_chars"):
            StructureSplitter(max_chars=100, min_chars=300)

    def test_run_writes_provenance(self):
        doc = Document(
            content="Eerste pagina.\fTweede pagina.\n\nMet een alinea.", meta={"title": "T", "paginated": True}
        )
        chunks = StructureSplitter().run(documents=[doc])["documents"]
        assert [c.content for c in chunks] == ["Eerste pagina.", "Tweede pagina.\n\nMet een alinea."]
        assert chunks[1].meta == {
            "title": "T",
            "paginated": True,
            "page_number": 2,
            "start": 0,
            "end": 31,
            "split_id": 1,
            "source_id": doc.id,
        }

    def test_unpaginated_documents_have_no_page_number(self):
        doc = Document(content="Eén tekst.", meta={"paginated": False})
        (chunk,) = StructureSplitter().run(documents=[doc])["documents"]
        assert chunk.meta["page_number"] is None

    def test_paginated_is_inferred_when_meta_lacks_it(self):
        docs = [Document(content="a tekst\fb tekst"), Document(content="alleen tekst")]
        chunks = StructureSplitter().run(documents=docs)["documents"]
        assert [c.meta["page_number"] for c in chunks] == [1, 2, None]

    def test_empty_documents_give_no_chunks(self):
        docs = [Document(content=""), Document(content=None), Document(content="\f \f")]
        assert StructureSplitter().run(documents=docs)["documents"] == []

    def test_full_pipeline_on_a_generated_pdf(self, report_pdf):
        pipeline = Pipeline()
        pipeline.add_component("converter", PublicationConverter())
        pipeline.add_component("cleaner", DutchTextCleaner())
        pipeline.add_component("splitter", StructureSplitter())
        pipeline.connect("converter.documents", "cleaner.documents")
        pipeline.connect("cleaner.documents", "splitter.documents")
        result = pipeline.run({"converter": {"sources": [report_pdf], "meta": [{"id": "rapport"}]}})
        chunks = result["splitter"]["documents"]
        assert [c.meta["page_number"] for c in chunks] == [1, 2, 4]
        assert {c.meta["id"] for c in chunks} == {"rapport"}
        assert "Dit onderzoek laat zien" in chunks[0].content
        assert "samenwerkende scholen in Noord-Holland" in chunks[0].content
        assert chunks[2].content.startswith("Conclusie\nSamen opleiden is effectief")
        assert not any("testrapport" in c.content for c in chunks)
        pipeline_copy = Pipeline.from_dict(pipeline.to_dict(), allowed_modules=["kennisbank.ingest"])
        assert pipeline_copy.get_component("splitter").max_chars == 700
