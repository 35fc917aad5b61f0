"""The second stage of hybrid search: fuse dense and BM25 by their scores, then re-score the top by sentence.

Hybrid search used to fuse the two candidate lists by rank (Qdrant's RRF). `Reranker` does two things instead
(README, "Search quality"; measured on the tune questions, kept because the held-out numbers improved):

1. **Score fusion.** Each list (the dense top ``prefetch_limit`` and the BM25 top ``prefetch_limit``) is turned
   into z-scores over its own candidates, and a passage's fused score is ``w * z_dense + (1 - w) * z_bm25``;
   a passage missing from one list gets that list's lowest z-score. Unlike RRF this keeps *how much* better
   the first BM25 hit is than the second: a passage far ahead in one list is not overtaken by one that is
   merely fair in both.
2. **Best sentence.** The fused top ``rerank_depth`` passages are re-scored by the dense similarity of the
   question to the passage's closest *sentence* (sentence vectors are made at ingest, `SentenceEmbedder`, and
   stored as a multivector, max-sim, beside the passage vector): a passage whose one sentence answers the
   question is no longer diluted by the rest of it. The sentence similarities are z-scored over the
   candidates and added with weight ``rerank_sentence_weight``.

The store gives the raw scores (`Store.query` per retriever, `Store.sentence_scores` for the candidates); this
module is only arithmetic on them, so it is the same for the embedded store and a Qdrant server.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Sequence

from haystack import Document, component

from kennisbank.core.settings import Settings
from kennisbank.search.schema import Hit

# A sentence ends at . ! ? : ; followed by white space, or at a line break (a bullet item, a heading).
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")
_BULLET = " \t•·▪◦‣●○■□–—-*"
MIN_SENTENCE_CHARS = 20  # shorter pieces (a bullet's "Studenten", a page number) are joined to the next


def split_sentences(text: str) -> list[str]:
    """The sentences of a passage, for their own vectors: split after . ! ? : ; and at line breaks, bullet
    markers stripped; a piece shorter than MIN_SENTENCE_CHARS is joined to the one after it. A passage
    without any break is one sentence; an empty passage has none."""
    pieces = [p.strip(_BULLET) for p in _SENTENCE_END.split(text or "")]
    sentences: list[str] = []
    pending = ""
    for piece in pieces:
        if not piece:
            continue
        piece = f"{pending} {piece}" if pending else piece
        if len(piece) < MIN_SENTENCE_CHARS:
            pending = piece
            continue
        sentences.append(piece)
        pending = ""
    if pending:
        if sentences:
            sentences[-1] = f"{sentences[-1]} {pending}"
        else:
            sentences.append(pending)
    return sentences


@component
class SentenceEmbedder:
    """Adds the vectors of each passage's sentences (`split_sentences`) to ``meta["sentence_embeddings"]``,
    made by the passages' own dense embedder (passed in, so the model is loaded once). At ingest this roughly
    doubles the embedding work: the sentences of a passage hold about as many tokens as the passage."""

    META_KEY = "sentence_embeddings"

    def __init__(self, embedder: Any):
        self.embedder = embedder  # a Haystack document embedder: run(documents=...) -> {"documents": ...}

    def warm_up(self) -> None:
        if hasattr(self.embedder, "warm_up"):
            self.embedder.warm_up()

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]):
        documents = list(documents)
        owners: list[int] = []
        pieces: list[Document] = []
        for index, doc in enumerate(documents):
            for sentence in split_sentences(doc.content or ""):
                owners.append(index)
                pieces.append(Document(content=sentence))
        vectors: list[list[list[float]]] = [[] for _ in documents]
        if pieces:
            embedded = self.embedder.run(documents=pieces)["documents"]
            for owner, piece in zip(owners, embedded):
                vectors[owner].append([float(x) for x in piece.embedding])
        out = []
        for doc, own in zip(documents, vectors):
            own = own or ([list(doc.embedding)] if doc.embedding else [])
            out.append(replace(doc, meta={**doc.meta, self.META_KEY: own}))
        return {"documents": out}


class WithSentences:
    """A document embedder that also gives each passage its sentence vectors: `embedder`, then `SentenceEmbedder`
    over the same model (the indexing pipeline wraps this in its progress-reporting step)."""

    def __init__(self, embedder: Any):
        self.embedder = embedder
        self.sentences = SentenceEmbedder(embedder)

    def warm_up(self) -> None:
        self.sentences.warm_up()

    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        return self.sentences.run(documents=self.embedder.run(documents=documents)["documents"])


def zscores(scores: Sequence[float]) -> list[float]:
    """(x - mean) / standard deviation over the list; all zero when the scores do not spread."""
    if not scores:
        return []
    mean = sum(scores) / len(scores)
    sd = math.sqrt(sum((x - mean) ** 2 for x in scores) / len(scores))
    return [(x - mean) / sd if sd > 1e-12 else 0.0 for x in scores]


@dataclass(frozen=True)
class Reranker:
    """Score fusion of the dense and BM25 lists, then the best-sentence re-scoring of the top (module doc)."""

    dense_weight: float = Settings.fusion_dense_weight
    depth: int = Settings.rerank_depth
    sentence_weight: float = Settings.rerank_sentence_weight

    @classmethod
    def from_settings(cls, settings: Settings) -> "Reranker":
        return cls(settings.fusion_dense_weight, settings.rerank_depth, settings.rerank_sentence_weight)

    def fuse(self, dense: list[Hit], bm25: list[Hit]) -> list[Hit]:
        """Both lists as one, best first, each hit's score its fused z-score (equal scores: by chunk id)."""
        z_dense = dict(zip((h.id for h in dense), zscores([h.score for h in dense])))
        z_bm25 = dict(zip((h.id for h in bm25), zscores([h.score for h in bm25])))
        floor_dense = min(z_dense.values(), default=0.0)
        floor_bm25 = min(z_bm25.values(), default=0.0)
        hits = {h.id: h for h in [*bm25, *dense]}
        fused = [
            Hit(id=i, payload=h.payload,
                score=self.dense_weight * z_dense.get(i, floor_dense) + (1 - self.dense_weight) * z_bm25.get(i, floor_bm25))
            for i, h in hits.items()
        ]
        return sorted(fused, key=_order)

    def rescore(self, fused: list[Hit], sentence_scores: Callable[[list[str]], dict[str, float]]) -> list[Hit]:
        """The fused list with its top `depth` re-ordered by fused score + weight x z(best sentence similarity);
        `sentence_scores(ids)` gives the best sentence cosine per point id (ids it does not know keep their
        fused score). The rest follows in fused order, below the re-scored top."""
        top, rest = fused[: self.depth], fused[self.depth:]
        if not top or self.sentence_weight == 0:
            return fused
        best = sentence_scores([h.id for h in top])
        known = [h for h in top if h.id in best]
        bonus = dict(zip((h.id for h in known), zscores([best[h.id] for h in known])))
        rescored = [replace(h, score=h.score + self.sentence_weight * bonus.get(h.id, 0.0)) for h in top]
        rescored.sort(key=_order)
        floor = rescored[-1].score if rescored else 0.0
        # scores stay decreasing down the whole list: the rest sits below the re-scored top, in its own order
        shift = min(0.0, floor - rest[0].score - 1e-6) if rest else 0.0
        return rescored + [replace(h, score=h.score + shift) for h in rest]


def _order(hit: Hit) -> tuple[float, str]:
    return (-hit.score, hit.payload.get("chunk_id", hit.id))


rank_order = _order  # the order of a ranked list: best score first, equal scores by chunk id


def sentence_count(texts: Iterable[str]) -> int:
    """How many sentence vectors these passages get at ingest (for the cost estimate in the README)."""
    return sum(len(split_sentences(t)) for t in texts)
