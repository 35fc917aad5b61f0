"""`Searcher`: reading the knowledge base. Hybrid retrieval with filters, the documents page by page, facets.

It receives what it reads (settings, store, catalog, the query embedders, the framework) from the
composition root (kennisbank.app), and knows nothing of ingestion. `retrieve` is the one retrieval call:
the query is validated and embedded once, and under one read lock it returns the fused hits together with
the best score of each retriever (dense cosine, BM25), which the answer page's relevance gate needs.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kennisbank.core.catalog import Catalog, DocumentRecord
from kennisbank.core.errors import BadRequest, NotFound
from kennisbank.core.model import (
    K_MAX,
    KINDS,
    SECTORS,
    chunk_id,
    hit_json,
    is_doc_id,
    kind_title,
    normalise_kind,
    sector_title,
    validate_k,
    validate_mode,
    validate_query,
)
from kennisbank.core.rwlock import ReadWriteLock
from kennisbank.core.settings import Settings
from kennisbank.core.text import normalize_text
from kennisbank.core.source_refs import SourceReferences
from kennisbank.search import csl
from kennisbank.search.anchors import passage_anchors
from kennisbank.search.embedders import BM25TextEmbedder
from kennisbank.search.feedback import Feedback, SentenceScoreCache, neighbour_boost
from kennisbank.search.framework import Framework
from kennisbank.search.relevance import Relevance
from kennisbank.search.rerank import Reranker
from kennisbank.search.results import Vocabulary, group_repeats
from kennisbank.search.schema import SearchFilter
from kennisbank.search.sources import Registry, registry_for
from kennisbank.search.store import Store
from kennisbank.search.thesaurus import default_thesaurus
from kennisbank.search.value_signal import ValueProfiles, value_rescore


GROUP_FETCH = 3  # with grouping, first fetch this many candidates per result asked for ...
SUGGEST_BM25_GAIN = 1.0  # a relevant question gets a spelling suggestion only if it raises the best BM25 this much
GROUP_CANDIDATES_MAX = 10 * K_MAX  # ... and fetch more, up to this many, until k distinct results remain


def _pages(payload: dict[str, Any], label: str | None) -> str | None:
    """The locator of a passage: its page label, or a range when it runs on over a page break (``page_end``);
    the end's label follows from a numeric start label, else the range is left to the first page."""
    end, page = payload.get("page_end"), payload.get("page")
    if label is None or not end or not page or end <= page:
        return label
    return f"{label}-{int(label) + end - page}" if label.isdigit() else label


def dense_query_text(text: str, expansions: list[str], enabled: bool = True) -> str:
    """What the dense model embeds of a question: the question, followed by its thesaurus expansion terms when
    there are any and `enabled` (setting ``dense_expansion``, off by default: README, "Search quality")."""
    return " ".join([text, *expansions]) if enabled and expansions else text


def document_dict(record: DocumentRecord) -> dict[str, Any]:
    return {"id": record.id, **record.metadata()}


@dataclass
class Retrieval:
    """The outcome of one retrieval: fused hits (JSON results) and what was searched."""

    query: str
    mode: str
    k: int
    filters: dict[str, Any]
    expansions: list[str]
    results: list[dict[str, Any]]
    best_dense: float = 0.0  # the best dense cosine (0 when not asked or nothing found)
    best_bm25: float = 0.0  # the best BM25 score
    candidates: int = 0  # hits fetched before repeats were grouped (0: not grouped)
    domain_terms: list[str] = field(default_factory=list)  # thesaurus terms the query names (the relevance gate)
    took_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def response(self) -> dict[str, Any]:
        """The search API's JSON (README, "JSON API")."""
        return {
            "query": self.query,
            "mode": self.mode,
            "expansions": self.expansions,
            "k": self.k,
            "filters": self.filters,
            "took_ms": self.took_ms,
            "results": self.results,
        }


class Searcher:
    def __init__(self, settings: Settings, store: Store, catalog: Catalog, text_embedder, fingerprint: dict,
                 framework: Framework | None = None):
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.fingerprint = fingerprint
        self.framework = framework
        self._dense = text_embedder
        self._sparse = BM25TextEmbedder()
        self._sparse.warm_up()
        self._anchors: dict[tuple[str, str], dict[int, str]] = {}  # (doc id, version) -> split id -> anchor
        # full references of cited works completed by staff (same SQLite file as the catalog)
        self.source_meta = SourceReferences(settings.catalog_path)
        # a search reads the hidden versions, then queries: no index change may fall between (see rwlock)
        self.visibility = ReadWriteLock()
        self._registry: tuple[Any, Registry] | None = None
        self._vocabulary: tuple[Any, Vocabulary] | None = None
        self._value_counts: tuple[Any, dict[str, int]] | None = None
        self.relevance = Relevance.from_settings(settings)
        self.reranker = Reranker.from_settings(settings)
        self.feedback = Feedback.from_settings(settings)  # pseudo-relevance feedback, neighbours (off by default)
        self.value_profiles = ValueProfiles(framework, self.embed_text)  # the second stage's value signal

    def registry(self) -> Registry:
        """The source registry over the framework and what the catalog holds now; built once, and again only
        when a publication or its metadata changed (the framework pages and the answers share it)."""
        documents = self.documents()
        key = (tuple(sorted(self.catalog.current_versions())),
               tuple(sorted((d["id"], d["title"], d["organisation"], str(d["year"])) for d in documents)))
        cached = self._registry
        if cached is None or cached[0] != key:
            if self.framework is not None and any(d["id"] == self.framework.document_id for d in documents):
                self.framework.check_text([p["text"] for p in self.document(self.framework.document_id)["pages"]])
            cached = self._registry = (key, registry_for(self, self.framework))
        return cached[1]

    def embed_text(self, text: str) -> list[float]:
        """The dense embedding of a text with the index's model (queries, and the value profiles)."""
        return self._dense.run(text=text)["embedding"]

    # -- search -------------------------------------------------------------------------------------------
    def retrieve(
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
        sectors: list[str] | None = None,
        with_best: bool = False,
        group: bool = False,
        rerank: bool | None = None,
    ) -> Retrieval:
        """Hybrid (or dense, or BM25) retrieval. `expand` adds thesaurus terms to the BM25 query (default: the
        setting); `with_best` also finds the best dense and BM25 scores (two top-1 queries, same vectors);
        `group` makes passages with the same text one result (search.results.group_repeats) and fetches
        candidates until `k` distinct results remain or the store has no more. `rerank` (default: the setting)
        fuses hybrid hits by score and re-scores the top by sentence (search.rerank) instead of Qdrant's RRF."""
        started = time.perf_counter()
        query = validate_query(query)
        k = validate_k(k)
        mode = validate_mode(mode)
        if year_from is not None and year_to is not None and year_from > year_to:
            raise BadRequest(f"Het jaar ‘vanaf’ ({year_from}) ligt na het jaar ‘tot en met’ ({year_to}).")
        flt = SearchFilter(
            kinds=self._kind_variants(kinds or []), organisations=list(organisations or []), year_from=year_from, year_to=year_to,
            values=list(values or []), sectors=list(sectors or []),
        )
        text = normalize_text(query)
        expand = self.settings.query_expansion if expand is None else expand
        expansions = default_thesaurus().expansions(text) if expand and mode != "dense" else []
        dense = self.embed_text(dense_query_text(text, expansions, self.settings.dense_expansion)) \
            if mode in ("hybrid", "dense") or with_best else None
        sparse = None
        if mode in ("hybrid", "bm25") or with_best:
            emb = self._sparse.run(text=text, expansions=expansions)["sparse_embedding"]
            sparse = (list(emb.indices), list(emb.values)) if emb.indices else None  # None: only stop words
        query_dense = dense if mode in ("hybrid", "dense") else None
        query_sparse = sparse if mode in ("hybrid", "bm25") else None
        effective = mode if mode != "hybrid" or (query_dense is not None and query_sparse is not None) else "dense"
        if effective == "hybrid" and (self.settings.rerank if rerank is None else rerank):
            effective = "hybrid+rerank"
        best_dense = best_bm25 = 0.0
        candidates = 0
        best: dict[str, float] = {}  # the second stage's retriever lists give the best scores without more queries
        with self.visibility.read():
            flt.hidden_versions = self.catalog.hidden_versions()
            if query_dense is None and query_sparse is None:
                results: list[dict[str, Any]] = []
            elif not group:
                hits = self._query(query_dense, query_sparse, effective, k, flt, best)
                hits.sort(key=lambda h: (-h.score, h.payload["chunk_id"]))  # equal scores: a fixed order
                results = [self._result(rank, hit) for rank, hit in enumerate(hits, start=1)]
            else:
                limit = min(k * GROUP_FETCH, GROUP_CANDIDATES_MAX)
                while True:
                    hits = self._query(query_dense, query_sparse, effective, limit, flt, best)
                    hits.sort(key=lambda h: (-h.score, h.payload["chunk_id"]))  # equal fused scores: a fixed order
                    results = group_repeats(self._result(rank, hit) for rank, hit in enumerate(hits, start=1))
                    if len(results) >= k or len(hits) < limit or limit >= GROUP_CANDIDATES_MAX:
                        break
                    # as many more as the repeats so far say are needed (at least twice as many), in one go
                    limit = min(max(2 * limit, math.ceil(1.5 * limit * k / max(len(results), 1))), GROUP_CANDIDATES_MAX)
                candidates = len(hits)
                results = results[:k]
            if with_best and best:
                best_dense, best_bm25 = best["dense"], best["bm25"]
            elif with_best:
                top_dense = self._query(dense, None, "dense", 1, flt) if dense is not None else []
                top_bm25 = self._query(None, sparse, "bm25", 1, flt) if sparse is not None else []
                best_dense = top_dense[0].score if top_dense else 0.0
                best_bm25 = top_bm25[0].score if top_bm25 else 0.0
        return Retrieval(
            query=query, mode=mode, k=k, filters={**flt.as_dict(), "kind": list(kinds or [])}, expansions=expansions,
            results=results, best_dense=best_dense, best_bm25=best_bm25, candidates=candidates,
            domain_terms=default_thesaurus().domain_terms(text) if with_best else [],
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def search(self, query: str, **options: Any) -> dict[str, Any]:
        """The search API's JSON for `query` (the options of `retrieve`)."""
        return self.retrieve(query, **options).response()

    def result_list(self, query: str, **options: Any) -> dict[str, Any]:
        """The search page's JSON: `search` with repeats grouped (each result's ``also``), the relevance gate of
        the answer page (``relevant``, ``status`` "found" or "not_relevant": below the gate the results are the
        nearest passages, not matches) and a spelling suggestion (``suggestion``, or None)."""
        retrieval = self.retrieve(query, **options, with_best=True, group=True)
        relevant = self._relevant(retrieval)
        # a word the publications do not have may be a typo: a correction is offered only if the corrected
        # question passes the gate and, when the question already did, matches clearly more words (BM25)
        suggestion = self.vocabulary().suggest(retrieval.query)
        if suggestion is not None:
            corrected = self.retrieve(suggestion, **{**options, "k": 1}, with_best=True)
            if not self._relevant(corrected) or (
                    relevant and corrected.best_bm25 < retrieval.best_bm25 + SUGGEST_BM25_GAIN):
                suggestion = None
        return {
            **retrieval.response(),
            "status": "found" if relevant else ("not_relevant" if retrieval.results else "none"),
            "relevant": relevant,
            "suggestion": suggestion,
        }

    def _kind_variants(self, kinds: list[str]) -> list[str]:
        """The kinds asked for, plus the spellings an index built before kinds were normalised may still hold
        ("Onderzoeksrapport" for "onderzoeksrapport"): one kind, whatever its case."""
        if not kinds:
            return []
        wanted = {normalise_kind(k) for k in kinds}
        stored = {r.kind for r in self.catalog.all() if r.kind and normalise_kind(r.kind) in wanted}
        return list(dict.fromkeys([*kinds, *sorted(stored - set(kinds))]))

    def _relevant(self, retrieval: Retrieval) -> bool:
        return bool(retrieval.results) and self.relevance.relevant(
            retrieval.best_dense, retrieval.best_bm25, domain=bool(retrieval.domain_terms))

    def vocabulary(self) -> Vocabulary:
        """The words of the stored page texts, for spelling suggestions; rebuilt when the publications change."""
        key = tuple(sorted(self.catalog.current_versions()))
        cached = self._vocabulary
        if cached is None or cached[0] != key:
            texts = (text for doc_id, version in key for _, text in self.catalog.pages(doc_id, version))
            cached = self._vocabulary = (key, Vocabulary.from_texts(texts, default_thesaurus()))
        return cached[1]

    def _query(self, dense, sparse, mode: str, limit: int, flt: SearchFilter, best: dict[str, float] | None = None):
        if mode == "hybrid+rerank":
            return self._reranked(dense, sparse, limit, flt, best if best is not None else {})
        return self.store.query(
            dense=dense, sparse=sparse, mode=mode, limit=limit, flt=flt,
            prefetch_limit=max(self.settings.prefetch_limit, limit), rrf_k=self.settings.rrf_k,
        )

    def _reranked(self, dense, sparse, limit: int, flt: SearchFilter, best: dict[str, float]):
        """Hybrid hits by the second stage (search.rerank): each retriever's top, fused by score, the top of that
        re-scored by the passages' best sentences. `best` gets each retriever's best score (the relevance gate)."""
        fetch = max(self.settings.prefetch_limit, limit)
        by_dense = self._query(dense, None, "dense", fetch, flt)
        by_bm25 = self._query(None, sparse, "bm25", fetch, flt)
        best["dense"] = by_dense[0].score if by_dense else 0.0
        best["bm25"] = by_bm25[0].score if by_bm25 else 0.0
        sentences = SentenceScoreCache(lambda ids: self.store.sentence_scores(dense, ids))
        if self.feedback.active:  # search.feedback: a second pass with the first pass's top as feedback
            fused = self.feedback.refine(
                by_dense, by_bm25, reranker=self.reranker, query=dense, sparse=sparse, sentence_scores=sentences,
                dense_vectors=self.store.dense_vectors,
                query_dense=lambda vector: self._query(vector, None, "dense", fetch, flt),
                query_bm25=lambda expanded: self._query(None, expanded, "bm25", fetch, flt))
        else:
            fused = self.reranker.fuse(by_dense, by_bm25)
        fused = neighbour_boost(fused, self.feedback.neighbour_weight, self.reranker.depth)
        hits = self.reranker.rescore(fused, sentences)
        weight = self.settings.rerank_value_weight
        if weight and self.framework is not None:  # search.value_signal: the framework value the question leans to
            hits = value_rescore(hits, self.value_profiles.leanings(dense), self.reranker.depth, weight)
        return hits[:limit]

    def _result(self, rank: int, hit) -> dict[str, Any]:
        """One result: the hit, its stable anchor, its printed page label and what to paste to cite it."""
        result = hit_json(rank, hit.score, hit.payload)
        p, page = hit.payload, result["page"]
        result["page_label"] = p.get("page_label") or (str(page) if page is not None else None)
        result["anchor"] = self.anchors(p["doc_id"], p.get("doc_version")).get(p.get("split_id"))
        result["pages"] = _pages(p, result["page_label"])  # "4-5" for a passage over a page break
        cite = csl.cite_block(self.citation_item(result["document"], p.get("doc_version")), result["pages"])
        result["citation"] = cite["reference"]  # APA 7: the reference entry has no page
        result["citation_in_text"] = cite["in_text"]
        result["cite"] = cite
        return result

    # -- citations and anchors ----------------------------------------------------------------------------
    def citation_item(self, document: dict[str, Any], version: str | None = None) -> dict[str, Any]:
        """The CSL-JSON item of a publication; an undated one with a URL carries its version's date."""
        version_date = None
        if version and document.get("url") and (document.get("year") is None or document.get("year_approximate")):
            version_date = self.catalog.version_date(document["id"], version)
        return csl.document_item(document, version_date)

    def warm_citations(self, stop: threading.Event | None = None) -> int:
        """Render every publication's citations once (search.csl.warm_work), e.g. in a thread when a server
        starts: the style engine takes ~5-30 ms per rendering, the cache microseconds. Returns how many."""
        done = 0
        for record in self.catalog.all():
            if stop is not None and stop.is_set():
                break
            csl.warm_work(self.citation_item(document_dict(record), record.version))
            done += 1
        return done

    def anchors(self, doc_id: str, version: str | None) -> dict[int, str]:
        """Split id -> stable passage anchor (search.anchors) for one version of a publication."""
        if version is None:
            return {}
        key = (doc_id, version)
        if key not in self._anchors:
            pages = dict(self.catalog.pages(doc_id, version))
            chunks = self.catalog.chunks(doc_id, version)
            texts = [pages.get(page, "")[start:end] for _split, page, start, end in chunks]
            self._anchors[key] = dict(zip((c[0] for c in chunks), passage_anchors(doc_id, texts)))
            if len(self._anchors) > 256:
                self._anchors.pop(next(iter(self._anchors)))
        return self._anchors[key]

    # -- documents ----------------------------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        return [
            {
                **document_dict(r),
                "page_count": r.page_count if r.paginated else None,
                "chunk_count": r.chunk_count,
                "citation": csl.reference(self.citation_item(document_dict(r), r.version)).text,
            }
            for r in self.catalog.all()
        ]

    def document(self, doc_id: str) -> dict[str, Any]:
        record = self.catalog.get(doc_id) if is_doc_id(doc_id) else None
        if record is None:
            raise NotFound(f"Document {str(doc_id)[:80]!r} bestaat niet in de kennisbank.")
        pages = [
            {"page": no if record.paginated else None, "text": text}
            for no, text in self.catalog.pages(record.id, record.version)
        ]
        anchors = self.anchors(record.id, record.version)
        chunks = [
            {"chunk_id": chunk_id(record.id, split), "anchor": anchors.get(split),
             "page": page if record.paginated else None, "start": start, "end": end}
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
        item = self.citation_item(document_dict(record), record.version)
        entry = csl.reference(item)
        doc["version_date"] = self.catalog.version_date(record.id, record.version)
        return {"document": doc, "citation": entry.text, "citation_html": entry.html, "csl": item,
                "pages": pages, "chunks": chunks}

    def facets(self) -> dict[str, Any]:
        """The filter values that exist: kinds (in the order of core.model.KINDS), organisations, sectors, the
        year range and the framework values; ``counts`` gives the number of publications per kind, organisation
        and sector, and of passages per value, with titles (the search form's filters)."""
        records = self.catalog.all()
        years = [r.year for r in records if r.year is not None]
        kinds = Counter(normalise_kind(r.kind) for r in records if r.kind)
        organisations = Counter(r.organisation for r in records if r.organisation)
        sectors = Counter(s for r in records for s in dict.fromkeys(normalise_kind(s) for s in r.sectors))
        order = {kind: i for i, kind in enumerate([*KINDS, *SECTORS])}
        ordered = lambda counter: sorted(counter, key=lambda v: (order.get(v, len(order)), v))  # noqa: E731
        value_ids = self.framework.value_ids if self.framework is not None else []
        value_counts = self.value_counts()
        return {
            "kinds": ordered(kinds),
            "organisations": sorted(organisations),
            "sectors": ordered(sectors),
            "years": [min(years), max(years)] if years else [],
            "values": value_ids,
            "counts": {
                "kinds": [{"value": v, "title": kind_title(v), "count": kinds[v]} for v in ordered(kinds)],
                "organisations": [{"value": v, "title": v, "count": organisations[v]} for v in sorted(organisations)],
                "sectors": [{"value": v, "title": sector_title(v), "count": sectors[v]} for v in ordered(sectors)],
                "values": [{"value": v, "title": self.value_title(v), "count": value_counts.get(v, 0)}
                           for v in value_ids],
            },
        }

    def value_title(self, value_id: str) -> str:
        """"1.3 Gezamenlijke opleidingsverantwoordelijkheid": a framework value's id and title (the id alone
        when the framework does not have it)."""
        value = self.framework.value(value_id) if self.framework is not None else None
        return f"{value_id} {value['title']}" if value else value_id

    def value_counts(self) -> dict[str, int]:
        """Passages per framework value in the index (cached until the publications change)."""
        key = (tuple(sorted(self.catalog.current_versions())), tuple(self.catalog.hidden_versions()))
        cached = self._value_counts
        if cached is None or cached[0] != key:
            cached = self._value_counts = (key, dict(self.store.value_counts(list(key[1]))))
        return cached[1]

    def stats(self) -> dict[str, Any]:
        return {
            "documents": len(self.catalog.all()),
            "points": self.store.count(),
            "backend": self.store.backend,
            "index": self.fingerprint,
        }
