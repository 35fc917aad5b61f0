"""The framework pages and their JSON twins: the overview (the table, alive), a value, the cited sources,
and reference downloads (BibTeX, RIS).

    /kader, /kader.json, /api/values                      every value: preconditions, findings, quotes, counts
    /kader/<id>, /kader/<id>.json, /api/values/<id>       one value; findings grouped by source, related passages
    /bronnen, /bronnen.json, /api/sources                 every cited source
    /bronnen/<id>, /bronnen/<id>.json, /api/sources/<id>  its reference and every statement citing it
    /referenties.bib, /referenties.ris                    ?document=<id>&bron=<id> (repeatable): a selection

Every statement links to its place: ``/documenten/<doc>#<passage>``, the passage holding its first span.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for

from kennisbank.core.errors import BadRequest, NotFound
from kennisbank.core.model import SOURCE_ID
from kennisbank.search import references
from kennisbank.search.framework import Framework
from kennisbank.webui.render import render
from kennisbank.webui.state import knowledge_base

bp = Blueprint("framework", __name__)

_VALUE_ID = re.compile(r"[12]\.\d{1,2}")
_SOURCE_ID = SOURCE_ID
RELATED_PASSAGES = 5
MAX_SELECTION = 200


class FrameworkState:
    """The knowledge base's framework (loaded once, by the composition root) and its source registry (cached by
    the searcher), plus the passages of a document for links, per document version."""

    def __init__(self, kb):
        self.kb = kb
        self.framework: Framework = kb.framework
        self._chunks: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def registry(self, kb=None):
        return self.kb.registry()

    def chunks(self, kb, doc_id: str) -> list[dict[str, Any]]:
        record = self.kb.catalog.get(doc_id)
        if record is None:
            return []
        key = (doc_id, record.version)
        if key not in self._chunks:
            self._chunks[key] = self.kb.document(doc_id)["chunks"]
        return self._chunks[key]


def state() -> FrameworkState:
    if "kennisbank_framework" not in current_app.extensions:
        kb = knowledge_base()
        if kb.framework is None:
            raise NotFound("Het kader waarde en randvoorwaarden is niet geladen (corpus/framework.json ontbreekt).")
        current_app.extensions["kennisbank_framework"] = FrameworkState(kb)
    return current_app.extensions["kennisbank_framework"]


def place_link(doc_id: str, span: dict[str, int]) -> str:
    """The document page, at the passage that holds the start of ``span``."""
    kb, st = knowledge_base(), state()
    st.registry(kb)
    anchor = None
    for chunk in st.chunks(kb, doc_id):
        if chunk["page"] in (span["page"], None) and chunk["start"] <= span["start"] < chunk["end"]:
            anchor = chunk["chunk_id"]
            break
    return url_for("documents.document", doc_id=doc_id, _anchor=anchor or f"p-{span['page']}")


def _source_brief(registry, cited: dict[str, Any]) -> dict[str, Any]:
    source = registry.get(cited["key"])
    return {"id": cited["key"], "authors": cited["authors"], "year": cited["year"],
            "link": url_for("framework.source", source_id=cited["key"]),
            "apa": references.apa_source(source) if source else None}


def value_dict(value: dict[str, Any], full: bool = True) -> dict[str, Any]:
    framework = state().framework
    registry = state().registry(knowledge_base())
    doc_id = framework.document_id
    findings = [
        {
            "id": f["id"],
            "source": _source_brief(registry, f["sources"][0]),
            "sources": [_source_brief(registry, s) for s in f["sources"]],
            "citation": f["citation"],
            "text": f["text"],
            "document_id": doc_id,
            "page": f["spans"][0]["page"],
            "spans": f["spans"],
            "link": place_link(doc_id, f["spans"][0]),
        }
        for f in value["findings"]
    ]
    quotes = [
        {
            "id": q["id"], "text": q["text"], "speaker": q["speaker"], "role": q["role"],
            "partnership": q["partnership"], "person": q["person"], "organisation": q["organisation"],
            "reference": q["reference"], "document_id": doc_id, "page": q["spans"][0]["page"], "spans": q["spans"],
            "link": place_link(doc_id, q["spans"][0]),
        }
        for q in value["quotes"]
    ]
    out = {
        "id": value["id"],
        "level": value["level"],
        "title": value["title"],
        "link": url_for("framework.value", value_id=value["id"]),
        "preconditions": [
            {"id": p["id"], "text": p["text"], "document_id": doc_id, "page": p["spans"][0]["page"],
             "link": place_link(doc_id, p["spans"][0])}
            for p in value["preconditions"]
        ],
        "counts": {"preconditions": len(value["preconditions"]), "findings": len(findings), "quotes": len(quotes),
                   "sources": len({s["id"] for f in findings for s in f["sources"]})},
        "findings": findings,
        "quotes": quotes,
    }
    if full:
        groups: dict[str, dict[str, Any]] = {}
        for finding in findings:
            for source in finding["sources"]:
                groups.setdefault(source["id"], {"source": source, "findings": []})["findings"].append(finding["id"])
        out["findings_by_source"] = list(groups.values())
    return out


def _framework_document(kb) -> dict[str, Any] | None:
    return next((d for d in kb.documents() if d["id"] == state().framework.document_id), None)


@bp.get("/kader")
@bp.get("/kader.json", endpoint="overview_json")
@bp.get("/api/values", endpoint="api_values")
def overview():
    kb, st = knowledge_base(), state()
    st.registry(kb)
    framework = st.framework
    doc = _framework_document(kb)
    data = {
        "document": {"id": framework.document_id, "title": doc["title"] if doc else None,
                     "link": url_for("documents.document", doc_id=framework.document_id),
                     "citation": references.apa_reference(doc) if doc else None},
        "stale": framework.stale,
        "summary_values": [{k: s[k] for k in ("number", "title", "text", "page")} for s in framework.summary_values],
        "levels": [{"id": level["id"], "title": level["title"]} for level in framework.levels],
        "values": [value_dict(v, full=False) for v in framework.values],
    }
    return render("framework.html", data)


@bp.get("/kader/<value_id>")
@bp.get("/kader/<value_id>.json", endpoint="value_json")
@bp.get("/api/values/<value_id>", endpoint="api_value")
def value(value_id: str):
    framework = state().framework
    found = framework.value(value_id) if _VALUE_ID.fullmatch(value_id) else None
    if found is None:
        raise NotFound(f"Er is geen waarde met de code “{value_id}”; het kader kent {', '.join(framework.value_ids)}.")
    data = value_dict(found)
    data["related"] = related_passages(found)
    data["search_link"] = url_for("search.results", q=found["title"], waarde=found["id"])
    return render("value.html", data)


def related_passages(value: dict[str, Any]) -> list[dict[str, Any]]:
    """Passages of other publications that bear on the value: those the classifier gave the value first
    (ingest.values), then the best matches of a search on its title and preconditions."""
    kb = knowledge_base()
    framework_id = state().framework.document_id
    query = " ".join([value["title"]] + [p["text"] for p in value["preconditions"]])[:1000]
    tagged = kb.search(query, k=30, values=[value["id"]])["results"]
    hits = tagged + [r for r in kb.search(query, k=30)["results"] if r["chunk_id"] not in {t["chunk_id"] for t in tagged}]
    related = [r for r in hits if r["document"]["id"] != framework_id][:RELATED_PASSAGES]
    return [
        {"text": r["text"], "document": {"id": r["document"]["id"], "title": r["document"]["title"]},
         "page": r["page"], "citation": r["citation"], "score": r["score"], "values": r["values"],
         "link": url_for("documents.document", doc_id=r["document"]["id"], _anchor=r["chunk_id"])}
        for r in related
    ]


def _source_dict(source) -> dict[str, Any]:
    kb = knowledge_base()
    titles = {d["id"]: d["title"] for d in kb.documents()}
    record = references.source_record(source)
    statements = [
        dict(s, link=place_link(s["document_id"], s["spans"][0]), document_title=titles.get(s["document_id"]),
             value_link=url_for("framework.value", value_id=s["value_id"]) if s["value_id"] else None)
        for s in source.statements
    ]
    return {
        "id": source.id, "authors": source.authors, "year": source.year, "label": source.label,
        "link": url_for("framework.source", source_id=source.id),
        "apa": references.apa_source(source), "apa_in_text": references.apa_source_in_text(source),
        "missing": [references.MISSING_LABELS[m] for m in record["missing"]],
        "reference": source.reference,
        "publication": {"id": source.publication, "title": titles.get(source.publication),
                        "link": url_for("documents.document", doc_id=source.publication)} if source.publication else None,
        "related": [{"id": d, "title": titles.get(d), "link": url_for("documents.document", doc_id=d)} for d in source.related],
        "statement_count": len(statements),
        "statements": statements,
        "bibtex_link": url_for("framework.export", fmt="bib", bron=source.id),
        "ris_link": url_for("framework.export", fmt="ris", bron=source.id),
    }


@bp.get("/bronnen")
@bp.get("/bronnen.json", endpoint="sources_json")
@bp.get("/api/sources", endpoint="api_sources")
def sources():
    registry = state().registry(knowledge_base())
    items = [_source_dict(s) for s in registry.all()]
    for item in items:
        item.pop("statements")
    return render("sources.html", {"sources": items})


@bp.get("/bronnen/<source_id>")
@bp.get("/bronnen/<source_id>.json", endpoint="source_json")
@bp.get("/api/sources/<source_id>", endpoint="api_source")
def source(source_id: str):
    registry = state().registry(knowledge_base())
    found = registry.get(source_id) if _SOURCE_ID.fullmatch(source_id) else None
    if found is None:
        raise NotFound(f"Er is geen bron met de code “{source_id}”.")
    return render("source.html", _source_dict(found))


@bp.get("/referenties.<fmt>")
def export(fmt: str):
    """BibTeX or RIS of the selected publications (``document``) and cited sources (``bron``); none: all."""
    if fmt not in ("bib", "ris"):
        raise NotFound("Downloads zijn er als .bib (BibTeX) en .ris (RIS).")
    kb = knowledge_base()
    registry = state().registry(kb)
    doc_ids, source_ids = request.args.getlist("document"), request.args.getlist("bron")
    if len(doc_ids) + len(source_ids) > MAX_SELECTION:
        raise BadRequest(f"Kies hoogstens {MAX_SELECTION} referenties tegelijk.")
    documents = {d["id"]: d for d in kb.documents()}
    unknown = [d for d in doc_ids if d not in documents] + [s for s in source_ids if registry.get(s) is None]
    if unknown:
        raise BadRequest(f"Onbekende publicatie of bron: {', '.join(unknown[:5])}.")
    if not doc_ids and not source_ids:
        chosen_docs, chosen_sources = list(documents.values()), registry.all()
    else:
        chosen_docs, chosen_sources = [documents[d] for d in doc_ids], [registry.get(s) for s in source_ids]
    body = references.export(fmt, chosen_docs, chosen_sources)
    mimetype = "application/x-bibtex" if fmt == "bib" else "application/x-research-info-systems"
    name = (doc_ids + source_ids)[0] if len(doc_ids) + len(source_ids) == 1 else "kennisbank-referenties"
    return Response(body, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
