"""One owner per data directory: an exclusive ``flock`` on ``DATA_DIR/kennisbank.lock``.

The embedded store (Qdrant Edge) locks its own write-ahead log, but only after it has opened, created or
truncated other files of the store: a second process that merely *tries* to open a store in use empties the
running process's ``tracker_journal.dat`` (issue 12). So the product takes its own lock first, on a file of
its own, before it opens any file of the store; a second process stops there with `StoreLocked` and never
touches the store.

The lock is an advisory ``fcntl.flock`` on an open file description: the kernel drops it when the process
dies (kill -9 included), so a crash never leaves a stale lock. The holder writes its process id and what it
is doing into the file, for the message the next process shows. Two opens in one process conflict as well
(flock belongs to the open file, not the process), which is what we want: one owner, one handle.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sys
import threading
from pathlib import Path

from kennisbank.core.errors import StoreLocked

LOCK_NAME = "kennisbank.lock"

_LOCKED_HELP = (
    "The data directory {data} is in use by another kennisbank process ({holder}). Only one process may open "
    "it: stop that process first, or use the running server (`kennisbank search --url`, `kennisbank backup "
    "--url`, the web API), or move the index to a Qdrant server (KENNISBANK_QDRANT_URL) to share it."
)


def lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOCK_NAME


def holder(data_dir: Path) -> str:
    """Who holds the lock, as its holder wrote it ("pid 123: serve"), or "unknown"."""
    try:
        text = lock_path(data_dir).read_text(encoding="utf-8").strip()
    except OSError:
        return "unknown"
    return text[:200] or "unknown"


class DataDirLock:
    """Exclusive ownership of a data directory for as long as it is held (a context manager; re-entrant
    within one object, so a composition root and the store it opens can share it). ``purpose`` is shown to the next process; default: our command line."""

    def __init__(self, data_dir: Path, purpose: str = ""):
        self.data_dir = Path(data_dir)
        self.purpose = purpose
        self._fd: int | None = None
        self._depth = 0
        self._mutex = threading.Lock()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "DataDirLock":
        with self._mutex:
            if self._fd is not None:
                self._depth += 1
                return self
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # O_CREAT without O_TRUNC: never empty the holder's note before we know we own the lock.
            fd = os.open(lock_path(self.data_dir), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise StoreLocked(_LOCKED_HELP.format(data=self.data_dir, holder=holder(self.data_dir))) from None
                raise
            try:
                what = self.purpose or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:160]
                note = f"pid {os.getpid()}: {what}\n".encode()
                os.ftruncate(fd, 0)
                os.pwrite(fd, note, 0)
            except OSError:
                pass  # a full disk must not keep us from owning the directory; the note is only a courtesy
            self._fd, self._depth = fd, 1
            return self

    def release(self) -> None:
        with self._mutex:
            if self._fd is None:
                return
            self._depth -= 1
            if self._depth > 0:
                return
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> "DataDirLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
