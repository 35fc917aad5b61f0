"""Grid over a third retriever (USE dense) and the BM25 parameters k1 / b, on the tune part and the dev questions only.

Built on `second_stage_grid`: one pass collects each question's e5 dense cosines (brute force over the passage
vectors), the store's BM25 list and the best-sentence cosines. Two more signals are then replayed per
configuration, with the product's arithmetic (`Reranker.rescore`; the fusion of `Reranker.fuse`, generalised to
n lists in `fuse_lists`):

1. **A third list** (``--grid use``): the multilingual Universal Sentence Encoder v3 (`use-multilingual-v3`,
   the faster and weaker model of search/embedders.py) embeds every passage and each question (alone, or with
   its thesaurus expansions); its top ``prefetch`` by cosine is z-scored like the other two lists and fused with
   weight ``use_weight``, the e5 and BM25 weights renormalised to ``1 - use_weight`` in the ratio
   ``dense_weight : 1 - dense_weight``.
2. **BM25 k1 and b** (``--grid bm25``): the sparse vectors are ours (`BM25DocumentEmbedder`: Qdrant Edge's
   `Bm25` with `BM25_CONFIG`, term weight ``tf (k1 + 1) / (tf + k1 (1 - b + b len / avg_len))``; the store only
   multiplies by the IDF, ``ln(1 + (N - df + 0.5) / (df + 0.5))``). Every passage's vector is made again per
   (k1, b, avg_len) and scored against the question's sparse vector with that IDF; `check_bm25` first shows that
   at the product's parameters this replay gives the store's own BM25 scores.

    python -m kennisbank.evaluation.third_list_grid --data-dir DATA --grid use,bm25,combined

It reads only the tune part of evaluation/questions.jsonl and evaluation/dev-questions.jsonl: the held-out and
fresh questions are evaluated with ``kennisbank eval`` for the configuration chosen here, and only then.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import qdrant_edge as qe
from haystack import Document

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.core.text import normalize_text
from kennisbank.evaluation.feedback_grid import pooled
from kennisbank.evaluation.metrics import DEPTH, Question, load_questions, score_ranking
from kennisbank.evaluation.second_stage_grid import (
    BASE, EVALUATION, Collected, Corpus, collect_corpus, collect_question, dense_list, load_tune_questions,
    mean_scores,
)
from kennisbank.search.embedders import BM25_CONFIG, USEDocumentEmbedder, USETextEmbedder, bm25_text
from kennisbank.search.rerank import Reranker, rank_order, zscores
from kennisbank.search.schema import Hit
from kennisbank.search.thesaurus import default_thesaurus

# the product's second stage now, with the new signals off (BM25 parameters as in BM25_CONFIG)
THIRD_BASE = {**BASE, "use_weight": 0.0, "use_query": "question", "k1": BM25_CONFIG["k"], "b": BM25_CONFIG["b"],
              "avg_len": BM25_CONFIG["avg_len"]}

# Picked on tune + dev before any held-out or fresh question was run: the highest objective (`pooled`) of all
# grids, 0.890 against 0.883 for the base (4 questions up, 3 down; tune English hit@5 0.800 -> 0.760); of the
# two cells at 0.890 the one that changes fewer parameters (k1 stays 1.2). Not a clear gain (README "Search
# quality", round 4): evaluated once on held-out and fresh with `--final`, not wired into the product.
PICKED = {**THIRD_BASE, "use_weight": 0.1, "b": 0.45}

USE_WEIGHTS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4]
K1 = [0.6, 0.9, 1.2, 1.5, 2.0]
B = [0.3, 0.45, 0.6, 0.75, 0.9]
GRIDS = {
    "use": {"use_weight": USE_WEIGHTS, "use_query": ["question", "expanded"], "dense_weight": [0.4, 0.5, 0.6],
            "sentence_weight": [0.2, 0.3, 0.5]},
    "bm25": {"k1": K1, "b": B, "avg_len": ["product", "corpus"], "dense_weight": [0.4, 0.5, 0.6]},
    "combined": {"use_weight": [0.0, 0.1, 0.2, 0.3], "k1": K1, "b": B, "dense_weight": [0.5]},
}


def fuse_lists(lists: Sequence[tuple[float, list[Hit]]]) -> list[Hit]:
    """`Reranker.fuse` for any number of (weight, hits) lists: each list z-scored over its own hits, a passage's
    score the weighted sum (missing from a list: that list's lowest z), best first, equal scores by chunk id.
    With two lists of weights w and 1 - w it is `Reranker(dense_weight=w).fuse(first, second)`."""
    lists = [(w, hits) for w, hits in lists if w]
    zs = [dict(zip((h.id for h in hits), zscores([h.score for h in hits]))) for _, hits in lists]
    floors = [min(z.values(), default=0.0) for z in zs]
    merged: dict[str, Hit] = {}
    for _, hits in reversed(lists):
        merged.update({h.id: h for h in hits})
    fused = []
    for i, h in merged.items():
        score = 0.0
        for (w, _), z, floor in zip(lists, zs, floors):
            score += w * z.get(i, floor)
        fused.append(Hit(id=i, payload=h.payload, score=score))
    return sorted(fused, key=rank_order)


@dataclass
class SparseCorpus:
    """Per passage: its BM25 terms (term id -> tf) and length as Qdrant Edge's Bm25 counts them, and the IDF."""

    tfs: list[dict[int, float]]
    lengths: list[float]
    idf: dict[int, float]

    @property
    def mean_length(self) -> float:
        return statistics.fmean(self.lengths)


def _bm25(k1: float, b: float, avg_len: float):
    return qe.Bm25(qe.Bm25Config(**{**BM25_CONFIG, "k": k1, "b": b, "avg_len": avg_len}))


def sparse_corpus(texts: list[str]) -> SparseCorpus:
    """Term frequencies and lengths recovered from the embedder itself: with b = 0 a term's weight is
    tf (k + 1) / (tf + k), which gives tf; with b = 1 and avg_len 1 it is tf (k + 1) / (tf + k len), which gives
    len. So the tokeniser, stemmer, stop words and compound parts are exactly the product's."""
    k = 1.0
    flat, full = _bm25(k, 0.0, 1.0), _bm25(k, 1.0, 1.0)
    tfs, lengths = [], []
    for text in texts:
        t = bm25_text(text)
        v0, v1 = flat.embed_document(t), full.embed_document(t)
        tf = {i: round(k * w / (k + 1 - w)) for i, w in zip(v0.indices, v0.values)}
        w1 = dict(zip(v1.indices, v1.values))
        lens = [(tf[i] * (k + 1) / w1[i] - tf[i]) / k for i in tf]
        tfs.append(tf)
        lengths.append(round(statistics.fmean(lens)) if lens else 0.0)
    n = len(texts)
    df = Counter(i for tf in tfs for i in tf)
    idf = {i: math.log(1 + (n - d + 0.5) / (d + 0.5)) for i, d in df.items()}
    return SparseCorpus(tfs, lengths, idf)


def bm25_scores(sc: SparseCorpus, query: tuple[list[int], list[float]], k1: float, b: float,
                avg_len: float) -> list[float]:
    """The store's BM25 score of every passage: sum over shared terms of query weight x IDF x term weight."""
    q = dict(zip(*query))
    out = []
    for tf, length in zip(sc.tfs, sc.lengths):
        norm = k1 * (1 - b + b * length / avg_len)
        out.append(sum(qw * sc.idf[i] * tf[i] * (k1 + 1) / (tf[i] + norm) for i, qw in q.items() if i in tf))
    return out


class Runner:
    """Rankings of the collected questions under configurations (BM25 lists and USE vectors cached)."""

    def __init__(self, kb: KnowledgeBase, corpus: Corpus, items: list[Collected]):
        self.kb = kb
        self.corpus = corpus
        texts = [p.get("text", "") for p in corpus.payloads]
        self.sparse_corpus = sparse_corpus(texts)
        use_docs = USEDocumentEmbedder(threads=1)
        docs = use_docs.run(documents=[Document(content=t) for t in texts])["documents"]
        matrix = np.array([d.embedding for d in docs], dtype=np.float32)
        self.use_passages = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        self.use_query = USETextEmbedder(threads=1)
        self.queries: dict[str, tuple[list[int], list[float]] | None] = {}
        self.use_vectors: dict[tuple[str, str], np.ndarray] = {}
        for item in items:
            text = normalize_text(item.question.q)
            expansions = default_thesaurus().expansions(text) if kb.settings.query_expansion else []
            emb = kb._sparse.run(text=text, expansions=expansions)["sparse_embedding"]
            self.queries[item.question.id] = (list(emb.indices), list(emb.values)) if emb.indices else None
            for kind, query in (("question", text), ("expanded", " ".join([text, *expansions]))):
                vector = np.asarray(self.use_query.run(text=query)["embedding"], dtype=np.float32)
                self.use_vectors[(item.question.id, kind)] = vector / np.linalg.norm(vector)
        self._bm25: dict[Any, list[Hit]] = {}

    def avg_len(self, config: dict[str, Any]) -> float:
        value = config["avg_len"]
        return {"product": BM25_CONFIG["avg_len"], "corpus": self.sparse_corpus.mean_length}.get(value, value)

    def bm25(self, item: Collected, config: dict[str, Any]) -> list[Hit]:
        """The BM25 list under the configuration's k1 / b / avg_len; at the product's parameters the store's."""
        if (config["k1"], config["b"], config["avg_len"]) == (THIRD_BASE["k1"], THIRD_BASE["b"], THIRD_BASE["avg_len"]):
            return item.bm25
        key = (item.question.id, config["k1"], config["b"], config["avg_len"])
        if key not in self._bm25:
            query = self.queries[item.question.id]
            hits = []
            if query is not None:
                scores = bm25_scores(self.sparse_corpus, query, config["k1"], config["b"], self.avg_len(config))
                hits = [Hit(id=i, score=s, payload=p) for i, s, p in zip(self.corpus.ids, scores, self.corpus.payloads)
                        if s > 0]
                hits.sort(key=rank_order)
            self._bm25[key] = hits
        return self._bm25[key]

    def use_list(self, item: Collected, kind: str) -> list[Hit]:
        scores = self.use_passages @ self.use_vectors[(item.question.id, kind)]
        hits = [Hit(id=i, score=float(s), payload=p) for i, s, p in zip(self.corpus.ids, scores, self.corpus.payloads)]
        return sorted(hits, key=rank_order)

    def ranking(self, item: Collected, config: dict[str, Any]) -> list[str]:
        prefetch = config["prefetch"]
        reranker = Reranker(dense_weight=config["dense_weight"], depth=config["depth"],
                            sentence_weight=config["sentence_weight"])
        dense = dense_list(self.corpus, "plain", item.query_vector)[:prefetch]
        bm25 = self.bm25(item, config)[:prefetch]
        u = config["use_weight"]
        if u:
            use = self.use_list(item, config["use_query"])[:prefetch]
            w = config["dense_weight"]
            fused = fuse_lists([((1 - u) * w, dense), ((1 - u) * (1 - w), bm25), (u, use)])
        else:
            fused = reranker.fuse(dense, bm25)
        sentence = item.sentence
        hits = reranker.rescore(fused, lambda ids: {i: sentence[i] for i in ids if i in sentence})
        hits = sorted(hits, key=rank_order)
        return [h.payload["text"] for h in hits[:DEPTH]]

    def ranks(self, items: list[Collected], config: dict[str, Any]) -> dict[str, float]:
        """Per question: the reciprocal rank of the first relevant passage in the top 10 (0: none)."""
        return {item.question.id: score_ranking(self.ranking(item, config), item.question.anchors)["mrr@10"]
                for item in items}

    def measure(self, items: list[Collected], config: dict[str, Any]) -> dict[str, dict[str, float]]:
        return mean_scores(items, lambda item: self.ranking(item, config))


def check_bm25(runner: Runner, items: list[Collected]) -> tuple[float, int]:
    """Largest relative difference between the replayed BM25 scores at the product's k1 / b / avg_len and the
    store's, and how many store hits the replay does not score."""
    worst, missing = 0.0, 0
    row = {i: n for n, i in enumerate(runner.corpus.ids)}
    for item in items:
        query = runner.queries[item.question.id]
        if query is None:
            continue
        replay = bm25_scores(runner.sparse_corpus, query, BM25_CONFIG["k"], BM25_CONFIG["b"], BM25_CONFIG["avg_len"])
        for h in item.bm25:
            if h.id not in row:
                missing += 1
                continue
            worst = max(worst, abs(replay[row[h.id]] - h.score) / max(abs(h.score), 1e-9))
    return worst, missing


def load_final_questions() -> dict[str, list[Question]]:
    """The held-out part and the fresh questions: for `--final` only."""
    return {"heldout": [q for q in load_questions(EVALUATION / "questions.jsonl") if q.split == "heldout"],
            "fresh": load_questions(EVALUATION / "fresh-questions.jsonl")}


def grid(name: str) -> list[dict[str, Any]]:
    axes = GRIDS[name]
    configs = [{**THIRD_BASE, **dict(zip(axes, values))} for values in itertools.product(*axes.values())]
    # the USE query kind only matters with a USE weight
    configs = [c for c in configs if c["use_weight"] or c["use_query"] == THIRD_BASE["use_query"]]
    unique = {json.dumps(c, sort_keys=True): c for c in configs}
    return list(unique.values())


def _line(row: dict[str, Any]) -> str:
    c = row["config"]
    keys = ("use_weight", "use_query", "k1", "b", "avg_len", "dense_weight", "sentence_weight")
    t, d = row["tune"], row["dev"]
    return (f"all {pooled(row):.3f} | tune nl {t['nl']['hit@5']:.3f}/{t['nl']['mrr@10']:.3f} en "
            f"{t['en']['hit@5']:.3f}/{t['en']['mrr@10']:.3f} | dev {d['all']['hit@5']:.3f}/{d['all']['mrr@10']:.3f} | "
            + " ".join(f"{k}={c[k]}" for k in keys))


def moves(runner: Runner, items: list[Collected], config: dict[str, Any]) -> tuple[int, int]:
    """How many questions rank their first relevant passage higher / lower than under THIRD_BASE."""
    before, after = runner.ranks(items, THIRD_BASE), runner.ranks(items, config)
    return sum(after[q] > before[q] for q in before), sum(after[q] < before[q] for q in before)


def use_cost(runner: Runner, items: list[Collected], rounds: int = 3) -> dict[str, float]:
    """USE query embedding, ms per question (one thread), p50 / p95 over the questions x rounds."""
    timings = []
    for _ in range(rounds):
        for item in items:
            started = time.perf_counter()
            runner.use_query.run(text=normalize_text(item.question.q))
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"p50": round(statistics.median(timings), 2), "p95": round(timings[int(0.95 * (len(timings) - 1))], 2),
            "n": len(timings)}


def summary(name: str, rows: list[dict[str, Any]], base: dict[str, Any]) -> list[str]:
    """Per USE weight: the spread of the objective over the other axes; for BM25: the objective per k1 x b."""
    lines = []
    if name in ("use", "combined"):
        for u in sorted({r["config"]["use_weight"] for r in rows}):
            values = [pooled(r) for r in rows if r["config"]["use_weight"] == u]
            above = sum(v > pooled(base) for v in values)
            lines.append(f"use_weight {u:<4}: {len(values):>3} cells, all MRR@10 {min(values):.3f}-{max(values):.3f} "
                         f"(median {statistics.median(values):.3f}), {above} above the base")
    if name in ("bm25", "combined"):
        for avg in sorted({str(r["config"]["avg_len"]) for r in rows}):
            for w in sorted({r["config"]["dense_weight"] for r in rows}):
                for u in sorted({r["config"]["use_weight"] for r in rows}):
                    cell = {(r["config"]["k1"], r["config"]["b"]): pooled(r) for r in rows
                            if str(r["config"]["avg_len"]) == avg and r["config"]["dense_weight"] == w
                            and r["config"]["use_weight"] == u}
                    lines.append(f"avg_len {avg}, dense_weight {w}, use_weight {u}: rows k1 {K1}, columns b {B}")
                    lines += ["  " + " ".join(f"{cell[(k, b)]:.3f}" for b in B) for k in K1]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--grid", default="use,bm25", help=f"comma-separated, of {', '.join(GRIDS)}")
    parser.add_argument("--out", type=Path, help="write every configuration's numbers as JSON lines here")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--final", action="store_true",
                        help="only the default against PICKED on the held-out and fresh questions "
                             "(run once, after choosing)")
    args = parser.parse_args(argv)
    settings = Settings.load({"data_dir": args.data_dir})
    with KnowledgeBase.open(settings) as kb:
        corpus = collect_corpus(kb, ["plain"])
        question_sets = load_final_questions() if args.final else load_tune_questions()
        sets = {name: [collect_question(kb, corpus, q) for q in qs] for name, qs in question_sets.items()}
        every = [item for items in sets.values() for item in items]
        runner = Runner(kb, corpus, every)
    if args.final:
        for label, config in (("default", THIRD_BASE), ("picked", PICKED)):
            for name, items in sets.items():
                numbers = runner.measure(items, config)
                print(f"{label:8} {name:9}", " ".join(
                    f"{lang} (n {sum(i.question.lang == lang for i in items)}) {numbers[lang]['hit@5']:.3f} / "
                    f"{numbers[lang]['mrr@10']:.3f}" for lang in ("nl", "en")))
        for name, items in sets.items():
            up, down = moves(runner, items, PICKED)
            print(f"{name}: picked against default, questions up {up}, down {down}")
        return 0
    worst, missing = check_bm25(runner, every)
    print(f"BM25 replay at the product's k1 / b: largest relative difference to the store {worst:.2e}, "
          f"{missing} missing; passage length (terms) mean {runner.sparse_corpus.mean_length:.1f}, "
          f"product avg_len {BM25_CONFIG['avg_len']}")
    print("USE query embedding, ms:", use_cost(runner, every))
    results = []
    for name in args.grid.split(","):
        results += [{"grid": name, "config": c, **{n: runner.measure(items, c) for n, items in sets.items()}}
                    for c in grid(name)]
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    base = {"config": THIRD_BASE, **{n: runner.measure(items, THIRD_BASE) for n, items in sets.items()}}
    print("base:", _line(base))
    for name in args.grid.split(","):
        rows = [r for r in results if r["grid"] == name]
        better = sum(pooled(r) > pooled(base) for r in rows)
        worse = sum(pooled(r) < pooled(base) for r in rows)
        print(f"\n{name}: {len(rows)} configurations, {better} above the base, {worse} below")
        print("\n".join(summary(name, rows, base)))
        for r in sorted(rows, key=pooled, reverse=True)[: args.top]:
            up, down = moves(runner, every, r["config"])
            print(_line(r), f"| questions up {up} down {down}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
