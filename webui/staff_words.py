"""The staff console in Dutch words: job states, failure reasons, audit actions and their details, and times in
the local time of the platform (Europe/Amsterdam) instead of codes and UTC ISO strings.

The JSON API keeps the codes (scripts read them); only the pages use these words, as Jinja filters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
MONTHS = ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")

STATES = {"queued": "in de wachtrij", "running": "bezig", "done": "klaar", "failed": "mislukt"}
KINDS = {"add": "toevoegen", "replace": "nieuwe versie", "update": "gegevens wijzigen", "delete": "verwijderen"}
REASONS = {
    "encrypted": "het bestand is met een wachtwoord beveiligd; haal de beveiliging eraf en voeg het opnieuw toe",
    "corrupt": "het bestand is beschadigd; exporteer of bewaar het opnieuw en voeg het dan toe",
    "no_text_layer": "de PDF heeft geen tekstlaag (gescand of alleen afbeeldingen); laat er eerst tekstherkenning "
                     "(OCR) op los",
    "empty": "het bestand bevat geen tekst",
    "unsupported": "dit soort bestand kan de kennisbank niet lezen (wel: PDF, Word .docx, tekst, Markdown)",
    "unreadable": "het bestand kon niet van de schijf worden gelezen",
    "too_large": "het lezen van het bestand had te veel geheugen nodig",
    "timeout": "het lezen van het bestand duurde te lang en is gestopt",
    "disk_full": "schijf vol: er is te weinig ruimte op de schijf van de kennisbank; vraag de beheerder ruimte vrij "
                 "te maken en probeer het dan opnieuw",
    "interrupted": "de server stopte meermaals tijdens deze taak",
    "not_found": "de publicatie stond niet (meer) in de kennisbank",
    "error": "er ging iets mis bij het verwerken",
}
ACTIONS = {
    "upload": "upload ontvangen", "upload-refused": "upload geweigerd",
    "add-done": "toegevoegd", "add-failed": "toevoegen mislukt",
    "replace": "nieuwe versie ontvangen", "replace-done": "vervangen", "replace-failed": "vervangen mislukt",
    "update": "gegevens gewijzigd (taak)", "update-done": "gegevens gewijzigd", "update-failed": "wijzigen mislukt",
    "delete": "verwijderen gevraagd", "delete-done": "verwijderd", "delete-failed": "verwijderen mislukt",
    "retry": "taak opnieuw gestart", "login": "ingelogd", "login-failed": "inloggen mislukt", "logout": "uitgelogd",
    "user-add": "gebruiker aangemaakt", "user-passwd": "wachtwoord gewijzigd", "token-new": "token gemaakt",
    "token-revoke": "token ingetrokken", "access-revoke": "toegang ingetrokken", "backup": "back-up gemaakt",
}
DETAILS = {
    "job": "taak", "file": "bestand", "title": "titel", "status": None, "reason": "reden", "pages": "pagina's",
    "chunks": "passages", "detail_user": "gebruiker", "address": "adres", "token_name": "token",
    "expires_days": "geldig (dagen)", "sessions": "sessies ingetrokken", "tokens": "tokens ingetrokken",
    "token": "token", "message": "melding", "size": "grootte (bytes)",
}


def local_time(value: str | float | None) -> str:
    """``27 nov. 2026 03:36`` in Europe/Amsterdam, from an ISO time with offset or a Unix time."""
    if value in (None, ""):
        return "—"
    try:
        moment = datetime.fromtimestamp(value, LOCAL_ZONE) if isinstance(value, (int, float)) \
            else datetime.fromisoformat(str(value)).astimezone(LOCAL_ZONE)
    except (ValueError, OverflowError, OSError):
        return str(value)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} {moment:%H:%M}"


def iso_local(value: str | None) -> str:
    """The same moment as an ISO string in Europe/Amsterdam (for <time datetime=...>)."""
    try:
        return datetime.fromisoformat(str(value)).astimezone(LOCAL_ZONE).isoformat(timespec="seconds")
    except (TypeError, ValueError):
        return ""


def state_label(state: str) -> str:
    return STATES.get(state, state)


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def reason_label(reason: str) -> str:
    return REASONS.get(reason, reason)


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def detail_items(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """The audit entry's details as (Dutch label, value), codes turned into words, empty ones left out."""
    items = []
    for key, value in (detail or {}).items():
        if value in (None, "") or DETAILS.get(key, key) is None:
            continue
        if key == "reason":
            value = REASONS.get(str(value), value)
        items.append((DETAILS.get(key, key), str(value)))
    return items


def init_app(app: Flask) -> None:
    for function in (local_time, iso_local, state_label, kind_label, reason_label, action_label, detail_items):
        app.add_template_filter(function)
