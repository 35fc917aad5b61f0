"""What the second stage of hybrid search (search/rerank.py) adds per query at a given index size.

    OMP_NUM_THREADS=1 python -m kennisbank.evaluation.rerank_cost --size 100000 --queries 200

Builds an embedded Qdrant Edge index of `size` synthetic passages in a temporary folder (texts from
`evaluation.synthetic`; dense vectors made from *random* segment vectors, not the model, so that the build
takes minutes instead of hours; four sentence vectors per passage, the corpus's average, as noisy copies of the
passage vector; BM25 vectors by the product's embedder) and runs the real questions (e5 query vectors and the
product's BM25 query vectors with thesaurus expansion) both ways, interleaved per question:

- ``rrf``: one hybrid query with Qdrant's rank fusion (the product before the second stage);
- ``rerank``: the dense top and the BM25 top as two queries, `Reranker.fuse`, `Store.sentence_scores` over the
  fused top `rerank_depth`, `Reranker.rescore` (what `Searcher` does now).

Query embedding is not included (the same for both; README "Speed"). Prints p50/p95 per way and of the
difference per question, with the load average.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from haystack import Document

from kennisbank.core.settings import Settings
from kennisbank.core.text import normalize_text
from kennisbank.evaluation.bench import load_queries, percentiles
from kennisbank.evaluation.synthetic import make_chunks, make_segments
from kennisbank.search.e5 import E5TextEmbedder
from kennisbank.search.embedders import BM25DocumentEmbedder, BM25TextEmbedder
from kennisbank.search.rerank import Reranker
from kennisbank.search.schema import ChunkPoint, SearchFilter, point_id
from kennisbank.search.store import EdgeStore
from kennisbank.search.thesaurus import default_thesaurus

DIM = 384
SENTENCES_PER_PASSAGE = 4


def build(index_dir: Path, size: int, seed: int = 5) -> EdgeStore:
    rng = np.random.default_rng(seed)
    segments = make_segments(2000)
    segment_vectors = rng.normal(size=(len(segments), DIM)).astype(np.float32)
    segment_vectors /= np.linalg.norm(segment_vectors, axis=1, keepdims=True)
    texts, vectors = make_chunks(size, segments, segment_vectors)
    bm25 = BM25DocumentEmbedder()
    bm25.warm_up()
    store = EdgeStore(index_dir, {"dim": DIM, "purpose": "rerank cost"})
    batch_size = Settings.write_batch
    for start in range(0, size, batch_size):
        docs = bm25.run(documents=[Document(content=t) for t in texts[start:start + batch_size]])["documents"]
        points = []
        for row, doc in enumerate(docs, start=start):
            noisy = vectors[row] + rng.normal(0.0, 0.05, (SENTENCES_PER_PASSAGE, DIM)).astype(np.float32)
            points.append(ChunkPoint(
                id=point_id("synth", "v1", row), dense=vectors[row].tolist(),
                sparse_indices=list(doc.sparse_embedding.indices), sparse_values=list(doc.sparse_embedding.values),
                payload={"doc_id": f"synth-{row // 100:05d}", "doc_version": "v1", "text": texts[row],
                         "chunk_id": f"synth-{row // 100:05d}.c{row % 100}", "split_id": row % 100},
                sentences=noisy.tolist(),
            ))
        store.upsert(points)
    store.flush()
    return store


def query_vectors(questions: list[str]) -> list[tuple[list[float], tuple[list[int], list[float]]]]:
    """Each question's dense vector and sparse (indices, values), as the product makes them, thesaurus included."""
    text_embedder, sparse_embedder = E5TextEmbedder(), BM25TextEmbedder()
    vectors = []
    for q in questions:
        text = normalize_text(q)
        emb = sparse_embedder.run(text=text, expansions=default_thesaurus().expansions(text))["sparse_embedding"]
        vectors.append((text_embedder.run(text=text)["embedding"], (list(emb.indices), list(emb.values))))
    return vectors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    settings = Settings.load(environ={})
    reranker = Reranker.from_settings(settings)
    questions = load_queries(args.queries)
    vectors = query_vectors(questions)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = build(Path(tmp) / "index", args.size)
        print(f"built {store.count()} passages in {time.perf_counter() - started:.0f} s")
        flt, fetch = SearchFilter(), settings.prefetch_limit

        def rrf(dense, sparse):
            return store.query(dense=dense, sparse=sparse, mode="hybrid", limit=10, flt=flt, prefetch_limit=fetch,
                               rrf_k=settings.rrf_k)

        parts: dict[str, list[float]] = {"dense query": [], "bm25 query": [], "fusion": [], "sentence scores": []}

        def timed(name, call):
            begun = time.perf_counter()
            out = call()
            parts[name].append((time.perf_counter() - begun) * 1000)
            return out

        def rerank(dense, sparse):
            by_dense = timed("dense query", lambda: store.query(
                dense=dense, sparse=None, mode="dense", limit=fetch, flt=flt, prefetch_limit=fetch, rrf_k=0))
            by_bm25 = timed("bm25 query", lambda: store.query(
                dense=None, sparse=sparse, mode="bm25", limit=fetch, flt=flt, prefetch_limit=fetch, rrf_k=0))
            fused = timed("fusion", lambda: reranker.fuse(by_dense, by_bm25))
            scores = timed("sentence scores", lambda: store.sentence_scores(dense, [h.id for h in fused[:reranker.depth]]))
            return reranker.rescore(fused, lambda ids: scores)[:10]

        for dense, sparse in vectors[:3]:  # warm-up, not timed
            rrf(dense, sparse), rerank(dense, sparse)
        times: dict[str, list[float]] = {"rrf": [], "rerank": [], "difference": []}
        for dense, sparse in vectors:
            took = {}
            for name, run in (("rrf", rrf), ("rerank", rerank)):
                begun = time.perf_counter()
                run(dense, sparse)
                took[name] = (time.perf_counter() - begun) * 1000
                times[name].append(took[name])
            times["difference"].append(took["rerank"] - took["rrf"])
        store.close()
    print(f"{args.size} passages, {len(vectors)} questions, load average {os.getloadavg()[0]:.1f} (ms):")
    for name, samples in {**times, **{f"  {k}": v[-len(vectors):] for k, v in parts.items()}}.items():
        p = percentiles(samples)
        print(f"  {name:10} p50 {p['p50']:7.2f}  p95 {p['p95']:7.2f}  mean {p['mean']:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
