"""The wheel installs whole: a non-editable install in a fresh virtualenv, run outside the repository, ingests
the corpus it ships and serves it (issue 9).

The wheel is built from this checkout (`pip wheel --no-deps`), installed with `--no-deps` into a new
virtualenv in a temporary folder; that virtualenv reaches the test environment's site-packages for the
dependencies only (a path line in a .pth file: the editable install's own .pth files there are not run, so
the repository cannot leak in). Every command runs with the temporary folder as its working directory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from kennisbank.core.environment import OFFLINE

REPO = Path(__file__).resolve().parents[1]


def _run(command: list[str], cwd: Path, timeout: int = 600, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KENNISBANK_", "PYTHON"))}
    env.update(OFFLINE)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy of the checkout: no stale build/ folder can slip into the wheel
    shutil.copytree(REPO, source, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "build", "data", "*.egg-info", "__pycache__"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(work / "dist"),
          str(source)], cwd=work)
    wheel = next((work / "dist").glob("kennisbank_samen_opleiden-*.whl"))
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=work).stdout.strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheel)], cwd=work)
    return {"work": work, "wheel": wheel, "python": python, "kennisbank": venv / "bin" / "kennisbank"}


def test_the_wheel_installs_one_package_with_its_data_files(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"kennisbank"}  # no top-level `search`, `ingest`, `webui`, `evaluation`
    for data_file in ("kennisbank/corpus/framework.json", "kennisbank/corpus/publications.toml",
                      "kennisbank/search/thesaurus.toml", "kennisbank/search/lexicon-nl.txt",
                      "kennisbank/webui/templates/base.html", "kennisbank/webui/static/style.css",
                      "kennisbank/evaluation/questions.jsonl"):
        assert data_file in names
    where = _run([str(installed["python"]), "-c", "import kennisbank.search, sys; print(kennisbank.search.__file__)"],
                 cwd=installed["work"]).stdout.strip()
    assert "site-packages" in where and str(REPO) not in where
    probe = subprocess.run([str(installed["python"]), "-c", "import search"], cwd=installed["work"],
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "No module named 'search'" in probe.stderr


def test_the_installed_command_ingests_the_shipped_corpus_and_serves_it(installed):
    work, command = installed["work"], str(installed["kennisbank"])
    data = work / "data"
    report = json.loads(_run([command, "--data-dir", str(data), "ingest", "--json"], cwd=work).stdout)
    assert report["summary"]["added"] == 4 and report["summary"]["failed"] == 0

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KENNISBANK_", "PYTHON"))}
    env.update(OFFLINE)
    log_path = work / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([command, "--data-dir", str(data), "serve", "--port", str(port)], cwd=work,
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, log_path.read_text()[-3000:]
            try:
                with urllib.request.urlopen(base + "/api/documents", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()[-3000:]
                time.sleep(0.5)
        query = urllib.parse.quote("Blijven startende leraren langer in het onderwijs?")
        with urllib.request.urlopen(f"{base}/api/search?q={query}", timeout=30) as response:
            results = json.load(response)["results"]
        assert results and results[0]["document"]["id"] == "waarde-en-randvoorwaarden"
        with urllib.request.urlopen(base + "/kader.json", timeout=30) as response:  # framework.json: package data
            assert len(json.load(response)["values"]) == 11
        with urllib.request.urlopen(base + "/static/style.css", timeout=30) as response:
            assert response.status == 200
    finally:
        server.terminate()
        try:  # a graceful stop: requests in flight answered (up to 30 s), a running job up to 60 s
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.send_signal(signal.SIGUSR1)  # every thread's stack into the log, then fail with it
            time.sleep(2)
            server.kill()
            server.wait(timeout=30)
            pytest.fail("the server did not stop within 120 s of SIGTERM:\n" + log_path.read_text()[-6000:])
