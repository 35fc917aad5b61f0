"""Fixtures of the web UI tests: apps on the real index of corpus/ (the `kb` of tests/conftest.py) and on a real index of odd documents."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.ingest.sources import Source
from kennisbank.webui.app import create_app
from tests.conftest import SESSION
from tests.webui.staff_helpers import Server

# Passage text the corpus does not have: markup that must stay text.
HOSTILE_TEXT = 'Leraren <script>alert("x")</script> & <b>vet</b> leraar "quote" &amp; geïnvesteerd'


def _doc(doc_id, title, org, year, approx, kind, url=""):
    """Citation metadata as ingest.sources produces it."""
    return {
        "title": title, "organisation": org, "year": year, "year_approximate": approx,
        "kind": kind, "language": "nl", "sectors": ["po"], "url": url,
    }


@pytest.fixture(scope="module")
def odd_client(tmp_path_factory):
    """A client on a real index of two documents the corpus does not have: markup in the text and the
    metadata, a missing year, an unpaginated text and a paginated one (form feeds)."""
    folder = tmp_path_factory.mktemp("odd")
    evil, paged = folder / "evil.txt", folder / "paged.txt"
    evil.write_text("Intro. " + HOSTILE_TEXT + " Einde.\n", encoding="utf-8")
    paged.write_text("Pagina een over startende leraren.\n\fPagina twee: Leeferink (2016) over opleidingsscholen.\n",
                     encoding="utf-8")
    settings = Settings.load({"data_dir": folder / "data"}, environ={})
    kb = KnowledgeBase.open(settings)
    report = kb.indexer.ingest([
        Source("evil", evil, _doc("evil", "Titel <i>met</i> markup", "Org & Co", None, False, "rapport")),
        Source("paged", paged, _doc("paged", "Een gepagineerd rapport", "ECBO", 2021, True, "onderzoekssamenvatting")),
    ])
    assert report.summary()["added"] == 2, report.as_dict()
    yield create_app(settings, kb=kb, test_config={"TESTING": True}).test_client()
    kb.close()


@pytest.fixture(scope="session")
def app(kb):
    """The app on the session's real KnowledgeBase (the index of corpus/)."""
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

SERVER_START_SECONDS = 180


@pytest.fixture(scope="session")
def live_server(built_data_dir, tmp_path_factory):
    """``kennisbank serve`` as a subprocess on a free loopback port, on its own copy of the index.

    Yields the base URL. The server's output goes to a log file whose tail is shown if it does not come up.
    """
    workdir = tmp_path_factory.mktemp(SESSION + "live")
    server = Server(shutil.copytree(built_data_dir, workdir / "data"), workdir / "server.log")
    try:
        yield server.start(SERVER_START_SECONDS).base_url
    finally:
        server.stop()
