"""Fixtures of the web UI tests: apps on the real index (the `kb` of tests/conftest.py) and on a fake."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kennisbank.errors import BadRequest, NotFound

# Passage text the corpus does not have: markup that must stay text.
HOSTILE_TEXT = 'Leraren <script>alert("x")</script> & <b>vet</b> leraar "quote" &amp; geïnvesteerd'


def _doc(doc_id, title, org, year, approx, kind, url=""):
    return {
        "id": doc_id, "title": title, "organisation": org, "year": year, "year_approximate": approx,
        "kind": kind, "language": "nl", "sectors": ["po"], "url": url,
    }


class FakeKnowledgeBase:
    """A tiny stand-in for search.service.KnowledgeBase, for rendering tests only (route tests use the real one)."""

    def __init__(self):
        self.docs = {
            "evil": _doc("evil", "Titel <i>met</i> markup", "Org & Co", None, False, "rapport", "javascript:alert(1)"),
            "paged": _doc("paged", "Een gepagineerd rapport", "ECBO", 2021, True, "onderzoekssamenvatting"),
        }
        self.pages = {
            "evil": [{"page": None, "text": "Intro. " + HOSTILE_TEXT + " Einde."}],
            "paged": [{"page": 1, "text": "Pagina een over startende leraren."},
                      {"page": 2, "text": "Pagina twee: Leeferink (2016) over opleidingsscholen."}],
        }
        self.closed = False

    def _chunks(self, doc_id):
        out = []
        for n, page in enumerate(self.pages[doc_id]):
            text = page["text"]
            out.append({"chunk_id": f"{doc_id}.c{n}", "page": page["page"], "start": 0, "end": len(text)})
        return out

    def _citation(self, doc, page=None):
        year = "z.d." if doc["year"] is None else doc["year"]
        return f"{doc['organisation']}. ({year}). {doc['title']}." + (f" p. {page}" if page else "")

    def facets(self):
        return {"kinds": sorted({d["kind"] for d in self.docs.values()}),
                "organisations": sorted({d["organisation"] for d in self.docs.values()}), "years": [2021, 2021]}

    def documents(self):
        return [dict(d, page_count=len(self.pages[i]), chunk_count=len(self.pages[i]), citation=self._citation(d))
                for i, d in self.docs.items()]

    def document(self, doc_id):
        if doc_id not in self.docs:
            raise NotFound(f"No document {doc_id!r}")
        doc = self.docs[doc_id]
        return {"document": dict(doc), "citation": self._citation(doc), "pages": self.pages[doc_id],
                "chunks": self._chunks(doc_id)}

    def search(self, query, *, k=10, kinds=None, organisations=None, year_from=None, year_to=None, mode="hybrid"):
        t0 = time.perf_counter()
        if not query.strip() or len(query) > 1000 or not 1 <= k <= 50 or mode not in ("hybrid", "dense", "bm25"):
            raise BadRequest("bad request")
        words = set(re.findall(r"\w+", query.lower()))
        results = []
        for doc_id, doc in self.docs.items():
            for chunk in self._chunks(doc_id):
                page = chunk["page"]
                text = self.pages[doc_id][(page or 1) - 1]["text"][chunk["start"]:chunk["end"]]
                score = len(words & set(re.findall(r"\w+", text.lower())))
                if score:
                    results.append({"score": float(score), "text": text, "page": page, "chunk_id": chunk["chunk_id"],
                                    "start": chunk["start"], "end": chunk["end"], "document": dict(doc),
                                    "citation": self._citation(doc, page)})
        results.sort(key=lambda r: -r["score"])
        results = results[:k]
        for rank, r in enumerate(results, 1):
            r["rank"] = rank
        return {"query": query, "took_ms": (time.perf_counter() - t0) * 1000, "mode": mode,
                "filters": {"kind": kinds or [], "organisation": organisations or [], "year_from": year_from,
                            "year_to": year_to}, "results": results}

    def close(self):
        self.closed = True


@pytest.fixture
def fake_client(tmp_path):
    """A test client on the fake knowledge base."""
    from kennisbank.settings import Settings
    from webui.app import create_app

    settings = Settings.load({"data_dir": tmp_path}, environ={})
    return create_app(settings, kb=FakeKnowledgeBase(), test_config={"TESTING": True}).test_client()


@pytest.fixture(scope="session")
def app(kb):
    """The app on the session's real KnowledgeBase (the index of corpus/)."""
    from webui.app import create_app

    return create_app(kb.settings, kb=kb, test_config={"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


class _ElementText(HTMLParser):
    """Collects the text inside the element with a given id (nested tags included)."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "base", "col", "embed", "track"}

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.depth = 0
        self.found = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            if tag not in self.VOID:
                self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.found += 1
            self.depth = 0 if tag in self.VOID else 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def _element_text(html: str, element_id: str) -> str | None:
    """The text of the element with ``id=element_id`` in ``html``; None if there is none, error if several."""
    parser = _ElementText(element_id)
    parser.feed(html)
    parser.close()
    assert parser.found <= 1, f"{parser.found} elements with id {element_id!r}"
    return "".join(parser.parts) if parser.found else None


@pytest.fixture
def element_text():
    """``element_text(html, id)``: the text of the element with that id (None if absent)."""
    return _element_text


# -- a real server ------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
SERVER_START_SECONDS = 180


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kennisbank_command() -> list[str]:
    script = Path(sys.executable).with_name("kennisbank")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kennisbank.cli"]


@pytest.fixture(scope="session")
def live_server(built_data_dir, tmp_path_factory):
    """``kennisbank serve`` as a subprocess on a free loopback port, on its own copy of the index.

    Yields the base URL. The server's output goes to a log file whose tail is shown if it does not come up.
    """
    workdir = tmp_path_factory.mktemp("live")
    data_dir = shutil.copytree(built_data_dir, workdir / "data")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
    env.update(HF_HUB_OFFLINE="1", HAYSTACK_TELEMETRY_ENABLED="False", PYTHONUNBUFFERED="1")
    log_path = workdir / "server.log"
    command = _kennisbank_command() + [
        "--data-dir", str(data_dir), "serve", "--host", "127.0.0.1", "--port", str(port),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"kennisbank serve exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(base_url + "/api/documents", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"kennisbank serve did not answer in {SERVER_START_SECONDS} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
