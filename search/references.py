"""References a policy writer can paste or import: APA 7 text, BibTeX and RIS, for publications in the
knowledge base and for the sources they cite.

Nothing is invented. A cited source known only as "Leeferink (2016)" has no title, no initials and no
publisher: the APA text says so in brackets ("[voorletters onbekend]", "[titel onbekend]"), the record lists
what is missing (``missing``), and the BibTeX/RIS entries carry only what we know plus a note naming the gap.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from kennisbank.search.citation import apa_in_text, apa_reference, year_label

# Authors we treat as organisations (group authors: no initials). A single word with two or more capitals
# ("ECBO", "RuG"), or a name with an organisation word.
_ORG_WORDS = re.compile(r"(?i)\b(instituut|institute|raad|onderwijsraad|universiteit|university|platform|ministerie|inspectie)\b")

MISSING_LABELS = {
    "initials": "voorletters",
    "other_authors": "overige auteurs",
    "title": "titel",
    "publisher": "uitgever",
    "year": "jaar",
}


def is_group_author(authors: str) -> bool:
    name = authors.replace(" et al.", "")
    letters = [ch for ch in name if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters)
    acronym = " " not in name and capitals >= 2 and capitals / max(len(letters), 1) >= 0.5  # ECBO, RuG
    return acronym or bool(_ORG_WORDS.search(name))


def source_record(source) -> dict[str, Any]:
    """A cited source's reference data and what of it is missing."""
    ref = source.reference or {}
    et_al = source.authors.endswith(" et al.")
    surname = source.authors.removesuffix(" et al.")
    group = is_group_author(source.authors)
    missing = []
    if not group:
        missing.append("initials")
    if et_al:
        missing.append("other_authors")
    if not ref.get("title"):
        missing.append("title")
    if not ref.get("publisher"):
        missing.append("publisher")
    return {
        "id": source.id, "authors": source.authors, "surname": surname, "group_author": group, "et_al": et_al,
        "year": source.year, "title": ref.get("title"), "publisher": ref.get("publisher"), "place": ref.get("place"),
        "missing": missing,
    }


def apa_source(source) -> str:
    """APA 7 reference list entry of a cited source, with the gaps named."""
    r = source_record(source)
    author = r["surname"] if r["group_author"] else f"{r['surname']}, [voorletters onbekend]"
    if r["et_al"]:
        author += ", et al. [overige auteurs onbekend]"
    parts = [author if author.endswith(".") else author + ".", f"({r['year']})."]
    parts.append(f"{r['title']}." if r["title"] else "[Titel onbekend].")
    if r["publisher"]:
        parts.append(f"{r['publisher']}.")
    return " ".join(parts)


def apa_source_in_text(source) -> str:
    return f"({source.authors}, {source.year})"


# -- BibTeX ---------------------------------------------------------------------------------------------------
_BIB_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def bib_escape(text: str) -> str:
    return "".join(_BIB_ESCAPES.get(ch, ch) for ch in text)


def bib_key(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9:_-]", "-", text)


def _bib_entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{kind}{{{bib_key(key)},\n{body}\n}}\n"


def bibtex_source(source) -> str:
    r = source_record(source)
    if r["group_author"]:
        author = "{" + bib_escape(r["surname"]) + "}"
    else:
        author = bib_escape(r["surname"])
    if r["et_al"]:
        author += " and others"
    note = _missing_note(r["missing"], source.label)
    fields = [("author", author), ("year", r["year"]), ("title", bib_escape(r["title"] or "")),
              ("publisher", bib_escape(r["publisher"] or "")), ("address", bib_escape(r["place"] or "")),
              ("note", bib_escape(note))]
    return _bib_entry("book" if r["title"] and r["publisher"] else "misc", source.id, fields)


def bibtex_document(doc: dict[str, Any]) -> str:
    notes = []
    if doc.get("year") is None:
        notes.append("Jaar onbekend (z.d.)")
    elif doc.get("year_approximate"):
        notes.append("Jaar bij benadering")
    fields = [("author", "{" + bib_escape(doc.get("organisation") or "") + "}" if doc.get("organisation") else ""),
              ("title", bib_escape(doc.get("title") or "")), ("year", str(doc["year"]) if doc.get("year") else ""),
              ("url", doc.get("url") or ""), ("note", bib_escape("; ".join(notes)))]
    return _bib_entry("misc", doc["id"], fields)


# -- RIS ------------------------------------------------------------------------------------------------------
def _ris(fields: list[tuple[str, str]]) -> str:
    lines = [f"{tag}  - {value}" for tag, value in fields if value]
    return "\n".join(lines + ["ER  - ", ""])


def ris_source(source) -> str:
    r = source_record(source)
    fields = [("TY", "BOOK" if r["title"] and r["publisher"] else "GEN"), ("ID", source.id),
              ("AU", r["surname"])]
    fields += [("PY", r["year"]), ("TI", r["title"] or ""), ("PB", r["publisher"] or ""), ("CY", r["place"] or ""),
               ("N1", _missing_note(r["missing"], source.label))]
    return _ris(fields)


def ris_document(doc: dict[str, Any]) -> str:
    note = ""
    if doc.get("year") is None:
        note = "Jaar onbekend (z.d.)"
    elif doc.get("year_approximate"):
        note = "Jaar bij benadering"
    fields = [("TY", "RPRT"), ("ID", doc["id"]), ("AU", doc.get("organisation") or ""), ("TI", doc.get("title") or ""),
              ("PY", str(doc["year"]) if doc.get("year") else ""), ("UR", doc.get("url") or ""), ("N1", note)]
    return _ris(fields)


def _missing_note(missing: list[str], label: str) -> str:
    if not missing:
        return ""
    return f"Onbekend: {', '.join(MISSING_LABELS[m] for m in missing)} (geciteerd als {label})"


def export(fmt: str, documents: Iterable[dict[str, Any]], sources: Iterable[Any]) -> str:
    """One BibTeX or RIS file with the given publications and sources."""
    if fmt == "bib":
        return "\n".join([bibtex_document(d) for d in documents] + [bibtex_source(s) for s in sources])
    if fmt == "ris":
        return "\n".join([ris_document(d) for d in documents] + [ris_source(s) for s in sources])
    raise ValueError(f"unknown export format {fmt!r}; choose bib or ris")


def document_reference(doc: dict[str, Any], page: int | None = None) -> dict[str, Any]:
    """APA text (with page where known) and in-text form of a publication, as one dict for pages and JSON."""
    return {"apa": apa_reference(doc, page), "in_text": apa_in_text(doc, page),
            "year_label": year_label(doc.get("year"), bool(doc.get("year_approximate")))}
