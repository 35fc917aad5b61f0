"""The framework value as a signal of the second stage of hybrid search (issue 11, README "Search quality").

Each framework value has a profile: its title, preconditions and research findings (`value_profiles`, the
text the value classifier of ingest.values recognises a value by). A question is compared with every
profile (cosine of the dense vectors); the cosines are z-scored over the values, so the value the question is
most about stands out whatever the model's cosine scale. In the re-scored top of a hybrid search, a passage
that carries a value (the ``values`` payload: its table row in the framework document, the classifier's
values elsewhere) gains ``weight x max(0, best z of its values)``: only a value the question leans to counts,
and a passage without values, or with values the question is not about, keeps its score.

The weight is the setting ``rerank_value_weight``, 0 (off) by default: 0.2 was best on the tune and dev
questions, but lowered held-out English MRR@10 (README, "Search quality", second stage round 2).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Callable

import numpy as np

from kennisbank.search.framework import Framework
from kennisbank.search.rerank import rank_order, zscores
from kennisbank.search.schema import Hit


def value_profiles(framework: Framework) -> dict[str, str]:
    """Value id -> the text a value is recognised by: title, preconditions and research findings."""
    return {
        v["id"]: " ".join([v["title"]] + [p["text"] for p in v["preconditions"]] + [f["text"] for f in v["findings"]])
        for v in framework.values
    }


class ValueProfiles:
    """The framework values' profile vectors, made on first use with the searcher's dense embedder (`embed`),
    then kept. `leanings(query_vector)` gives each value's z-scored cosine to a question."""

    def __init__(self, framework: Framework | None, embed: Callable[[str], list[float]]):
        self.framework = framework
        self._embed = embed
        self._lock = threading.Lock()
        self._ids: list[str] | None = None
        self._matrix: np.ndarray | None = None

    def _load(self) -> tuple[list[str], np.ndarray]:
        with self._lock:
            if self._ids is None:
                texts = value_profiles(self.framework) if self.framework is not None else {}
                ids = list(texts)
                matrix = np.array([self._embed(texts[i]) for i in ids], dtype=np.float32)
                if ids:
                    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                    matrix = matrix / np.where(norms > 0, norms, 1.0)
                self._matrix = matrix
                self._ids = ids
        return self._ids, self._matrix

    def leanings(self, query_vector: list[float]) -> dict[str, float]:
        """Value id -> z-score (over the values) of the question's cosine to the value's profile; {} without a
        framework."""
        ids, matrix = self._load()
        if not ids:
            return {}
        vector = np.asarray(query_vector, dtype=np.float32)
        cosines = matrix @ (vector / (np.linalg.norm(vector) or 1.0))
        return dict(zip(ids, zscores([float(c) for c in cosines])))


def value_rescore(hits: list[Hit], leanings: dict[str, float], depth: int, weight: float) -> list[Hit]:
    """`hits` (best first) with the top `depth` re-ordered by score + weight x max(0, best leaning of the hit's
    values); the rest follows below them in its own order, so scores keep decreasing down the list."""
    if not hits or weight == 0 or not leanings:
        return hits
    top, rest = hits[:depth], hits[depth:]

    def bonus(hit: Hit) -> float:
        leans = [leanings[v] for v in hit.payload.get("values") or [] if v in leanings]
        return max(0.0, max(leans)) if leans else 0.0

    top = sorted((replace(h, score=h.score + weight * bonus(h)) for h in top), key=rank_order)
    shift = min(0.0, top[-1].score - rest[0].score - 1e-6) if rest else 0.0
    return top + [replace(h, score=h.score + shift) for h in rest]
