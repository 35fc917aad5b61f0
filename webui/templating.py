"""Jinja filters for citation data: years, pages, highlighted passages."""

from __future__ import annotations

from typing import Any

from flask import Flask

from kennisbank.core.model import KINDS, kind_title
from kennisbank.search.citation import year_label as citation_year_label
from kennisbank.search.citation import year_note as citation_year_note
from kennisbank.webui.highlight import highlight, passage


def year_label(document: dict[str, Any]) -> str:
    """``2016``, or ``z.d.`` (zonder datum) when the publication gives no year: as in the citations."""
    return citation_year_label(document.get("year") or None, bool(document.get("year_approximate")))


def year_note(document: dict[str, Any]) -> str:
    """``jaar geschat: 2025`` when the year is our estimate (the references say z.d.)."""
    return citation_year_note(document.get("year") or None, bool(document.get("year_approximate")))


def page_label(page: int | str | None) -> str:
    """``p. 12``, ``p. iv``, or ``pp. 4–5`` for a range (a passage over a page break)."""
    if page is None or page == "":
        return ""
    text = str(page)
    if "-" in text.strip("-"):
        return "pp. " + text.replace("-", "–")
    return f"p. {text}"


def page_anchor(page: int | None) -> str:
    return "tekst" if page is None else f"p-{page}"


def http_url(url: str | None) -> str:
    """The URL if it is http(s), else empty: metadata never puts ``javascript:`` links on a page."""
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def init_app(app: Flask) -> None:
    app.jinja_env.autoescape = True  # also for templates that do not end in .html
    app.add_template_filter(year_label)
    app.add_template_filter(year_note)
    app.add_template_filter(page_label)
    app.add_template_filter(page_anchor)
    app.add_template_filter(highlight)
    app.add_template_filter(passage)
    app.add_template_filter(http_url)
    app.add_template_filter(kind_title)
    app.jinja_env.globals["publication_kinds"] = KINDS  # the staff form offers the fixed list
