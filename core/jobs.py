"""Ingestion jobs: every change to the collection from the staff console, queued in SQLite, done one at a time.

A job is ``add`` (a new upload), ``replace`` (a new file for a publication), ``update`` (new metadata, same
file) or ``delete``. It is written to ``DATA_DIR/console.sqlite`` before the upload is acknowledged, so an
acknowledged upload is never lost; its file is already in ``DATA_DIR/files`` under a name we chose.

One worker thread per data directory (ingest.worker), in the server process (the one that holds the embedded
store), takes the oldest queued job, carries it out through ingest.publications and records a per-document
report (pages, chunks, warnings, failure reason). A job that was running when the process died is queued
again when the next worker starts (``MAX_ATTEMPTS`` times), then marked failed; a failed job can be retried.
The indexer's versions keep a half-written document invisible to searches whatever happens.

States: queued -> running -> done | failed. While a job runs, ``stage`` says in words what it is doing and
``progress`` counts it: ``{"pages": N, "pages_done": n, "passages": M, "passages_done": m}`` (the pages of the
file whose passages are embedded so far; embedding is the slow part of a long job).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

from kennisbank.core.sqlite import SQLiteFile

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
    progress TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created_at);
"""

MAX_ATTEMPTS = 3
KINDS = ("add", "replace", "update", "delete")  # the changes of ingest.publications


def _time(value: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(value)) if value else None


class JobQueue(SQLiteFile):
    """The jobs table. Thread-safe (a connection per thread); claiming a job is one SQLite transaction."""

    def __init__(self, path: Path):
        super().__init__(path, SCHEMA)
        columns = {row["name"] for row in self._conn().execute("PRAGMA table_info(jobs)")}
        if "progress" not in columns:  # a queue made before jobs reported their progress
            self._conn().execute("ALTER TABLE jobs ADD COLUMN progress TEXT NOT NULL DEFAULT '{}'")

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
        data["progress"] = json.loads(data.get("progress") or "{}")
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

    def stage(self, job_id: str, stage: str, progress: dict[str, int] | None = None) -> None:
        if progress is None:
            self._conn().execute("UPDATE jobs SET stage = ? WHERE id = ?", (stage, job_id))
        else:
            self._conn().execute("UPDATE jobs SET stage = ?, progress = ? WHERE id = ?",
                                 (stage, json.dumps(progress), job_id))

    def finish(self, job_id: str, ok: bool, report: dict[str, Any], stage: str) -> None:
        self._conn().execute(
            "UPDATE jobs SET state = ?, report = ?, stage = ?, finished_at = ? WHERE id = ?",
            ("done" if ok else "failed", json.dumps(report, ensure_ascii=False, default=str), stage, time.time(),
             job_id),
        )

    def retry(self, job_id: str) -> bool:
        cur = self._conn().execute(
            "UPDATE jobs SET state = 'queued', stage = 'opnieuw in de wachtrij', progress = '{}', attempts = 0, finished_at = NULL "
            "WHERE id = ? AND state = 'failed'",
            (job_id,),
        )
        return cur.rowcount == 1

    def requeue(self, job_id: str, stage: str = "opnieuw in de wachtrij: de server stopte") -> bool:
        """Put a running job back in the queue without counting the attempt (a graceful stop, not a crash)."""
        cur = self._conn().execute(
            "UPDATE jobs SET state = 'queued', stage = ?, progress = '{}', attempts = MAX(attempts - 1, 0), started_at = NULL "
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
                            f"de server stopte {row['attempts']} keer tijdens deze taak; start de taak opnieuw"},
                            "mislukt: onderbroken")
            else:
                db.execute("UPDATE jobs SET state = 'queued', stage = 'hervat na herstart', progress = '{}' WHERE id = ?", (row["id"],))
        return [r["id"] for r in rows]
