"""The web application factory.

``create_app`` reads the settings once, opens the ``KnowledgeBase`` once through the composition root
(kennisbank.app; it holds the embedded store: one process, one instance) and keeps it in
``app.extensions["kennisbank"]``; it is closed at process exit, never per request. Tests pass their own
``kb`` (and close it themselves).
"""

from __future__ import annotations

import atexit
from typing import Any, Mapping

from flask import Flask

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.webui import (
    answer_pages,
    auth,
    backup_pages,
    document_pages,
    framework_pages,
    limits,
    readonly,
    render,
    search_pages,
    staff_pages,
    staff_words,
    templating,
)
from kennisbank.webui.state import EXTENSION


def create_app(
    settings: Settings | None = None, kb: Any = None, test_config: Mapping[str, Any] | None = None
) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=1024 * 1024,  # the site takes no uploads; refuse large bodies early
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    settings = settings if settings is not None else Settings.load()
    app.config["KENNISBANK_SETTINGS"] = settings
    if kb is None:
        kb = KnowledgeBase.open(settings)
        atexit.register(kb.close)
    app.extensions[EXTENSION] = kb

    templating.init_app(app)
    render.init_app(app)
    app.register_blueprint(search_pages.bp)
    app.register_blueprint(document_pages.bp)
    app.register_blueprint(framework_pages.bp)  # the framework: values, evidence, cited sources, references
    app.register_blueprint(answer_pages.bp)  # evidence answers: /vraag, /api/answer
    auth.init_app(app, settings)
    limits.init_app(app)  # after auth's body-size check: JSON depth and size, no control characters
    readonly.init_app(app)  # a full disk: 507 "schijf vol", or read-only mode when started on a full disk
    staff_pages.init_app(app, settings, kb)
    staff_words.init_app(app)  # job states, reasons, audit entries in words; Europe/Amsterdam times
    backup_pages.init_app(app)  # POST /api/backup: the server backs up the data directory it owns
    return app
