"""The document list and the document page (whole text, page by page, each passage anchored), with JSON twins;
the kept original and its pages.

    /documenten/<id>                    the stored text, page by page; each passage has its stable anchor
    /documenten/<id>/bestand            the kept original (a PDF inline), only the file the catalog knows
    /documenten/<id>/pagina/<n>         one page: the original page as an image (PDF) with the passage marked
                                        (?passage=<anchor>), and the page's stored text; a text publication
                                        shows its text page
    /documenten/<id>/pagina/<n>.png     that page image
    /documenten/<id>/passage/<anchor>   a stable passage link: to the passage, or to the document with a notice
                                        when the passage is no longer there (also for old ``<id>.c<n>`` links)
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from flask import Blueprint, current_app, redirect, request, send_file, url_for

from kennisbank.core.errors import NotFound
from kennisbank.core.model import is_doc_id
from kennisbank.ingest import library
from kennisbank.search import csl
from kennisbank.search.anchors import ANCHOR, is_old_chunk_id
from kennisbank.webui import page_images
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
    record = knowledge_base().catalog.get(doc_id)
    has_original = library.original(current_app.config["KENNISBANK_SETTINGS"], record) is not None
    data["original"] = url_for("documents.original", doc_id=doc_id) if has_original else None
    data["page_basis"] = page_basis(data["document"], has_original)
    data["exports"] = export_links(document=doc_id)
    gone = request.args.get("verdwenen", "")
    return render("document.html", data, pages=page_segments(data["pages"], data["chunks"]),
                  gone=gone if gone and len(gone) <= 250 else None,
                  page_links=data["document"]["format"] == "pdf" and has_original)


def export_links(**selection: str) -> dict[str, str]:
    return {label: url_for("framework.export", fmt=fmt, **selection)
            for fmt, label in (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON"))}


def page_basis(document: dict[str, Any], has_original: bool) -> str | None:
    """What a page number of this publication counts, said to the reader."""
    if document.get("page_count") is None:
        return None
    if document.get("format") == "pdf":
        return "Paginanummers tellen de pagina's van het PDF-bestand (pagina 1 is de eerste pagina van het bestand)."
    return ("Paginanummers tellen de pagina's van de tekstversie in de kennisbank, niet de gedrukte paginanummers "
            "van de oorspronkelijke publicatie.")


def _record(doc_id: str):
    record = knowledge_base().catalog.get(doc_id) if is_doc_id(doc_id) else None
    if record is None:
        raise NotFound(f"Er is geen document met de code “{doc_id}”.")
    return record


def _safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:120] or "document"


@bp.get("/documenten/<doc_id>/bestand")
def original(doc_id: str):
    """The kept original, exactly as taken in (PDF inline; other formats as a download)."""
    record = _record(doc_id)
    path = library.original(current_app.config["KENNISBANK_SETTINGS"], record)
    if path is None:
        raise NotFound("Het oorspronkelijke bestand van deze publicatie is niet in de kennisbank bewaard; "
                       "de tekst staat op de documentpagina.")
    suffix = path.suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,8}", path.suffix.lower()) else ""
    name = _safe_filename(record.id) + suffix
    mimetype = {"pdf": "application/pdf", "text": "text/plain", "markdown": "text/markdown",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}.get(
        record.format, "application/octet-stream")
    response = send_file(path, mimetype=mimetype, as_attachment=record.format != "pdf", download_name=name,
                         conditional=True, etag=record.content_hash[:32], max_age=0)
    if record.format == "pdf":
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    # the file runs nothing of ours; no "sandbox": Chromium refuses to show a PDF in a sandboxed document
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


def _page_texts(doc_id: str) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    data = knowledge_base().document(doc_id)
    return data, data["pages"], data["chunks"]


@bp.get("/documenten/<doc_id>/pagina/<int:page>")
@bp.get("/documenten/<doc_id>/pagina/<int:page>.json", endpoint="page_view_json")
def page_view(doc_id: str, page: int):
    record = _record(doc_id)
    data, pages, chunks = _page_texts(doc_id)
    if not record.paginated or not 1 <= page <= len(pages):
        raise NotFound(f"Deze publicatie heeft geen pagina {page}.")
    anchor = request.args.get("passage", "")
    passage = next((c for c in chunks if c["anchor"] == anchor), None) if ANCHOR.fullmatch(anchor or "") else None
    text = pages[page - 1]["text"]
    marked = None
    if passage is not None and passage["page"] == page:
        marked = {"start": passage["start"], "end": passage["end"]}
    settings = current_app.config["KENNISBANK_SETTINGS"]
    path = library.original(settings, record) if record.format == "pdf" else None
    image = None
    if path is not None:
        picture = page_images.page_image(path, record.content_hash, page, settings.data_dir / "cache" / "pages")
        boxes = page_images.passage_boxes(path, page, text[marked["start"]:marked["end"]]) if marked else []
        image = {"src": url_for("documents.page_png", doc_id=doc_id, page=page), "width": picture.width,
                 "height": picture.height, "boxes": [b.__dict__ for b in boxes]}
    item = knowledge_base().citation_item({"id": record.id, **record.metadata()}, record.version)
    out = {
        "document": data["document"], "page_no": page, "page_count": len(pages), "text": text,
        "passage": anchor if passage else None, "marked": marked, "image": image,
        "page_basis": page_basis(data["document"], path is not None),
        "cite": csl.cite_block(item, str(page)),
        "document_link": url_for("documents.document", doc_id=doc_id, _anchor=anchor if passage else f"p-{page}"),
        "original": url_for("documents.original", doc_id=doc_id) if path is not None else None,
        # the browser's own PDF viewer (in Firefox: PDF.js) opens the kept file at this page
        "original_at_page": url_for("documents.original", doc_id=doc_id, _anchor=f"page={page}") if path is not None else None,
        "previous": url_for("documents.page_view", doc_id=doc_id, page=page - 1) if page > 1 else None,
        "next": url_for("documents.page_view", doc_id=doc_id, page=page + 1) if page < len(pages) else None,
        "notice": None if passage or not anchor else "Deze passage staat niet (meer) op deze pagina.",
    }
    return render("page.html", out)


@bp.get("/documenten/<doc_id>/pagina/<int:page>.png")
def page_png(doc_id: str, page: int):
    record = _record(doc_id)
    settings = current_app.config["KENNISBANK_SETTINGS"]
    path = library.original(settings, record) if record.format == "pdf" else None
    if path is None or not 1 <= page <= min(record.page_count, page_images.MAX_PAGES):
        raise NotFound(f"Van deze publicatie is geen afbeelding van pagina {page}.")
    picture = page_images.page_image(path, record.content_hash, page, settings.data_dir / "cache" / "pages")
    response = send_file(picture.path, mimetype="image/png", conditional=True, max_age=3600)
    return response


@bp.get("/documenten/<doc_id>/passage/<path:anchor>")
def passage(doc_id: str, anchor: str):
    """A stable passage link. A passage that is gone never lands on another passage: the document, with a notice."""
    _record(doc_id)
    chunks = knowledge_base().document(doc_id)["chunks"]
    if any(c["anchor"] == anchor for c in chunks):
        return redirect(url_for("documents.document", doc_id=doc_id, _anchor=anchor))
    if len(anchor) > 250 or not (ANCHOR.fullmatch(anchor) or is_old_chunk_id(anchor)):
        raise NotFound("Deze passage bestaat niet.")
    return redirect(url_for("documents.document", doc_id=doc_id, verdwenen=anchor))


def page_segments(pages: list[dict[str, Any]], chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each page's text cut into pieces: passages (with their ``anchor``) and the text between them.

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
                segments.append({"text": text[cursor:start], "anchor": None})
            segments.append({"text": text[start:end] if end > start else "", "anchor": chunk["anchor"]})
            cursor = max(cursor, end)
        if cursor < len(text):
            segments.append({"text": text[cursor:], "anchor": None})
        out.append({"page": page.get("page"), "segments": segments})
    return out
