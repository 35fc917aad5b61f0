"""`kennisbank serve` for real (issue 12): a production server, one owner of the data directory.

Every test runs the real command as a subprocess on a copy of the corpus index and talks to it over HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from kennisbank.core.environment import OFFLINE
from tests.conftest import PDF_SAMPLES, make_settings
from tests.webui.staff_helpers import Browser, Server, new_token, pdf_bytes

REPO = Path(__file__).resolve().parents[2]
PAGES = [["Leernetwerken in Twente", "Twentse leernetwerken brengen pabo's en basisscholen samen."],
         ["Resultaat", "In de Twentse leernetwerken blijven startende leraren vaker behouden voor het vak."]]


def kennisbank(data_dir: Path, *args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `kennisbank` command on ``data_dir``."""
    script = Path(sys.executable).with_name("kennisbank")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
    env.update(OFFLINE, OMP_NUM_THREADS="1")
    return subprocess.run([str(script), "--data-dir", str(data_dir), *args], input=stdin, capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=REPO)


@pytest.fixture()
def server(built_data_dir, tmp_path):
    data_dir = shutil.copytree(built_data_dir, tmp_path / "data")
    srv = Server(data_dir, tmp_path / "server.log")
    yield srv
    srv.stop()


def _script(server: Server) -> Browser:
    token = new_token(make_settings(server.data_dir), "script")
    return Browser(server.base_url, headers={"Authorization": f"Bearer {token}"})


def _upload(browser: Browser, title: str, content: bytes, filename: str = "rapport.pdf") -> str:
    status, _, body = browser.post_form("/api/documents", {"title": title, "organisation": "Platform",
                                                           "kind": "rapport", "year": "2024"},
                                        {"file": (filename, content)})
    assert status == 202, body
    return json.loads(body)["job"]["id"]


def _store_files(data_dir: Path) -> dict[str, int]:
    edge = data_dir / "index" / "edge"
    return {str(p.relative_to(edge)): p.stat().st_size for p in edge.rglob("*") if p.is_file()}


def test_production_server_headers_and_access_log(server):
    """Issue 12 case 11: Werkzeug's development server announced its version in `Server:`."""
    server.start()
    status, headers, _ = Browser(server.base_url).get("/api/search?q=leraren")
    assert status == 200
    assert headers.get("Server") == "kennisbank", headers.get("Server")
    assert "Werkzeug" not in json.dumps(headers) and "Python/" not in json.dumps(headers)
    time.sleep(0.5)
    log = server.log_path.read_text()
    assert '"GET /api/search?q=leraren" 200' in log, log[-2000:]
    assert "WARNING: This is a development server" not in log


def test_a_body_over_the_limit_is_refused_by_the_server_in_the_apps_words(server):
    """waitress refuses a body over the upload limit before the app sees it; the answer is still the app's:
    JSON with a Dutch message for the API, a Dutch page for a browser, with the app's security headers."""
    server.start()
    host, port = server.base_url.split("//", 1)[1].rstrip("/").split(":")
    for path, accept in (("/api/documents", "application/json"), ("/beheer/toevoegen", "text/html")):
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection.putrequest("POST", path)
        connection.putheader("Accept", accept)
        connection.putheader("Content-Type", "multipart/form-data; boundary=x")
        connection.putheader("Content-Length", str(10 * 1024**3))  # 10 GiB announced, nothing sent
        connection.endheaders()
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        connection.close()
        assert response.status == 413
        assert response.getheader("Server") == "kennisbank"
        assert response.getheader("Content-Security-Policy")
        assert "te groot" in body and "MB" in body, body
        if accept == "application/json":
            assert json.loads(body)["error"]["status"] == 413
        else:
            assert response.getheader("Content-Type").startswith("text/html") and "<html" in body.lower()
        assert "waitress" not in body.lower()


def test_second_process_cannot_break_the_running_server(server):
    """Issue 12 case 1: a second command on the data directory of a running server said "in use", but had
    truncated tracker_journal.dat of the server's store first; every later upload job failed."""
    server.start()
    browser = _script(server)
    first = browser.wait_for_job(_upload(browser, "Leernetwerken Drenthe", pdf_bytes([["Drentse leernetwerken "
                                                                                       "voor startende leraren."]])))
    assert first["state"] == "done", first
    before = _store_files(server.data_dir)
    for args in (["search", "leraren"], ["backup", str(server.data_dir.parent / "b.tar.gz")], ["reindex"],
                 ["serve", "--port", "1"], ["ingest", str(REPO / "corpus")]):
        result = kennisbank(server.data_dir, *args)
        assert result.returncode != 0, (args, result.stdout)
        assert "in use by another kennisbank process" in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        after = _store_files(server.data_dir)
        shrunk = {name: (size, after.get(name)) for name, size in before.items() if after.get(name, 0) < size}
        assert not shrunk, (args, shrunk)
    assert not (server.data_dir.parent / "b.tar.gz").exists()
    job = browser.wait_for_job(_upload(browser, "Leernetwerken Twente", pdf_bytes(PAGES)))
    assert job["state"] == "done", job
    results = browser.get_json("/api/search?q=Twentse+leernetwerken+startende+leraren")["results"]
    assert any(r["document"]["id"] == job["doc_id"] for r in results)


def test_sigterm_finishes_or_requeues_the_running_job(server):
    """A graceful stop: SIGTERM during a long job exits 0 and leaves the job done or queued, never running
    or failed; the next start finishes it."""
    server.start()
    browser = _script(server)
    job_id = _upload(browser, "Geometrie und Topologie", (PDF_SAMPLES / "GeoTopo-komprimiert.pdf").read_bytes(),
                     "geotopo.pdf")
    deadline = time.monotonic() + 120
    while browser.get_json(f"/api/jobs/{job_id}")["job"]["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    server.process.send_signal(signal.SIGTERM)
    returncode = server.process.wait(timeout=120)
    log = server.log_path.read_text()
    assert returncode == 0, log[-3000:]
    assert "stopping gracefully" in log and "job worker:" in log
    console = sqlite3.connect(server.data_dir / "console.sqlite")
    state, attempts = console.execute("SELECT state, attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()
    console.close()
    assert state in ("done", "queued"), (state, log[-2000:])
    if state == "queued":
        assert attempts == 0  # a graceful stop is not counted as a crash
    server.start()
    job = _script(server).wait_for_job(job_id, 600)
    assert job["state"] == "done" and job["report"]["pages"] == 117, job


def test_data_files_are_private(server):
    server.start()
    browser = _script(server)
    job = browser.wait_for_job(_upload(browser, "Leernetwerken Twente", pdf_bytes(PAGES)))
    assert job["state"] == "done"
    kept = server.data_dir / "files" / job["file"]
    assert kept.stat().st_mode & 0o077 == 0, oct(kept.stat().st_mode)
    assert (server.data_dir / "kennisbank.lock").stat().st_mode & 0o077 == 0


def test_read_only_commands_go_through_the_running_server(server, tmp_path):
    """While a server owns the data directory, search and backup go through it (--url) instead of failing."""
    server.start()
    token = new_token(make_settings(server.data_dir), "script")
    result = kennisbank(server.data_dir, "search", "startende leraren", "--url", server.base_url, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"]
    archive = tmp_path / "via-server.tar.gz"
    result = kennisbank(server.data_dir, "backup", str(archive), "--url", server.base_url, "--token-stdin",
                        stdin=token + "\n")
    assert result.returncode == 0, result.stderr
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "data/catalog.sqlite" in names and "data/index/index.json" in names and "data/secret_key" not in names
    anonymous = kennisbank(server.data_dir, "backup", str(tmp_path / "x.tar.gz"), "--url", server.base_url,
                           "--token-stdin", stdin="kb_wrong\n")
    assert anonymous.returncode == 2 and "401" in anonymous.stderr and "Traceback" not in anonymous.stderr
    restored = tmp_path / "restored"
    result = kennisbank(restored, "restore", str(archive))
    assert result.returncode == 0, result.stderr
    result = kennisbank(restored, "search", "startende leraren", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["results"], result.stderr
