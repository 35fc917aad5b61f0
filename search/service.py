"""`KnowledgeBase`: the one Python API every front end uses (command line, web UI, JSON API, evaluation).

It opens the document catalog and the vector store once, loads the query embedders lazily, and answers:
hybrid search with filters, the list of documents, one document page by page, and the facets for filters.
Writing goes through `indexer()` (see ingest.indexer), which shares the same store and catalog.
"""

from __future__ import annotations

import time
from typing import Any

from kennisbank.catalog import Catalog, DocumentRecord
from kennisbank.errors import BadRequest, NotFound
from kennisbank.lock import DataDirLock
from kennisbank.rwlock import ReadWriteLock
from kennisbank.settings import Settings
from search.citation import apa_in_text, apa_reference
from search.embedders import BM25TextEmbedder, bm25_fingerprint, dense_text_embedder
from search.schema import SearchFilter, index_fingerprint
from search.thesaurus import default_thesaurus
from search.store import MODES, open_store

MAX_QUERY_CHARS = 1000
MAX_K = 50


def normalize_query(text: str) -> str:
    from ingest.cleaning import normalize_text

    return normalize_text(text)


def validate_query(query: Any) -> str:
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("Geef een zoekvraag op (de zoekvraag is leeg).")
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"De zoekvraag is te lang: {len(query)} tekens, maximaal {MAX_QUERY_CHARS}.")
    if "\x00" in query:
        raise BadRequest("De zoekvraag bevat een ongeldig teken.")
    return query.strip()


def framework_value_ids() -> list[str]:
    """The framework's value ids (the `values` filter), from the reviewed data file; none if it is missing."""
    from search.framework import FRAMEWORK_FILE, Framework

    return Framework.load().value_ids if FRAMEWORK_FILE.is_file() else []


def document_dict(record: DocumentRecord) -> dict[str, Any]:
    return {"id": record.id, **record.metadata()}


class KnowledgeBase:
    def __init__(self, settings: Settings, store, catalog: Catalog, text_embedder, fingerprint: dict):
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.fingerprint = fingerprint
        self._dense = text_embedder
        self._sparse = BM25TextEmbedder()
        self._sparse.warm_up()
        self._indexer = None
        self.data_lock: DataDirLock | None = None  # set by open(): released by close()
        # a search reads the hidden versions, then queries: no index change may fall between (see rwlock)
        self.visibility = ReadWriteLock()

    @classmethod
    def open(cls, settings: Settings, data_lock: DataDirLock | None = None) -> "KnowledgeBase":
        from ingest.pipeline import chunking_settings

        # The data directory's own lock first, before any file in it is opened (see kennisbank.lock); the
        # embedded store shares it. A Qdrant server is shared by design. A caller that already owns the
        # directory passes its lock.
        if not settings.qdrant_url:
            data_lock = (data_lock or DataDirLock(settings.data_dir)).acquire()
        try:
            text_embedder = dense_text_embedder(settings.embedding_model)
            text_embedder.warm_up()  # load the model now: the first query should not pay for it
            dim = len(text_embedder.run(text="probe")["embedding"])
            fingerprint = index_fingerprint(settings.embedding_model, dim, chunking_settings(settings), bm25_fingerprint())
            catalog = Catalog(settings.catalog_path)
            store = open_store(settings, fingerprint, data_lock)
        except BaseException:
            if data_lock is not None:
                data_lock.release()
            raise
        kb = cls(settings, store, catalog, text_embedder, fingerprint)
        kb.data_lock = data_lock
        kb.indexer().recover()
        return kb

    def close(self) -> None:
        try:
            self.store.close()
            self.catalog.close()
        finally:
            if getattr(self, "data_lock", None) is not None:
                self.data_lock.release()
                self.data_lock = None

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def indexer(self):
        if self._indexer is None:
            from ingest.indexer import Indexer

            self._indexer = Indexer(self)
        return self._indexer

    # -- search -------------------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        k: int = 10,
        kinds: list[str] | None = None,
        organisations: list[str] | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        mode: str = "hybrid",
        expand: bool | None = None,
        values: list[str] | None = None,
    ) -> dict[str, Any]:
        """Hybrid (or dense, or BM25) search. `expand` adds thesaurus terms to the BM25 query (default: setting)."""
        started = time.perf_counter()
        query = validate_query(query)
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
            raise BadRequest(f"k moet een geheel getal van 1 tot en met {MAX_K} zijn.")
        if mode not in MODES:
            raise BadRequest(f"Onbekende zoekmodus {mode!r}; kies uit: {', '.join(MODES)}.")
        if year_from is not None and year_to is not None and year_from > year_to:
            raise BadRequest("Het beginjaar ligt na het eindjaar.")
        flt = SearchFilter(
            kinds=list(kinds or []), organisations=list(organisations or []), year_from=year_from, year_to=year_to,
            values=list(values or []),
        )
        text = normalize_query(query)
        expand = self.settings.query_expansion if expand is None else expand
        expansions = default_thesaurus().expansions(text) if expand and mode != "dense" else []
        dense = self._dense.run(text=text)["embedding"] if mode in ("hybrid", "dense") else None
        sparse = None
        if mode in ("hybrid", "bm25"):
            emb = self._sparse.run(text=text, expansions=expansions)["sparse_embedding"]
            sparse = (list(emb.indices), list(emb.values))
            if not sparse[0]:  # only stop words: BM25 has nothing to match
                sparse = None
        if (mode == "bm25" and sparse is None) or dense is None and sparse is None:
            hits = []
        else:
            effective = mode if (dense is not None and sparse is not None) or mode != "hybrid" else "dense"
            with self.visibility.read():
                flt.hidden_versions = self.catalog.hidden_versions()
                hits = self.store.query(
                    dense=dense,
                    sparse=sparse,
                    mode=effective,
                    limit=k,
                    flt=flt,
                    prefetch_limit=max(self.settings.prefetch_limit, k),
                    rrf_k=self.settings.rrf_k,
                )
        results = [self._result(rank, hit) for rank, hit in enumerate(hits, start=1)]
        return {
            "query": query,
            "mode": mode,
            "expansions": expansions,
            "k": k,
            "filters": flt.as_dict(),
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "results": results,
        }

    def _result(self, rank: int, hit) -> dict[str, Any]:
        p = hit.payload
        document = {
            "id": p["doc_id"],
            "title": p.get("title", ""),
            "organisation": p.get("organisation", ""),
            "year": p.get("year"),
            "year_approximate": bool(p.get("year_approximate")),
            "kind": p.get("kind", ""),
            "language": p.get("language", ""),
            "sectors": p.get("sectors", []),
            "url": p.get("url", ""),
        }
        page = p.get("page")
        return {
            "rank": rank,
            "score": round(hit.score, 6),
            "text": p["text"],
            "page": page,
            "chunk_id": p["chunk_id"],
            "values": p.get("values", []),
            "start": p["start"],
            "end": p["end"],
            "document": document,
            "citation": apa_reference(document, page),
            "citation_in_text": apa_in_text(document, page),
        }

    # -- documents ----------------------------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        return [
            {
                **document_dict(r),
                "page_count": r.page_count if r.paginated else None,
                "chunk_count": r.chunk_count,
                "citation": apa_reference(document_dict(r)),
            }
            for r in self.catalog.all()
        ]

    def document(self, doc_id: str) -> dict[str, Any]:
        record = self.catalog.get(doc_id) if isinstance(doc_id, str) else None
        if record is None:
            raise NotFound(f"Document {doc_id!r} bestaat niet in de kennisbank.")
        from search.schema import chunk_id

        pages = [
            {"page": no if record.paginated else None, "text": text}
            for no, text in self.catalog.pages(record.id, record.version)
        ]
        chunks = [
            {"chunk_id": chunk_id(record.id, split), "page": page if record.paginated else None, "start": start, "end": end}
            for split, page, start, end in self.catalog.chunks(record.id, record.version)
        ]
        doc = {
            **document_dict(record),
            "page_count": record.page_count if record.paginated else None,
            "chunk_count": record.chunk_count,
            "format": record.format,
            "content_hash": record.content_hash,
            "warnings": record.warnings,
        }
        return {"document": doc, "citation": apa_reference(document_dict(record)), "pages": pages, "chunks": chunks}

    def facets(self) -> dict[str, Any]:
        records = self.catalog.all()
        years = [r.year for r in records if r.year is not None]
        return {
            "kinds": sorted({r.kind for r in records if r.kind}),
            "organisations": sorted({r.organisation for r in records if r.organisation}),
            "years": [min(years), max(years)] if years else [],
            "values": framework_value_ids(),
        }

    def stats(self) -> dict[str, Any]:
        return {
            "documents": len(self.catalog.all()),
            "points": self.store.count(),
            "backend": self.store.backend,
            "index": self.fingerprint,
        }
