"""The search page and its JSON twins: ``/``, ``/zoeken``, ``/zoeken.json`` and the API path ``/api/search``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from kennisbank.webui.framework_pages import secondary_cites
from kennisbank.webui.params import form_state, parse_search
from kennisbank.webui.render import render
from kennisbank.webui.state import knowledge_base

bp = Blueprint("search", __name__)

# said next to a page number of a publication kept as text (the shipped corpus): it is not the printed page
PAGE_NOTE = "paginanummer van de tekstversie in de kennisbank, niet van de gedrukte publicatie"


def passage_link(result: dict[str, Any]) -> str:
    """Where a result's passage is: its anchor in the document page."""
    return url_for("documents.document", doc_id=result["document"]["id"], _anchor=result["anchor"])


def page_link(result: dict[str, Any]) -> str | None:
    """The page view (the original page with the passage marked), for a paginated document."""
    if result["page"] is None:
        return None
    return url_for("documents.page_view", doc_id=result["document"]["id"], page=result["page"], passage=result["anchor"])


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
    formats = {r.id: r.format for r in kb.catalog.all()}
    data["results"] = [
        dict(result, link=passage_link(result), page_link=page_link(result),
             page_note=PAGE_NOTE if result["page"] is not None and formats.get(result["document"]["id"]) != "pdf" else None,
             secondary=secondary_cites(result["document"]["id"], result["page"], result["start"], result["end"]))
        for result in data["results"]
    ]
    return render("search.html", data, form=form, facets=facets)
