"""The one path that changes a publication: add, replace, update metadata, delete.

`kennisbank add`, the staff console's upload API (through its job queue) and the job worker all go through
`Publications`, so a file is received, recognised, hashed and checked for duplicates in one way, and the
kept original (``DATA_DIR/files``, see ingest.library) and the index change together:

1. ``receive``: the file is written under a temporary name of ours, its size limited, its format recognised
   by content (``library.sniff``) and its SHA-256 taken;
2. ``check_new``: the same content may not already be in the knowledge base (or on its way in, ``pending``);
3. ``new_id``: a new publication gets a new id made from its title (never the id of another publication:
   replacing is always explicit, by id);
4. ``place``: the file gets its final name (``<id>-<sha256[:12]><suffix>``);
5. ``apply``: the change is indexed (ingest.indexer) and, when it succeeds, the kept original's sidecar is
   updated; a failed add or replace leaves the old publication and its file as they were.

Metadata are checked by ``kennisbank.core.model.publication_meta``, the one validation of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable

from kennisbank.core.catalog import Catalog
from kennisbank.core.errors import KennisbankError
from kennisbank.core.model import slug
from kennisbank.core.settings import Settings
from kennisbank.ingest import library
from kennisbank.ingest.indexer import Indexer
from kennisbank.ingest.pipeline import Progress
from kennisbank.ingest.sources import Source

KINDS = ("add", "replace", "update", "delete")


class Conflict(KennisbankError):
    status = 409


@dataclass
class Received:
    """A file received under a temporary name in DATA_DIR/files, recognised and hashed."""

    temp: Path
    digest: str
    kind: str  # pdf, docx, text, markdown
    original_name: str

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


class Publications:
    def __init__(self, settings: Settings, catalog: Catalog, indexer: Indexer):
        self.settings = settings
        self.catalog = catalog
        self.indexer = indexer

    # -- before a change is accepted --------------------------------------------------------------------------
    def receive(self, stream: BinaryIO, original_name: str) -> Received:
        """Write ``stream`` to a temporary file (at most ``max_upload_mb``); 413/415/400 when it cannot be one."""
        temp, digest, kind = library.receive(self.settings, stream, original_name,
                                             self.settings.max_upload_mb * 1024 * 1024)
        return Received(temp, digest, kind, original_name)

    def receive_file(self, path: Path) -> Received:
        """``receive`` for a file on disk (`kennisbank add`)."""
        path = Path(path)
        if not path.is_file():
            raise KennisbankError(f"{path}: no such file", status=400)
        with open(path, "rb") as stream:
            return self.receive(stream, path.name)

    def check_new(self, received: Received, doc_id: str | None = None, pending: Iterable[dict[str, Any]] = ()) -> None:
        """Refuse (409) content that is already in the knowledge base or queued (``pending`` jobs with their
        ``content_hash`` and ``doc_id``); ``doc_id`` is the publication being replaced, if any."""
        same = next((r for r in self.catalog.all() if r.content_hash == received.digest), None)
        queued = next((j for j in pending if j["content_hash"] == received.digest), None)
        if same is None and queued is None:
            return
        received.discard()
        other = same.id if same is not None else queued["doc_id"]
        if other == doc_id:
            raise Conflict("Dit bestand is precies de versie die er al staat; er is niets vervangen.")
        raise Conflict(f"Dit bestand staat al in de kennisbank als “{other}” (zelfde inhoud); het is niet nog eens "
                       "toegevoegd.")

    def new_id(self, title: str, taken: Iterable[str] = ()) -> str:
        """A free id made from the title: ``rapport``, else ``rapport-2``, ``rapport-3``, ..."""
        base = slug(title)[:70].strip("-") or "document"
        used = set(self.catalog.iter_ids()) | set(taken)
        candidate, number = base, 1
        while candidate in used or library.sidecar(self.settings, candidate) is not None:
            number += 1
            candidate = f"{base}-{number}"
        return candidate

    def existing(self, doc_id: str):
        """The catalog record of a publication that is to be replaced, updated or deleted (404 otherwise)."""
        record = self.catalog.get(doc_id)
        if record is None:
            raise KennisbankError(f"Er is geen publicatie met de code “{doc_id[:80]}”.", status=404)
        return record

    def place(self, received: Received, doc_id: str) -> str:
        """Give a received file its final name; returns it (relative to DATA_DIR/files)."""
        return library.place(self.settings, received.temp, doc_id, received.digest, received.kind)

    def kept_file(self, record) -> tuple[str, str]:
        """A publication's original in DATA_DIR/files (copied in if it lives elsewhere, as the shipped corpus
        does) and its original name: what a metadata update re-indexes from."""
        kept = library.sidecar(self.settings, record.id)
        if kept and (self.settings.files_dir / kept["file"]).exists():
            return kept["file"], kept.get("original_name", "")
        return library.copy_in(self.settings, Path(record.source_path), record.id), Path(record.source_path).name

    # -- the change -------------------------------------------------------------------------------------------
    def apply(self, kind: str, doc_id: str, *, file: str = "", meta: dict[str, Any] | None = None,
              original_name: str = "", optimize: bool = False, discard_failed: bool = False,
              on_progress: Progress | None = None) -> dict[str, Any]:
        """Carry out one change; returns its report (``status``: added, replaced, updated, unchanged, deleted
        or failed, with ``reason`` and ``message``, ``pages``, ``chunks``, ``warnings``).

        ``discard_failed``: remove the file of a failed add or replace (the command line; a failed job keeps
        it, so that it can be retried). ``on_progress``: see ingest.pipeline.ProgressiveEmbedder."""
        if kind not in KINDS:
            raise ValueError(f"unknown change {kind!r}; valid: {', '.join(KINDS)}")
        if kind == "delete":
            removed = self.indexer.remove(doc_id)
            library.forget(self.settings, doc_id)
            return {"status": "deleted" if removed else "failed", "doc_id": doc_id,
                    "reason": "" if removed else "not_found",
                    "message": "" if removed else "the publication was not in the knowledge base"}
        path = self.settings.files_dir / file
        report = self.indexer.ingest([Source(id=doc_id, path=path, meta=dict(meta or {}))], optimize=optimize,
                                     on_progress=on_progress)
        outcome = report.outcomes[0]
        result = dict(outcome.__dict__, source=original_name or file)
        if outcome.status == "failed":
            if discard_failed and (library.sidecar(self.settings, doc_id) or {}).get("file") != file:
                _remove(path)  # no sidecar refers to it: the old version's file, if any, is another one
        else:
            library.keep(self.settings, doc_id, file, dict(meta or {}), original_name)
        return result


def _remove(path: Path) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
