"""The Haystack indexing pipeline: file -> pages -> cleaned pages -> chunks -> dense, sentence and BM25 vectors.

Writing to the store is not a pipeline step: `ingest.indexer.Indexer` runs this pipeline per publication and
then stages, writes and publishes the result, so that a replaced publication is never missing or doubled.
"""

from __future__ import annotations

from haystack import Pipeline

from kennisbank.ingest.chunking import StructureSplitter
from kennisbank.ingest.cleaning import DutchTextCleaner
from kennisbank.ingest.converters import PublicationConverter
from kennisbank.search.embedders import BM25DocumentEmbedder, dense_document_embedder
from kennisbank.search.rerank import SentenceEmbedder


def chunking_settings(settings) -> dict:
    """What of the chunking shapes the index (recorded in its fingerprint)."""
    return {"splitter": "structure-v2-layout", "max_chars": settings.chunk_max_chars, "min_chars": settings.chunk_min_chars}


def indexing_pipeline(settings) -> Pipeline:
    pipeline = Pipeline()
    pipeline.add_component(
        "converter", PublicationConverter(timeout_s=settings.parse_timeout_s, memory_mb=settings.parse_memory_mb)
    )
    pipeline.add_component("cleaner", DutchTextCleaner())
    pipeline.add_component(
        "splitter", StructureSplitter(max_chars=settings.chunk_max_chars, min_chars=settings.chunk_min_chars)
    )
    dense = dense_document_embedder(settings.embedding_model, batch_size=settings.embed_batch_size)
    pipeline.add_component("dense", dense)
    # the sentences' vectors for the second stage of search (search.rerank), by the same model instance
    pipeline.add_component("sentences", SentenceEmbedder(dense))
    pipeline.add_component("sparse", BM25DocumentEmbedder())
    pipeline.connect("converter.documents", "cleaner.documents")
    pipeline.connect("cleaner.documents", "splitter.documents")
    pipeline.connect("splitter.documents", "dense.documents")
    pipeline.connect("dense.documents", "sentences.documents")
    pipeline.connect("sentences.documents", "sparse.documents")
    return pipeline
