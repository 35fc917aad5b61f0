"""The document list and the document page (whole text, page by page, each passage anchored), with JSON twins."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, url_for

from kennisbank.core.errors import NotFound
from kennisbank.core.model import is_doc_id
from kennisbank.webui.render import render
from kennisbank.webui.state import knowledge_base

bp = Blueprint("documents", __name__)


@bp.get("/documenten")
@bp.get("/documenten.json", endpoint="documents_json")
@bp.get("/api/documents", endpoint="api_documents")
def documents():
    docs = [dict(doc, link=url_for("documents.document", doc_id=doc["id"])) for doc in knowledge_base().documents()]
    return render("documents.html", {"documents": docs})


@bp.get("/documenten/<doc_id>")
@bp.get("/documenten/<doc_id>.json", endpoint="document_json")
@bp.get("/api/documents/<doc_id>", endpoint="api_document")
def document(doc_id: str):
    if not is_doc_id(doc_id):
        raise NotFound("Dit document bestaat niet.")
    try:
        data = knowledge_base().document(doc_id)
    except NotFound:
        raise NotFound(f"Er is geen document met de code “{doc_id}”.") from None
    return render("document.html", data, pages=page_segments(data["pages"], data["chunks"]))


def page_segments(pages: list[dict[str, Any]], chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each page's text cut into pieces: passages (with their ``chunk_id``, the anchor) and the text between them.

    If passages overlap, a passage starts where the previous one ended: an element cannot be in two passages.
    """
    by_page: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for chunk in chunks:
        by_page[chunk.get("page")].append(chunk)
    out = []
    for page in pages:
        text = page.get("text") or ""
        segments: list[dict[str, Any]] = []
        cursor = 0
        for chunk in sorted(by_page.get(page.get("page"), []), key=lambda c: (c["start"], c["end"])):
            start = min(max(chunk["start"], cursor), len(text))
            end = min(chunk["end"], len(text))
            if start > cursor:
                segments.append({"text": text[cursor:start], "chunk_id": None})
            segments.append({"text": text[start:end] if end > start else "", "chunk_id": chunk["chunk_id"]})
            cursor = max(cursor, end)
        if cursor < len(text):
            segments.append({"text": text[cursor:], "chunk_id": None})
        out.append({"page": page.get("page"), "segments": segments})
    return out
