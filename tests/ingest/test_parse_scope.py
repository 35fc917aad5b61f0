"""ingest.parse_scope: a parse keeps nothing of its document after it, and freezes the older objects during it."""

from __future__ import annotations

import gc
import threading

import pytest
from pypdf import PdfReader

from kennisbank.ingest import parse_scope
from kennisbank.ingest.parse_scope import per_document, reading
from kennisbank.ingest.parsing import parse_file
from tests.ingest.real_pdfs import REAL_PDFS, needs_real_pdfs


def _readers_alive(collect: bool = True) -> list[PdfReader]:
    """The pypdf readers alive (other tests may have left some: a page read outside a parse). A test holds the
    list it took before, so no new reader can take the id of one of those."""
    if collect:
        gc.collect()
    return [thing for thing in gc.get_objects() if isinstance(thing, PdfReader)]


def _new(readers: list[PdfReader], before: list[PdfReader]) -> list[PdfReader]:
    return [reader for reader in readers if all(reader is not old for old in before)]


@needs_real_pdfs
def test_a_parsed_document_is_not_kept_alive_by_the_font_caches():
    # the caches by font held font dictionaries, whose indirect references reach their reader: every parsed
    # document stayed in memory (a server that adds publications grew with each)
    before = _readers_alive()
    for name in ("ap-advies-coronamelder.pdf", "geotopo-thesis-de.pdf"):  # Type 3 fonts, TeX fonts, Word fonts
        parsed = parse_file(REAL_PDFS / name)
        assert parsed.body and any(page.strip() for page in parsed.body)
    assert not _new(_readers_alive(), before)
    assert all(not cache for cache in parse_scope._CACHES)
    assert gc.get_freeze_count() == 0


@needs_real_pdfs
def test_a_parsed_document_is_freed_when_its_parse_ends():
    # a reader and its pages refer to each other, so only a full collection frees them; given back to the
    # oldest generation unfrozen, they waited there, and a batch of parses (each freezing them again) kept all
    before = _readers_alive()
    for _ in range(3):
        parse_file(REAL_PDFS / "hr-slides-lec1.pdf")
        assert not _new(_readers_alive(collect=False), before)


def test_reading_freezes_the_older_objects_and_gives_them_back():
    older = [[index] for index in range(1000)]  # objects alive before the parse
    assert gc.get_freeze_count() == 0
    with reading():
        frozen = gc.get_freeze_count()
        assert frozen >= len(older)
        made = [[index] for index in range(1000)]  # objects of the parse are not frozen: the collector sees them
        assert gc.get_freeze_count() == frozen
    assert gc.get_freeze_count() == 0
    assert made and older


def test_the_last_parse_to_end_unfreezes_and_empties_the_caches():
    cache = per_document()
    first_in, second_done = threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def first() -> None:
        with reading():
            cache["font"] = "widths"
            first_in.set()
            second_done.wait(10)
            seen["after the second ended"] = gc.get_freeze_count()
            seen["cache then"] = len(cache)

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(10)
    with reading():  # a second parse (another thread of a server) ends while the first runs
        pass
    second_done.set()
    thread.join(10)
    assert seen["after the second ended"] > 0 and seen["cache then"] == 1
    assert gc.get_freeze_count() == 0 and not cache


def test_an_error_in_a_parse_still_ends_its_scope():
    cache = per_document()
    with pytest.raises(ValueError), reading():
        cache["font"] = "widths"
        raise ValueError("a broken page")
    assert gc.get_freeze_count() == 0 and not cache
