"""Ingestion jobs: every change to the collection from the staff console, queued in SQLite, done one at a time.

A job is ``add`` (a new upload), ``replace`` (a new file for a publication), ``update`` (new metadata, same
file) or ``delete``. It is written to ``DATA_DIR/console.sqlite`` before the upload is acknowledged, so an
acknowledged upload is never lost; its file is already in ``DATA_DIR/files`` under a name we chose.

One ``Worker`` thread per data directory, in the server process (the one that holds the embedded store),
takes the oldest queued job, runs it through the indexer and records a per-document report (pages, chunks,
warnings, failure reason). A job that was running when the process died is queued again when the next
worker starts (``MAX_ATTEMPTS`` times), then marked failed; a failed job can be retried. The indexer's versions
keep a half-written document invisible to searches whatever happens (see ingest.indexer).

States: queued -> running -> done | failed.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kennisbank.accounts import Accounts, console_path
from kennisbank.diskspace import check_room, is_disk_full
from kennisbank.errors import KennisbankError
from kennisbank.sqlite import SQLiteFile

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('add', 'replace', 'update', 'delete')),
    doc_id TEXT NOT NULL,
    user TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    file TEXT NOT NULL DEFAULT '',
    original_name TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL DEFAULT '',
    meta TEXT NOT NULL DEFAULT '{}',
    report TEXT NOT NULL DEFAULT '{}',
    stage TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created_at);
"""

MAX_ATTEMPTS = 3
KINDS = ("add", "replace", "update", "delete")


def _time(value: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(value)) if value else None


def failure_report(exc: BaseException) -> dict[str, Any]:
    if is_disk_full(exc):
        message = getattr(exc, "message", "") if getattr(exc, "reason", "") == "disk_full" else ""
        return {"status": "failed", "reason": "disk_full",
                "message": message or "schijf vol: er is geen ruimte meer op de schijf van de server; maak ruimte "
                                      "vrij en start de taak opnieuw"}
    return {"status": "failed", "reason": "error", "message": f"{type(exc).__name__}: {exc}"}


def failure_stage(exc: BaseException) -> str:
    return "mislukt: schijf vol" if is_disk_full(exc) else "mislukt"


class JobQueue(SQLiteFile):
    """The jobs table. Thread-safe (a connection per thread); claiming a job is one SQLite transaction."""

    def __init__(self, path: Path):
        super().__init__(path, SCHEMA)

    def enqueue(self, kind: str, doc_id: str, user: str, *, file: str = "", original_name: str = "",
                content_hash: str = "", meta: dict | None = None) -> dict[str, Any]:
        if kind not in KINDS:
            raise ValueError(f"unknown job kind {kind!r}; valid: {', '.join(KINDS)}")
        job_id = time.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(4)
        self._conn().execute(
            "INSERT INTO jobs (id, kind, doc_id, user, state, file, original_name, content_hash, meta, stage, created_at)"
            " VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, 'in de wachtrij', ?)",
            (job_id, kind, doc_id, user, file, original_name, content_hash,
             json.dumps(meta or {}, ensure_ascii=False), time.time()),
        )
        return self.get(job_id)

    @staticmethod
    def _dict(row: sqlite3.Row) -> dict[str, Any]:
        data = dict(row)
        data["meta"] = json.loads(data["meta"])
        data["report"] = json.loads(data["report"])
        for name in ("created_at", "started_at", "finished_at"):
            data[name] = _time(data[name])
        data["retryable"] = data["state"] == "failed"
        return data

    def get(self, job_id: str) -> dict[str, Any] | None:
        row = self._conn().execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return self._dict(row) if row else None

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._conn().execute("SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
        return [self._dict(r) for r in rows]

    def open_jobs(self) -> list[dict[str, Any]]:
        rows = self._conn().execute("SELECT * FROM jobs WHERE state IN ('queued', 'running')").fetchall()
        return [self._dict(r) for r in rows]

    def claim(self) -> dict[str, Any] | None:
        with self._tx() as db:
            row = db.execute("SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at LIMIT 1").fetchone()
            if row:
                db.execute(
                    "UPDATE jobs SET state = 'running', stage = 'bezig', attempts = attempts + 1, started_at = ? "
                    "WHERE id = ?",
                    (time.time(), row["id"]),
                )
        return self.get(row["id"]) if row else None

    def stage(self, job_id: str, stage: str) -> None:
        self._conn().execute("UPDATE jobs SET stage = ? WHERE id = ?", (stage, job_id))

    def finish(self, job_id: str, ok: bool, report: dict[str, Any], stage: str) -> None:
        self._conn().execute(
            "UPDATE jobs SET state = ?, report = ?, stage = ?, finished_at = ? WHERE id = ?",
            ("done" if ok else "failed", json.dumps(report, ensure_ascii=False, default=str), stage, time.time(),
             job_id),
        )

    def retry(self, job_id: str) -> bool:
        cur = self._conn().execute(
            "UPDATE jobs SET state = 'queued', stage = 'opnieuw in de wachtrij', attempts = 0, finished_at = NULL "
            "WHERE id = ? AND state = 'failed'",
            (job_id,),
        )
        return cur.rowcount == 1

    def requeue(self, job_id: str, stage: str = "opnieuw in de wachtrij: de server stopte") -> bool:
        """Put a running job back in the queue without counting the attempt (a graceful stop, not a crash)."""
        cur = self._conn().execute(
            "UPDATE jobs SET state = 'queued', stage = ?, attempts = MAX(attempts - 1, 0), started_at = NULL "
            "WHERE id = ? AND state = 'running'",
            (stage, job_id),
        )
        return cur.rowcount == 1

    def recover(self) -> list[str]:
        """Jobs left running by a process that died: queue them again, or fail them after MAX_ATTEMPTS."""
        db = self._conn()
        rows = db.execute("SELECT id, attempts FROM jobs WHERE state = 'running'").fetchall()
        for row in rows:
            if row["attempts"] >= MAX_ATTEMPTS:
                self.finish(row["id"], False, {"status": "failed", "reason": "interrupted", "message":
                            f"the server stopped during this job {row['attempts']} times; retry it"},
                            "mislukt: onderbroken")
            else:
                db.execute("UPDATE jobs SET state = 'queued', stage = 'hervat na herstart' WHERE id = ?", (row["id"],))
        return [r["id"] for r in rows]


class Worker(threading.Thread):
    """Runs queued jobs one at a time against the process's KnowledgeBase (see module docstring)."""

    POLL_SECONDS = 1.0

    def __init__(self, kb, queue: JobQueue, accounts: Accounts):
        super().__init__(name="kennisbank-jobs", daemon=True)
        self.kb = kb
        self.queue = queue
        self.accounts = accounts
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.current: str | None = None  # the id of the job being run
        # held while a job runs: `paused()` takes it so a backup sees no half-done job
        self.busy = threading.Lock()

    def run(self) -> None:
        resumed = self.queue.recover()
        if resumed:
            log.warning("Jobs interrupted by a stop, queued again or failed: %s", ", ".join(resumed))
        while not self.stopping.is_set():
            with self.busy:
                job = None if self.stopping.is_set() else self.queue.claim()
                if job is not None:
                    self.current = job["id"]
                    try:
                        self.run_job(job)
                    except Exception as exc:  # a job must never stop the worker
                        self._failed(job, exc)
                    finally:
                        self.current = None
            if job is None:
                self.wake.wait(self.POLL_SECONDS)
                self.wake.clear()

    def _failed(self, job: dict[str, Any], exc: Exception) -> None:
        try:
            if self.stopping.is_set():  # the store closed under it at shutdown: run it again later
                self.queue.requeue(job["id"])
                return
            if is_disk_full(exc):
                log.error("Job %s: %s", job["id"], exc)
            else:
                log.exception("Job %s failed unexpectedly", job["id"])
            report = failure_report(exc)
            self.queue.finish(job["id"], False, report, failure_stage(exc))
            self.accounts.audit(job["user"], f"{job['kind']}-failed", job["doc_id"], job=job["id"], status="failed",
                                reason=report["reason"])
        except Exception:  # recording the failure failed too (a full disk): the job stays running until restart
            log.exception("Job %s: could not record its failure", job["id"])

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def shutdown(self, timeout: float) -> str:
        """Stop taking jobs; let the running one finish within ``timeout`` seconds, else queue it again.
        Returns what happened, for the log: "idle", "finished <job>" or "requeued <job>"."""
        running = self.current
        self.stop()
        self.join(timeout)
        if not self.is_alive():
            return f"finished {running}" if running else "idle"
        job_id = self.current
        if job_id and self.queue.requeue(job_id):
            return f"requeued {job_id}"
        return "idle"

    @contextmanager
    def paused(self, timeout: float = 600):
        """No job runs inside this block (the running one is finished first): for a consistent backup."""
        if not self.busy.acquire(timeout=timeout):
            raise KennisbankError("De verwerking van een upload duurt te lang; probeer de back-up later.", status=503)
        try:
            yield
        finally:
            self.busy.release()

    def run_job(self, job: dict[str, Any]) -> None:
        from ingest.sources import Source
        from kennisbank import library

        settings = self.kb.settings
        kept = settings.files_dir / job["file"] if job.get("file") else None
        file_size = kept.stat().st_size if kept is not None and kept.is_file() else 0
        check_room(settings.data_dir, settings.min_free_mb, file_size)  # before the store is touched
        indexer = self.kb.indexer()
        if job["kind"] == "delete":
            removed = indexer.remove(job["doc_id"])
            library.forget(settings, job["doc_id"])
            report = {"status": "deleted" if removed else "failed", "doc_id": job["doc_id"],
                      "reason": "" if removed else "not_found",
                      "message": "" if removed else "the publication was not in the knowledge base"}
            self._done(job, removed, report)
            return
        path = settings.files_dir / job["file"]
        self.queue.stage(job["id"], "lezen, opdelen en indexeren")
        outcome = indexer.ingest_one(Source(id=job["doc_id"], path=path, meta=job["meta"]))
        self.kb.store.flush()
        report = dict(outcome.__dict__, source=job["original_name"] or job["file"])
        ok = outcome.status != "failed"
        if ok:
            library.keep(settings, job["doc_id"], job["file"], job["meta"], job["original_name"])
        self._done(job, ok, report)

    def _done(self, job: dict[str, Any], ok: bool, report: dict[str, Any]) -> None:
        stage = "klaar" if ok else f"mislukt: {report.get('reason', '')}"
        self.queue.finish(job["id"], ok, report, stage)
        self.accounts.audit(
            job["user"], f"{job['kind']}-{'done' if ok else 'failed'}", job["doc_id"], job=job["id"],
            status=report.get("status"), reason=report.get("reason", ""), pages=report.get("pages"),
            chunks=report.get("chunks"),
        )


_workers: dict[Path, Worker] = {}
_workers_lock = threading.Lock()


def worker_for(kb, accounts: Accounts) -> Worker:
    """The one worker of this process for the KnowledgeBase's data directory (started on first use)."""
    key = Path(kb.settings.data_dir).resolve()
    with _workers_lock:
        worker = _workers.get(key)
        if worker is None or not worker.is_alive() or worker.kb is not kb:
            if worker is not None:
                worker.stop()
            worker = Worker(kb, JobQueue(console_path(kb.settings)), accounts)
            worker.start()
            _workers[key] = worker
        return worker
