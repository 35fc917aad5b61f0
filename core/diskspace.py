"""A full disk is an error, not a crash.

Qdrant Edge writes its segments through memory-mapped files: on a full disk a write to such a page kills the
process with SIGBUS (nothing in the log), and even *opening* a store on a full disk does (it maps its WAL).
So the product looks before it writes:

- ``check_room`` before every job: with less than ``min_free_mb`` (plus room for the file) free in the data
  directory, the job fails with "schijf vol" and the store is never touched; searching goes on.
- ``readonly_copy`` at start-up on a full disk: the index and catalog are copied to a folder on another file
  system that has room (``/dev/shm``, else the temporary folder) and served from there, read-only (no job
  worker; changes refused with "schijf vol"). The data directory itself is not written. A restart after room
  has been made serves normally again.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from kennisbank.core.errors import KennisbankError

DISK_FULL_MESSAGE = (
    "schijf vol: op de schijf van de kennisbank is te weinig ruimte vrij ({free} MiB, nodig {needed} MiB). "
    "Zoeken werkt gewoon; maak ruimte vrij en probeer het opnieuw."
)
# The data directory's entries a read-only copy needs (console.sqlite: sign-in and the job list).
READONLY_ENTRIES = ("index", "catalog.sqlite", "catalog.sqlite-wal", "console.sqlite", "console.sqlite-wal",
                    "secret_key")


class DiskFull(KennisbankError):
    status = 507
    reason = "disk_full"


def free_mb(path: Path) -> float:
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free / (1024 * 1024)


def check_room(data_dir: Path, min_free_mb: int, extra_bytes: int = 0) -> None:
    """Raise DiskFull unless ``min_free_mb`` MiB plus room for ``extra_bytes`` (x4: parsed text, chunks,
    vectors and the segment copy of an optimisation) are free in the data directory."""
    needed = min_free_mb + 4 * extra_bytes / (1024 * 1024)
    free = free_mb(data_dir)
    if free < needed:
        raise DiskFull(DISK_FULL_MESSAGE.format(free=int(free), needed=int(needed + 0.999)))


def is_disk_full(exc: BaseException | None) -> bool:
    """Does this error (or one it was raised from) mean the disk is full? OSError ENOSPC/EDQUOT, SQLite's
    "database or disk is full", or the store engine's text (it raises a bare Exception carrying the OS error)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DiskFull):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(exc).lower()
        if "no space left" in text or "database or disk is full" in text or "disk full" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def copy_sparse(source: str, target: str) -> str:
    """Copy a file keeping its holes: the store's memory-mapped files are mostly holes (222 MB apparent,
    1.3 MB on disk for the shipped corpus), so a plain copy would need a hundred times the room."""
    with open(source, "rb") as src, open(target, "wb") as dst:
        size = os.fstat(src.fileno()).st_size
        offset = 0
        while offset < size:
            try:
                start = os.lseek(src.fileno(), offset, os.SEEK_DATA)
            except OSError as exc:  # ENXIO: only a hole is left
                if exc.errno == errno.ENXIO:
                    break
                raise
            end = os.lseek(src.fileno(), start, os.SEEK_HOLE)
            src.seek(start)
            dst.seek(start)
            remaining = end - start
            while remaining > 0:
                block = src.read(min(remaining, 1 << 20))
                if not block:
                    break
                dst.write(block)
                remaining -= len(block)
            offset = end
        dst.truncate(size)
    shutil.copystat(source, target)
    return target


def allocated_bytes(path: Path) -> int:
    """Bytes a file or folder really takes on disk (holes not counted)."""
    path = Path(path)
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_blocks * 512 for p in files)


def readonly_copy(data_dir: Path) -> Path:
    """Copy what searching needs to a folder with room on another file system; return that data directory."""
    data_dir = Path(data_dir)
    size = sum(allocated_bytes(data_dir / name) for name in READONLY_ENTRIES if (data_dir / name).exists())
    needed_mb = 2 * size / (1024 * 1024) + 64
    for base in ("/dev/shm", tempfile.gettempdir()):
        if Path(base).is_dir() and free_mb(Path(base)) >= needed_mb:
            target = Path(tempfile.mkdtemp(prefix="kennisbank-readonly-", dir=base)) / "data"
            target.mkdir(mode=0o700)
            for name in READONLY_ENTRIES:
                source = data_dir / name
                if source.is_dir():
                    shutil.copytree(source, target / name, copy_function=copy_sparse)
                elif source.is_file():
                    copy_sparse(str(source), str(target / name))
            return target
    raise KennisbankError(
        f"De schijf van {data_dir} is vol en er is nergens anders {int(needed_mb)} MiB vrij om alleen-lezen te "
        "starten. Maak ruimte vrij en start opnieuw.", status=507)
