"""Access to the long-lived objects the app factory put in ``app.extensions``."""

from __future__ import annotations

from flask import current_app

EXTENSION = "kennisbank"


def knowledge_base():
    """The app's one ``KnowledgeBase`` (opened once by ``create_app``)."""
    return current_app.extensions[EXTENSION]
