"""Defects a judge found by eye in the eleventh sample, each on its real page (../shared/real-pdfs; skipped when
absent), each failing on the code before the fix: a sentence listing items that end in ";" cut between two items, sub-items
opened by a letter "o" run together.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from kennisbank.ingest.pipeline import split_file

REAL_PDFS = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs"
pytestmark = pytest.mark.skipif(not REAL_PDFS.is_dir(), reason=f"the real PDFs are not at {REAL_PDFS}")


@lru_cache(maxsize=3)
def _real(name: str):
    document, chunks = split_file(REAL_PDFS / name)
    return document.content.split("\f"), chunks


def _on_page(chunks, number: int) -> list[str]:
    return [c.content for c in chunks if c.meta["page_number"] == number and c.meta.get("kind", "body") == "body"]


def test_a_sentence_listing_items_that_end_in_a_semicolon_is_not_cut_between_items():
    """duidingsrapportage p. 120: the quoted article "... met het oogmerk: 1. ...; 2. ... onderwijs; 3. ... te
    voorkomen." ended a passage at "onderwijs;"; toegankelijkheidsonderzoek p. 28: "gelden de volgende zaken:
    Sluiten: ...; Aanwijsbaar: ...; Aanhouden: ..." ended at the first condition. Both fit in 1.5 x max_chars."""
    _pages, chunks = _real("duidingsrapportage-coronamelder.pdf")
    texts = [text for number in (120, 121) for text in _on_page(chunks, number)]
    quote = next(text for text in texts if "met het oogmerk:" in text)
    assert quote.endswith("zoveel mogelijk te voorkomen.") and "onderwijs; 3. epidemische" in quote
    _pages, chunks = _real("toegankelijkheidsonderzoek.pdf")
    texts = [text for number in (28, 29) for text in _on_page(chunks, number)]
    rule = next(text for text in texts if "gelden de volgende zaken:" in text)
    assert "Aanwijsbaar: " in rule and "niet langer geldig is." in rule
    assert not any(text.endswith("verbergt of vervangt;") for text in texts)


def test_a_line_opened_by_a_lone_letter_o_bullet_is_a_list_item():
    """ap-advies p. 7 and dpia p. 55: Word's second-level bullet, a letter "o" in Courier New, ran the sub-items
    into the item above them ("met: o een tijdelijke opslag ... o een koppeling ...")."""
    _pages, chunks = _real("ap-advies-coronamelder.pdf")
    text = next(text for text in _on_page(chunks, 7) if "de backend server waarvan" in text)
    assert "met:\no een tijdelijke opslag voor de diagnosesleutels (TEK's)\no een koppeling met het GGD-portaal" in text
    _pages, chunks = _real("dpia-coronamelder.pdf")
    texts = "\n".join(_on_page(chunks, 54) + _on_page(chunks, 55))
    assert "\no Handmatige code audits\no Het uitvoeren van diverse intensieve penetratietesten" in texts
