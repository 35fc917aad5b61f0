"""The product's error types. Each carries a message for a person and an HTTP status for the web layer."""

from __future__ import annotations


class KennisbankError(Exception):
    """Base error: a message meant for the user, and the HTTP status it maps to."""

    status = 500

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class ConfigError(KennisbankError):
    """A setting is unknown or has a bad value."""


class BadRequest(KennisbankError):
    """User input (a query, a parameter) is invalid."""

    status = 400


class NotFound(KennisbankError):
    status = 404


class StoreLocked(KennisbankError):
    """Another process holds the embedded store's folder."""

    status = 503


class IndexMismatch(KennisbankError):
    """The index was built with another embedding model or chunking."""

    status = 503


class ConversionError(KennisbankError):
    """A file cannot be turned into text. `reason` is a short code: encrypted, corrupt, no_text_layer, ..."""

    status = 422

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
