"""Keeping the data directory whole: reindex beside the old index, backup and restore.

The data directory holds ``index/`` (the embedded Qdrant Edge store and its fingerprint), ``catalog.sqlite``
(publications, page texts, versions), ``console.sqlite`` (staff accounts, jobs, audit log), ``files/`` (the
kept originals with their metadata) and ``secret_key``. Everything here works on the embedded store and needs
the store's lock: run it while `kennisbank serve` is stopped (a running server makes it fail with a clear
message, never with a half-made copy).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

from kennisbank.app import KnowledgeBase
from kennisbank.core.catalog import Catalog
from kennisbank.core.errors import KennisbankError
from kennisbank.core.settings import Settings
from kennisbank.ingest.sources import Source
from kennisbank.search.store import drop_index, hold, is_embedded

DATABASES = ("catalog.sqlite", "console.sqlite")
BACKUP_MANIFEST = "kennisbank-backup.json"


def _require_embedded(settings: Settings, what: str) -> None:
    if not is_embedded(settings):
        raise KennisbankError(
            f"`kennisbank {what}` works on the embedded store. With a Qdrant server, use the server's own "
            "snapshots for the vectors and `kennisbank ingest --rebuild` to build a new collection.",
            status=400,
        )


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the backup API; WAL contents included)."""
    if not source.exists():
        return
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


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
    drop_index(settings)
    catalog = Catalog(settings.catalog_path)
    catalog.clear()
    catalog.close()
    with KnowledgeBase.open(settings) as kb:
        return kb.indexer.ingest(list(sources.values()), progress=progress, optimize=True)


def reindex(settings, progress: bool = False):
    """Build a complete new index (and catalog) beside the old one from every publication's kept source
    file, then switch to it. Searches keep using the old index until the switch; if the build fails, the old
    index stays as it was."""
    _require_embedded(settings, "reindex")
    data = Path(settings.data_dir)
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
    with hold(settings):
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


def backup(settings, destination: Path) -> Path:
    """Write a consistent copy of the data directory to `destination` (a .tar.gz file)."""
    _require_embedded(settings, "backup")
    data = Path(settings.data_dir)
    if not data.exists():
        raise KennisbankError(f"{data}: no data directory to back up", status=400)
    destination = Path(destination)
    if destination.suffixes[-2:] != [".tar", ".gz"]:
        destination = destination.with_name(destination.name + ".tar.gz")
    with tempfile.TemporaryDirectory(dir=destination.parent) as tmp, hold(settings):
        staging = Path(tmp) / "data"
        staging.mkdir()
        for name in DATABASES:
            _copy_database(data / name, staging / name)
        for name in ("index", "files"):
            if (data / name).exists():
                shutil.copytree(data / name, staging / name)
        if (data / "secret_key").exists():
            shutil.copy2(data / "secret_key", staging / "secret_key")
        fingerprint = json.loads((data / "index" / "index.json").read_text()) if (data / "index" / "index.json").exists() else None
        manifest = {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "index": fingerprint}
        (staging / BACKUP_MANIFEST).write_text(json.dumps(manifest, indent=2))
        partial = destination.with_name(destination.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(staging, arcname="data")
        os.replace(partial, destination)
    return destination


def restore(settings, source: Path, force: bool = False) -> None:
    """Put a backup made by `backup` in place of the data directory."""
    _require_embedded(settings, "restore")
    data = Path(settings.data_dir)
    source = Path(source)
    if not source.is_file():
        raise KennisbankError(f"{source}: no such backup file", status=400)
    if data.exists() and any(data.iterdir()) and not force:
        raise KennisbankError(f"{data} is not empty: add --force to replace it with the backup", status=400)
    data.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data.parent) as tmp:
        with tarfile.open(source, "r:gz") as tar:
            members = tar.getmembers()
            if any(not m.name.startswith("data") or ".." in Path(m.name).parts or m.issym() or m.islnk() for m in members):
                raise KennisbankError(f"{source} is not a kennisbank backup (unexpected paths)", status=400)
            tar.extractall(tmp, filter="data")
        restored = Path(tmp) / "data"
        if not (restored / BACKUP_MANIFEST).exists():
            raise KennisbankError(f"{source} is not a kennisbank backup (no {BACKUP_MANIFEST})", status=400)
        with hold(settings):  # nobody may be using the data directory we replace
            if data.exists():
                old = Path(tmp) / "old"
                os.replace(data, old)
            os.replace(restored, data)
        (data / BACKUP_MANIFEST).unlink()
