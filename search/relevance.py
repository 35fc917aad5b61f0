"""The one relevance gate: are the best hits of a question close enough to answer or to list as found?

The answer page (search.answer) and the search page (search.results) both decide with it, on the best dense
cosine and the best BM25 score that `Searcher.retrieve(..., with_best=True)` returns; so a question is
either relevant on both pages or on neither. The thresholds are settings (answer_*).
"""

from __future__ import annotations

from dataclasses import dataclass

from kennisbank.core.settings import Settings


@dataclass(frozen=True)
class Relevance:
    """When the best hits are relevant enough to answer from. Measured on the dev and tune questions against
    out-of-domain questions (``python -m kennisbank.evaluation.answer_eval --calibration``). The thresholds are
    settings (answer_*), calibrated per dense model (core.settings.MODEL_CALIBRATION). multilingual-e5-small
    (default) puts every text at a cosine of ~0.75-0.9 ("Recept voor erwtensoep" reaches 0.836 with BM25 0), so
    its cosine alone rarely decides: every dev/tune question has BM25 >= 5.34 and dense >= 0.823 wherever BM25
    < 7.5; out-of-domain questions reach at most dense 0.814 with BM25 5.72, BM25 6.99 (dense 0.789), dense
    0.836 (BM25 0). USE: every dev/tune question has dense >= 0.10 and BM25 >= 5.3 at its best hit, or one of
    the two strong; out-of-domain questions reach at most dense 0.27 with BM25 5.25, or BM25 7.0 with dense 0.13.

    The domain branch (issue 11): 88 of the 89 dev/tune questions name a term of the domain thesaurus, none of the
    14 out-of-domain questions does; so a question that names one is let through at a lower bar (with e5: dense
    >= 0.80, the lowest best cosine of any dev/tune question, and BM25 >= 5.0, a real keyword match). A word of
    the thesaurus used in another sense ("kwaliteit van koffiebonen", "opleiding tot piloot") still needs both."""

    dense_strong: float = Settings.answer_dense_strong  # a passage this close in meaning is enough on its own
    bm25_strong: float = Settings.answer_bm25_strong    # so is a strong keyword match
    dense_min: float = Settings.answer_dense_min        # otherwise both signals must reach these
    bm25_min: float = Settings.answer_bm25_min
    # a question that names the field's vocabulary (a thesaurus term) needs a little less of both
    domain_dense_min: float = Settings.answer_domain_dense_min
    domain_bm25_min: float = Settings.answer_domain_bm25_min

    @classmethod
    def from_settings(cls, settings: Settings) -> "Relevance":
        return cls(settings.answer_dense_strong, settings.answer_bm25_strong, settings.answer_dense_min,
                   settings.answer_bm25_min, settings.answer_domain_dense_min, settings.answer_domain_bm25_min)

    def relevant(self, dense: float, bm25: float, domain: bool = False) -> bool:
        """`domain`: the question names a term of the domain thesaurus (search.thesaurus.Thesaurus.domain_terms)."""
        return (dense >= self.dense_strong or bm25 >= self.bm25_strong
                or (dense >= self.dense_min and bm25 >= self.bm25_min)
                or (domain and dense >= self.domain_dense_min and bm25 >= self.domain_bm25_min))

    def as_dict(self) -> dict[str, float]:
        return {"dense_strong": self.dense_strong, "bm25_strong": self.bm25_strong,
                "dense_min": self.dense_min, "bm25_min": self.bm25_min,
                "domain_dense_min": self.domain_dense_min, "domain_bm25_min": self.domain_bm25_min}
