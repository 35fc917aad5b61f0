"""One page, two renderings: every view builds one plain dict; ``render`` returns it as HTML or as JSON.

Also home to the single error handler (a ``KennisbankError`` or an HTTP error becomes a JSON body
``{"error": {"status", "message"}}`` or a Dutch HTML page, whichever the request asks for) and to the security
headers every response carries.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kennisbank.core.errors import KennisbankError
from kennisbank.webui.params import form_state

log = logging.getLogger(__name__)

# Dutch messages for the HTTP errors Flask raises itself (unknown URL, wrong method, ...).
HTTP_MESSAGES = {
    400: "Dit verzoek kunnen we niet verwerken.",
    404: "Deze pagina bestaat niet.",
    405: "Deze methode is hier niet toegestaan.",
    413: "Dit verzoek is te groot.",
    414: "Dit adres is te lang.",
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def wants_json() -> bool:
    """JSON for /api/..., for a .json suffix, for ?format=json, and for clients that prefer it over HTML."""
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def json_url(path: str | None = None) -> str:
    """Link to the JSON twin of the current page (same query string plus ``format=json``)."""
    args = request.args.to_dict(flat=False)
    args["format"] = ["json"]
    return (path or request.path) + "?" + urlencode(args, doseq=True)


def render(template: str, data: dict[str, Any], status: int = 200, **page: Any) -> Response | tuple:
    """``data`` as JSON, or the template with ``data`` plus ``page`` (form state and other chrome: HTML only)."""
    if wants_json():
        response = jsonify(data)
        response.status_code = status
        return response
    return render_template(template, **data, page=page, json_url=json_url()), status


def error_page(status: int, message: str | None = None):
    """The app's error answer (JSON or a Dutch page, as the request asks) for an HTTP status, inside a request
    context: also used by the production server for the errors it answers before the app sees the request."""
    return _error_response(status, message or HTTP_MESSAGES.get(status, "Dit verzoek kunnen we niet verwerken."))


def _error_response(status: int, message: str):
    data = {"error": {"status": status, "message": message}}
    return render("error.html", data, status=status, form=form_state(request.args))


def handle_kennisbank_error(error: KennisbankError):
    if error.status >= 500:
        log.error("%s: %s", type(error).__name__, error.message)
    return _error_response(error.status, error.message)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    message = HTTP_MESSAGES.get(status, error.name)
    return _error_response(status, message)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    current_app.logger.exception("Unexpected error on %s", request.path)
    return _error_response(500, "Er ging iets mis aan onze kant. Probeer het later opnieuw.")


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(KennisbankError, handle_kennisbank_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
    app.after_request(security_headers)
