"""The search page and its JSON twins: ``/``, ``/zoeken``, ``/zoeken.json`` and the API path ``/api/search``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from kennisbank.webui.params import form_state, parse_search
from kennisbank.webui.render import render
from kennisbank.webui.state import knowledge_base

bp = Blueprint("search", __name__)


def passage_link(result: dict[str, Any]) -> str:
    """Where a result's passage is: its anchor in the document page."""
    return url_for("documents.document", doc_id=result["document"]["id"], _anchor=result["chunk_id"])


@bp.get("/", endpoint="index")
@bp.get("/zoeken", endpoint="results")
@bp.get("/zoeken.json", endpoint="results_json")
@bp.get("/api/search", endpoint="api_search")
def search():
    kb = knowledge_base()
    facets = kb.facets()
    form = form_state(request.args)
    if "q" not in request.args and request.endpoint != "search.api_search":
        # No question asked yet: the page is the form (its JSON twin lists the filter values).
        return render("search.html", {"query": None, "results": [], "facets": facets}, form=form, facets=facets)
    data = dict(kb.search(**parse_search(request.args, facets)))
    data["results"] = [dict(result, link=passage_link(result)) for result in data["results"]]
    return render("search.html", data, form=form, facets=facets)
