"""Fixtures of the web UI tests: apps on the real index (the `kb` of tests/conftest.py) and on a fake."""

from __future__ import annotations

import re
import time

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
