"""`kennisbank bench --load`: concurrent searches for a fixed time against the production server while an
upload is indexed; requests/s, latency percentiles and errors (which must be 0).

Without ``--url`` it builds its own setting, all real: the shipped corpus indexed by `kennisbank ingest` into a
temporary data directory, a staff token, and `kennisbank serve` (waitress) on a free loopback port. Then
``concurrency`` client threads, each with its own keep-alive HTTP connection, send `GET /api/search` with the
real evaluation questions (cycled) for ``seconds``; one second in, a generated multi-page PDF is uploaded
through `POST /api/documents` and its job followed to the end. An error is any answer other than 200, or a
failed connection. Loopback only (the load goes nowhere else), bounded in time.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from kennisbank.core.accounts import Accounts, console_path
from kennisbank.core.environment import OFFLINE
from kennisbank.core.settings import Settings
from kennisbank.evaluation.bench import load_average, load_queries, percentiles
from kennisbank.evaluation.synthetic import make_pdf_set

REPO = Path(__file__).resolve().parents[1]
MAX_SECONDS = 600
START_SECONDS = 300


def _loopback(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if parts.scheme != "http" or not ok:
        raise SystemExit(f"kennisbank bench --load: only a server on this machine (http://127.0.0.1:PORT), not {url}")
    return parts


def _command() -> list[str]:
    script = Path(sys.executable).with_name("kennisbank")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kennisbank.cli"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
    env.update(OFFLINE, PYTHONUNBUFFERED="1")
    return env


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kennisbank serve exited:\n{log.read_text()[-2000:]}")
        try:
            with socket.create_connection((urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port), 2):
                conn = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=10)
                conn.request("GET", "/api/documents")
                if conn.getresponse().status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("kennisbank serve did not answer in time")


def _multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----kbload" + secrets.token_hex(8)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _upload_and_follow(netloc: str, token: str, pdf: Path, deadline: float, out: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    body, content_type = _multipart({"title": f"Belastingtest {pdf.stem}", "organisation": "Benchmark",
                                     "kind": "onderzoeksrapport", "year": "2024"}, pdf.name, pdf.read_bytes())
    started = time.perf_counter()
    conn = http.client.HTTPConnection(netloc, timeout=60)
    conn.request("POST", "/api/documents", body, {**headers, "Content-Type": content_type})
    response = conn.getresponse()
    answer = json.loads(response.read() or b"{}")
    out["upload_status"] = response.status
    if response.status != 202:
        out["job"] = {"state": "not queued", "answer": answer}
        return
    job_id = answer["job"]["id"]
    while time.monotonic() < deadline + 300:  # the job may end after the searches; wait for it (bounded)
        conn.request("GET", f"/api/jobs/{job_id}", headers=headers)
        job = json.loads(conn.getresponse().read())["job"]
        if job["state"] in ("done", "failed"):
            out["job"] = {"id": job_id, "state": job["state"], "pages": job["report"].get("pages"),
                          "chunks": job["report"].get("chunks"), "seconds": round(time.perf_counter() - started, 1),
                          "reason": job["report"].get("reason", "")}
            return
        time.sleep(0.5)
    out["job"] = {"id": job_id, "state": "still running"}


def run_load(url: str, token: str, seconds: float = 30, concurrency: int = 8, pdf: Path | None = None) -> dict[str, Any]:
    """Concurrent searches against ``url`` for ``seconds``, with one upload (``pdf``) meanwhile."""
    seconds = min(float(seconds), MAX_SECONDS)
    netloc = _loopback(url).netloc
    queries = [urllib.parse.quote(q) for q in load_queries(500)]
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[list[str]] = [[] for _ in range(concurrency)]
    start_at = time.monotonic() + 0.2
    end_at = start_at + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(netloc, timeout=30)
        n = index
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while time.monotonic() < end_at:
            q = queries[n % len(queries)]
            n += concurrency
            began = time.perf_counter()
            try:
                conn.request("GET", f"/api/search?q={q}&k=10")
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[index].append(f"HTTP {response.status}")
                else:
                    latencies[index].append((time.perf_counter() - began) * 1000)
            except (OSError, http.client.HTTPException) as exc:
                errors[index].append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(netloc, timeout=30)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    upload: dict[str, Any] = {}
    uploader = None
    if pdf is not None:
        def delayed_upload():
            time.sleep(1.0)
            _upload_and_follow(netloc, token, pdf, end_at, upload)

        uploader = threading.Thread(target=delayed_upload, daemon=True)
    load_before = load_average()
    for thread in threads:
        thread.start()
    if uploader:
        uploader.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.monotonic() - start_at
    if uploader:
        uploader.join(seconds + 400)
    samples = [x for part in latencies for x in part]
    failures = [e for part in errors for e in part]
    return {
        "url": url,
        "seconds": round(elapsed, 1),
        "concurrency": concurrency,
        "requests": len(samples) + len(failures),
        "requests_per_s": round((len(samples) + len(failures)) / elapsed, 1) if elapsed else 0.0,
        "latency_ms": percentiles(samples),
        "errors": len(failures),
        "error_examples": sorted(set(failures))[:5],
        "upload": upload,
        "load_average": {"before": load_before, "after": load_average(), "cpus": os.cpu_count()},
    }


def run_with_own_server(seconds: float, concurrency: int, workdir: Path | None = None,
                        data_dir: Path | None = None) -> dict[str, Any]:
    """Index the corpus (or copy ``data_dir``), serve it with `kennisbank serve`, run the load, stop it."""
    own = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="kennisbank-load-"))
    data = workdir / "data"
    try:
        if data_dir is not None:
            shutil.copytree(data_dir, data)
        elif not (data / "catalog.sqlite").exists():
            subprocess.run([*_command(), "--data-dir", str(data), "ingest", str(REPO / "corpus")], check=True,
                           env=_env(), cwd=REPO, stdout=subprocess.DEVNULL)
        accounts = Accounts(console_path(Settings.load({"data_dir": data}, environ={})))
        name = "bench-" + secrets.token_hex(3)
        accounts.add_user(name, secrets.token_urlsafe(24))
        token = accounts.new_token(name, "kennisbank bench --load", days=1)
        accounts.close()
        pdf = make_pdf_set(workdir / "upload", documents=1, pages=12, seed=int(time.time()) % 1000)[0]
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        log = workdir / "server.log"
        with open(log, "wb") as out:
            server = subprocess.Popen([*_command(), "--data-dir", str(data), "serve", "--host", "127.0.0.1",
                                       "--port", str(port)], env=_env(), cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url, server, log)
            result = run_load(url, token, seconds, concurrency, pdf)
        finally:
            server.terminate()
            try:
                server.wait(timeout=120)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=30)
        result["server"] = "kennisbank serve (waitress), started by the bench"
        result["server_exit"] = server.returncode
        return result
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


def format_markdown(result: dict[str, Any]) -> str:
    lat = result["latency_ms"]
    job = result.get("upload", {}).get("job", {})
    upload = job.get("state", "-")
    if upload == "done":
        upload += f" ({job.get('pages')} pages, {job.get('seconds')} s)"
    lines = [
        f"Load test: {result['concurrency']} concurrent searchers for {result['seconds']} s against {result['url']}",
        "",
        "| requests | requests/s | p50 ms | p95 ms | p99 ms | errors | upload during the load |",
        "|---:|---:|---:|---:|---:|---:|---|",
        f"| {result['requests']} | {result['requests_per_s']} | {lat.get('p50', '-')} | {lat.get('p95', '-')} | "
        f"{lat.get('p99', '-')} | {result['errors']} | {upload} |",
        "",
        f"Load average {result['load_average']['before']} -> {result['load_average']['after']} on "
        f"{result['load_average']['cpus']} CPUs.",
    ]
    if result["errors"]:
        lines.append(f"Errors: {result['error_examples']}")
    return "\n".join(lines)


def main_from_args(args) -> int:
    if args.url:  # searches only: the bench holds no token of that server
        result = run_load(args.url, "", args.seconds, args.concurrency, None)
    else:
        result = run_with_own_server(args.seconds, args.concurrency, Path(args.workdir) if args.workdir else None)
    text = json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_markdown(result)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0 if result["errors"] == 0 else 1
