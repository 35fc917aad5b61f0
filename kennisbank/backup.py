"""Backup and restore of a data directory, made so that neither can destroy what is there.

``backup`` writes a ``.tar.gz`` (mode 0600) of the databases (SQLite's backup API: a consistent copy of a live
database), the index and the kept files, with a manifest (``kennisbank-backup.json``: when, the index
fingerprint, the tables of each database). The signing key ``secret_key`` stays out unless asked
(``with_secret_key``): whoever holds a backup cannot forge a staff session, and a restored server makes a new
key, which signs everyone out.

``restore`` never deletes before it knows the new data is whole:

1. the archive is unpacked into a new folder inside the data directory (refused with a message when it is not
   a readable .tar.gz, holds paths outside ``data/``, links, or no manifest);
2. that folder is checked whole: the manifest, ``PRAGMA integrity_check`` and the expected tables of each
   database, the index fingerprint (``index/index.json`` equal to the manifest's), and the index opens;
3. only then the current contents move aside (same file system: renames), the new ones take their place and
   are opened again; if that fails the old contents move back. The old data is deleted last.

The data directory's lock (kennisbank.lock) is held throughout, so no server or command uses it meanwhile.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import tarfile
import time
import zlib
from pathlib import Path

from kennisbank.core.accounts import SCHEMA as ACCOUNTS_SCHEMA
from kennisbank.core.catalog import SCHEMA as CATALOG_SCHEMA
from kennisbank.core.diskspace import copy_sparse
from kennisbank.core.errors import KennisbankError
from kennisbank.core.jobs import SCHEMA as JOBS_SCHEMA
from kennisbank.core.lock import LOCK_NAME, DataDirLock

MANIFEST = "kennisbank-backup.json"
# The tables each database must have (from the schemas that make them).
TABLES = {
    "catalog.sqlite": sorted(set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", CATALOG_SCHEMA))),
    "console.sqlite": sorted(set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", ACCOUNTS_SCHEMA + JOBS_SCHEMA))),
}
# A data directory that never ran a server has no console yet.
OPTIONAL = ("console.sqlite",)


class BadBackup(KennisbankError):
    status = 400


def _require_embedded(settings, what: str) -> None:
    if settings.qdrant_url:
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


def _archive_path(destination: Path) -> Path:
    destination = Path(destination)
    if destination.suffixes[-2:] != [".tar", ".gz"]:
        destination = destination.with_name(destination.name + ".tar.gz")
    return destination


def write_backup(settings, destination: Path, with_secret_key: bool = False) -> Path:
    """Write the archive; the caller makes sure nothing writes the data directory meanwhile (it holds the
    directory's lock, or it is the server and has paused its job worker)."""
    data = Path(settings.data_dir)
    destination = _archive_path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.parent / f".kennisbank-backup-{secrets.token_hex(6)}"
    partial = destination.with_name(destination.name + ".part")
    old_umask = os.umask(0o077)
    try:
        root = staging / "data"
        root.mkdir(parents=True)
        for name in ("catalog.sqlite", "console.sqlite"):
            _copy_database(data / name, root / name)
        for name in ("index", "files"):
            if (data / name).exists():
                shutil.copytree(data / name, root / name, copy_function=copy_sparse,
                                ignore=shutil.ignore_patterns(".incoming-*"))
        if with_secret_key and (data / "secret_key").exists():
            shutil.copy2(data / "secret_key", root / "secret_key")
        index_json = data / "index" / "index.json"
        manifest = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "index": json.loads(index_json.read_text()) if index_json.exists() else None,
            "tables": TABLES,
            "secret_key": bool(with_secret_key and (root / "secret_key").exists()),
        }
        (root / MANIFEST).write_text(json.dumps(manifest, indent=2))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(root, arcname="data")
        os.chmod(partial, 0o600)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.umask(old_umask)
        shutil.rmtree(staging, ignore_errors=True)
    return destination


def backup(settings, destination: Path, with_secret_key: bool = False) -> Path:
    """`kennisbank backup DEST`: a consistent copy of a data directory no other process is using."""
    _require_embedded(settings, "backup")
    data = Path(settings.data_dir)
    if not (data / "catalog.sqlite").exists():
        raise KennisbankError(f"{data}: no data directory to back up", status=400)
    with DataDirLock(data, "backup"):
        return write_backup(settings, destination, with_secret_key)


# -- restore --------------------------------------------------------------------------------------------------


def _unpack(source: Path, into: Path) -> Path:
    try:
        with tarfile.open(source, "r:gz") as tar:
            members = tar.getmembers()
            for m in members:
                parts = Path(m.name).parts
                if not parts or parts[0] != "data" or ".." in parts or m.issym() or m.islnk() or not (m.isfile() or m.isdir()):
                    raise BadBackup(f"{source} is not a kennisbank backup (unexpected entry {m.name[:80]!r}).")
            tar.extractall(into, filter="data")
    except BadBackup:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as exc:
        raise BadBackup(
            f"{source} is not a readable backup archive (truncated or damaged: {type(exc).__name__}: {exc}). "
            "Nothing was changed."
        ) from None
    root = into / "data"
    if not (root / MANIFEST).is_file():
        raise BadBackup(f"{source} is not a kennisbank backup (no {MANIFEST}). Nothing was changed.")
    return root


def check_data(root: Path, source: Path | str = "the backup") -> dict:
    """Check an unpacked data directory whole; return its manifest. Raises BadBackup with the first problem."""
    def bad(problem: str) -> BadBackup:
        return BadBackup(f"{source} cannot be restored: {problem}. Nothing was changed.")

    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise bad(f"its manifest is not readable JSON ({exc})") from None
    if not isinstance(manifest, dict) or "index" not in manifest:
        raise bad("its manifest lacks the index fingerprint")
    for name, tables in TABLES.items():
        path = root / name
        if not path.is_file():
            if name in OPTIONAL:
                continue
            raise bad(f"{name} is missing")
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                result = db.execute("PRAGMA integrity_check").fetchone()
                have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise bad(f"{name} is not a SQLite database ({exc})") from None
        if not result or result[0] != "ok":
            raise bad(f"{name} is damaged (integrity_check: {result[0] if result else 'no answer'})")
        missing = [t for t in tables if t not in have]
        if missing:
            raise bad(f"{name} lacks the tables {', '.join(missing)}")
    index_json = root / "index" / "index.json"
    if manifest["index"] is not None or index_json.exists():
        try:
            fingerprint = json.loads(index_json.read_text())
        except (OSError, ValueError):
            raise bad("index/index.json (the index fingerprint) is missing or unreadable") from None
        if fingerprint != manifest["index"]:
            raise bad("the index fingerprint differs from the manifest's")
        if not (root / "index" / "edge" / "edge_config.json").is_file():
            raise bad("the index has no Qdrant Edge shard (index/edge)")
        _open_shard(root / "index" / "edge", bad)
    return manifest


def _open_shard(shard_dir: Path, bad) -> int:
    """Open a Qdrant Edge shard the caller owns (its data directory's lock is held) and count its points."""
    import qdrant_edge as qe  # the engine; heavy, and only needed when an index is checked

    try:
        shard = qe.EdgeShard.load(str(shard_dir))
    except Exception as exc:  # the engine raises a bare Exception
        raise bad(f"the index does not open ({exc})") from None
    try:
        return shard.info().points_count
    finally:
        shard.close()


def restore(settings, source: Path, force: bool = False) -> dict:
    """Put a backup made by `backup` in place of the data directory (see the module docstring)."""
    _require_embedded(settings, "restore")
    data = Path(settings.data_dir)
    source = Path(source)
    if not source.is_file():
        raise BadBackup(f"{source}: no such backup file")
    present = [p for p in data.iterdir() if p.name != LOCK_NAME] if data.is_dir() else []
    if present and not force:
        raise KennisbankError(f"{data} is not empty: add --force to replace it with the backup", status=400)
    with DataDirLock(data, "restore"):
        staging = data / f".restore-{secrets.token_hex(6)}"
        aside = data / f".restore-old-{secrets.token_hex(6)}"
        try:
            staging.mkdir(mode=0o700)
            root = _unpack(source, staging)
            manifest = check_data(root, source)
            (root / MANIFEST).unlink()
            # swap: the current contents aside, the new ones in (renames within one file system)
            aside.mkdir(mode=0o700)
            moved = []
            for entry in list(data.iterdir()):
                if entry.name == LOCK_NAME or entry in (staging, aside):
                    continue
                os.replace(entry, aside / entry.name)
                moved.append(entry.name)
            try:
                for entry in list(root.iterdir()):
                    os.replace(entry, data / entry.name)
                if (data / "index" / "edge").exists():
                    _open_shard(data / "index" / "edge", lambda p: BadBackup(f"the restored index {p}"))
            except BaseException:
                for entry in list(data.iterdir()):
                    if entry.name in (LOCK_NAME, staging.name, aside.name):
                        continue
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
                for name in moved:
                    os.replace(aside / name, data / name)
                raise
            _private(data)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(aside, ignore_errors=True)
    return manifest


def _private(data: Path) -> None:
    """Data files 0600, folders 0700: the catalog, accounts and originals are for the server's user only."""
    for dirpath, dirnames, filenames in os.walk(data):
        os.chmod(dirpath, 0o700)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o600)
