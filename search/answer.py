"""Evidence answers: a question in, an answer page built only from cited, checked evidence out.

``answer(kb, question)`` (or ``Answerer(kb).answer(question)`` to keep its caches) returns one plain dict:

- ``values``: the framework values (1.1-2.5) the question bears on, ranked; each with ``why`` (the
  preconditions, findings, quotes and passages of that row the search found, with their rank and score);
- ``findings``: research findings, deduplicated by text (the table repeats a finding under several values:
  one item lists all of them), with source (authors, year, APA), document id, page, start, end and the quote;
- ``quotes``: quotes from practice (speaker, role, partnership), same provenance fields;
- ``passages``: other search hits not already shown;
- ``status``: ``"answered"`` or ``"no_evidence"`` ("geen onderbouwing gevonden"), decided by a calibrated
  relevance gate on the best dense cosine and the best BM25 score (see `Relevance`, the answer_* settings and evaluation.answer_eval);
  with ``no_evidence``, ``nearest`` holds the passages that come closest (shown as such, never as evidence).

Every quote is checked against the stored page text of its document (``pages[page-1][start:end]``, exact,
every span) before it is shown; a mismatch is dropped and logged, and counted in ``dropped``. Every item
carries a citation key (F1, Q1, P1) that the optional written summary (search.summary) cites.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kennisbank.core.model import validate_query
from kennisbank.search import csl
from kennisbank.search.framework import Framework
from kennisbank.search.relevance import Relevance
from kennisbank.search.sources import Source, registry_for

log = logging.getLogger(__name__)

RRF_C = 5               # weight of the hit at rank r: 1 / (RRF_C + r)
TOP_VALUES = 5          # values listed
MAX_FINDINGS = 8
MAX_QUOTES = 4
MAX_PASSAGES = 5
MAX_NEAREST = 3         # below the relevance gate: the nearest passages shown as such
VALUE_MIN_SHARE = 0.05  # a value needs this share of the best value's score to be listed

NO_EVIDENCE = "geen onderbouwing gevonden"


def _overlaps(span: dict[str, int], hit: dict[str, Any]) -> bool:
    return span["page"] == hit["page"] and span["start"] < hit["end"] and hit["start"] < span["end"]


class Answerer:
    """Builds answers on one KnowledgeBase; keeps the framework, source registry and page texts between calls
    (rebuilt when the catalog's versions change)."""

    def __init__(self, kb, framework: Framework | None = None, relevance: Relevance | None = None):
        """``kb``: a search.service.Searcher (the knowledge base); its framework unless another is given."""
        self.kb = kb
        self.relevance = relevance if relevance is not None else Relevance.from_settings(kb.settings)
        self.framework = framework if framework is not None else kb.framework
        self.k = kb.settings.answer_k
        self._key = None
        self._registry = None
        self._pages: dict[str, dict[int | None, str]] = {}
        self._documents: dict[str, dict[str, Any]] = {}

    # -- caches ---------------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        key = tuple(sorted(self.kb.catalog.current_versions()))
        if key == self._key:
            return
        self._documents = {d["id"]: d for d in self.kb.documents()}
        if self.framework is None:
            self._registry = None
        elif self.framework is self.kb.framework:
            self._registry = self.kb.registry()  # shared with the framework pages
        else:
            self._registry = registry_for(self.kb, self.framework)
        self._pages = {}
        self._key = key

    def page_text(self, doc_id: str, page: int | None) -> str | None:
        """The stored cleaned text of a page (page None: an unpaginated document's one text)."""
        if doc_id not in self._pages:
            record = self.kb.catalog.get(doc_id)
            if record is None:
                self._pages[doc_id] = {}
            else:
                pages = self.kb.catalog.pages(record.id, record.version)
                self._pages[doc_id] = {(no if record.paginated else None): text for no, text in pages}
        return self._pages[doc_id].get(page)

    def verified(self, doc_id: str, spans: list[dict[str, Any]], text: str, what: str) -> bool:
        """True when ``text`` is exactly the stored text at ``spans`` (joined by a space); else logged."""
        parts = []
        for span in spans:
            page = self.page_text(doc_id, span["page"])
            if page is None or not 0 <= span["start"] <= span["end"] <= len(page):
                parts = None
                break
            parts.append(page[span["start"]:span["end"]])
        if parts is None or " ".join(parts) != text:
            log.warning("Quote dropped, not verbatim in %s at %s: %s %r", doc_id, spans, what, text[:80])
            return False
        return True

    # -- the answer -----------------------------------------------------------------------------------------
    def answer(self, question: str) -> dict[str, Any]:
        started = time.perf_counter()
        question = validate_query(question)
        self._refresh()
        retrieval = self.kb.retrieve(question, k=self.k, with_best=True)  # one retrieval: hits and best scores
        hits = retrieval.results
        dense, bm25 = retrieval.best_dense, retrieval.best_bm25
        stats = self.kb.stats()
        searched = {
            "query": question,
            "expansions": retrieval.expansions,
            "mode": retrieval.mode,
            "documents": stats["documents"],
            "passages": stats["points"],
            "framework": self.framework.document_id if self.framework else None,
            "best_dense": round(dense, 4),
            "best_bm25": round(bm25, 4),
            "domain_terms": retrieval.domain_terms,
            "thresholds": self.relevance.as_dict(),
        }
        out: dict[str, Any] = {"query": question, "status": "answered", "message": None, "searched": searched,
                               "values": [], "findings": [], "quotes": [], "passages": [], "nearest": [], "dropped": 0, "summary_note": None,
                               "summary": None}
        if not hits or not self.relevance.relevant(dense, bm25, domain=bool(retrieval.domain_terms)):
            out["status"] = "no_evidence"
            out["message"] = (
                f"Geen onderbouwing gevonden: in {stats['documents']} publicaties ({stats['points']} passages) en "
                "het kader waarde en randvoorwaarden staat niets wat genoeg op deze vraag lijkt: ook de passages "
                "die er het dichtst bij komen, gaan over iets anders."
            )  # the scores themselves are in "searched" (best_dense, best_bm25)
            out["nearest"] = [  # what comes closest, shown as such (the search page shows the same under its gate)
                {"chunk_id": h["chunk_id"], "anchor": h["anchor"], "text": h["text"], "page": h["page"],
                 "document": {"id": h["document"]["id"], "title": h["document"]["title"]},
                 "citation": h["citation"], "cite": h["cite"]} for h in hits[:MAX_NEAREST]]
            out["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
            return out
        self._fill(out, hits)
        out["took_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return out

    def _fill(self, out: dict[str, Any], hits: list[dict[str, Any]]) -> None:
        fw = self.framework
        weights = {h["chunk_id"]: 1.0 / (RRF_C + h["rank"]) for h in hits}
        value_scores: dict[str, float] = {}
        why: dict[str, list[dict[str, Any]]] = {}
        for hit in hits:
            for value_id in hit["values"]:
                if fw is None or fw.value(value_id) is None:
                    continue
                value_scores[value_id] = value_scores.get(value_id, 0.0) + weights[hit["chunk_id"]]
        # framework items the hits cover: (value, kind, item, best hit)
        matched: list[tuple[dict, str, dict, dict]] = []
        if fw is not None:
            fw_hits = [h for h in hits if h["document"]["id"] == fw.document_id]
            for value in fw.values:
                for kind in ("preconditions", "findings", "quotes"):
                    for item in value[kind]:
                        covering = [h for h in fw_hits if any(_overlaps(s, h) for s in item["spans"])]
                        if covering:
                            matched.append((value, kind, item, min(covering, key=lambda h: h["rank"])))
        for value, kind, item, hit in matched:
            why.setdefault(value["id"], []).append({
                "kind": {"preconditions": "randvoorwaarde", "findings": "onderzoek", "quotes": "praktijk"}[kind],
                "id": item["id"], "text": item["text"], "hit_rank": hit["rank"], "hit_score": hit["score"]})
        for hit in hits:  # passages outside the framework that the classifier gave a value
            if fw is not None and hit["document"]["id"] != fw.document_id:
                for value_id in hit["values"]:
                    if value_id in value_scores:
                        why.setdefault(value_id, []).append({
                            "kind": "passage", "id": hit["chunk_id"], "text": hit["text"][:300],
                            "hit_rank": hit["rank"], "hit_score": hit["score"]})
        ranked = sorted(value_scores.items(), key=lambda kv: (-kv[1], kv[0]))
        best = ranked[0][1] if ranked else 0.0
        for rank, (value_id, score) in enumerate(
                [kv for kv in ranked if kv[1] >= VALUE_MIN_SHARE * best][:TOP_VALUES], start=1):
            value = fw.value(value_id)
            reasons = sorted(why.get(value_id, []), key=lambda r: r["hit_rank"])
            out["values"].append({
                "rank": rank, "id": value_id, "title": value["title"], "level": value["level"],
                "score": round(score, 4), "why": reasons[:6],
                "preconditions": [r for r in reasons if r["kind"] == "randvoorwaarde"],
            })
        shown_values = [v["id"] for v in out["values"]]
        self._findings(out, matched, shown_values)
        self._quotes(out, matched, shown_values)
        self._passages(out, hits)

    def _findings(self, out, matched, shown_values) -> None:
        fw = self.framework
        candidates = [(hit["rank"], item) for value, kind, item, hit in matched if kind == "findings"]
        # then the findings of the values listed, in the order of the values
        for order, value_id in enumerate(shown_values):
            candidates += [(self.k + 1 + order, f) for f in fw.value(value_id)["findings"]]
        seen: dict[str, dict[str, Any]] = {}
        for rank, item in sorted(candidates, key=lambda c: c[0]):
            if item["text"] in seen or len(seen) >= MAX_FINDINGS:
                continue
            if not self.verified(fw.document_id, item["spans"], item["text"], item["id"]):
                out["dropped"] += 1
                continue
            values = [v["id"] for v, f in fw.findings() if f["text"] == item["text"]]
            sources, originals = [], []
            for cited in item["sources"]:
                source = (self._registry.get(cited["key"]) if self._registry else None) or Source(
                    id=cited["key"], authors=cited["authors"], year=cited["year"])
                original = csl.source_item(source, self.completed(source.id))
                originals.append(original)
                sources.append({"id": cited["key"], "authors": cited["authors"], "year": cited["year"],
                                "apa": csl.reference(original).text, "csl": original})
            place = self._place(fw.document_id, item["spans"])
            seen[item["text"]] = {
                "key": f"F{len(seen) + 1}", "id": item["id"], "text": item["text"], "citation": item["citation"],
                "values": values, "sources": sources, "matched": rank <= self.k, **place,
                "cite": csl.cite_block(self._item(fw.document_id), place["page_label"], originals),
            }
        out["findings"] = list(seen.values())

    def _quotes(self, out, matched, shown_values) -> None:
        fw = self.framework
        candidates = [(hit["rank"], value["id"], item) for value, kind, item, hit in matched if kind == "quotes"]
        for order, value_id in enumerate(shown_values[:2]):
            candidates += [(self.k + 1 + order, value_id, q) for q in fw.value(value_id)["quotes"]]
        seen: dict[str, dict[str, Any]] = {}
        for rank, value_id, item in sorted(candidates, key=lambda c: c[0]):
            if item["id"] in seen or len(seen) >= MAX_QUOTES:
                continue
            if not self.verified(fw.document_id, item["spans"], item["text"], item["id"]):
                out["dropped"] += 1
                continue
            seen[item["id"]] = {
                "key": f"Q{len(seen) + 1}", "id": item["id"], "text": item["text"], "speaker": item["speaker"],
                "role": item["role"], "partnership": item["partnership"], "value": value_id,
                "matched": rank <= self.k, **self._place(fw.document_id, item["spans"]),
                "cite": csl.cite_block(self._item(fw.document_id), csl.page_locator(item["spans"])),
            }
        out["quotes"] = list(seen.values())

    def _passages(self, out, hits) -> None:
        shown = [(item["document_id"], s) for kind in ("findings", "quotes") for item in out[kind] for s in item["spans"]]
        passages = []
        for hit in hits:
            if len(passages) >= MAX_PASSAGES:
                break
            if any(doc == hit["document"]["id"] and _overlaps(s, hit) for doc, s in shown):
                continue
            spans = [{"page": hit["page"], "start": hit["start"], "end": hit["end"]}]
            if not self.verified(hit["document"]["id"], spans, hit["text"], hit["chunk_id"]):
                out["dropped"] += 1
                continue
            passages.append({
                "key": f"P{len(passages) + 1}", "chunk_id": hit["chunk_id"], "text": hit["text"],
                "rank": hit["rank"], "score": hit["score"], "values": hit["values"],
                "document": {"id": hit["document"]["id"], "title": hit["document"]["title"]},
                "citation": hit["citation"], "citation_in_text": hit["citation_in_text"], "anchor": hit["anchor"],
                **self._place(hit["document"]["id"], spans), "cite": hit["cite"],
                # the printed page (a range over a page break), as the citation has it; `page` stays the PDF's
                "page_label": hit.get("pages") or hit.get("page_label"), "page_end": hit.get("page_end"),
                "section": hit.get("section", []),
            })
        out["passages"] = passages

    def _item(self, doc_id: str) -> dict[str, Any]:
        """The CSL-JSON item of a publication in the knowledge base (current version)."""
        doc = self._documents.get(doc_id) or {"id": doc_id}
        record = self.kb.catalog.get(doc_id)
        return self.kb.citation_item(doc, record.version if record else None)

    def completed(self, source_id: str) -> dict[str, Any] | None:
        """A cited work's reference as staff completed it (search.source_meta), if any."""
        store = getattr(self.kb, "source_meta", None)
        return store.get(source_id) if store is not None else None

    def _place(self, doc_id: str, spans: list[dict[str, Any]]) -> dict[str, Any]:
        doc = self._documents.get(doc_id) or {"id": doc_id}
        first = spans[0]
        page_label = csl.page_locator(spans)
        return {"document_id": doc_id, "document_title": doc.get("title"), "page": first["page"],
                "page_label": page_label, "start": first["start"], "end": first["end"], "spans": spans,
                "document_citation": csl.reference(self._item(doc_id)).text if doc.get("title") else None}


def answer(kb, question: str) -> dict[str, Any]:
    """One answer (builds the caches each call: keep an `Answerer` for repeated questions)."""
    return Answerer(kb).answer(question)
