"""Both store back ends, on the real engines (Qdrant Edge; qdrant-client in-process), with small vectors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kennisbank.core.errors import IndexMismatch, StoreLocked
from kennisbank.search.schema import (
    ChunkPoint,
    SearchFilter,
    index_fingerprint,
    point_id,
)
from kennisbank.search.store import ClientStore, EdgeStore

DIM = 4
FP = index_fingerprint("toy", DIM, {"splitter": "toy"}, {"language": "dutch"})


def _point(doc: str, version: str, split: int, dense, terms: dict[int, float], **payload) -> ChunkPoint:
    return ChunkPoint(
        id=point_id(doc, version, split),
        dense=dense,
        sparse_indices=list(terms),
        sparse_values=list(terms.values()),
        payload={"doc_id": doc, "doc_version": version, "text": f"{doc} {split}", **payload},
    )


POINTS = [
    _point("a", "a1", 0, [1, 0, 0, 0], {1: 1.0, 2: 1.0}, kind="rapport", organisation="ECBO", year=2021,
           sectors=["po", "vo"], values=["1.1", "1.3"]),
    _point("a", "a1", 1, [0.9, 0.1, 0, 0], {2: 2.0}, kind="rapport", organisation="ECBO", year=2021,
           sectors=["po", "vo"], values=["1.3"]),
    _point("b", "b1", 0, [0, 1, 0, 0], {3: 1.0}, kind="advies", organisation="Onderwijsraad", year=2025,
           sectors=["mbo"], values=[]),
    _point("c", "c1", 0, [0, 0, 1, 0], {1: 3.0}, kind="advies", organisation="Platform", year=None,
           sectors=[], values=["2.1"]),
]


@pytest.fixture(params=["edge", "client"])
def store(request, tmp_path):
    if request.param == "edge":
        s = EdgeStore(tmp_path / "index", FP)
    else:
        s = ClientStore(":memory:", "", "test", FP)
    s.upsert(POINTS)
    yield s
    s.close()


def _query(store, mode="hybrid", dense=(1, 0, 0, 0), sparse=([1], [1.0]), **flt):
    return store.query(
        dense=list(dense) if dense is not None else None,
        sparse=sparse,
        mode=mode,
        limit=10,
        flt=SearchFilter(**flt),
        prefetch_limit=10,
        rrf_k=60,
    )


class TestStore:
    def test_count_and_versions(self, store):
        assert store.count() == 4
        assert store.versions() == {("a", "a1"), ("b", "b1"), ("c", "c1")}

    def test_dense_ranks_by_cosine(self, store):
        hits = _query(store, mode="dense", sparse=None)
        assert [h.payload["text"] for h in hits[:2]] == ["a 0", "a 1"]
        assert hits[0].score == pytest.approx(1.0, abs=1e-4)

    def test_bm25_only_matches_terms(self, store):
        hits = _query(store, mode="bm25", dense=None, sparse=([3], [1.0]))
        assert [h.payload["text"] for h in hits] == ["b 0"]

    def test_hybrid_fuses_both(self, store):
        hits = _query(store, mode="hybrid", dense=(0, 0, 1, 0), sparse=([1], [1.0]))
        texts = [h.payload["text"] for h in hits]
        # "c 0" is first in dense and first in BM25 (term 1, highest weight): RRF puts it on top
        assert texts[0] == "c 0"
        assert set(texts) >= {"a 0", "c 0"}

    def test_filters(self, store):
        assert {h.payload["doc_id"] for h in _query(store, kinds=["advies"])} == {"b", "c"}
        assert {h.payload["doc_id"] for h in _query(store, organisations=["ECBO"])} == {"a"}
        years = {h.payload["doc_id"] for h in _query(store, year_from=2022, year_to=2030)}
        assert years == {"b"}  # a document without a year never matches a year range

    def test_sector_filter(self, store):
        assert {h.payload["doc_id"] for h in _query(store, sectors=["mbo"])} == {"b"}
        assert {h.payload["doc_id"] for h in _query(store, sectors=["po", "mbo"])} == {"a", "b"}
        assert _query(store, sectors=["hbo"]) == []

    def test_value_counts(self, store):
        assert store.value_counts([]) == {"1.1": 1, "1.3": 2, "2.1": 1}
        assert store.value_counts(["a1"]) == {"2.1": 1}  # hidden versions are not counted

    def test_hidden_versions_are_never_returned(self, store):
        hits = _query(store, hidden_versions=["a1"])
        assert hits and all(h.payload["doc_version"] != "a1" for h in hits)

    def test_delete_version_and_set_payload(self, store):
        store.set_payload("b", "b1", {"title": "Nieuw"})
        store.delete_version("a", "a1")
        assert store.count() == 2
        hit = next(h for h in _query(store, mode="dense", sparse=None, dense=(0, 1, 0, 0)))
        assert hit.payload["title"] == "Nieuw" and hit.payload["text"] == "b 0"


def test_edge_refuses_an_index_built_differently(tmp_path):
    EdgeStore(tmp_path / "index", FP).close()
    other = index_fingerprint("another-model", DIM, {"splitter": "toy"}, {"language": "dutch"})
    with pytest.raises(IndexMismatch, match="another-model.*kennisbank ingest --rebuild"):
        EdgeStore(tmp_path / "index", other)


def test_edge_persists_across_reopen(tmp_path):
    s = EdgeStore(tmp_path / "index", FP)
    s.upsert(POINTS)
    s.close()
    s = EdgeStore(tmp_path / "index", FP)
    assert s.count() == 4
    s.close()


def test_client_refuses_a_collection_built_differently(tmp_path):
    ClientStore(str(tmp_path / "q"), "", "test", FP).close()
    other = index_fingerprint("toy", 8, {"splitter": "toy"}, {"language": "dutch"})
    with pytest.raises(IndexMismatch, match="dim"):
        ClientStore(str(tmp_path / "q"), "", "test", other)


def test_second_process_gets_a_clear_message(tmp_path):
    s = EdgeStore(tmp_path / "index", FP)
    try:
        script = "\n".join([  # a second process: its imports are the script's first lines
            "from kennisbank.core.errors import StoreLocked",
            "from kennisbank.search.store import EdgeStore",
            "from kennisbank.search.schema import index_fingerprint",
            "try:",
            f"    EdgeStore({str(tmp_path / 'index')!r}, index_fingerprint('toy', 4, {{'splitter': 'toy'}}, {{'language': 'dutch'}}))",
            "except StoreLocked as exc:",
            "    print('LOCKED:', exc.message)",
        ])
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert "LOCKED:" in out.stdout, out.stdout + out.stderr
        assert "in use by another kennisbank process" in out.stdout
        assert "Traceback" not in out.stderr
    finally:
        s.close()
    assert StoreLocked.status == 503
