"""The framework pages and their JSON twins: the overview (the table, alive), a value, the cited sources,
and reference downloads (BibTeX, RIS).

    /kader, /kader.json, /api/values                      every value: preconditions, findings, quotes, counts
    /kader/<id>, /kader/<id>.json, /api/values/<id>       one value; findings grouped by source, related passages
    /bronnen, /bronnen.json, /api/sources                 every cited source
    /bronnen/<id>, /bronnen/<id>.json, /api/sources/<id>  its reference and every statement citing it
    /referenties.bib, .ris, .json                         ?document=<id>&bron=<id> (repeatable): a selection,
                                                          as BibTeX (biblatex-apa), RIS or CSL-JSON

Every statement links to its place: ``/documenten/<doc>#<passage>``, the passage holding its first span.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for

from kennisbank.core.errors import BadRequest, NotFound
from kennisbank.core.model import SOURCE_ID
from kennisbank.search import csl, references
from kennisbank.search.framework import Framework
from kennisbank.search.sources import Source
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
        self._statements = None

    def registry(self, kb=None):
        return self.kb.registry()

    def statements(self, kb, doc_id: str) -> list[dict[str, Any]]:
        """The statements in one publication that cite other works: spans, the cited sources, the citation."""
        registry = self.registry(kb)
        if self._statements is None or self._statements[0] is not registry:
            grouped: dict[tuple, dict[str, Any]] = {}
            for source in registry.all():
                for st in source.statements:
                    key = (st["document_id"], tuple((sp["page"], sp["start"], sp["end"]) for sp in st["spans"]))
                    entry = grouped.setdefault(key, {"document_id": st["document_id"], "spans": st["spans"],
                                                     "citation": st["citation"], "sources": []})
                    if source not in entry["sources"]:
                        entry["sources"].append(source)
            by_doc: dict[str, list[dict[str, Any]]] = {}
            for entry in grouped.values():
                by_doc.setdefault(entry["document_id"], []).append(entry)
            self._statements = (registry, by_doc)
        return self._statements[1].get(doc_id, [])

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


def anchor_at(doc_id: str, span: dict[str, int]) -> str | None:
    """The stable anchor of the passage that holds the start of ``span``."""
    kb, st = knowledge_base(), state()
    st.registry(kb)
    for chunk in st.chunks(kb, doc_id):
        if chunk["page"] in (span["page"], None) and chunk["start"] <= span["start"] < chunk["end"]:
            return chunk["anchor"]
    return None


def place_link(doc_id: str, span: dict[str, int]) -> str:
    """The document page, at the passage that holds the start of ``span``."""
    return url_for("documents.document", doc_id=doc_id, _anchor=anchor_at(doc_id, span) or f"p-{span['page']}")


def source_csl(source) -> dict[str, Any]:
    """The CSL-JSON item of a cited work: what the publications give, completed by staff."""
    return csl.source_item(source, knowledge_base().source_meta.get(source.id))


def document_csl(doc_id: str) -> dict[str, Any]:
    kb = knowledge_base()
    record = kb.catalog.get(doc_id)
    if record is None:
        raise NotFound(f"Er is geen document met de code “{doc_id}”.")
    return kb.citation_item({"id": record.id, **record.metadata()}, record.version)


def finding_cite(registry, finding: dict[str, Any], doc_id: str) -> dict[str, Any]:
    """The secondary citation of a finding (its sources as cited in the publication) and what to cite."""
    originals = []
    for cited in finding["sources"]:
        source = registry.get(cited["key"]) or Source(id=cited["key"], authors=cited["authors"], year=cited["year"])
        originals.append(source_csl(source))
    return csl.cite_block(document_csl(doc_id), csl.page_locator(finding["spans"]), originals)


def secondary_cites(doc_id: str, page: int | None, start: int, end: int) -> list[dict[str, Any]]:
    """Secondary citations for a passage: one per statement in it that reports another work ("Leeferink (2016)
    ... zoals geciteerd in" the publication, with the statement's page)."""
    kb, st = knowledge_base(), state()
    out = []
    for statement in st.statements(kb, doc_id):
        if not any(sp["page"] in (page, None) and sp["start"] < end and start < sp["end"] for sp in statement["spans"]):
            continue
        originals = [source_csl(source) for source in statement["sources"]]
        block = csl.cite_block(document_csl(doc_id), csl.page_locator(statement["spans"]), originals)
        out.append({"label": "; ".join(s.label for s in statement["sources"]),
                    "sources": [{"id": s.id, "label": s.label, "link": url_for("framework.source", source_id=s.id)}
                                for s in statement["sources"]],
                    "text": statement.get("text"), "cite": block})
    seen, unique = set(), []
    for item in out:  # the same sources cited twice in one passage: one citation (the first page)
        if item["label"] not in seen:
            seen.add(item["label"])
            unique.append(item)
    return unique


def _source_brief(registry, cited: dict[str, Any]) -> dict[str, Any]:
    source = registry.get(cited["key"])
    return {"id": cited["key"], "authors": cited["authors"], "year": cited["year"],
            "link": url_for("framework.source", source_id=cited["key"]),
            "apa": csl.reference(source_csl(source)).text if source else None}


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
            "page_label": csl.page_locator(f["spans"]),
            "spans": f["spans"],
            "link": place_link(doc_id, f["spans"][0]),
            "cite": finding_cite(registry, f, doc_id),
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
                     "citation": csl.reference(document_csl(doc["id"])).text if doc else None},
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
         "link": url_for("documents.document", doc_id=r["document"]["id"], _anchor=r["anchor"])}
        for r in related
    ]


def _source_dict(source, with_statements: bool = True) -> dict[str, Any]:
    kb = knowledge_base()
    titles = {d["id"]: d["title"] for d in kb.documents()}
    completed = kb.source_meta.get(source.id)
    record = references.source_record(source, completed)
    entry = csl.reference(record["csl"])
    statements = [
        dict(s, link=place_link(s["document_id"], s["spans"][0]), document_title=titles.get(s["document_id"]),
             value_link=url_for("framework.value", value_id=s["value_id"]) if s["value_id"] else None,
             cite=csl.cite_block(document_csl(s["document_id"]), csl.page_locator(s["spans"]), [record["csl"]]))
        for s in (source.statements if with_statements else [])
    ]
    out = {
        "id": source.id, "authors": source.authors, "year": source.year, "label": source.label,
        "link": url_for("framework.source", source_id=source.id),
        "apa": entry.text, "apa_html": entry.html, "apa_in_text": csl.in_text(record["csl"]).text,
        "csl": record["csl"], "completed": completed is not None,
        "missing": [references.MISSING_LABELS[m] for m in record["missing"]],
        "reference": source.reference,
        "publication": {"id": source.publication, "title": titles.get(source.publication),
                        "link": url_for("documents.document", doc_id=source.publication)} if source.publication else None,
        "related": [{"id": d, "title": titles.get(d), "link": url_for("documents.document", doc_id=d)} for d in source.related],
        "statement_count": len(source.statements),
        "statements": statements,
        "bibtex_link": url_for("framework.export", fmt="bib", bron=source.id),
        "ris_link": url_for("framework.export", fmt="ris", bron=source.id),
        "csl_link": url_for("framework.export", fmt="json", bron=source.id),
    }
    if not with_statements:
        out.pop("statements")
    return out


@bp.get("/bronnen")
@bp.get("/bronnen.json", endpoint="sources_json")
@bp.get("/api/sources", endpoint="api_sources")
def sources():
    registry = state().registry(knowledge_base())
    items = [_source_dict(s, with_statements=False) for s in registry.all()]
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
    """BibTeX, RIS or CSL-JSON of the selected publications (``document``) and cited sources (``bron``); none: all."""
    if fmt not in references.FORMATS:
        raise NotFound("Downloads zijn er als .bib (BibTeX), .ris (RIS) en .json (CSL-JSON).")
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
        chosen_docs = [documents[d] for d in dict.fromkeys(doc_ids)]
        chosen_sources = [registry.get(s) for s in dict.fromkeys(source_ids)]
    entries = [references.document_entry(document_csl(d["id"]), d) for d in chosen_docs]
    entries += [references.source_entry(s, kb.source_meta.get(s.id)) for s in chosen_sources]
    body = references.export(fmt, entries)
    mimetype = {"bib": "application/x-bibtex", "ris": "application/x-research-info-systems",
                "json": "application/vnd.citationstyles.csl+json"}[fmt]
    name = (doc_ids + source_ids)[0] if len(doc_ids) + len(source_ids) == 1 else "kennisbank-referenties"
    return Response(body, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
