"""Keeping the data directory whole: reindex beside the old index, backup and restore.

The data directory holds ``index/`` (the embedded Qdrant Edge store and its fingerprint), ``catalog.sqlite``
(publications, page texts, versions), ``console.sqlite`` (staff accounts, jobs, audit log), ``files/`` (the
kept originals with their metadata) and ``secret_key``. Everything here works on the embedded store and takes
the data directory's lock (kennisbank.core.lock) first: a running server makes it fail with a clear message,
never with a half-made copy. Backup and restore live in kennisbank.backup.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from kennisbank.app import KnowledgeBase
from kennisbank.backup import _require_embedded, backup, restore  # noqa: F401 (the maintenance API)
from kennisbank.core.catalog import Catalog
from kennisbank.core.errors import KennisbankError
from kennisbank.core.lock import DataDirLock
from kennisbank.ingest.sources import Source
from kennisbank.search.store import drop_index, is_embedded


def known_sources(settings) -> dict:
    """Every publication the data directory knows, by id: the catalog's (at their source paths) and the
    originals kept in DATA_DIR/files (uploads and `kennisbank add`, with their metadata sidecars)."""
    catalog = Catalog(settings.catalog_path)
    try:
        sources = {r.id: Source(id=r.id, path=Path(r.source_path), meta=r.metadata()) for r in catalog.all()}
    finally:
        catalog.close()
    if settings.files_dir.exists():
        for sidecar in sorted(settings.files_dir.glob("*.json")):
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            sources[data["id"]] = Source(id=data["id"], path=settings.files_dir / data["file"], meta=data["meta"])
    return sources


def rebuild(settings, extra: list, progress: bool = False):
    """Build the index anew in place (`kennisbank ingest --rebuild`) from every known publication and `extra`.
    The old index is dropped first, so searches find nothing until it is done; `reindex` builds beside it."""
    sources = known_sources(settings)
    sources.update({s.id: s for s in extra})
    lock = DataDirLock(settings.data_dir, "ingest --rebuild").acquire() if is_embedded(settings) else None
    try:
        drop_index(settings)
        catalog = Catalog(settings.catalog_path)
        catalog.clear()
        catalog.close()
        with KnowledgeBase.open(settings, data_lock=lock) as kb:
            return kb.indexer.ingest(list(sources.values()), progress=progress, optimize=True)
    finally:
        if lock is not None:
            lock.release()


def reindex(settings, progress: bool = False):
    """Build a complete new index (and catalog) beside the old one from every publication's kept source
    file, then switch to it. Searches keep using the old index until the switch; if the build fails, the old
    index stays as it was."""
    _require_embedded(settings, "reindex")
    data = Path(settings.data_dir)
    with DataDirLock(data, "reindex"):  # nobody else writes the collection while we rebuild it
        return _reindex(settings, data, progress)


def _reindex(settings, data: Path, progress: bool):
    sources = known_sources(settings)
    staging = data / ".reindex"
    shutil.rmtree(staging, ignore_errors=True)
    staged = settings.replace(data_dir=staging)
    with KnowledgeBase.open(staged) as kb:
        report = kb.indexer.ingest(list(sources.values()), progress=progress, optimize=True)
    if report.failed:
        shutil.rmtree(staging, ignore_errors=True)
        reasons = "; ".join(f"{o.doc_id}: {o.message}" for o in report.failed)
        raise KennisbankError(f"Reindex stopped, the old index is unchanged: {reasons}", status=500)
    # switch (the data directory's lock is held by reindex())
    old = data / ".reindex-old"
    shutil.rmtree(old, ignore_errors=True)
    old.mkdir()
    for name in ("index", "catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"):
        if (data / name).exists():
            os.replace(data / name, old / name)
    os.replace(staging / "index", data / "index")
    os.replace(staging / "catalog.sqlite", data / "catalog.sqlite")
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    return report
