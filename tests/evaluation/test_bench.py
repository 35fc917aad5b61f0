"""The benchmark's own checks, at tiny sizes: structure and sanity, never wall-clock times."""

from __future__ import annotations

import numpy as np
import pytest

from kennisbank.evaluation import bench, synthetic
from kennisbank.ingest.parsing import parse_file


class TestSynthetic:
    def test_vocabulary_is_zipf_like(self):
        vocab = synthetic.Vocabulary.from_corpus()
        assert len(vocab.words) > 500
        assert vocab.probabilities[0] > vocab.probabilities[10] > vocab.probabilities[-1]
        assert vocab.probabilities.sum() == pytest.approx(1.0)
        sentence = vocab.sentence(np.random.default_rng(0))
        assert sentence[0].isupper() and sentence.endswith(".")

    def test_chunks_have_realistic_lengths_and_unit_vectors(self):
        segments = synthetic.make_segments(40)
        vectors = np.random.default_rng(0).normal(size=(40, 16)).astype(np.float32)
        texts, dense = synthetic.make_chunks(300, segments, vectors)
        lengths = [len(t) for t in texts]
        assert len(texts) == 300 and dense.shape == (300, 16)
        assert max(lengths) <= synthetic.CHUNK_MAX_CHARS and np.median(lengths) >= synthetic.CHUNK_MIN_CHARS
        assert np.allclose(np.linalg.norm(dense, axis=1), 1.0, atol=1e-5)
        assert len(set(texts)) > 250

    def test_pdf_set_is_multi_page_dutch(self, tmp_path):
        (path,) = synthetic.make_pdf_set(tmp_path, documents=1, pages=3)
        parsed = parse_file(path)
        assert parsed.format == "pdf" and parsed.page_count >= 3
        assert " de " in parsed.pages[1] and len(parsed.pages[1]) > 1000


class TestBruteForce:
    def test_dense_bm25_and_hybrid(self):
        dense = np.eye(4, dtype=np.float32) + 0.01
        sparse = [([1, 2], [1.0, 1.0]), ([2], [1.0]), ([3], [2.0]), ([1], [0.5])]
        brute = bench.BruteForce(dense, sparse)
        assert brute.dense_top([0, 0, 1, 0], 2)[0] == 2
        assert brute.bm25_top([3], 4) == [2]  # only documents that contain a term
        assert brute.bm25_top([1], 4) == [0, 3]
        assert brute.bm25_top([99], 4) == []
        assert brute.hybrid_top([0, 0, 1, 0], [3], 2, prefetch=4, rrf_k=60)[0] == 2

    def test_agreement(self):
        assert bench.agreement([["a", "b"], ["c"]], [["a", "b"], ["d"]]) == {"top1": 0.5, "overlap@10": 0.5}
        assert bench.agreement([["c"]], [["d"]], tied=[{"c", "d"}])["top1"] == 1.0


def test_percentiles():
    stats = bench.percentiles([float(i) for i in range(1, 101)])
    assert stats["n"] == 100 and stats["p50"] <= stats["p95"] <= stats["p99"] <= 100


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """The whole benchmark at 200 chunks (in this process) with a 2-page ingest."""
    return bench.run_benchmark(
        [200], queries=8, workdir=tmp_path_factory.mktemp("bench"), ingest_docs=1, ingest_pages=2, in_process=True
    )


class TestTinyRun:
    def test_ingest_report(self, tiny_run):
        ingest = tiny_run["ingest"]
        assert ingest["pages"] >= 2 and ingest["chunks"] > 0 and ingest["pages_per_s"] > 0
        assert {"convert", "clean", "split", "dense embed", "sparse embed", "write/publish"} <= set(ingest["stages_s"])
        assert all(seconds >= 0 for seconds in ingest["stages_s"].values())
        assert sum(ingest["stages_share"].values()) == pytest.approx(1.0, abs=0.05)

    def test_size_report(self, tiny_run):
        (size,) = tiny_run["sizes"]
        assert size["size"] == 200 and size["edge_points"] == 200
        assert size["real_chunks"] + size["synthetic_chunks"] == 200
        for mode in bench.MODES:
            for part in (size["numpy"], size["serve"]["end_to_end"], size["serve"]["engine"], size["client"]):
                assert part[mode]["n"] > 0 and part[mode]["p50"] <= part[mode]["p99"]
        assert size["serve"]["peak_rss_mb"] > 0 and size["edge_disk_mb"] > 0

    def test_engine_agrees_with_brute_force(self, tiny_run):
        (size,) = tiny_run["sizes"]
        # below the indexing threshold the engine searches exactly: dense must agree on the top result
        assert size["edge_agreement"]["dense"]["top1"] == 1.0
        assert size["edge_agreement"]["bm25"]["overlap@10"] >= 0.9
        assert size["edge_agreement"]["hybrid"]["overlap@10"] >= 0.8
        assert size["edge_agreement"]["hybrid"]["top1"] >= 0.9  # RRF as Qdrant computes it, ties counted
        assert size["client"]["dense"]["agreement_top1"] == 1.0

    def test_report_renders(self, tiny_run):
        text = bench.format_markdown(tiny_run)
        assert "| 200 | hybrid |" in text and "**Targets**" in text and "dense embed" in text
        assert {row["target"].split(" (")[0] for row in tiny_run["targets"]}
