"""The search page and its JSON twins: ``/``, ``/zoeken``, ``/zoeken.json`` and the API path ``/api/search``.

The list is `Searcher.result_list`: repeats grouped (``also``), the answer page's relevance gate (``status``,
``relevant``), the thesaurus terms the query was expanded with (``expansions``) and a spelling suggestion
(``suggestion``). Below the gate the page says so and shows the nearest passages under that heading.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from kennisbank.search.terms import QueryTerms
from kennisbank.webui.framework_pages import secondary_cites
from kennisbank.webui.params import form_state, parse_search
from kennisbank.webui.render import render
from kennisbank.webui.state import knowledge_base

bp = Blueprint("search", __name__)

#: example questions on the start page (each one a link to its results)
EXAMPLE_QUESTIONS = (
    "Blijven startende leraren langer in het onderwijs?",
    "Wat doet een werkplekbegeleider?",
    "Hoe werken school en lerarenopleiding samen aan de kwaliteit van opleiden?",
    "What does research say about induction of beginning teachers?",
)

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


def active_filters(filters: dict[str, Any], facets: dict[str, Any]) -> list[str]:
    """The filters in force, in words, for the results heading ("soort: Positiedocument")."""
    titles = {name: {c["value"]: c["title"] for c in facets["counts"][name]}
              for name in ("kinds", "sectors", "values")}
    named: list[str] = []
    for key, label, name in (("kind", "soort", "kinds"), ("sectors", "sector", "sectors"), ("values", "waarde", "values")):
        if filters.get(key):
            named.append(f"{label}: " + ", ".join(titles[name].get(v, v) for v in filters[key]))
    if filters.get("organisation"):
        named.append("organisatie: " + ", ".join(filters["organisation"]))
    year_from, year_to = filters.get("year_from"), filters.get("year_to")
    if year_from is not None and year_to is not None:
        named.append(f"jaar {year_from} t/m {year_to}")
    elif year_from is not None:
        named.append(f"vanaf {year_from}")
    elif year_to is not None:
        named.append(f"tot en met {year_to}")
    return named


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
        return render("search.html", {"query": None, "results": [], "facets": facets}, form=form, facets=facets,
                      examples=EXAMPLE_QUESTIONS)
    data = kb.result_list(**parse_search(request.args, facets))
    formats = {r.id: r.format for r in kb.catalog.all()}
    data["results"] = [
        dict(result, link=passage_link(result), page_link=page_link(result),
             page_note=PAGE_NOTE if result["page"] is not None and formats.get(result["document"]["id"]) != "pdf" else None,
             secondary=secondary_cites(result["document"]["id"], result["page"], result["start"], result["end"]),
             also=[dict(place, link=passage_link(place)) for place in result["also"]])
        for result in data["results"]
    ]
    value_titles = {c["value"]: c["title"] for c in facets["counts"]["values"]}
    return render("search.html", data, form=form, facets=facets, terms=QueryTerms(data["query"], data["expansions"]),
                  value_titles=value_titles, active_filters=active_filters(data["filters"], facets))
