"""The replay arithmetic of evaluation/third_list_grid.py: n-list fusion and the BM25 parameters."""

from __future__ import annotations

import math

import pytest

from kennisbank.evaluation.third_list_grid import (
    PICKED, THIRD_BASE, _bm25, bm25_scores, fuse_lists, grid, sparse_corpus,
)
from kennisbank.search.embedders import BM25_CONFIG, BM25TextEmbedder, bm25_text
from kennisbank.search.rerank import Reranker
from kennisbank.search.schema import Hit

TEXTS = [
    "De opleiding van studenten op de school en in de scholen: opleiding en begeleiding.",
    "Samen opleiden vraagt om kwaliteitsafspraken tussen lerarenopleiding en school.",
    "Werkplekbegeleiding door de schoolopleider, met tijd en aandacht voor iedere student in de opleidingsschool.",
    "Een tekst over iets anders: het weer in de zomer.",
]


def _hit(name: str, score: float) -> Hit:
    return Hit(id=name, score=score, payload={"chunk_id": name})


class TestFuseLists:
    def test_two_lists_are_the_products_fusion(self):
        dense = [_hit("a", 0.9), _hit("b", 0.8), _hit("c", 0.5)]
        bm25 = [_hit("c", 12.0), _hit("d", 4.0), _hit("a", 3.0)]
        for w in (0.3, 0.5, 0.7):
            expected = Reranker(dense_weight=w).fuse(dense, bm25)
            got = fuse_lists([(w, dense), (1 - w, bm25)])
            assert [h.id for h in got] == [h.id for h in expected]
            assert [h.score for h in got] == pytest.approx([h.score for h in expected])

    def test_a_third_list_lifts_what_it_ranks_first_and_weight_zero_leaves_it_out(self):
        dense = [_hit("a", 0.9), _hit("b", 0.85), _hit("c", 0.5)]
        bm25 = [_hit("a", 5.0), _hit("b", 4.9), _hit("c", 1.0)]
        third = [_hit("b", 0.9), _hit("c", 0.4), _hit("a", 0.1), _hit("e", 0.0)]
        assert [h.id for h in fuse_lists([(0.5, dense), (0.5, bm25)])][:2] == ["a", "b"]
        lifted = fuse_lists([(0.35, dense), (0.35, bm25), (0.3, third)])
        assert [h.id for h in lifted][0] == "b"
        assert "e" in {h.id for h in lifted}  # only in the third list: the other lists' lowest z-scores
        assert [h.id for h in fuse_lists([(0.5, dense), (0.5, bm25), (0.0, third)])] == ["a", "b", "c"]


class TestBm25Replay:
    def test_term_frequencies_and_lengths_read_back_give_the_embedders_weights(self):
        corpus = sparse_corpus(TEXTS)
        for k1, b, avg in ((1.2, 0.75, 90.0), (0.6, 0.3, 39.0), (2.0, 0.9, 10.0)):
            embedder = _bm25(k1, b, avg)
            for text, tf, length in zip(TEXTS, corpus.tfs, corpus.lengths):
                vec = embedder.embed_document(bm25_text(text))
                expected = dict(zip(vec.indices, vec.values))
                assert set(expected) == set(tf)
                for term, freq in tf.items():
                    weight = freq * (k1 + 1) / (freq + k1 * (1 - b + b * length / avg))
                    assert weight == pytest.approx(expected[term], rel=1e-5)

    def test_scores_are_idf_times_weight_over_the_query_terms_and_k1_b_change_them(self):
        corpus = sparse_corpus(TEXTS)
        query = BM25TextEmbedder().run(text="opleiding van studenten op school")["sparse_embedding"]
        q = (list(query.indices), list(query.values))
        scores = bm25_scores(corpus, q, BM25_CONFIG["k"], BM25_CONFIG["b"], BM25_CONFIG["avg_len"])
        assert scores[0] == max(scores) and scores[3] == 0.0  # the off-topic text shares no term
        n = len(TEXTS)
        for i, d in ((i, sum(i in tf for tf in corpus.tfs)) for i in q[0] if i in corpus.idf):
            assert corpus.idf[i] == pytest.approx(math.log(1 + (n - d + 0.5) / (d + 0.5)))
        assert bm25_scores(corpus, q, 2.0, 0.3, 39.0) != pytest.approx(scores)


def test_grids_hold_the_base_and_the_pick_differs_from_it():
    cells = grid("combined")
    assert any(c == {**THIRD_BASE} for c in cells)
    assert any(all(c[k] == v for k, v in PICKED.items()) for c in cells)
    assert PICKED != THIRD_BASE
    # the USE query kind is only varied where USE has a weight
    assert all(c["use_query"] == "question" for c in grid("use") if c["use_weight"] == 0)
