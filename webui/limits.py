"""Input limits for every request that changes something: JSON size and depth, and text without control
characters or lone surrogates. A refusal is a 400 (413 for size) with a Dutch message, never a 500.

Python's JSON parser recurses once per nesting level, so a body of 100,000 ``[`` raised RecursionError (a 500);
a ``"\\ud800"`` escape gives a string no UTF-8 encoder accepts (a 500 later, in SQLite or the template). Both
are caught here, before any view sees the body: the nesting depth is counted on the raw text first (a scan
that does not recurse), then the parsed values are checked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request

from kennisbank.core.errors import BadRequest, KennisbankError

MAX_JSON_BYTES = 256 * 1024
MAX_JSON_DEPTH = 20
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# C0 controls except tab, newline and carriage return; DEL and the C1 controls; lone surrogates.
_BAD_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class PayloadTooLarge(KennisbankError):
    status = 413


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings are skipped; no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def check_text(value: str, field: str) -> None:
    match = _BAD_CHARACTER.search(value)
    if match:
        raise BadRequest(
            f"Het veld “{field[:40]}” bevat een ongeldig teken (U+{ord(match.group()):04X}: een stuurteken of een "
            "losse surrogaat). Verwijder het en probeer het opnieuw."
        )


def _walk(value: Any, field: str) -> None:
    stack = [(value, field)]
    while stack:
        item, name = stack.pop()
        if isinstance(item, str):
            check_text(item, name)
        elif isinstance(item, dict):
            for key, inner in item.items():
                check_text(key, name or key)
                stack.append((inner, key))
        elif isinstance(item, list):
            stack.extend((inner, name) for inner in item)


def check_request() -> None:
    """``before_request``: refuse an oversized, too deep or malformed JSON body and bad characters in fields."""
    if request.method in SAFE_METHODS:
        return
    if request.is_json:
        if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
            raise PayloadTooLarge(f"De JSON-body is te groot (maximaal {MAX_JSON_BYTES // 1024} KiB).")
        raw = request.get_data(cache=True)
        if len(raw) > MAX_JSON_BYTES:
            raise PayloadTooLarge(f"De JSON-body is te groot (maximaal {MAX_JSON_BYTES // 1024} KiB).")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("De JSON-body is geen geldige UTF-8.") from None
        if json_depth(text) > MAX_JSON_DEPTH:
            raise BadRequest(f"De JSON-body is te diep genest (maximaal {MAX_JSON_DEPTH} niveaus).")
        if text.strip():
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):
                raise BadRequest("De JSON-body is geen geldige JSON.") from None
            _walk(data, "")
        return
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for key, values in request.form.lists():
            check_text(key, key)
            for value in values:
                check_text(value, key)
        for key, upload in request.files.items():
            check_text(upload.filename or "", "bestandsnaam")


def init_app(app: Flask) -> None:
    app.before_request(check_request)
