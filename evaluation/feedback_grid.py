"""Grid over pseudo-relevance feedback and neighbouring passages (search.feedback), tune and dev questions only.

Built on `second_stage_grid`: one pass collects each question's dense cosines (brute force over the passage
vectors), BM25 list and best-sentence cosines; every configuration then runs the product's own arithmetic
(`Reranker`, `rocchio`, `TermFeedback.rm3_query`, `neighbour_boost`). The re-queries of feedback (the
expanded BM25 query; the sentence scores of a moved dense query) go to the store and are cached per question.

    python -m kennisbank.evaluation.feedback_grid --data-dir DATA --grid dense,bm25,neighbour

It reads only the tune part of evaluation/questions.jsonl and evaluation/dev-questions.jsonl: the held-out and
fresh questions are evaluated with ``kennisbank eval`` for the configuration chosen here, and only then.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.core.text import normalize_text
from kennisbank.evaluation.metrics import DEPTH
from kennisbank.evaluation.second_stage_grid import (
    BASE, Collected, Corpus, collect_corpus, collect_question, dense_list, load_tune_questions, mean_scores,
)
from kennisbank.search.feedback import TermFeedback, neighbour_boost, rocchio
from kennisbank.search.rerank import Reranker
from kennisbank.search.schema import SearchFilter
from kennisbank.search.thesaurus import default_thesaurus

# the product's second stage now, with every new signal off
FEEDBACK_BASE = {**BASE, "fb_depth": 3, "fb_source": "fused", "dense_fb": 0.0, "bm25_fb": 0.0, "bm25_terms": 20,
                 "sentence_query": "question", "neighbour": 0.0}

GRIDS = {
    "dense": {"fb_depth": [1, 2, 3, 5, 10], "fb_source": ["fused", "reranked"], "dense_fb": [0.0, 0.1, 0.2, 0.3, 0.5, 0.8],
              "sentence_query": ["question", "moved"]},
    "bm25": {"fb_depth": [1, 2, 3, 5, 10], "fb_source": ["fused", "reranked"], "bm25_fb": [0.0, 0.1, 0.2, 0.3, 0.5],
             "bm25_terms": [5, 10, 20, 40]},
    "neighbour": {"neighbour": [0.0, 0.05, 0.1, 0.2, 0.3, 0.5], "depth": [20, 30, 50]},
    "both": {"fb_depth": [2, 3, 5], "fb_source": ["fused", "reranked"], "dense_fb": [0.0, 0.1, 0.2, 0.3],
             "bm25_fb": [0.0, 0.1, 0.2, 0.3], "bm25_terms": [10, 20]},
}


class Runner:
    """Rankings of the collected questions under configurations; store re-queries cached."""

    def __init__(self, kb: KnowledgeBase, corpus: Corpus):
        self.kb = kb
        self.corpus = corpus
        self.terms = TermFeedback()
        self.flt = SearchFilter(hidden_versions=list(kb.catalog.hidden_versions()))
        self.row = {i: n for n, i in enumerate(corpus.ids)}
        self._sparse: dict[str, tuple[list[int], list[float]] | None] = {}
        self._cache: dict[Any, Any] = {}

    def sparse(self, item: Collected):
        key = item.question.id
        if key not in self._sparse:
            text = normalize_text(item.question.q)
            expansions = default_thesaurus().expansions(text) if self.kb.settings.query_expansion else []
            emb = self.kb._sparse.run(text=text, expansions=expansions)["sparse_embedding"]
            self._sparse[key] = (list(emb.indices), list(emb.values)) if emb.indices else None
        return self._sparse[key]

    def bm25(self, sparse, limit: int):
        key = ("bm25", tuple(sparse[0]), tuple(round(v, 9) for v in sparse[1]), limit)
        if key not in self._cache:
            self._cache[key] = self.kb.store.query(dense=None, sparse=sparse, mode="bm25", limit=limit, flt=self.flt,
                                                   prefetch_limit=limit, rrf_k=self.kb.settings.rrf_k)
        return self._cache[key]

    def sentences(self, vector: list[float]):
        key = ("sentences", tuple(round(x, 7) for x in vector))
        if key not in self._cache:
            self._cache[key] = self.kb.store.sentence_scores(vector, self.corpus.ids)
        return self._cache[key]

    def ranking(self, item: Collected, config: dict[str, Any]) -> list[str]:
        corpus, prefetch = self.corpus, config["prefetch"]
        reranker = Reranker(dense_weight=config["dense_weight"], depth=config["depth"],
                            sentence_weight=config["sentence_weight"])
        vector = item.query_vector
        sentence = item.sentence
        sentence_of = lambda s: (lambda ids: {i: s[i] for i in ids if i in s})  # noqa: E731
        dense = dense_list(corpus, "plain", vector)[:prefetch]
        bm25 = item.bm25[:prefetch]
        fused = reranker.fuse(dense, bm25)
        if config["dense_fb"] or config["bm25_fb"]:
            source = fused if config["fb_source"] == "fused" else reranker.rescore(fused, sentence_of(sentence))
            top = source[: config["fb_depth"]]
            if config["dense_fb"]:
                moved = rocchio(vector, [corpus.vectors["plain"][self.row[h.id]] for h in top], config["dense_fb"])
                dense = dense_list(corpus, "plain", np.asarray(moved, dtype=np.float32))[:prefetch]
                if config["sentence_query"] == "moved":
                    sentence = self.sentences(moved)
            sparse = self.sparse(item)
            if config["bm25_fb"] and sparse is not None:
                expanded = self.terms.rm3_query(sparse, [h.payload.get("text", "") for h in top], config["bm25_fb"],
                                                config["bm25_terms"])
                bm25 = self.bm25(expanded, prefetch)
            fused = reranker.fuse(dense, bm25)
        if config["neighbour"]:
            fused = neighbour_boost(fused, config["neighbour"], config["depth"])
        hits = reranker.rescore(fused, sentence_of(sentence))
        hits = sorted(hits, key=lambda h: (-h.score, h.payload["chunk_id"]))
        return [h.payload["text"] for h in hits[:DEPTH]]

    def measure(self, items: list[Collected], config: dict[str, Any]) -> dict[str, dict[str, float]]:
        return mean_scores(items, lambda item: self.ranking(item, config))


def grid(name: str) -> list[dict[str, Any]]:
    axes = GRIDS[name]
    configs = [{**FEEDBACK_BASE, **dict(zip(axes, values))} for values in itertools.product(*axes.values())]
    unique = {json.dumps(c, sort_keys=True): c for c in configs if _meaningful(c)}
    return list(unique.values())


def _meaningful(config: dict[str, Any]) -> bool:
    """Feedback axes only matter with feedback on: collapse the rest onto the base values."""
    if not config["dense_fb"] and not config["bm25_fb"]:
        return all(config[k] == FEEDBACK_BASE[k] for k in ("fb_depth", "fb_source", "bm25_terms", "sentence_query"))
    if not config["dense_fb"] and config["sentence_query"] != "question":
        return False
    if not config["bm25_fb"] and config["bm25_terms"] != FEEDBACK_BASE["bm25_terms"]:
        return False
    return True


def pooled(row: dict[str, Any]) -> float:
    """MRR@10 over the tune and dev questions together (the objective)."""
    n = {"tune": 74, "dev": 15}
    return round(sum(row[s]["all"]["mrr@10"] * n[s] for s in n) / sum(n.values()), 4)


def _line(row: dict[str, Any]) -> str:
    c = row["config"]
    keys = ("fb_depth", "fb_source", "dense_fb", "sentence_query", "bm25_fb", "bm25_terms", "neighbour", "depth")
    t, d = row["tune"], row["dev"]
    return (f"all {pooled(row):.3f} | tune nl {t['nl']['hit@5']:.3f}/{t['nl']['mrr@10']:.3f} en "
            f"{t['en']['hit@5']:.3f}/{t['en']['mrr@10']:.3f} | dev {d['all']['hit@5']:.3f}/{d['all']['mrr@10']:.3f} | "
            + " ".join(f"{k}={c[k]}" for k in keys))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--grid", default="dense,bm25,neighbour", help=f"comma-separated, of {', '.join(GRIDS)}")
    parser.add_argument("--out", type=Path, help="write every configuration's numbers as JSON lines here")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    settings = Settings.load({"data_dir": args.data_dir})
    results = []
    with KnowledgeBase.open(settings) as kb:
        corpus = collect_corpus(kb, ["plain"])
        sets = {name: [collect_question(kb, corpus, q) for q in qs] for name, qs in load_tune_questions().items()}
        runner = Runner(kb, corpus)
        for name in args.grid.split(","):
            results += [{"grid": name, "config": c, **{n: runner.measure(items, c) for n, items in sets.items()}}
                        for c in grid(name)]
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    base = next(r for r in results if all(r["config"][k] == v for k, v in FEEDBACK_BASE.items()))
    print("base:", _line(base))
    for name in args.grid.split(","):
        rows = [r for r in results if r["grid"] == name]
        better = sum(pooled(r) > pooled(base) for r in rows)
        worse = sum(pooled(r) < pooled(base) for r in rows)
        print(f"\n{name}: {len(rows)} configurations, {better} above the base, {worse} below")
        for r in sorted(rows, key=pooled, reverse=True)[: args.top]:
            print(_line(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
