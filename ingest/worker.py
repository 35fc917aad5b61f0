"""The job worker: carries out the staff console's queued changes one at a time (see kennisbank.core.jobs).

One ``Worker`` thread per data directory, in the server process (the one that holds the embedded store),
takes the oldest queued job and carries it out through ingest.publications, the same path as
`kennisbank add`; the report and an audit entry are recorded. A job must never stop the worker.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kennisbank.core.accounts import Accounts
from kennisbank.core.diskspace import check_room, is_disk_full
from kennisbank.core.errors import KennisbankError
from kennisbank.core.jobs import JobQueue
from kennisbank.ingest.publications import Publications

log = logging.getLogger(__name__)


def failure_report(exc: BaseException) -> dict[str, Any]:
    if is_disk_full(exc):
        message = getattr(exc, "message", "") if getattr(exc, "reason", "") == "disk_full" else ""
        return {"status": "failed", "reason": "disk_full",
                "message": message or "schijf vol: er is geen ruimte meer op de schijf van de server; maak ruimte "
                                      "vrij en start de taak opnieuw"}
    return {"status": "failed", "reason": "error", "message": f"{type(exc).__name__}: {exc}"}


def progress_stage(progress: dict[str, int]) -> str:
    """``indexeren: pagina 12 van 40 (96 van 310 passages)`` (``pagina`` left out for a file without pages)."""
    counts = f"{progress['passages_done']} van {progress['passages']} passages"
    if progress.get("pages", 0) > 1:
        return f"indexeren: pagina {progress['pages_done']} van {progress['pages']} ({counts})"
    return f"indexeren: {counts}"


def failure_stage(exc: BaseException) -> str:
    return "mislukt: schijf vol" if is_disk_full(exc) else "mislukt"


class JobCancelled(Exception):
    """Raised at a job's next progress step when the server stops and the job's grace time is over."""


class Worker(threading.Thread):
    """Runs queued jobs one at a time (see module docstring)."""

    POLL_SECONDS = 1.0
    CANCEL_SECONDS = 60  # after the grace time: how long a cancelled job may take to reach its next step

    def __init__(self, publications: Publications, queue: JobQueue, accounts: Accounts):
        super().__init__(name="kennisbank-jobs", daemon=True)
        self.publications = publications
        self.queue = queue
        self.accounts = accounts
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.cancel = threading.Event()  # the running job stops at its next progress step (see shutdown)
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
        """Stop taking jobs; let the running one finish within ``timeout`` seconds, else stop it at its next
        progress step (within ``CANCEL_SECONDS``) and queue it again.
        Returns what happened, for the log: "idle", "finished <job>" or "requeued <job>"."""
        running = self.current
        self.stop()
        self.join(timeout)
        if self.is_alive():
            # Stop the job at its next step (it goes back in the queue) rather than leave it running while the
            # process ends: a model's native threads still at work when the interpreter shuts down abort the
            # process ("terminate called without an active exception").
            self.cancel.set()
            self.join(self.CANCEL_SECONDS)
        if not self.is_alive():
            if running and (self.queue.get(running) or {}).get("state") == "queued":
                return f"requeued {running}"
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

    def _progress_reporter(self, job_id: str):
        """Records how far the embedding of a job's passages is, in words and numbers (core.jobs)."""

        def report(progress: dict[str, int]) -> None:
            if self.cancel.is_set():
                raise JobCancelled("the server is stopping: the job goes back in the queue")
            self.queue.stage(job_id, progress_stage(progress), progress)

        return report

    def run_job(self, job: dict[str, Any]) -> None:
        settings = self.publications.settings
        kept = settings.files_dir / job["file"] if job.get("file") else None
        file_size = kept.stat().st_size if kept is not None and kept.is_file() else 0
        check_room(settings.data_dir, settings.min_free_mb, file_size)  # before the store is touched
        on_progress = None
        if job["kind"] != "delete":
            self.queue.stage(job["id"], "lezen en opdelen")
            on_progress = self._progress_reporter(job["id"])
        report = self.publications.apply(job["kind"], job["doc_id"], file=job["file"], meta=job["meta"],
                                         original_name=job["original_name"], on_progress=on_progress)
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
