"""The job worker: carries out the staff console's queued changes one at a time (see kennisbank.core.jobs).

One ``Worker`` thread per data directory, in the server process (the one that holds the embedded store),
takes the oldest queued job and carries it out through ingest.publications, the same path as
`kennisbank add`; the report and an audit entry are recorded. A job must never stop the worker.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from kennisbank.core.accounts import Accounts
from kennisbank.core.jobs import JobQueue
from kennisbank.ingest.publications import Publications

log = logging.getLogger(__name__)


class Worker(threading.Thread):
    """Runs queued jobs one at a time (see module docstring)."""

    POLL_SECONDS = 1.0

    def __init__(self, publications: Publications, queue: JobQueue, accounts: Accounts):
        super().__init__(name="kennisbank-jobs", daemon=True)
        self.publications = publications
        self.queue = queue
        self.accounts = accounts
        self.wake = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        resumed = self.queue.recover()
        if resumed:
            log.warning("Jobs interrupted by a stop, queued again or failed: %s", ", ".join(resumed))
        while not self.stopping.is_set():
            job = self.queue.claim()
            if job is None:
                self.wake.wait(self.POLL_SECONDS)
                self.wake.clear()
                continue
            try:
                self.run_job(job)
            except Exception as exc:  # a job must never stop the worker
                log.exception("Job %s failed unexpectedly", job["id"])
                self.queue.finish(job["id"], False, {"status": "failed", "reason": "error",
                                                     "message": f"{type(exc).__name__}: {exc}"}, "mislukt")

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def run_job(self, job: dict[str, Any]) -> None:
        if job["kind"] != "delete":
            self.queue.stage(job["id"], "lezen, opdelen en indexeren")
        report = self.publications.apply(job["kind"], job["doc_id"], file=job["file"], meta=job["meta"],
                                         original_name=job["original_name"])
        ok = report["status"] != "failed"
        stage = "klaar" if ok else f"mislukt: {report.get('reason', '')}"
        self.queue.finish(job["id"], ok, report, stage)
        self.accounts.audit(
            job["user"], f"{job['kind']}-{'done' if ok else 'failed'}", job["doc_id"], job=job["id"],
            status=report.get("status"), reason=report.get("reason", ""), pages=report.get("pages"),
            chunks=report.get("chunks"),
        )


_workers: dict[Path, Worker] = {}
_workers_lock = threading.Lock()


def worker_for(data_dir: Path, publications: Publications, queue: JobQueue, accounts: Accounts) -> Worker:
    """The one worker of this process for a data directory (started on first use)."""
    key = Path(data_dir).resolve()
    with _workers_lock:
        worker = _workers.get(key)
        if worker is None or not worker.is_alive() or worker.publications is not publications:
            if worker is not None:
                worker.stop()
            worker = Worker(publications, queue, accounts)
            worker.start()
            _workers[key] = worker
        return worker
