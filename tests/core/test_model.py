"""The shared data model: one validation of publication metadata, ids and search limits."""

import pytest

from kennisbank.core.catalog import DocumentRecord
from kennisbank.core.errors import BadRequest, ConfigError
from kennisbank.core.model import (
    K_MAX,
    MAX_QUERY_CHARS,
    PUBLICATION_FIELD_NAMES,
    check_doc_id,
    hit_json,
    passage_payload,
    publication_meta,
    publication_payload,
    slug,
    validate_k,
    validate_mode,
    validate_query,
)


class TestPublicationMeta:
    def test_fills_defaults_and_keeps_the_field_order(self):
        meta = publication_meta({"title": "  Rapport  ", "year": 2021}, "test")
        assert list(meta) == list(PUBLICATION_FIELD_NAMES)
        assert meta["title"] == "Rapport" and meta["language"] == "nl" and meta["sectors"] == []

    @pytest.mark.parametrize("raw, message", [
        ({"title": ""}, "needs a title"),
        ({"title": "T", "year": 1500}, "out of range"),
        ({"title": "T", "year": True}, "must be int"),
        ({"title": "T", "url": "javascript:alert(1)"}, "must start with http"),
        ({"title": "T", "colour": "blauw"}, "unknown field"),
    ])
    def test_refuses_bad_metadata_naming_the_field(self, raw, message):
        with pytest.raises(ConfigError, match=message):
            publication_meta(raw, "test")

    def test_the_catalog_record_has_the_same_fields(self):
        record_fields = set(DocumentRecord.__dataclass_fields__)
        assert set(PUBLICATION_FIELD_NAMES) <= record_fields


class TestIds:
    def test_slug_and_check(self):
        assert slug("Rapport ECBO 2021.pdf") == "rapport-ecbo-2021-pdf"
        assert check_doc_id("ecbo-2021", "test") == "ecbo-2021"
        for bad in ("ECBO", "-x", "a" * 81, "../x"):
            with pytest.raises(ConfigError):
                check_doc_id(bad, "test")


class TestSearchLimits:
    def test_query(self):
        assert validate_query("  vraag ") == "vraag"
        for bad in ("", "   ", "x" * (MAX_QUERY_CHARS + 1), "a\x00b", None):
            with pytest.raises(BadRequest):
                validate_query(bad)

    def test_k_and_mode(self):
        assert validate_k(K_MAX) == K_MAX and validate_mode("bm25") == "bm25"
        for bad in (0, K_MAX + 1, True, "5"):
            with pytest.raises(BadRequest):
                validate_k(bad)
        with pytest.raises(BadRequest, match="Kies uit: hybrid, dense, bm25"):
            validate_mode("fuzzy")


def test_a_payload_round_trips_to_the_api_json():
    meta = publication_meta({"title": "T", "organisation": "ECBO", "year": 2021}, "test")
    payload = passage_payload(publication_payload("doc", "v1", meta), text="tekst", page=3, start=5, end=10,
                              split_id=7, values=["1.2"])
    hit = hit_json(1, 0.5, payload)
    assert hit["chunk_id"] == "doc.c7" and hit["page"] == 3 and hit["values"] == ["1.2"]
    assert hit["document"] == {"id": "doc", **meta}
