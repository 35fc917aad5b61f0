"""The vector store: Qdrant, embedded by default, a server or cluster when one machine is not enough.

Two back ends behind one interface (`Store`) and one switch (`open_store`, `drop_index`, `hold`):

- `EdgeStore`: Qdrant Edge (`qdrant_edge`), Qdrant's in-process engine, persisted in ``DATA_DIR/index/edge``.
  The index fingerprint (model, chunking, BM25 settings) is kept beside it in ``DATA_DIR/index/index.json``.
- `ClientStore`: `qdrant-client` against a Qdrant server (``qdrant_url`` = http(s)://...), or its in-process
  mode (``:memory:``) which the tests use to exercise this code path; the fingerprint is the collection's
  metadata.

Both build the same schema (`search.schema`), take the same sparse BM25 vectors (computed by us, so the
engines see identical input), fuse dense and BM25 candidates with Qdrant's query API (RRF) when asked, and
give the raw scores per retriever and the candidates' best-sentence scores (`sentence_scores`) for the
second stage of hybrid search (search.rerank).
Both lock their folder to one process; a second process gets `StoreLocked`, not a traceback. The embedded
store first takes the data directory's own lock (kennisbank.lock), so a second process never opens, creates
or truncates a file of a store another process holds.
"""

from __future__ import annotations

import abc
import json
import shutil
import threading
import warnings
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import qdrant_edge as qe

from kennisbank.core.errors import IndexMismatch, KennisbankError, StoreLocked
from kennisbank.core.lock import DataDirLock
from kennisbank.core.settings import Settings
from kennisbank.search.schema import (
    DENSE,
    PAYLOAD_INDEXES,
    SENTENCES,
    SPARSE,
    ChunkPoint,
    Hit,
    SearchFilter,
)

_LOCKED_HELP = (
    "The index in {path} is in use by another kennisbank process (for example `kennisbank serve`). "
    "Only one process can open the embedded store: stop the other process first, or use the web API of the "
    "running server, or move the index to a Qdrant server (KENNISBANK_QDRANT_URL) to share it."
)


def is_lock_error(exc: BaseException) -> bool:
    """Does this error of Qdrant Edge mean another process holds the folder? (It raises a bare Exception
    carrying the OS error, e.g. "Can't init WAL: Kind(WouldBlock)".)"""
    return "WouldBlock" in str(exc) or "lock" in str(exc).lower()


def check_fingerprint(stored: dict | None, wanted: dict, where: str) -> None:
    if stored is None or stored == wanted:
        return
    differences = [
        f"{key}: index has {stored.get(key)!r}, settings ask for {wanted.get(key)!r}"
        for key in sorted(set(stored) | set(wanted))
        if stored.get(key) != wanted.get(key)
    ]
    raise IndexMismatch(
        f"The index in {where} was built differently from what the current settings ask for "
        f"({'; '.join(differences)}). Re-index to use the new settings: `kennisbank ingest --rebuild`, "
        "or go back to the settings the index was built with."
    )


class Store(abc.ABC):
    """What the indexer writes and the searcher reads, whichever engine holds the vectors."""

    backend: str

    @abc.abstractmethod
    def upsert(self, points: list[ChunkPoint]) -> None: ...

    @abc.abstractmethod
    def delete_version(self, doc_id: str, version: str) -> None: ...

    @abc.abstractmethod
    def set_payload(self, doc_id: str, version: str, payload: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def flush(self) -> None: ...

    @abc.abstractmethod
    def optimize(self) -> None:
        """Build the engine's indexes after a bulk change (may block searches while it runs)."""

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def payloads(self, fields: list[str]) -> Iterator[dict[str, Any]]:
        """The given payload fields of every point, page by page of a scroll (no vectors)."""

    def versions(self) -> set[tuple[str, str]]:
        """Every (doc_id, doc_version) that has points: used to clean up after an interrupted run."""
        return {(p["doc_id"], p["doc_version"]) for p in self.payloads(["doc_id", "doc_version"])}

    def value_counts(self, hidden_versions: list[str]) -> Counter[str]:
        """How many passages carry each framework value id (payload ``values``), hidden versions left out."""
        hidden = set(hidden_versions)
        counts: Counter[str] = Counter()
        for payload in self.payloads(["values", "doc_version"]):
            if payload.get("doc_version") not in hidden:
                counts.update(payload.get("values") or [])
        return counts

    @abc.abstractmethod
    def query(self, *, dense: list[float] | None, sparse: tuple[list[int], list[float]] | None, mode: str,
              limit: int, flt: SearchFilter, prefetch_limit: int, rrf_k: int) -> list[Hit]: ...

    @abc.abstractmethod
    def sentence_scores(self, dense: list[float], ids: list[str]) -> dict[str, float]:
        """The best cosine of `dense` to a sentence of each of these points (search.rerank); points stored
        without sentence vectors are left out."""

    @abc.abstractmethod
    def dense_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """The dense (passage) vector of each of these points (search.feedback); unknown ids are left out."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EdgeStore(Store):
    """Qdrant Edge shard in a folder."""

    backend = "edge"

    def __init__(self, index_dir: Path, fingerprint: dict, data_lock: DataDirLock | None = None):
        self._qe = qe
        self.index_dir = Path(index_dir)
        # Ours before Qdrant Edge's: its own lock is taken only after it has touched the store's files.
        self._data_lock = (data_lock or DataDirLock(self.index_dir.parent, "index")).acquire()
        try:
            self._open(fingerprint)
        except BaseException:
            self._data_lock.release()
            raise

    def _open(self, fingerprint: dict) -> None:
        qe = self._qe
        self.shard_dir = self.index_dir / "edge"
        self.meta_path = self.index_dir / "index.json"
        self.fingerprint = fingerprint
        self._lock = threading.RLock()
        stored = json.loads(self.meta_path.read_text()) if self.meta_path.exists() else None
        check_fingerprint(stored, fingerprint, str(self.index_dir))
        self.index_dir.mkdir(parents=True, exist_ok=True)
        try:
            if (self.shard_dir / "edge_config.json").exists():
                self._shard = qe.EdgeShard.load(str(self.shard_dir))
            else:
                self._shard = qe.EdgeShard.create(str(self.shard_dir), self._config(fingerprint["dim"]))
                for name, kind in PAYLOAD_INDEXES.items():
                    self._shard.update(qe.UpdateOperation.create_field_index(name, self._index_params(kind)))
        except Exception as exc:  # the engine raises a bare Exception with the OS error in its text
            if is_lock_error(exc):
                raise StoreLocked(_LOCKED_HELP.format(path=self.index_dir)) from exc
            raise KennisbankError(f"Cannot open the index in {self.index_dir}: {exc}") from exc
        if stored is None:
            self.meta_path.write_text(json.dumps(fingerprint, indent=2, sort_keys=True))

    def _config(self, dim: int):
        qe = self._qe
        return qe.EdgeConfig(
            vectors={
                DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine),
                # only re-scores a search's candidates by id: no HNSW graph (m=0), brute force over those few
                SENTENCES: qe.EdgeVectorParams(
                    size=dim, distance=qe.Distance.Cosine,
                    multivector_config=qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim),
                    hnsw_config=qe.HnswIndexConfig(m=0, ef_construct=100, full_scan_threshold=10_000),
                ),
            },
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )

    def _index_params(self, kind: str):
        qe = self._qe
        if kind == "integer":
            return qe.IntegerIndexParams(lookup=True, range=True)
        return qe.KeywordIndexParams()

    # -- writing -------------------------------------------------------------------------------------------
    def upsert(self, points: list[ChunkPoint]) -> None:
        qe = self._qe
        if not points:
            return
        converted = [
            qe.Point(
                id=p.id,
                vector={DENSE: list(p.dense), SPARSE: qe.SparseVector(p.sparse_indices, p.sparse_values),
                        **({SENTENCES: [list(v) for v in p.sentences]} if p.sentences else {})},
                payload=p.payload,
            )
            for p in points
        ]
        with self._lock:
            self._shard.update(qe.UpdateOperation.upsert_points(converted))

    def _version_filter(self, doc_id: str, version: str):
        qe = self._qe
        return qe.Filter(
            must=[
                qe.FieldCondition(key="doc_id", match=qe.MatchValue(doc_id)),
                qe.FieldCondition(key="doc_version", match=qe.MatchValue(version)),
            ]
        )

    def delete_version(self, doc_id: str, version: str) -> None:
        with self._lock:
            self._shard.update(self._qe.UpdateOperation.delete_points_by_filter(self._version_filter(doc_id, version)))

    def set_payload(self, doc_id: str, version: str, payload: dict[str, Any]) -> None:
        with self._lock:
            self._shard.update(
                self._qe.UpdateOperation.set_payload_by_filter(self._version_filter(doc_id, version), payload)
            )

    def flush(self) -> None:
        with self._lock:
            self._shard.flush()

    def optimize(self) -> None:
        """Merge segments and build the vector and payload indexes (blocks searches while it runs)."""
        with self._lock:
            self._shard.optimize()

    # -- reading -------------------------------------------------------------------------------------------
    def count(self) -> int:
        with self._lock:
            return self._shard.info().points_count

    def payloads(self, fields: list[str]) -> Iterator[dict[str, Any]]:
        qe = self._qe
        offset = None
        while True:
            with self._lock:
                records, offset = self._shard.scroll(qe.ScrollRequest(
                    offset=offset, limit=1000, with_payload=qe.PayloadSelector.Include(fields), with_vector=False))
            for record in records:
                yield record.payload
            if offset is None:
                return

    def _filter(self, flt: SearchFilter):
        qe = self._qe
        must, must_not = [], []
        if flt.kinds:
            must.append(qe.FieldCondition(key="kind", match=qe.MatchAny(list(flt.kinds))))
        if flt.organisations:
            must.append(qe.FieldCondition(key="organisation", match=qe.MatchAny(list(flt.organisations))))
        if flt.values:
            must.append(qe.FieldCondition(key="values", match=qe.MatchAny(list(flt.values))))
        if flt.sectors:
            must.append(qe.FieldCondition(key="sectors", match=qe.MatchAny(list(flt.sectors))))
        if flt.year_from is not None or flt.year_to is not None:
            must.append(
                qe.FieldCondition(
                    key="year",
                    range=qe.RangeFloat(
                        gte=None if flt.year_from is None else float(flt.year_from),
                        lte=None if flt.year_to is None else float(flt.year_to),
                    ),
                )
            )
        if flt.hidden_versions:
            must_not.append(qe.FieldCondition(key="doc_version", match=qe.MatchAny(list(flt.hidden_versions))))
        if not must and not must_not:
            return None
        return qe.Filter(must=must or None, must_not=must_not or None)

    def query(
        self,
        *,
        dense: list[float] | None,
        sparse: tuple[list[int], list[float]] | None,
        mode: str,
        limit: int,
        flt: SearchFilter,
        prefetch_limit: int,
        rrf_k: int,
    ) -> list[Hit]:
        qe = self._qe
        q_filter = self._filter(flt)
        dense_q = qe.Query.Nearest(list(dense), using=DENSE) if dense is not None else None
        sparse_q = qe.Query.Nearest(qe.SparseVector(*sparse), using=SPARSE) if sparse is not None else None
        if mode == "hybrid":
            request = qe.QueryRequest(
                limit=limit,
                prefetches=[
                    qe.Prefetch(limit=prefetch_limit, query=dense_q, filter=q_filter),
                    qe.Prefetch(limit=prefetch_limit, query=sparse_q, filter=q_filter),
                ],
                query=qe.Fusion.Rrf(k=rrf_k),
                filter=q_filter,
                with_payload=True,
            )
        else:
            request = qe.QueryRequest(
                limit=limit, query=dense_q if mode == "dense" else sparse_q, filter=q_filter, with_payload=True
            )
        with self._lock:
            points = self._shard.query(request)
        return [Hit(id=str(p.id), score=float(p.score), payload=dict(p.payload or {})) for p in points]

    def sentence_scores(self, dense: list[float], ids: list[str]) -> dict[str, float]:
        qe = self._qe
        if not ids:
            return {}
        request = qe.QueryRequest(
            limit=len(ids), query=qe.Query.Nearest([list(dense)], using=SENTENCES),
            filter=qe.Filter(must=[qe.HasIdCondition(set(ids))]), with_payload=False,
        )
        with self._lock:
            points = self._shard.query(request)
        return {str(p.id): float(p.score) for p in points}

    def dense_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        with self._lock:
            records = self._shard.retrieve(list(ids), False, [DENSE])
        return {str(r.id): list(r.vector[DENSE]) for r in records if r.vector and DENSE in r.vector}

    def close(self) -> None:
        with self._lock:
            if self._shard is not None:
                try:
                    try:
                        self._shard.flush()
                    finally:
                        self._shard.close()
                finally:
                    self._shard = None
                    self._data_lock.release()


class ClientStore(Store):
    """The same index through qdrant-client: a Qdrant server/cluster, or in-process (':memory:' or a folder)."""

    backend = "server"

    def __init__(self, location: str, api_key: str, collection: str, fingerprint: dict):
        from qdrant_client import (
            models,  # lazy: qdrant-client takes ~1.5 s to import and only server mode needs it
        )

        self._m = models
        self.collection = collection
        self.fingerprint = fingerprint
        self.location = location
        self._client = _client(location, api_key)
        if self._client.collection_exists(collection):
            info = self._client.get_collection(collection)
            check_fingerprint(info.config.metadata or None, fingerprint, f"collection {collection!r} at {location}")
        else:
            self._create(fingerprint)

    def _create(self, fingerprint: dict) -> None:
        m = self._m
        self._client.create_collection(
            self.collection,
            vectors_config={
                DENSE: m.VectorParams(size=fingerprint["dim"], distance=m.Distance.COSINE),
                SENTENCES: m.VectorParams(
                    size=fingerprint["dim"], distance=m.Distance.COSINE,
                    multivector_config=m.MultiVectorConfig(comparator=m.MultiVectorComparator.MAX_SIM),
                    hnsw_config=m.HnswConfigDiff(m=0),
                ),
            },
            sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
            metadata=fingerprint,
        )
        with warnings.catch_warnings():  # in-process mode ignores payload indexes and says so; a server uses them
            warnings.filterwarnings("ignore", message="Payload indexes have no effect")
            for name, kind in PAYLOAD_INDEXES.items():
                schema = m.PayloadSchemaType.INTEGER if kind == "integer" else m.PayloadSchemaType.KEYWORD
                self._client.create_payload_index(self.collection, name, field_schema=schema)

    def upsert(self, points: list[ChunkPoint]) -> None:
        m = self._m
        if not points:
            return
        self._client.upsert(
            self.collection,
            points=[
                m.PointStruct(
                    id=p.id,
                    vector={DENSE: list(p.dense), SPARSE: m.SparseVector(indices=p.sparse_indices, values=p.sparse_values),
                            **({SENTENCES: [list(v) for v in p.sentences]} if p.sentences else {})},
                    payload=p.payload,
                )
                for p in points
            ],
            wait=True,
        )

    def _version_filter(self, doc_id: str, version: str):
        m = self._m
        return m.Filter(
            must=[
                m.FieldCondition(key="doc_id", match=m.MatchValue(value=doc_id)),
                m.FieldCondition(key="doc_version", match=m.MatchValue(value=version)),
            ]
        )

    def delete_version(self, doc_id: str, version: str) -> None:
        m = self._m
        self._client.delete(
            self.collection, points_selector=m.FilterSelector(filter=self._version_filter(doc_id, version)), wait=True
        )

    def set_payload(self, doc_id: str, version: str, payload: dict[str, Any]) -> None:
        self._client.set_payload(self.collection, payload=payload, points=self._version_filter(doc_id, version), wait=True)

    def flush(self) -> None:  # the server persists by itself
        return None

    def optimize(self) -> None:  # the server optimizes in the background by itself
        return None

    def count(self) -> int:
        return self._client.count(self.collection, exact=True).count

    def payloads(self, fields: list[str]) -> Iterator[dict[str, Any]]:
        offset = None
        while True:
            records, offset = self._client.scroll(
                self.collection, limit=1000, offset=offset, with_payload=fields, with_vectors=False
            )
            for record in records:
                yield record.payload
            if offset is None:
                return

    def _filter(self, flt: SearchFilter):
        m = self._m
        must, must_not = [], []
        if flt.kinds:
            must.append(m.FieldCondition(key="kind", match=m.MatchAny(any=list(flt.kinds))))
        if flt.organisations:
            must.append(m.FieldCondition(key="organisation", match=m.MatchAny(any=list(flt.organisations))))
        if flt.values:
            must.append(m.FieldCondition(key="values", match=m.MatchAny(any=list(flt.values))))
        if flt.sectors:
            must.append(m.FieldCondition(key="sectors", match=m.MatchAny(any=list(flt.sectors))))
        if flt.year_from is not None or flt.year_to is not None:
            must.append(m.FieldCondition(key="year", range=m.Range(gte=flt.year_from, lte=flt.year_to)))
        if flt.hidden_versions:
            must_not.append(m.FieldCondition(key="doc_version", match=m.MatchAny(any=list(flt.hidden_versions))))
        if not must and not must_not:
            return None
        return m.Filter(must=must or None, must_not=must_not or None)

    def query(self, *, dense, sparse, mode, limit, flt, prefetch_limit, rrf_k) -> list[Hit]:
        m = self._m
        q_filter = self._filter(flt)
        sparse_vec = m.SparseVector(indices=sparse[0], values=sparse[1]) if sparse is not None else None
        if mode == "hybrid":
            response = self._client.query_points(
                self.collection,
                prefetch=[
                    m.Prefetch(query=list(dense), using=DENSE, limit=prefetch_limit, filter=q_filter),
                    m.Prefetch(query=sparse_vec, using=SPARSE, limit=prefetch_limit, filter=q_filter),
                ],
                query=m.RrfQuery(rrf=m.Rrf(k=rrf_k)),
                query_filter=q_filter,
                limit=limit,
                with_payload=True,
            )
        else:
            response = self._client.query_points(
                self.collection,
                query=list(dense) if mode == "dense" else sparse_vec,
                using=DENSE if mode == "dense" else SPARSE,
                query_filter=q_filter,
                limit=limit,
                with_payload=True,
            )
        return [Hit(id=str(p.id), score=float(p.score), payload=dict(p.payload or {})) for p in response.points]

    def sentence_scores(self, dense: list[float], ids: list[str]) -> dict[str, float]:
        m = self._m
        if not ids:
            return {}
        response = self._client.query_points(
            self.collection, query=[list(dense)], using=SENTENCES, limit=len(ids),
            query_filter=m.Filter(must=[m.HasIdCondition(has_id=list(ids))]), with_payload=False,
        )
        return {str(p.id): float(p.score) for p in response.points}

    def dense_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        records = self._client.retrieve(self.collection, ids=list(ids), with_payload=False, with_vectors=[DENSE])
        return {str(r.id): list(r.vector[DENSE]) for r in records if isinstance(r.vector, dict) and DENSE in r.vector}

    def close(self) -> None:
        self._client.close()


def _client(location: str, api_key: str):
    from qdrant_client import (
        QdrantClient,  # lazy: only server mode needs it (see ClientStore)
    )

    try:
        if location.startswith(("http://", "https://")):
            return QdrantClient(url=location, api_key=api_key or None, timeout=30)
        if location == ":memory:":
            return QdrantClient(location=":memory:")
        return QdrantClient(path=location)
    except RuntimeError as exc:
        if "already accessed" in str(exc):
            raise StoreLocked(_LOCKED_HELP.format(path=location)) from exc
        raise


# -- the switch: which store the settings ask for -------------------------------------------------------------


def is_embedded(settings: Settings) -> bool:
    """Qdrant Edge in DATA_DIR/index, unless a Qdrant URL is set."""
    return not settings.qdrant_url


def open_store(settings: Settings, fingerprint: dict, data_lock: DataDirLock | None = None) -> Store:
    """The store the settings ask for: Qdrant Edge in DATA_DIR/index unless a Qdrant URL is set. The
    embedded store holds the data directory's lock (`data_lock`, or its own) for as long as it is open."""
    if is_embedded(settings):
        return EdgeStore(settings.index_dir, fingerprint, data_lock)
    return ClientStore(settings.qdrant_url, settings.qdrant_api_key, settings.collection, fingerprint)


def drop_index(settings: Settings) -> None:
    """Delete the index the settings point at (the catalog is not touched)."""
    if is_embedded(settings):
        if settings.index_dir.exists():
            shutil.rmtree(settings.index_dir)
        return
    client = _client(settings.qdrant_url, settings.qdrant_api_key)
    try:
        if client.collection_exists(settings.collection):
            client.delete_collection(settings.collection)
    finally:
        client.close()


@contextmanager
def hold(settings: Settings) -> Iterator[None]:
    """Own the data directory (its lock, kennisbank.lock) without opening the store, e.g. while its folder is
    copied or swapped. A running server makes this raise StoreLocked; no file of the store is touched (opening
    the shard to hold Qdrant Edge's own lock used to truncate the running server's files)."""
    if not is_embedded(settings):
        yield
        return
    with DataDirLock(settings.data_dir, "maintenance"):
        yield


def iter_batches(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
