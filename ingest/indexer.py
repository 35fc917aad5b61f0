"""Keeps the index in step with the publications: add, replace, skip unchanged, remove, recover.

Per publication: hash the file and the metadata; unchanged -> nothing is written. Otherwise run the indexing
pipeline, then

1. stage the new version in the catalog (state ``pending``: hidden from searches) with its page texts,
2. write its points to the store,
3. publish: one catalog transaction retires the old version and makes the new one current,
4. delete the old version's points, then forget it.

Steps 1-4 hold the write side of the readers-writer lock the searcher reads under (``visibility``), and a search holds its read lock from reading the hidden
versions to getting its hits: a search sees the old version or the new one, never neither, never both.
(With a Qdrant server, a second process writing the same index is not covered by the lock: a search there
could, for a few milliseconds, miss the document being replaced. The embedded default has one process.)
An interrupted run leaves only pending or retired versions behind, which `recover()` removes on next open.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from tqdm import tqdm

from kennisbank.core.catalog import Catalog, DocumentRecord
from kennisbank.core.diskspace import check_room
from kennisbank.core.model import (
    PUBLICATION_FIELD_NAMES,
    passage_payload,
    publication_payload,
)
from kennisbank.core.rwlock import ReadWriteLock
from kennisbank.core.settings import Settings
from kennisbank.ingest.pipeline import Progress, indexing_pipeline
from kennisbank.ingest.sources import Source
from kennisbank.ingest.values import ValueClassifier, ValueTagger
from kennisbank.search.framework import Framework
from kennisbank.search.rerank import SentenceEmbedder
from kennisbank.search.schema import ChunkPoint, point_id
from kennisbank.search.store import Store, is_embedded, iter_batches

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    source: str
    doc_id: str
    status: str  # added | unchanged | replaced | updated | failed
    reason: str = ""
    message: str = ""
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("added", "unchanged", "replaced", "updated", "failed")}

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "seconds": round(self.seconds, 2),
            "documents": [o.__dict__ for o in self.outcomes],
        }


class Indexer:
    """Writes publications into one store and catalog (wired by the composition root, kennisbank.app).

    ``visibility`` is the lock the searcher reads under; ``embed(text)`` is the dense model the index uses
    (the value classifier embeds the framework's value profiles with it); ``framework`` may be None."""

    def __init__(self, settings: Settings, store: Store, catalog: Catalog, visibility: ReadWriteLock,
                 embed: Callable[[str], list[float]], framework: Framework | None):
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.visibility = visibility
        self.framework = framework
        self._embed = embed
        self._pipeline = None
        self._tagger = None

    @property
    def pipeline(self):
        """The indexing pipeline, built and warmed up on first use (loading its models takes seconds)."""
        if self._pipeline is None:
            self._pipeline = indexing_pipeline(self.settings)
            self._pipeline.warm_up()
        return self._pipeline

    @property
    def tagger(self) -> ValueTagger:
        """Framework value ids per chunk (ingest.values); built on first use (it embeds the value profiles)."""
        if self._tagger is None:
            classifier = None
            if self.framework is not None:
                classifier = ValueClassifier(self.framework, self._embed, threshold=self.settings.value_threshold,
                                             max_values=self.settings.value_max)
            self._tagger = ValueTagger(self.framework, classifier)
        return self._tagger

    # -- maintenance --------------------------------------------------------------------------------------
    def recover(self) -> int:
        """Remove what an interrupted run left: points of pending and retired versions."""
        with self.visibility.write():
            leftovers = self.catalog.versions_in_state("pending", "retired")
            for doc_id, version in leftovers:
                self.store.delete_version(doc_id, version)
                self.catalog.forget_version(doc_id, version)
            if leftovers:
                self.store.flush()
                log.warning("Removed %d unfinished document version(s) left by an interrupted run", len(leftovers))
        return len(leftovers)

    def remove(self, doc_id: str) -> bool:
        with self.visibility.write():
            version = self.catalog.retire_document(doc_id)
            if version is None:
                return False
            self.store.delete_version(doc_id, version)
            self.catalog.forget_version(doc_id, version)
            self.store.flush()
        return True

    # -- ingest -------------------------------------------------------------------------------------------
    def ingest(self, sources: list[Source], progress: bool = False, optimize: bool = False,
               on_progress: Progress | None = None) -> IngestReport:
        """Bring `sources` into the index. `optimize`: afterwards, when anything changed, build the store's
        indexes (Qdrant Edge does not do this by itself: at 100k chunks hybrid p95 20.7 ms -> 2.9 ms, per
        `kennisbank bench`). It blocks searches while it runs, so the command line asks for it, where no
        server is searching (the store is locked to one process); the server's upload jobs do not.
        `on_progress` is called while a publication's passages are embedded (see ingest.pipeline.ProgressiveEmbedder)."""
        started = time.perf_counter()
        report = IngestReport()
        bar = None
        if progress:
            bar = tqdm(total=len(sources), unit="doc", desc="Indexeren", leave=True)
        try:
            for source in sources:
                if bar is not None:
                    bar.set_postfix_str(source.path.name[:40])
                outcome = self.ingest_one(source, on_progress)
                report.outcomes.append(outcome)
                if outcome.status == "failed":
                    log.warning("%s: %s (%s)", source.path, outcome.message, outcome.reason)
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            self.store.flush()
        if optimize and any(o.status in ("added", "replaced") for o in report.outcomes):
            self.store.optimize()
        report.seconds = time.perf_counter() - started
        return report

    def ingest_one(self, source: Source, on_progress: Progress | None = None) -> Outcome:
        started = time.perf_counter()
        outcome = Outcome(source=str(source.path), doc_id=source.id, status="failed")
        try:
            content_hash = source.content_hash()
        except OSError as exc:
            outcome.reason, outcome.message = "unreadable", f"cannot read the file: {exc.strerror or exc}"
            return outcome
        meta_hash = source.meta_hash()
        existing = self.catalog.get(source.id)
        duplicate = next(
            (r for r in self.catalog.all() if r.content_hash == content_hash and r.id != source.id), None
        )
        if duplicate is not None:
            outcome.reason = "duplicate"
            outcome.message = f"the same file is already in the knowledge base as {duplicate.id!r}"
            return outcome
        if existing and existing.content_hash == content_hash:
            outcome.pages, outcome.chunks = existing.page_count, existing.chunk_count
            record = self._record(source, content_hash, meta_hash, existing.version, existing)
            if existing.meta_hash == meta_hash:
                if existing.source_path != str(source.path):  # same file, moved: only our bookkeeping changes
                    self.catalog.update_metadata(record)
                outcome.status = "unchanged"
                return outcome
            with self.visibility.write():
                self.store.set_payload(source.id, existing.version, self._doc_payload(record))
                self.catalog.update_metadata(record)
            outcome.status = "updated"
            outcome.seconds = time.perf_counter() - started
            return outcome

        data: dict[str, Any] = {"converter": {"sources": [source.path], "meta": [{"doc_id": source.id}]}}
        if on_progress is not None:
            data["dense"] = {"progress": on_progress}
        result = self.pipeline.run(
            data,
            include_outputs_from={"converter", "cleaner"},
        )
        failures = result["converter"].get("failures", [])
        if failures or not result["cleaner"]["documents"]:
            failure = failures[0] if failures else {"reason": "empty", "message": "no text found"}
            outcome.reason, outcome.message = failure["reason"], failure["message"]
            return outcome
        cleaned = result["cleaner"]["documents"][0]
        chunks = result["sparse"]["documents"]
        if not chunks:
            outcome.reason, outcome.message = "empty", "the file has no text to index"
            return outcome
        paginated = bool(cleaned.meta.get("paginated"))
        page_texts = (cleaned.content or "").split("\f")
        version = hashlib.sha256(f"{source.id}\n{content_hash}".encode()).hexdigest()[:16]
        record = DocumentRecord(
            **self._record(source, content_hash, meta_hash, version, None).__dict__
            | {
                "format": cleaned.meta.get("format", ""),
                "paginated": paginated,
                "page_count": len(page_texts),
                "chunk_count": len(chunks),
                "warnings": list(cleaned.meta.get("warnings", [])),
            }
        )
        self._write(record, page_texts, chunks)
        outcome.status = "replaced" if existing else "added"
        outcome.pages, outcome.chunks, outcome.warnings = len(page_texts), len(chunks), record.warnings
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _record(self, source: Source, content_hash: str, meta_hash: str, version: str, existing) -> DocumentRecord:
        base = existing.__dict__ if existing is not None else {
            "format": "", "paginated": False, "page_count": 0, "chunk_count": 0, "warnings": []
        }
        return DocumentRecord(
            id=source.id,
            source_path=str(source.path),
            content_hash=content_hash,
            meta_hash=meta_hash,
            version=version,
            format=base["format"],
            paginated=base["paginated"],
            page_count=base["page_count"],
            chunk_count=base["chunk_count"],
            warnings=base["warnings"],
            **{name: source.meta[name] for name in PUBLICATION_FIELD_NAMES},
        )

    @staticmethod
    def _doc_payload(record: DocumentRecord) -> dict[str, Any]:
        return publication_payload(record.id, record.version, record.metadata())

    def _write(self, record: DocumentRecord, page_texts: list[str], chunks) -> None:
        doc_payload = self._doc_payload(record)
        offsets, points = [], []
        tags = self.tagger.tag(record.id, page_texts, chunks)
        for chunk, values in zip(chunks, tags):
            split = int(chunk.meta["split_id"])
            page = chunk.meta.get("page_number")
            offsets.append((split, page or 1, int(chunk.meta["start"]), int(chunk.meta["end"])))
            sparse = chunk.sparse_embedding
            points.append(
                ChunkPoint(
                    id=point_id(record.id, record.version, split),
                    dense=chunk.embedding,
                    sparse_indices=list(sparse.indices),
                    sparse_values=list(sparse.values),
                    sentences=chunk.meta.get(SentenceEmbedder.META_KEY) or None,
                    payload={
                        **passage_payload(
                            doc_payload, text=chunk.content, page=page if record.paginated else None,
                            start=int(chunk.meta["start"]), end=int(chunk.meta["end"]), split_id=split, values=values,
                        ),
                        **_layout_payload(chunk.meta),
                    },
                )
            )
        if is_embedded(self.settings):
            # The embedding took a while: the disk may have filled meanwhile. The embedded store maps its files, and
            # writing a mapped page on a full disk kills the process (SIGBUS); fail this job with "schijf vol"
            # instead. Room asked for: the points (vectors, terms, payload) and the page texts, as written.
            check_room(self.settings.data_dir, self.settings.min_free_mb, _write_size(points, page_texts))
        # Searches wait while the index changes (milliseconds: the embedding is already done).
        with self.visibility.write():
            self.catalog.stage(record.id, record.version, list(enumerate(page_texts, start=1)), offsets)
            for batch in iter_batches(points, self.settings.write_batch):
                self.store.upsert(batch)
            self.store.flush()
            old = self.catalog.publish(record)
            if old:
                self.store.delete_version(record.id, old)
                self.catalog.forget_version(record.id, old)


def _write_size(points: list[ChunkPoint], page_texts: list[str]) -> int:
    """About how many bytes writing these points and pages adds (vectors as float32, terms as int + float)."""
    size = sum(len(text.encode("utf-8")) for text in page_texts)
    for point in points:
        size += 4 * len(point.dense or []) + 8 * len(point.sparse_indices)
        size += len(json.dumps(point.payload, ensure_ascii=False).encode("utf-8"))
    return size


def _layout_payload(meta: dict[str, Any]) -> dict[str, Any]:
    """What the layout analysis adds to a passage: printed page label, kind, section path, a run-on page."""
    # "passage_kind" (body, footnote, slide): "kind" is the publication's kind (core.model), which filters use
    out = {"page_label": meta.get("page_label"), "passage_kind": meta.get("kind", "body"),
           "section": meta.get("section", [])}
    if meta.get("page_end") is not None:
        out["page_end"] = int(meta["page_end"])
        out["end_on_page_end"] = int(meta["end_on_page_end"])
        if meta.get("start_on_page_end"):
            out["start_on_page_end"] = int(meta["start_on_page_end"])  # after a caption that opens page_end
    return out
