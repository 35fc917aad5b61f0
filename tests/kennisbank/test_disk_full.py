"""A full disk is an error, not a crash (issue 12, case 2), on a real tmpfs and a real `kennisbank serve`.

Before: a job on a full disk killed the server with SIGBUS (exit 135, nothing in the log) and it could not
start again while the disk was full. Now: the job fails with "schijf vol", searching goes on, an upload that
cannot be stored is a 507, and a start on a full disk serves search read-only and says so.
Needs root (mount -t tmpfs); skipped with the reason otherwise.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from kennisbank.app import KnowledgeBase
from kennisbank.core.diskspace import DiskFull, copy_sparse
from kennisbank.core.model import publication_meta
from tests.conftest import make_settings
from tests.webui.staff_helpers import Browser, Server, new_token, pdf_bytes

DISK_MB = 256
MIN_FREE_MB = 80  # above the 32 MiB write-ahead-log segment the store allocates when it opens


@pytest.fixture()
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(disk: Path, leave_mb: float) -> None:
    """Write a filler file until only ``leave_mb`` MiB are free."""
    free = shutil.disk_usage(disk).free
    size = max(0, int(free - leave_mb * 1024 * 1024))
    with open(disk / f"filler-{len(list(disk.glob('filler-*')))}", "wb") as out:
        block = b"\0" * (1 << 20)
        while size > 0:
            try:
                written = out.write(block[: min(size, len(block))])
                out.flush()
            except OSError:
                break
            size -= written


def _upload(browser: Browser, title: str, text: str):
    return browser.post_form("/api/documents", {"title": title, "organisation": "Platform", "kind": "rapport"},
                             {"file": (f"{title}.pdf", pdf_bytes([[text]]))})


def test_full_disk_fails_the_job_keeps_search_and_starts_read_only(small_disk, built_data_dir, tmp_path):
    data_dir = shutil.copytree(built_data_dir, small_disk / "data", copy_function=copy_sparse)  # the store's holes stay holes
    token = new_token(make_settings(data_dir), "script")
    server = Server(data_dir, tmp_path / "server.log", env={"KENNISBANK_MIN_FREE_MB": str(MIN_FREE_MB)})
    try:
        server.start()
        browser = Browser(server.base_url, headers={"Authorization": f"Bearer {token}"})
        status, _, body = _upload(browser, "Eerste", "Leernetwerken in Zeeland voor startende leraren en mentoren.")
        assert status == 202, body
        assert browser.wait_for_job(json.loads(body)["job"]["id"])["state"] == "done"

        # nearly full: the upload is stored, its job fails with "schijf vol" before it touches the index
        _fill(small_disk, leave_mb=40)
        status, _, body = _upload(browser, "Tweede", "Leernetwerken in Limburg voor startende leraren en mentoren.")
        assert status == 202, body
        job = browser.wait_for_job(json.loads(body)["job"]["id"])
        assert job["state"] == "failed" and job["report"]["reason"] == "disk_full", job
        assert "schijf vol" in job["report"]["message"] and "schijf vol" in job["stage"]
        assert server.process.poll() is None
        assert browser.get_json("/api/search?q=startende+leraren+Zeeland")["results"]

        # full: an upload cannot even be stored: 507 with the reason, and searching goes on
        _fill(small_disk, leave_mb=0)
        status, _, body = _upload(browser, "Derde", "Leernetwerken in Drenthe voor startende leraren.")
        assert status == 507 and "schijf vol" in json.loads(body)["error"]["message"], body[:300]
        assert browser.get_json("/api/search?q=startende+leraren")["results"]
        assert server.process.poll() is None

        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=120) == 0, server.log_path.read_text()[-3000:]

        # a start on the full disk: read-only, and it says so
        server.start()
        browser = Browser(server.base_url, headers={"Authorization": f"Bearer {token}"})
        assert browser.get_json("/api/search?q=startende+leraren+Zeeland")["results"]
        status, _, page = Browser(server.base_url).get("/")
        assert status == 200 and "Alleen-lezen" in page and "schijf vol" in page
        status, _, body = _upload(browser, "Vierde", "Leernetwerken in Friesland voor startende leraren.")
        assert status == 503 and "schijf vol" in json.loads(body)["error"]["message"], body[:300]
        assert "Serving a read-only copy" in server.log_path.read_text()
        server.stop()
        assert server.process.returncode == 0

        # room again: a normal start, the failed job can be retried
        for filler in small_disk.glob("filler-*"):
            filler.unlink()
        server.start()
        browser = Browser(server.base_url, headers={"Authorization": f"Bearer {token}"})
        status, _, page = Browser(server.base_url).get("/")
        assert "Alleen-lezen" not in page
        status, _, body = browser.request("POST", f"/api/jobs/{job['id']}/retry")
        assert status == 202, body
        assert browser.wait_for_job(job["id"])["state"] == "done"
    finally:
        server.stop()


def test_a_disk_that_fills_during_a_job_fails_it_before_the_store_writes(small_disk, built_data_dir):
    """The room is checked when a job starts, but embedding a long file takes minutes: when the disk fills in
    the meantime, the job must still fail with "schijf vol" before the store's mapped files are written (which
    would end the process with SIGBUS), and the index must stay as it was."""
    data_dir = shutil.copytree(built_data_dir, small_disk / "data", copy_function=copy_sparse)
    settings = make_settings(data_dir, min_free_mb=MIN_FREE_MB)
    pages = [[f"Op pagina {p} bespreekt de opleider met de mentor in blok {b} hoe de student de les over breuken "
              f"voorbereidde en wat de volgende stap in de begeleiding op de werkplek is." for b in range(1, 7)]
             for p in range(1, 9)]
    with KnowledgeBase.open(settings) as kb:
        before = kb.store.count()
        publications = kb.publications
        received = publications.receive(io.BytesIO(pdf_bytes(pages)), "lang.pdf")
        file = publications.place(received, "lang")
        meta = publication_meta({"title": "Lang rapport", "organisation": "Platform", "year": 2024}, "test")
        filled = []

        def fill_while_embedding(progress):
            if not filled:  # the job started with room; now something else fills the disk
                _fill(small_disk, leave_mb=20)
                filled.append(progress)

        with pytest.raises(DiskFull, match="schijf vol"):
            publications.apply("add", "lang", file=file, meta=meta, on_progress=fill_while_embedding)
        assert filled and kb.store.count() == before and kb.catalog.get("lang") is None
        assert kb.search("opleidingsschool", k=3)["results"]  # searching goes on

        for filler in small_disk.glob("filler-*"):
            filler.unlink()
        assert publications.apply("add", "lang", file=file, meta=meta)["status"] == "added"
