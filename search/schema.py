"""The index schema, owned here and nowhere else.

A point is one chunk of one version of one publication:

- vectors: ``dense`` (cosine, size of the embedding model), ``bm25`` (sparse, IDF modifier: Qdrant computes
  the inverse document frequency from the collection, we store term frequencies) and ``sentences`` (one dense
  vector per sentence of the passage, a multivector compared by max-sim, without an HNSW graph: it only
  re-scores the candidates of a search, search.rerank).
- payload: the passage and its publication, as ``kennisbank.core.model.passage_payload`` builds it (``text``,
  ``page``, ``start``, ``end``, ``split_id``, ``chunk_id``, ``values``: the ids of the framework values it bears
  on; ``doc_id``, ``doc_version`` and the publication's metadata fields).
- payload indexes on the fields that filters use.

Both back ends (Qdrant Edge in-process, qdrant-client for a server) build their collection from this module.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 3  # 2: chunk payload "values" (framework value ids) with a keyword index; 3: sentence vectors
DENSE = "dense"
SPARSE = "bm25"
SENTENCES = "sentences"  # the passage's sentence vectors (multivector, max-sim; search.rerank), no HNSW

# field -> index type ("keyword" or "integer")
PAYLOAD_INDEXES: dict[str, str] = {
    "doc_id": "keyword",
    "doc_version": "keyword",
    "kind": "keyword",
    "organisation": "keyword",
    "language": "keyword",
    "sectors": "keyword",
    "year": "integer",
    "values": "keyword",
}

_POINT_NAMESPACE = uuid.UUID("6f1d3c2e-7a51-4d0b-9a53-51b1c7f0e2a4")


def point_id(doc_id: str, version: str, split_id: int) -> str:
    """Deterministic point id of a chunk: the same chunk of the same version always gets the same id."""
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{doc_id}/{version}/{split_id}"))


@dataclass
class ChunkPoint:
    """What the store writes for one chunk."""

    id: str
    dense: list[float]
    sparse_indices: list[int]
    sparse_values: list[float]
    payload: dict[str, Any]
    sentences: list[list[float]] | None = None  # one vector per sentence (search.rerank); None: not stored


@dataclass
class SearchFilter:
    """Filters a search may apply. Empty lists and None mean "no restriction"."""

    kinds: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    values: list[str] = field(default_factory=list)  # framework value ids ("1.3"): any of them
    sectors: list[str] = field(default_factory=list)  # education sectors ("po", "vo", "mbo"): any of them
    # versions that must not be seen: being written, or being replaced/deleted (see ingest.indexer)
    hidden_versions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kinds,
            "organisation": self.organisations,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "values": self.values,
            "sectors": self.sectors,
        }


@dataclass
class Hit:
    id: str
    score: float
    payload: dict[str, Any]


def index_fingerprint(embedding_model: str, dim: int, chunking: dict[str, Any], bm25: dict[str, Any]) -> dict:
    """What shapes the index. Opening an index whose fingerprint differs is refused (no silent drift)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "embedding_model": embedding_model,
        "dim": dim,
        "chunking": chunking,
        "bm25": bm25,
    }
