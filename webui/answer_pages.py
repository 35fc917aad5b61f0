"""The answer page and its JSON twin: ``/vraag?q=...`` and ``GET /api/answer?q=...`` (one dict, see search.answer).

The ``Answerer`` (framework, source registry, page texts) is made once per app and kept in ``app.extensions``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request, url_for

from kennisbank.search.answer import Answerer
from kennisbank.search.summary import add_summary
from kennisbank.webui.framework_pages import anchor_at, place_link
from kennisbank.webui.params import form_state, parse_query
from kennisbank.webui.render import render
from kennisbank.webui.state import knowledge_base

bp = Blueprint("answer", __name__)
EXTENSION = "kennisbank_answerer"


def answerer() -> Answerer:
    if EXTENSION not in current_app.extensions:
        current_app.extensions[EXTENSION] = Answerer(knowledge_base())
    return current_app.extensions[EXTENSION]


def _with_links(data: dict[str, Any]) -> dict[str, Any]:
    for kind in ("findings", "quotes"):
        for item in data[kind]:
            item["link"] = place_link(item["document_id"], item["spans"][0])
            if item["page"] is not None:
                item["page_link"] = url_for("documents.page_view", doc_id=item["document_id"], page=item["page"],
                                            passage=item.get("anchor") or anchor_at(item["document_id"], item["spans"][0]))
    for item in data.get("nearest", []):
        item["link"] = url_for("documents.document", doc_id=item["document"]["id"], _anchor=item["anchor"])
    for item in data["passages"]:
        item["link"] = url_for("documents.document", doc_id=item["document_id"], _anchor=item["anchor"])
    best = max((value["score"] for value in data["values"]), default=0.0)
    for value in data["values"]:
        value["link"] = url_for("framework.value", value_id=value["id"])
        value["fit"] = fit_words(value["score"], best)
    documents = list(dict.fromkeys(item["document_id"] for kind in ("findings", "quotes", "passages") for item in data[kind]))
    sources = list(dict.fromkeys(s["id"] for f in data["findings"] for s in f["sources"]))
    data["exports"] = {label: url_for("framework.export", fmt=fmt, document=documents, bron=sources)
                       for fmt, label in (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON"))} if documents else {}
    return data


def fit_words(score: float, best: float) -> str:
    """How well a value fits the question, in words instead of its score: relative to the best value."""
    share = score / best if best > 0 else 0.0
    if share >= 0.999:
        return "past het best bij uw vraag"
    if share >= 0.5:
        return "past ook goed"
    if share >= 0.2:
        return "past deels"
    return "past zijdelings"


@bp.get("/vraag", endpoint="page")
@bp.get("/vraag.json", endpoint="page_json")
@bp.get("/api/answer", endpoint="api")
def answer():
    form = form_state(request.args)
    if "q" not in request.args and request.endpoint == "answer.page":
        return render("answer.html", {"query": None}, form=form)
    data = _with_links(answerer().answer(parse_query(request.args)))
    add_summary(data, current_app.config["KENNISBANK_SETTINGS"])
    return render("answer.html", data, form=form)
