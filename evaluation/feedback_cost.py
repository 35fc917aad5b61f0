"""What pseudo-relevance feedback (search/feedback.py) adds per query at a given index size.

    OMP_NUM_THREADS=1 python -m kennisbank.evaluation.feedback_cost --size 100000 --queries 200 --dense 0.1

The synthetic index of `evaluation.rerank_cost` (random-based vectors, four sentence vectors per passage), and
the real questions (e5 query vectors, BM25 with thesaurus expansion), each run both ways, interleaved:

- ``default``: the second stage as the product runs it by default (dense top, BM25 top, fusion, best sentence);
- ``feedback``: the same with `Feedback.refine` before the best-sentence re-scoring (the first pass re-scored,
  the top passages' vectors fetched, the moved dense query and/or the expanded BM25 query run again).

Query embedding is not included (the same for both). Prints p50 / p95 / mean per way, of the difference per
question and of the ratio, with the load average.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from kennisbank.core.settings import Settings
from kennisbank.evaluation.bench import load_queries, percentiles
from kennisbank.evaluation.rerank_cost import build, query_vectors
from kennisbank.search.feedback import Feedback, SentenceScoreCache
from kennisbank.search.rerank import Reranker
from kennisbank.search.schema import SearchFilter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--dense", type=float, default=0.1, help="feedback_dense_weight")
    parser.add_argument("--bm25", type=float, default=0.0, help="feedback_bm25_weight")
    parser.add_argument("--depth", type=int, default=Settings.feedback_depth, help="feedback_depth")
    args = parser.parse_args(argv)
    settings = Settings.load(environ={})
    reranker = Reranker.from_settings(settings)
    feedback = Feedback(dense_weight=args.dense, depth=args.depth, bm25_weight=args.bm25)
    vectors = query_vectors(load_queries(args.queries))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        store = build(Path(tmp) / "index", args.size)
        print(f"built {store.count()} passages in {time.perf_counter() - started:.0f} s")
        flt, fetch = SearchFilter(), settings.prefetch_limit

        def query_dense(dense):
            return store.query(dense=dense, sparse=None, mode="dense", limit=fetch, flt=flt, prefetch_limit=fetch,
                               rrf_k=0)

        def query_bm25(sparse):
            return store.query(dense=None, sparse=sparse, mode="bm25", limit=fetch, flt=flt, prefetch_limit=fetch,
                               rrf_k=0)

        def default(dense, sparse):
            sentences = SentenceScoreCache(lambda ids: store.sentence_scores(dense, ids))
            fused = reranker.fuse(query_dense(dense), query_bm25(sparse))
            return reranker.rescore(fused, sentences)[:10]

        def with_feedback(dense, sparse):
            sentences = SentenceScoreCache(lambda ids: store.sentence_scores(dense, ids))
            fused = feedback.refine(query_dense(dense), query_bm25(sparse), reranker=reranker, query=dense,
                                    sparse=sparse, sentence_scores=sentences, dense_vectors=store.dense_vectors,
                                    query_dense=query_dense, query_bm25=query_bm25)
            return reranker.rescore(fused, sentences)[:10]

        for dense, sparse in vectors[:3]:  # warm-up, not timed
            default(dense, sparse), with_feedback(dense, sparse)
        times: dict[str, list[float]] = {"default": [], "feedback": [], "difference": [], "ratio": []}
        for dense, sparse in vectors:
            took = {}
            for name, run in (("default", default), ("feedback", with_feedback)):
                begun = time.perf_counter()
                run(dense, sparse)
                took[name] = (time.perf_counter() - begun) * 1000
                times[name].append(took[name])
            times["difference"].append(took["feedback"] - took["default"])
            times["ratio"].append(took["feedback"] / took["default"])
        store.close()
    print(f"{args.size} passages, {len(vectors)} questions, feedback dense {args.dense} bm25 {args.bm25} depth "
          f"{args.depth}, load average {os.getloadavg()[0]:.1f} (ms; ratio: feedback / default):")
    for name, samples in times.items():
        p = percentiles(samples)
        print(f"  {name:10} p50 {p['p50']:7.2f}  p95 {p['p95']:7.2f}  mean {p['mean']:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
