"""`kennisbank serve`: the production server.

One process holds the data directory (its lock, the embedded store, the job worker) and serves the web UI and
API with waitress, a production WSGI server with a pool of threads (``threads``). What it adds:

- an access log (one line per request: address, method, path, status, bytes, milliseconds) on stderr, through
  the ``kennisbank.access`` logger;
- no server version in the headers (``Server: kennisbank``);
- a graceful stop on SIGTERM or SIGINT (SIGUSR1 writes every thread's stack to the log): no new connections, requests in flight are answered, the running job
  may finish within ``SHUTDOWN_JOB_SECONDS``, else it is queued again (not failed, not counted as a crash);
  then the store is flushed and closed and the lock released; exit status 0;
- data files made private (umask 077: new files 0600, folders 0700);
- on a disk that is already full (less than ``min_free_mb`` free) it serves a read-only copy and says so on
  every page (see kennisbank.diskspace), instead of dying of SIGBUS when the store maps its files.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import shutil
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterable

import waitress.server
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from kennisbank.core.diskspace import free_mb, is_disk_full, readonly_copy
from kennisbank.core.lock import DataDirLock
from kennisbank.app import KnowledgeBase
from kennisbank.search.store import is_embedded
from kennisbank.webui.app import create_app
from kennisbank.webui.auth import MULTIPART_OVERHEAD
from kennisbank.webui.render import error_page
from kennisbank.webui.staff_pages import JOBS

log = logging.getLogger("kennisbank.server")
access_log = logging.getLogger("kennisbank.access")

SHUTDOWN_JOB_SECONDS = 60
LOOP_SECONDS = 0.5  # one pass of the socket loop: a stop signal is acted on within this time
DEFAULT_THREADS = 8
SERVER_NAME = "kennisbank"


class AccessLog:
    """WSGI middleware: one log line per request once its body has been sent."""

    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        state: dict[str, Any] = {"status": "-", "bytes": 0}

        def recording_start_response(status, headers, exc_info=None):
            state["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start_response)
        return _Logged(body, state, environ, started)


class _Logged:
    def __init__(self, body, state, environ, started):
        self.body, self.state, self.environ, self.started = body, state, environ, started

    def __iter__(self):
        for chunk in self.body:
            self.state["bytes"] += len(chunk)
            yield chunk

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            env = self.environ
            path = env.get("PATH_INFO", "") + (("?" + env["QUERY_STRING"]) if env.get("QUERY_STRING") else "")
            access_log.info(
                '%s "%s %s" %s %d %.0fms', env.get("REMOTE_ADDR", "-"), env.get("REQUEST_METHOD", "-"),
                path[:500].encode("unicode_escape").decode("ascii"), self.state["status"], self.state["bytes"],
                (time.perf_counter() - self.started) * 1000,
            )


def app_error_channel(app, max_upload_mb: int) -> type[HTTPChannel]:
    """A waitress channel whose own errors (a body over the limit, a malformed request: answered before the
    app sees the request) are rendered by the app: its JSON error or its Dutch page, its security headers."""

    class AppErrorTask(ErrorTask):
        def execute(self):
            error = self.request.error
            message = None
            if error.code == 413:
                message = f"Dit verzoek is te groot: een upload mag hoogstens {max_upload_mb} MB zijn."
            try:
                accept = self.request.headers.get("ACCEPT", "")
                with app.test_request_context(self.request.path or "/", headers={"Accept": accept}):
                    response = app.process_response(app.make_response(error_page(error.code, message)))
            except Exception:  # the request is too broken to route: waitress's own short text
                log.exception("could not render waitress error %s", error.code)
                return super().execute()
            self.status = response.status
            self.response_headers.extend(
                (name, value) for name, value in response.headers.items()
                if name.lower() not in ("content-length", "connection")
            )
            self.set_close_on_finish()
            body = response.get_data()
            self.content_length = len(body)
            self.write(body)

    class AppErrorChannel(HTTPChannel):
        error_task_class = AppErrorTask

    return AppErrorChannel


def serve_until(server, stop: threading.Event) -> None:
    """Waitress's own loop (`server.run()`), one pass at a time, until `stop` is set.

    A pass waits at most LOOP_SECONDS for sockets, so a signal that sets `stop` ends the loop within that time;
    waitress's loop itself only ends on an exception."""
    while not stop.is_set() and server._map:
        wasyncore.loop(timeout=LOOP_SECONDS, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1)


def configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def serve(settings, host: str, port: int, threads: int = DEFAULT_THREADS,
          ready: Callable[[str], None] | None = None) -> int:
    """Open the data directory, serve until SIGTERM/SIGINT, stop gracefully. Returns the exit status."""
    os.umask(0o077)
    configure_logging()
    data_lock, readonly_dir, app_config = None, None, {}
    if is_embedded(settings) and free_mb(settings.data_dir) < settings.min_free_mb:
        # A full disk: opening the store here would kill us (SIGBUS). Own the directory (nobody writes it),
        # serve a copy from a file system with room, read-only.
        data_lock = DataDirLock(settings.data_dir, "serve (read-only: disk full)").acquire()
        reason = (f"schijf vol: op de schijf van {settings.data_dir} is {free_mb(settings.data_dir):.0f} MiB vrij, "
                  f"minder dan de {settings.min_free_mb} MiB die nodig zijn.")
        log.error("%s Serving a read-only copy; make room and restart.", reason)
        readonly_dir = readonly_copy(settings.data_dir)
        settings = settings.replace(data_dir=readonly_dir)
        app_config = {"KENNISBANK_JOBS_WORKER": False, "KENNISBANK_READONLY": reason}
    try:
        return _serve(settings, host, port, threads, ready, app_config)
    finally:
        if readonly_dir is not None:
            shutil.rmtree(readonly_dir.parent, ignore_errors=True)
        if data_lock is not None:
            data_lock.release()


def _serve(settings, host, port, threads, ready, app_config) -> int:
    kb = KnowledgeBase.open(settings)
    try:
        app = create_app(settings=settings, kb=kb, test_config=app_config or None)
        server = waitress.server.create_server(
            AccessLog(app), host=host, port=port, threads=threads, ident=SERVER_NAME,
            clear_untrusted_proxy_headers=True, channel_timeout=120,
            # waitress reads a whole body before the app sees it: refuse more than an upload may be right away
            max_request_body_size=settings.max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD,
        )
        server.channel_class = app_error_channel(app, settings.max_upload_mb)
        stop = threading.Event()
        threading.Thread(target=kb.warm_citations, args=(stop,), name="kennisbank-citations", daemon=True).start()

        def on_signal(signum, frame):
            # only set the event: an exception raised from a handler lands in whatever the main thread is doing,
            # which can be waitress holding one of its locks (a stop that then waits forever)
            if not stop.is_set():
                stop.set()
                log.info("%s: stopping gracefully", signal.Signals(signum).name)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        # `kill -USR1 PID` writes every thread's stack to the log: what a server that does not stop is waiting for
        faulthandler.register(signal.SIGUSR1, all_threads=True)
        url = f"http://{host}:{server.effective_port}/"
        print(f"Kennisbank op {url} (waitress, {threads} threads; Ctrl+C of SIGTERM stopt netjes)", flush=True)
        if ready:
            ready(url)
        try:
            serve_until(server, stop)
        except KeyboardInterrupt:
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            server.close()  # no new connections
            server.task_dispatcher.shutdown(cancel_pending=False, timeout=30)  # answer requests in flight
            worker = app.extensions.get(JOBS + ".worker")
            if worker is not None:
                log.info("job worker: %s", worker.shutdown(SHUTDOWN_JOB_SECONDS))
    finally:
        try:
            kb.close()
        except Exception as exc:  # the engine raises a bare Exception carrying the OS error
            if not is_disk_full(exc):
                raise
            log.error("schijf vol: the index could not be flushed at the stop (%s); its write-ahead log keeps "
                      "every change and is replayed at the next start", exc)
    log.info("stopped")
    return 0
