"""A full disk in the web layer: a 507 "schijf vol" instead of a 500 when a write fails for want of space, and
the read-only mode the server starts in when the disk is already full (see kennisbank.diskspace): every page
says so, and every change to the collection is refused with the reason; searching works as always.
"""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, request

from kennisbank.core.diskspace import DiskFull, is_disk_full
from kennisbank.core.errors import KennisbankError
from kennisbank.webui.render import handle_kennisbank_error, handle_unexpected

READONLY = "KENNISBANK_READONLY"  # app.config: the reason, or empty
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Changes that still work on the read-only copy: signing in and out.
ALLOWED_ENDPOINTS = frozenset({"auth.login", "auth.logout"})


class ReadOnly(KennisbankError):
    status = 503


def refuse_changes() -> None:
    reason = current_app.config.get(READONLY)
    if reason and request.method not in SAFE_METHODS and request.endpoint not in ALLOWED_ENDPOINTS:
        raise ReadOnly(f"{reason} Wijzigingen zijn nu niet mogelijk.")


def handle_os_error(error: Exception):
    if is_disk_full(error):
        current_app.logger.error("disk full on %s: %s", request.path, error)
        return handle_kennisbank_error(DiskFull(
            "schijf vol: op de schijf van de kennisbank is geen ruimte meer; er is niets opgeslagen. Zoeken werkt "
            "gewoon; vraag de beheerder ruimte vrij te maken."))
    return handle_unexpected(error)


def init_app(app: Flask) -> None:
    app.config.setdefault(READONLY, "")
    app.before_request(refuse_changes)
    app.register_error_handler(OSError, handle_os_error)
    app.register_error_handler(sqlite3.Error, handle_os_error)  # "database or disk is full"
    app.jinja_env.globals["readonly_reason"] = lambda: current_app.config.get(READONLY, "")
