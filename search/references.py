"""References a policy writer can paste or import, for publications in the knowledge base and for the works they
cite: APA 7 through the style engine (search.csl), and exports that import cleanly: BibTeX for biblatex-apa,
RIS (Zotero, EndNote, Mendeley) and CSL-JSON.

Everything starts from one CSL-JSON item per work (``search.csl.document_item`` / ``source_item``). Nothing is
invented: a cited source known only as "Leeferink (2016)" has no title, no initials and no publisher; its item
leaves them out, the record lists what is missing (``missing``), and the BibTeX/RIS entries carry a note naming
the gap.

Exports are safe to import: every value is one line (newlines and other control characters become spaces), so
no field can start a new RIS record or BibTeX entry; BibTeX values are escaped and brace-protected.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Iterable

from kennisbank.search import csl
from kennisbank.search.csl import is_group_author

MISSING_LABELS = {
    "initials": "voorletters",
    "other_authors": "overige auteurs",
    "title": "titel",
    "publisher": "uitgever",
    "year": "jaar",
}

__all__ = ["is_group_author", "source_record", "apa_source", "apa_source_in_text", "export", "Entry"]


def source_record(source, completed: dict[str, Any] | None = None) -> dict[str, Any]:
    """A cited source's reference data (its CSL-JSON item) and what of it is missing."""
    item = csl.source_item(source, completed)
    names = item.get("author", [])
    et_al = any(n.get("literal", "").endswith(" et al.") for n in names)
    group = bool(names) and all("literal" in n for n in names) and not et_al
    missing = []
    if any("family" in n and not n.get("given") for n in names) or et_al:
        missing.append("initials")
    if et_al:
        missing.append("other_authors")
    if not item.get("title"):
        missing.append("title")
    if not item.get("publisher"):
        missing.append("publisher")
    return {
        "id": source.id, "authors": source.authors, "surname": source.authors.removesuffix(" et al."),
        "group_author": group, "et_al": et_al, "year": source.year, "title": item.get("title"),
        "publisher": item.get("publisher"), "place": item.get("publisher-place"), "missing": missing, "csl": item,
    }


def apa_source(source, completed: dict[str, Any] | None = None) -> str:
    """APA 7 reference entry of a cited source (as far as it is known), from the style engine."""
    return csl.reference(csl.source_item(source, completed)).text


def apa_source_in_text(source, completed: dict[str, Any] | None = None) -> str:
    return csl.in_text(csl.source_item(source, completed)).text


def missing_note(missing: list[str], label: str) -> str:
    if not missing:
        return ""
    return f"Onbekend: {', '.join(MISSING_LABELS[m] for m in missing)} (geciteerd als {label})"


class Entry:
    """One work to export: its CSL-JSON item, our kind of publication (for the BibTeX/RIS type) and a note."""

    def __init__(self, item: dict[str, Any], kind: str = "", note: str = ""):
        self.item, self.kind, self.note = item, (kind or "").strip().casefold(), note


def document_entry(item: dict[str, Any], doc: dict[str, Any]) -> Entry:
    notes = []
    if doc.get("year") is None:
        notes.append("Jaar onbekend (z.d.)")
    elif doc.get("year_approximate"):
        notes.append(f"Datum niet vermeld in de publicatie (jaar geschat: {doc['year']})")
    return Entry(item, doc.get("kind", ""), "; ".join(notes))


def source_entry(source, completed: dict[str, Any] | None = None) -> Entry:
    record = source_record(source, completed)
    return Entry(record["csl"], "", missing_note(record["missing"], source.label))


# -- one line per value ---------------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def one_line(text: Any) -> str:
    """A value on one line: newlines and other control characters become one space."""
    return " ".join(_CONTROL.sub(" ", str(text or "")).split())


def _year(item: dict[str, Any]) -> str:
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    return str(parts[0][0]) if parts and parts[0] else ""


def _accessed(item: dict[str, Any]) -> str:
    parts = (item.get("accessed") or {}).get("date-parts") or [[]]
    return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts[0])) if parts and parts[0] else ""


THESIS_KINDS = {"proefschrift", "dissertatie", "scriptie", "masterscriptie"}
LANGIDS = {"nl": "dutch", "en": "english", "de": "ngerman", "fr": "french"}


# -- BibTeX (biblatex-apa) ------------------------------------------------------------------------------------
_BIB_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def bib_escape(text: str) -> str:
    return "".join(_BIB_ESCAPES.get(ch, ch) for ch in one_line(text))


def bib_key(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9:_-]", "-", text)


def _bib_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + bib_escape(name["literal"]) + "}"  # a group author: one name, never split
    family, given = bib_escape(name.get("family", "")), bib_escape(name.get("given", ""))
    return f"{family}, {given}" if given else family


def bib_type(entry: Entry) -> str:
    if entry.kind in THESIS_KINDS:
        return "thesis"
    return {"report": "report", "webpage": "online", "book": "book", "article-journal": "article",
            "chapter": "incollection"}.get(entry.item.get("type"), "misc")


def bibtex(entry: Entry) -> str:
    item, kind = entry.item, bib_type(entry)
    publisher = bib_escape(item.get("publisher", ""))
    organisation_field = "institution" if kind in ("report", "thesis") else "publisher"
    if kind == "report" and not publisher and item.get("author") and "literal" in item["author"][0]:
        publisher = bib_escape(item["author"][0]["literal"])  # a group author's own report: it is the institution
    fields = [
        ("author", " and ".join(_bib_name(n) for n in item.get("author", []))),
        ("title", "{" + bib_escape(item["title"]) + "}" if item.get("title") else ""),  # keep its capitals
        ("date", _year(item)),
        (organisation_field, publisher),
        ("location", bib_escape(item.get("publisher-place", ""))),
        ("type", "phdthesis" if entry.kind in ("proefschrift", "dissertatie") else ("mathesis" if kind == "thesis" else "")),
        ("url", one_line(item.get("URL", ""))),
        ("urldate", _accessed(item)),
        ("doi", one_line(item.get("DOI", ""))),
        ("langid", LANGIDS.get((item.get("language") or "")[:2], "")),
        ("note", bib_escape(entry.note)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{kind}{{{bib_key(item['id'])},\n{body}\n}}\n"


# -- RIS ------------------------------------------------------------------------------------------------------
def _ris_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return one_line(name["literal"]) + ","  # trailing comma: Zotero keeps an organisation as one name
    family, given = one_line(name.get("family", "")), one_line(name.get("given", ""))
    return f"{family}, {given}" if given else family


def ris_type(entry: Entry) -> str:
    if entry.kind in THESIS_KINDS:
        return "THES"
    return {"report": "RPRT", "webpage": "ELEC", "book": "BOOK", "article-journal": "JOUR",
            "chapter": "CHAP"}.get(entry.item.get("type"), "GEN")


def ris(entry: Entry) -> str:
    item = entry.item
    fields = [("TY", ris_type(entry)), ("ID", item["id"])]
    fields += [("AU", _ris_name(n)) for n in item.get("author", [])]
    fields += [("TI", item.get("title", "")), ("PY", _year(item)), ("PB", item.get("publisher", "")),
               ("CY", item.get("publisher-place", "")), ("UR", item.get("URL", "")), ("DO", item.get("DOI", "")),
               ("Y2", _accessed(item)), ("LA", item.get("language", "")), ("N1", entry.note)]
    lines = [f"{tag}  - {one_line(value)}" for tag, value in fields if one_line(value)]
    return "\n".join(lines + ["ER  - ", ""])


# -- CSL-JSON -------------------------------------------------------------------------------------------------
def csl_json(entries: Iterable[Entry]) -> str:
    items = []
    for entry in entries:
        item = dict(entry.item)
        if entry.note:
            item["note"] = entry.note
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


FORMATS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}


def export(fmt: str, entries: Iterable[Entry]) -> str:
    """One BibTeX, RIS or CSL-JSON file with the given entries."""
    entries = list(entries)
    if fmt == "bib":
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        return f"% Kennisbank Samen Opleiden, {stamp}: {len(entries)} referenties (biblatex-apa)\n\n" + "\n".join(
            bibtex(e) for e in entries)
    if fmt == "ris":
        return "\n".join(ris(e) for e in entries)
    if fmt == "json":
        return csl_json(entries)
    raise ValueError(f"unknown export format {fmt!r}; choose bib, ris or json")
