"""APA 7 references for publications, in plain text a policy writer can paste.

The publications are reports by organisations (group authors). Following APA 7:

    Organisation. (Year). Title. URL
    Organisation. (ca. 2025). Title (p. 7).          approximate year, a passage on page 7
    Organisation. (z.d.). Title.                      unknown year ("zonder datum", Dutch for n.d.)
    Title. (2021).                                    no author: the title moves to the author position

Nothing is invented: a missing field is left out or marked as missing, never guessed.
"""

from __future__ import annotations

from typing import Any


def year_label(year: int | None, approximate: bool) -> str:
    if year is None:
        return "z.d."
    return f"ca. {year}" if approximate else str(year)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def apa_reference(doc: dict[str, Any], page: int | None = None) -> str:
    """The reference list entry; with `page`, the passage's page is given after the title."""
    title = (doc.get("title") or "").strip() or "[Titel onbekend]"
    organisation = (doc.get("organisation") or "").strip()
    when = f"({year_label(doc.get('year'), bool(doc.get('year_approximate')))})."
    located = f"{title} (p. {page})" if page is not None else title
    if organisation:
        parts = [_sentence(organisation), when, _sentence(located)]
    else:
        parts = [_sentence(located), when]
    url = (doc.get("url") or "").strip()
    if url:
        parts.append(url)
    return " ".join(parts)


def apa_in_text(doc: dict[str, Any], page: int | None = None) -> str:
    """The in-text citation: (Organisation, 2021, p. 7)."""
    author = (doc.get("organisation") or "").strip() or f"“{(doc.get('title') or '').strip()}”"
    parts = [author, year_label(doc.get("year"), bool(doc.get("year_approximate")))]
    if page is not None:
        parts.append(f"p. {page}")
    return "(" + ", ".join(parts) + ")"
