"""The staff console: add, replace, edit and delete publications, follow their jobs, read the audit log.

Every route needs a staff account (see webui.auth): pages redirect to /inloggen, the API answers 401.
Pages and API share the views; a form gets a redirect, an API call JSON (202 for a queued job).

    GET  /beheer                                   upload form, recent jobs, publications     (.json twin)
    POST /beheer/documenten       POST /api/documents                   upload -> job (multipart: file, title,
                                                                         organisation, year, kind, sectors, url)
    GET  /beheer/documenten/<id>                   edit form (metadata), replace form, delete link
    POST /beheer/documenten/<id>  PATCH /api/documents/<id>             new metadata -> job (no re-upload)
    POST /beheer/documenten/<id>/bestand  PUT /api/documents/<id>/file  new version of the file -> job
    GET  /beheer/documenten/<id>/verwijderen       confirmation page
    POST /beheer/documenten/<id>/verwijderen  DELETE /api/documents/<id>?confirm=<id>   delete -> job
    GET  /beheer/taken  /api/jobs                  recent jobs
    GET  /beheer/taken/<job>  /api/jobs/<job>      one job: state, stage, report (pages, chunks, warnings, reason)
    POST /beheer/taken/<job>/opnieuw  POST /api/jobs/<job>/retry        retry a failed job
    GET  /beheer/logboek  /api/audit               audit log: who did what to which publication, when
    GET  /beheer/bronnen/<id>                      form: the full reference of a cited work
    POST /beheer/bronnen/<id>  PUT /api/sources/<id>/reference          store it (audited: "source-reference")
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, g, redirect, request, url_for

from kennisbank.core.accounts import console_path
from kennisbank.core.errors import BadRequest, ConfigError, KennisbankError, NotFound
from kennisbank.core.jobs import JobQueue
from kennisbank.core.model import is_doc_id, publication_meta
from kennisbank.ingest.publications import Conflict, Publications
from kennisbank.ingest.worker import worker_for
from kennisbank.search.csl import SOURCE_TYPES, source_item
from kennisbank.webui.auth import accounts, staff_required, upload_route
from kennisbank.webui.framework_pages import state as framework_state
from kennisbank.webui.params import clean_text
from kennisbank.webui.render import render, wants_json
from kennisbank.webui.state import knowledge_base

bp = Blueprint("staff", __name__)
bp.before_request(staff_required)

JOBS = "kennisbank.jobs"
_JOB_ID = re.compile(r"^[0-9]{14}-[0-9a-f]{8}$")
LIMITS = {"title": 300, "organisation": 200, "kind": 100, "url": 500, "sectors": 500, "language": 10}


def jobs() -> JobQueue:
    return current_app.extensions[JOBS]


def publications() -> Publications:
    """The one change path (ingest.publications); here it receives and checks, the job worker applies."""
    return knowledge_base().publications


def _wake_worker() -> None:
    worker = current_app.extensions.get(JOBS + ".worker")
    if worker is not None:
        worker.wake.set()


# -- input ----------------------------------------------------------------------------------------------------


def _fields() -> dict[str, Any]:
    """Form fields (multipart or urlencoded) or a JSON body."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequest("De JSON-body moet een object zijn.")
        return data
    return {key: (request.form.getlist(key) if key == "sectors" else request.form.get(key)) for key in request.form}


def parse_metadata(fields: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Citation metadata from the submitted fields, on top of ``base`` (the current metadata when editing)."""
    meta = dict(base or {})
    for name in ("title", "organisation", "kind", "url", "language"):
        if name in fields and fields[name] is not None:
            value = clean_text(str(fields[name])).strip()
            if len(value) > LIMITS[name]:
                raise BadRequest(f"Het veld {name} is te lang (maximaal {LIMITS[name]} tekens).")
            meta[name] = value
    if "year" in fields and fields["year"] is not None:
        raw = str(fields["year"]).strip()
        if raw == "":
            meta["year"] = None
        elif not re.fullmatch(r"[0-9]{4}", raw) or not 1800 <= int(raw) <= 2100:
            raise BadRequest(f"Het jaar moet een getal van vier cijfers tussen 1800 en 2100 zijn, niet “{raw[:20]}”.")
        else:
            meta["year"] = int(raw)
    if "year_approximate" in fields:
        meta["year_approximate"] = str(fields["year_approximate"]).lower() in ("1", "true", "on", "ja", "yes")
    if "sectors" in fields and fields["sectors"] is not None:
        raw = fields["sectors"]
        values = raw if isinstance(raw, list) else [raw]
        sectors = [clean_text(str(s)).strip() for v in values for s in str(v).split(",")]
        if sum(len(s) for s in sectors) > LIMITS["sectors"]:
            raise BadRequest("Te veel of te lange sectoren.")
        meta["sectors"] = [s for s in sectors if s]
    url = meta.get("url") or ""
    if url and not url.lower().startswith(("https://", "http://")):
        raise BadRequest("De URL moet met https:// of http:// beginnen.")
    if meta.get("language", "nl") not in ("nl", "en"):
        raise BadRequest("De taal moet nl of en zijn.")
    try:
        return publication_meta({k: v for k, v in meta.items() if v is not None or k == "year"}, "upload")
    except ConfigError as exc:
        raise BadRequest("Een publicatie heeft een titel nodig." if "title" in exc.message else exc.message) from None


def _doc_or_404(doc_id: str):
    record = knowledge_base().catalog.get(doc_id) if is_doc_id(doc_id) else None
    if record is None:
        raise NotFound(f"Er is geen document met de code “{doc_id[:80]}”.")
    return record


def _receive_file():
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("Kies een bestand om te uploaden (veld “file”).")
    return publications().receive(upload.stream, clean_text(upload.filename or "")[-200:])


def _queued(job: dict[str, Any], action: str):
    accounts().audit(g.user, action, job["doc_id"], job=job["id"], file=job.get("original_name") or "",
                     title=job["meta"].get("title", ""))
    _wake_worker()
    if wants_json():
        return render("staff_job.html", {"job": job, "links": _job_links(job)}, status=202)
    return redirect(url_for("staff.job", job_id=job["id"]))


def _job_links(job: dict[str, Any]) -> dict[str, str]:
    return {"self": url_for("staff.api_job", job_id=job["id"]), "page": url_for("staff.job", job_id=job["id"]),
            "document": url_for("documents.document", doc_id=job["doc_id"])}


# -- views ----------------------------------------------------------------------------------------------------


@bp.get("/beheer")
@bp.get("/beheer.json", endpoint="home_json")
def home():
    kb = knowledge_base()
    data = {"user": g.user, "jobs": jobs().recent(20), "documents": kb.documents(),
            "max_upload_mb": current_app.config["KENNISBANK_SETTINGS"].max_upload_mb,
            "sources": _sources_to_complete(kb)}
    return render("staff_home.html", data)


def _sources_to_complete(kb) -> list[dict[str, Any]]:
    """Cited works whose reference lacks something (authors' initials, title, publisher), for the console."""
    out = []
    for source in framework_state().registry(kb).all():
        item = source_item(source, kb.source_meta.get(source.id))
        missing = [label for label, gap in (
            ("voorletters", any("family" in n and not n.get("given") for n in item.get("author", []))
             or any(n.get("literal", "").endswith(" et al.") for n in item.get("author", []))),
            ("titel", not item.get("title")), ("uitgever", not item.get("publisher"))) if gap]
        out.append({"id": source.id, "label": source.label, "missing": missing,
                    "link": url_for("staff.source_edit", source_id=source.id)})
    return out


@bp.post("/beheer/documenten")
@bp.post("/api/documents", endpoint="api_upload")
@upload_route
def upload():
    try:
        return _upload()
    except KennisbankError as exc:  # a refused upload: in the audit log, and on the form with what was typed
        upload_refused(exc)
        if wants_json():
            raise
        return form_again(exc)


def _upload():
    fields = _fields()
    meta = parse_metadata(fields)
    received = _receive_file()
    pending = jobs().open_jobs()
    publications().check_new(received, pending=pending)
    doc_id = publications().new_id(meta["title"], taken=[j["doc_id"] for j in pending])
    name = publications().place(received, doc_id)
    job = jobs().enqueue("add", doc_id, g.user, file=name, original_name=received.original_name,
                         content_hash=received.digest, meta=meta)
    return _queued(job, "upload")


def upload_refused(exc: KennisbankError) -> None:
    upload = request.files.get("file")
    accounts().audit(g.user, "upload-refused", "", file=clean_text(upload.filename or "")[-200:] if upload else "",
                     title=clean_text(str(request.form.get("title", "")))[:300], reason=exc.message[:500])


def form_again(exc: KennisbankError):
    """The upload form again with the message above it and every field as it was typed (not the file)."""
    values = {name: clean_text(str(request.form.get(name, "")))[:LIMITS.get(name, 300)]
              for name in ("title", "organisation", "year", "kind", "url", "language")}
    values["sectors"] = [s.strip() for s in clean_text(request.form.get("sectors", "")).split(",") if s.strip()]
    data = {"user": g.user, "jobs": jobs().recent(20), "documents": knowledge_base().documents(),
            "max_upload_mb": current_app.config["KENNISBANK_SETTINGS"].max_upload_mb,
            "error": {"status": exc.status, "message": exc.message}}
    return render("staff_home.html", data, status=exc.status,
                  form_error={"message": exc.message, "keep_file": True}, form_values=values)


@bp.get("/beheer/documenten/<doc_id>")
def edit(doc_id: str):
    record = _doc_or_404(doc_id)
    data = {"document": {"id": record.id, **record.metadata(), "format": record.format,
                         "page_count": record.page_count, "chunk_count": record.chunk_count},
            "audit": accounts().audit_log(50, doc_id=record.id)}
    return render("staff_document.html", data)


@bp.post("/beheer/documenten/<doc_id>")
@bp.patch("/api/documents/<doc_id>", endpoint="api_update")
def update(doc_id: str):
    record = _doc_or_404(doc_id)
    meta = parse_metadata(_fields(), record.metadata())
    file, original = publications().kept_file(record)
    job = jobs().enqueue("update", record.id, g.user, file=file, original_name=original,
                         content_hash=record.content_hash, meta=meta)
    return _queued(job, "update")


@bp.post("/beheer/documenten/<doc_id>/bestand")
@bp.put("/api/documents/<doc_id>/file", endpoint="api_replace")
@upload_route
def replace(doc_id: str):
    record = _doc_or_404(doc_id)
    fields = _fields()
    fields.pop("file", None)
    meta = parse_metadata(fields, record.metadata())
    received = _receive_file()
    publications().check_new(received, record.id, pending=jobs().open_jobs())
    name = publications().place(received, record.id)
    job = jobs().enqueue("replace", record.id, g.user, file=name, original_name=received.original_name,
                         content_hash=received.digest, meta=meta)
    return _queued(job, "replace")


@bp.route("/beheer/documenten/<doc_id>/verwijderen", methods=["GET", "POST"])
@bp.delete("/api/documents/<doc_id>", endpoint="api_delete")
def delete(doc_id: str):
    record = _doc_or_404(doc_id)
    if request.method == "GET":
        return render("staff_delete.html", {"document": {"id": record.id, **record.metadata()}})
    confirm = request.args.get("confirm") or request.form.get("confirm") or ""
    if confirm != record.id:
        raise BadRequest(f"Bevestig het verwijderen met confirm={record.id}.")
    job = jobs().enqueue("delete", record.id, g.user, content_hash=record.content_hash, meta=record.metadata())
    return _queued(job, "delete")


@bp.get("/beheer/taken")
@bp.get("/api/jobs", endpoint="api_jobs")
def job_list():
    return render("staff_jobs.html", {"jobs": jobs().recent(100)})


@bp.get("/beheer/taken/<job_id>")
@bp.get("/api/jobs/<job_id>", endpoint="api_job")
def job(job_id: str):
    found = jobs().get(job_id) if _JOB_ID.match(job_id) else None
    if found is None:
        raise NotFound("Deze taak bestaat niet.")
    return render("staff_job.html", {"job": found, "links": _job_links(found)})


@bp.post("/beheer/taken/<job_id>/opnieuw")
@bp.post("/api/jobs/<job_id>/retry", endpoint="api_retry")
def retry(job_id: str):
    found = jobs().get(job_id) if _JOB_ID.match(job_id) else None
    if found is None:
        raise NotFound("Deze taak bestaat niet.")
    if not jobs().retry(job_id):
        raise Conflict("Alleen een mislukte taak kan opnieuw worden gestart.")
    return _queued(jobs().get(job_id), "retry")


SOURCE_LIMITS = {"authors": 1000, "title": 500, "publisher": 200, "place": 100, "url": 500, "doi": 200}
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")


def _source_or_404(source_id: str):
    source = framework_state().registry(knowledge_base()).get(source_id) if _SOURCE_ID.match(source_id) else None
    if source is None:
        raise NotFound(f"Er is geen bron met de code “{source_id[:80]}”.")
    return source


def parse_source_reference(fields: dict[str, Any]) -> dict[str, Any]:
    """A cited work's reference from the form: authors one per line ("Achternaam, V." or "{Organisatie}")."""
    out: dict[str, Any] = {}
    for name, limit in SOURCE_LIMITS.items():
        raw = fields.get(name)
        if raw is None:
            continue
        if isinstance(raw, list):
            raw = "\n".join(str(r) for r in raw)
        text = str(raw)
        if len(text) > limit:
            raise BadRequest(f"Het veld {name} is te lang (hoogstens {limit} tekens).")
        if name == "authors":
            out["authors"] = [" ".join(clean_text(line).split()) for line in text.splitlines() if line.strip()]
        else:
            out[name] = " ".join(clean_text(text).split())
    if out.get("url") and not out["url"].lower().startswith(("https://", "http://")):
        raise BadRequest("De URL moet met https:// of http:// beginnen.")
    if out.get("doi") and not re.fullmatch(r"(https?://(dx\.)?doi\.org/|doi:)?10\.\d{4,9}/\S+", out["doi"], re.I):
        raise BadRequest("Een DOI begint met 10. (bijvoorbeeld 10.1016/j.tate.2016.01.001).")
    kind = str(fields.get("type") or "").strip()
    if kind:
        if kind not in SOURCE_TYPES:
            raise BadRequest(f"Onbekend soort bron; kies uit: {', '.join(SOURCE_TYPES)}.")
        out["type"] = kind
    return {k: v for k, v in out.items() if v}


@bp.get("/beheer/bronnen/<source_id>")
def source_edit(source_id: str):
    source = _source_or_404(source_id)
    kb = knowledge_base()
    completed = kb.source_meta.get(source.id) or {}
    item = source_item(source, completed)
    names = [("{" + n["literal"] + "}") if "literal" in n else ", ".join(x for x in (n.get("family"), n.get("given")) if x)
             for n in item.get("author", [])]
    data = {"source": {"id": source.id, "label": source.label, "reference": source.reference},
            "fields": {"authors": "\n".join(completed.get("authors") or names), "title": item.get("title", ""),
                       "publisher": item.get("publisher", ""), "place": item.get("publisher-place", ""),
                       "url": item.get("URL", ""), "doi": item.get("DOI", ""), "type": completed.get("type", "")},
            "types": SOURCE_TYPES, "completed": bool(completed),
            "audit": accounts().audit_log(50, doc_id="bron:" + source.id)}
    return render("staff_source.html", data)


@bp.post("/beheer/bronnen/<source_id>")
@bp.put("/api/sources/<source_id>/reference", endpoint="api_source_reference")
def source_update(source_id: str):
    source = _source_or_404(source_id)
    fields = parse_source_reference(_fields())
    kb = knowledge_base()
    before = kb.source_meta.get(source.id)
    kb.source_meta.put(source.id, fields, g.user)
    accounts().audit(g.user, "source-reference", "bron:" + source.id, before=before, after=fields)
    if wants_json():
        return render("staff_source.html", {"source": {"id": source.id}, "reference": fields})
    return redirect(url_for("framework.source", source_id=source.id))


@bp.get("/beheer/logboek")
@bp.get("/api/audit", endpoint="api_audit")
def audit():
    return render("staff_audit.html", {"entries": accounts().audit_log(500)})


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask, settings, kb) -> None:
    app.extensions[JOBS] = JobQueue(console_path(settings))
    if hasattr(kb, "publications") and app.config.get("KENNISBANK_JOBS_WORKER", True):
        app.extensions[JOBS + ".worker"] = worker_for(settings.data_dir, kb.publications, app.extensions[JOBS],
                                                      app.extensions["kennisbank.accounts"])
    app.register_blueprint(bp)
