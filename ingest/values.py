"""Which framework values a passage bears on (the chunk payload field ``values``, for the value filter).

- Passages of the framework document carry the id of the table row they stand in (from the reviewed data
  file's row extents; a passage on the summary pages carries none). If the stored text no longer matches the
  file (``Framework.check_text``), no ids are given rather than wrong ones, and a warning is logged.
- Passages of every other publication get values from a classifier (``ValueClassifier``): the cosine
  similarity of the passage's dense embedding to each value's profile (its title, preconditions and findings,
  embedded with the same model) must reach a threshold. Measured in evaluation/value_classifier.py.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from kennisbank.core.settings import Settings
from kennisbank.search.value_signal import value_profiles

log = logging.getLogger(__name__)

# The threshold was chosen on the tune split by F1 (python -m kennisbank.evaluation.value_classifier), per dense
# model (core.settings.MODEL_CALIBRATION): multilingual-e5-small 0.925, tune P 0.861 R 0.463, heldout P 1.000
# R 0.562; USE 0.65, tune P 0.738 R 0.463, heldout P 0.840 R 0.438. Both are settings (value_threshold, value_max).
DEFAULT_THRESHOLD = Settings.value_threshold
MAX_VALUES = Settings.value_max


class ValueClassifier:
    def __init__(self, framework, embed, threshold: float = DEFAULT_THRESHOLD, max_values: int = MAX_VALUES):
        """``embed(text) -> list[float]``: the dense document embedder the index uses."""
        self.ids = framework.value_ids
        profiles = value_profiles(framework)
        matrix = np.array([embed(profiles[i]) for i in self.ids], dtype=np.float32)
        self.matrix = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        self.threshold = threshold
        self.max_values = max_values

    def scores(self, embedding) -> dict[str, float]:
        vec = np.asarray(embedding, dtype=np.float32)
        sims = self.matrix @ (vec / (np.linalg.norm(vec) or 1.0))
        return dict(zip(self.ids, (float(s) for s in sims)))

    def classify(self, embedding) -> list[str]:
        scored = sorted(self.scores(embedding).items(), key=lambda kv: -kv[1])
        return sorted(i for i, s in scored[: self.max_values] if s >= self.threshold)


class ValueTagger:
    """Gives each chunk of a publication its value ids (see module docstring)."""

    def __init__(self, framework, classifier: ValueClassifier | None):
        self.framework = framework
        self.classifier = classifier

    def tag(self, doc_id: str, page_texts: list[str], chunks: list[Any]) -> list[list[str]]:
        if self.framework is None:
            return [[] for _ in chunks]
        if doc_id == self.framework.document_id:
            if not self.framework.check_text(page_texts):
                log.warning("corpus/framework.json does not match the stored text of %s: run "
                            "`kennisbank framework extract` and review; its passages get no value ids", doc_id)
                return [[] for _ in chunks]
            return [
                self.framework.values_at(int(c.meta.get("page_number") or 1), int(c.meta["start"]), int(c.meta["end"]))
                for c in chunks
            ]
        if self.classifier is None:
            return [[] for _ in chunks]
        return [self.classifier.classify(c.embedding) if c.embedding is not None else [] for c in chunks]
