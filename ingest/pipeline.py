"""The Haystack indexing pipeline: file -> pages -> cleaned pages -> chunks -> dense, sentence and BM25 vectors.

Writing to the store is not a pipeline step: `ingest.indexer.Indexer` runs this pipeline per publication and
then stages, writes and publishes the result, so that a replaced publication is never missing or doubled.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from haystack import Document, Pipeline, component

from kennisbank.core.errors import ConversionError
from kennisbank.ingest.chunking import StructureSplitter
from kennisbank.ingest.cleaning import DutchTextCleaner
from kennisbank.ingest.converters import PublicationConverter
from kennisbank.search.embedders import BM25DocumentEmbedder, dense_document_embedder
from kennisbank.search.rerank import WithSentences


def chunking_settings(settings) -> dict:
    """What of the chunking shapes the index (recorded in its fingerprint)."""
    return {"splitter": "structure-v2-layout", "max_chars": settings.chunk_max_chars, "min_chars": settings.chunk_min_chars}


Progress = Callable[[dict[str, int]], None]


@component
class ProgressiveEmbedder:
    """Runs a document embedder 32 passages at a time (fewer steps pad less: the encoder pads a batch
    to its longest text) and reports, after each step, how far it got:
    ``progress({"pages": N, "pages_done": n, "passages": M, "passages_done": m})`` (``n``: the page of the
    last passage embedded; passages come in page order). Embedding is the slow part of a long job (seconds per
    page with multilingual-e5-small), so this is what the staff console shows while a job runs."""

    def __init__(self, embedder: Any, step: int = 32):
        self.embedder = embedder
        self.step = max(1, int(step))

    def warm_up(self) -> None:
        if hasattr(self.embedder, "warm_up"):
            self.embedder.warm_up()

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document], progress: Progress | None = None):
        documents = list(documents)
        if progress is None:
            return self.embedder.run(documents=documents)
        pages = max((int(d.meta.get("page_count") or d.meta.get("page_number") or 0) for d in documents), default=0)
        done: list[Document] = []
        for start in range(0, len(documents), self.step):
            done += self.embedder.run(documents=documents[start : start + self.step])["documents"]
            last = done[-1].meta
            progress({"pages": pages, "pages_done": int(last.get("page_end") or last.get("page_number") or 0),
                      "passages": len(documents), "passages_done": len(done)})
        return {"documents": done}


def split_file(path: Path, keep_noise: bool = False) -> tuple[Document, list[Document]]:
    """Parse, clean and split one file as the indexing pipeline does, without the embedders (in this process,
    not the sandbox): the cleaned document (pages joined by form feeds) and its passages. ``keep_noise``: also
    the passages the index leaves out (see ingest.chunking). A file that cannot be read raises ConversionError."""
    converted = PublicationConverter().run(sources=[path])
    if converted["failures"]:
        failure = converted["failures"][0]
        raise ConversionError(failure["reason"], failure["message"])
    document = DutchTextCleaner().run(documents=converted["documents"])["documents"][0]
    return document, StructureSplitter(keep_noise=keep_noise).run(documents=[document])["documents"]


def indexing_pipeline(settings) -> Pipeline:
    pipeline = Pipeline()
    pipeline.add_component(
        "converter", PublicationConverter(timeout_s=settings.parse_timeout_s, memory_mb=settings.parse_memory_mb)
    )
    pipeline.add_component("cleaner", DutchTextCleaner())
    pipeline.add_component(
        "splitter", StructureSplitter(max_chars=settings.chunk_max_chars, min_chars=settings.chunk_min_chars)
    )
    # each step embeds its passages and then their sentences (for the second stage of search, search.rerank),
    # so the progress counts both; one model instance for both
    pipeline.add_component(
        "dense", ProgressiveEmbedder(WithSentences(dense_document_embedder(settings.embedding_model,
                                                                          batch_size=settings.embed_batch_size)))
    )
    pipeline.add_component("sparse", BM25DocumentEmbedder())
    pipeline.connect("converter.documents", "cleaner.documents")
    pipeline.connect("cleaner.documents", "splitter.documents")
    pipeline.connect("splitter.documents", "dense.documents")
    pipeline.connect("dense.documents", "sparse.documents")
    return pipeline
