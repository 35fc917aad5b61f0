"""Pseudo-relevance feedback and neighbouring passages for the second stage of hybrid search (issue 11).

Measured on the tune and dev questions with `python -m kennisbank.evaluation.feedback_grid` (README, "Search
quality"); each signal is a setting, 0 (off) unless the README says it is on.

- **Dense feedback (Rocchio)**: the query vector plus ``weight`` x the mean of the vectors of the first pass's
  fused top ``depth`` passages, renormalised, queried again (`rocchio`). The question is embedded once; the
  re-query is one more nearest-neighbour search.
- **BM25 feedback (RM3)**: the terms of the fused top ``depth`` passages, each passage's BM25 term weights
  normalised to sum 1 and averaged, the ``terms`` heaviest ones mixed into the query with ``weight``
  (`rm3_query`); the original terms keep ``1 - weight``. Qdrant applies the IDF as for any BM25 query.
- **Neighbouring passages**: a passage gains ``weight`` x the best positive fused score of its neighbours in the
  candidate list (same publication version, the chunk before or after; `neighbour_boost`): an answer that
  runs over a chunk boundary, or a passage under a heading whose text is in the chunk before.

The relevance gate keeps the first pass's best scores: feedback changes the order, not what was found.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Sequence

import numpy as np

from kennisbank.core.settings import Settings
from kennisbank.search.embedders import BM25DocumentEmbedder, bm25_text
from kennisbank.search.rerank import Reranker, rank_order
from kennisbank.search.schema import Hit

Sparse = tuple[list[int], list[float]]


def rocchio(query: Sequence[float], feedback: Sequence[Sequence[float]], weight: float) -> list[float]:
    """``normalise(q/|q| + weight x mean(feedback/|feedback|))``; the query itself without feedback or weight."""
    q = np.asarray(query, dtype=np.float64)
    q = q / (np.linalg.norm(q) or 1.0)
    if not weight or len(feedback) == 0:
        return [float(x) for x in q]
    docs = np.asarray(feedback, dtype=np.float64)
    docs = docs / np.maximum(np.linalg.norm(docs, axis=1, keepdims=True), 1e-12)
    moved = q + weight * docs.mean(axis=0)
    return [float(x) for x in moved / (np.linalg.norm(moved) or 1.0)]


class TermFeedback:
    """RM3-style expansion of a BM25 query by the terms of feedback passages (module doc)."""

    def __init__(self) -> None:
        self._documents = BM25DocumentEmbedder()  # the index's BM25 (Dutch stemmer, stop words, compound parts)

    def term_weights(self, texts: Iterable[str]) -> dict[int, float]:
        """P(term | feedback): each passage's BM25 term weights normalised to sum 1, averaged over the passages."""
        self._documents.warm_up()
        texts = [t for t in texts if t and t.strip()]
        total: dict[int, float] = {}
        for text in texts:
            vec = self._documents._bm25.embed_document(bm25_text(text))  # as at ingest
            mass = float(sum(vec.values))
            for index, value in zip(vec.indices, vec.values):
                if mass > 0:
                    total[int(index)] = total.get(int(index), 0.0) + float(value) / mass / len(texts)
        return total

    def rm3_query(self, sparse: tuple[list[int], list[float]], texts: Iterable[str], weight: float,
                  terms: int) -> tuple[list[int], list[float]]:
        """The query's terms with ``1 - weight`` (each original term an equal share), the ``terms`` heaviest
        feedback terms with ``weight`` (their shares by P(term | feedback)); a term in both gets both."""
        if not weight or terms <= 0:
            return sparse
        feedback = sorted(self.term_weights(texts).items(), key=lambda kv: (-kv[1], kv[0]))[:terms]
        mass = sum(w for _, w in feedback)
        if mass <= 0:
            return sparse
        indices, values = sparse
        share = (1 - weight) / max(len(indices), 1)
        mixed = {int(i): share * (1.0 if v > 0 else 0.0) for i, v in zip(indices, values)}
        for index, w in feedback:
            mixed[index] = mixed.get(index, 0.0) + weight * w / mass
        ordered = sorted(mixed.items())
        return [i for i, _ in ordered], [v for _, v in ordered]


def _neighbour_key(payload: dict) -> tuple[str, str, int] | None:
    split = payload.get("split_id")
    if split is None or payload.get("doc_id") is None:
        return None
    return (str(payload["doc_id"]), str(payload.get("doc_version", "")), int(split))


def neighbour_boost(hits: list[Hit], weight: float, depth: int) -> list[Hit]:
    """The top `depth` hits with ``weight x max(0, best fused score of the chunk before or after)`` added (the
    neighbours as they stand in `hits`, all of it), re-ordered; the rest follows below, in its own order."""
    if not weight or not hits:
        return hits
    by_key = {}
    for hit in hits:
        key = _neighbour_key(hit.payload)
        if key is not None:
            by_key[key] = max(hit.score, by_key.get(key, float("-inf")))
    top, rest = hits[:depth], hits[depth:]
    boosted = []
    for hit in top:
        key = _neighbour_key(hit.payload)
        near = [by_key.get((key[0], key[1], key[2] + d)) for d in (-1, 1)] if key else []
        best = max((s for s in near if s is not None), default=0.0)
        boosted.append(replace(hit, score=hit.score + weight * max(0.0, best)))
    boosted.sort(key=rank_order)
    floor = boosted[-1].score
    shift = min(0.0, floor - rest[0].score - 1e-6) if rest else 0.0
    return boosted + [replace(h, score=h.score + shift) for h in rest]


class SentenceScoreCache:
    """`Store.sentence_scores` for one query vector, each point asked once: feedback re-scores the first pass's
    top by sentence, and the final re-scoring asks again for mostly the same passages."""

    def __init__(self, scores: Callable[[list[str]], dict[str, float]]):
        self._scores = scores
        self._known: dict[str, float] = {}
        self._asked: set[str] = set()

    def __call__(self, ids: list[str]) -> dict[str, float]:
        missing = [i for i in ids if i not in self._asked]
        if missing:
            self._known.update(self._scores(missing))
            self._asked.update(missing)
        return {i: self._known[i] for i in ids if i in self._known}


class Feedback:
    """The second pass of hybrid search with feedback (module doc). Inactive (both weights 0), `refine` is
    never called and search is as before."""

    def __init__(self, dense_weight: float = Settings.feedback_dense_weight, depth: int = Settings.feedback_depth,
                 bm25_weight: float = Settings.feedback_bm25_weight, bm25_terms: int = Settings.feedback_bm25_terms,
                 neighbour_weight: float = Settings.rerank_neighbour_weight):
        self.dense_weight = dense_weight
        self.depth = depth
        self.bm25_weight = bm25_weight
        self.bm25_terms = bm25_terms
        self.neighbour_weight = neighbour_weight
        self.terms = TermFeedback()

    @classmethod
    def from_settings(cls, settings: Settings) -> "Feedback":
        return cls(settings.feedback_dense_weight, settings.feedback_depth, settings.feedback_bm25_weight,
                   settings.feedback_bm25_terms, settings.rerank_neighbour_weight)

    @property
    def active(self) -> bool:
        return bool(self.dense_weight or self.bm25_weight) and self.depth > 0

    def refine(self, by_dense: list[Hit], by_bm25: list[Hit], *, reranker: Reranker, query: Sequence[float],
               sparse: Sparse | None, sentence_scores: Callable[[list[str]], dict[str, float]],
               dense_vectors: Callable[[list[str]], dict[str, list[float]]],
               query_dense: Callable[[list[float]], list[Hit]],
               query_bm25: Callable[[Sparse], list[Hit]]) -> list[Hit]:
        """The fused list of the second pass: the first pass (`by_dense`, `by_bm25` fused and re-scored by
        sentence) gives its top `depth` as feedback; the moved dense query (`query_dense`) and the expanded
        BM25 query (`query_bm25`) replace their first-pass lists, which are then fused again."""
        first = reranker.rescore(reranker.fuse(by_dense, by_bm25), sentence_scores)
        top = first[: self.depth]
        if self.dense_weight and top:
            vectors = dense_vectors([h.id for h in top])
            feedback = [vectors[h.id] for h in top if h.id in vectors]
            if feedback:
                by_dense = query_dense(rocchio(query, feedback, self.dense_weight))
        if self.bm25_weight and sparse is not None and top:
            expanded = self.terms.rm3_query(sparse, [h.payload.get("text", "") for h in top], self.bm25_weight,
                                            self.bm25_terms)
            if expanded is not sparse:
                by_bm25 = query_bm25(expanded)
        return reranker.fuse(by_dense, by_bm25)
