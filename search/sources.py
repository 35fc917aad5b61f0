"""The source registry: every work any publication cites, once, with every statement that cites it.

Where citations come from:

- the framework table (``search.framework``): each research finding cites one or more sources;
- footnote references in any publication ("1 ECBO (2021). De meerwaarde van Samen Opleiden &
  Professionaliseren. Den Haag: OCW."), which give the full reference; the sentence carrying the footnote
  marker ("Onderzoek1,2 laat ... zien") is a statement citing it;
- "Author (Year)" anywhere else in a publication's text: the sentence around it cites it.

A source's id is made from its authors and year (``ecbo-2021``, ``helms-lorenz-et-al-2019``), so the same work
cited as "Helms-Lorenz et al, (2019)" and "Helms-Lorenz et al. (2019)" is one source.

A source is linked to its own publication in the knowledge base by metadata alone: a publication whose
organisation is the source's author and whose year is the source's year; if some reference gives the source's
title, the titles must agree too (otherwise the publication is listed as related, e.g. a one-page summary of
the cited report). Adding the ECBO report with organisation "ECBO", year 2021 and its title connects it to
every "ECBO (2021)" citation without further wiring.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

# A citation in running text: "Leeferink (2016)", "Helms-Lorenz et al, (2019)", "Kohnstamm Instituut (2020)".
_AUTHORS = r"[A-Z][\w'\-]*(?: [A-Z][\w'\-]*)*(?:,? et al\.?)?"
CITE = re.compile(rf"(?P<authors>{_AUTHORS}),? ?\((?P<year>\d{{4}}[a-z]?)\)")


def source_key(authors: str, year: str) -> str:
    """Stable id of a cited source: "Helms-Lorenz et al, (2019)" and "Helms-Lorenz et al. 2019" -> helms-lorenz-et-al-2019."""
    folded = unicodedata.normalize("NFKD", authors).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)
    return "-".join(words + [str(year)])


def parse_citations(text: str) -> list[dict[str, Any]]:
    """The citations in ``text``, as authors/year/key."""
    found = []
    for match in CITE.finditer(text):
        authors = re.sub(r",? et al\.?$", " et al.", match.group("authors").rstrip(", "))
        found.append({"authors": authors, "year": match.group("year"), "key": source_key(authors, match.group("year"))})
    return found


_FOOTNOTE = re.compile(rf"(?P<n>\d{{1,2}}) (?P<cite>{CITE.pattern})\.? (?P<rest>.+)")
_PLACE_PUBLISHER = re.compile(r"(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+)?): (?P<publisher>[^:]+?)\.?")
_TITLE_PLACE_PUBLISHER = re.compile(rf"(?P<title>.+?)\. {_PLACE_PUBLISHER.pattern}", re.S)
_MARKER = re.compile(r"(?<=[^\W\d_])(?P<numbers>\d{1,2}(?:,\d{1,2})*)(?=[\s.,;:)])")


def fold(text: str) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", (text or "").casefold()))


@dataclass
class Source:
    id: str
    authors: str
    year: str
    reference: dict[str, Any] | None = None  # title, place, publisher, text (verbatim), document_id, spans
    statements: list[dict[str, Any]] = field(default_factory=list)
    publication: str | None = None  # id of the source's own publication in the knowledge base
    related: list[str] = field(default_factory=list)  # same author and year, other title

    @property
    def label(self) -> str:
        return f"{self.authors} ({self.year})"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "authors": self.authors, "year": self.year, "label": self.label,
                "reference": self.reference, "statements": self.statements,
                "publication": self.publication, "related": self.related}


def _sentence_at(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of ``text`` around [start, end): from after the previous ". " or line start to the next."""
    left = max(text.rfind(". ", 0, start) + 2 if text.rfind(". ", 0, start) >= 0 else 0, text.rfind("\n", 0, start) + 1)
    right_candidates = [i + 1 for i in (text.find(". ", end),) if i >= 0] + [i for i in (text.find("\n", end),) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    return left, right


class Registry:
    def __init__(self):
        self.sources: dict[str, Source] = {}

    def _source(self, authors: str, year: str) -> Source:
        key = source_key(authors, year)
        if key not in self.sources:
            self.sources[key] = Source(id=key, authors=authors, year=year)
        return self.sources[key]

    def get(self, source_id: str) -> Source | None:
        return self.sources.get(source_id)

    def all(self) -> list[Source]:
        return sorted(self.sources.values(), key=lambda s: (fold(s.authors), s.year))

    # -- reading ------------------------------------------------------------------------------------------
    def add_framework(self, framework) -> None:
        for value, finding in framework.findings():
            for cited in finding["sources"]:
                self._source(cited["authors"], cited["year"]).statements.append({
                    "kind": "finding",
                    "document_id": framework.document_id,
                    "value_id": value["id"],
                    "finding_id": finding["id"],
                    "citation": finding["citation"],
                    "text": finding["text"],
                    "page": finding["spans"][0]["page"],
                    "spans": finding["spans"],
                })

    def add_document(self, document_id: str, pages: list[str]) -> None:
        """Footnote references, the sentences that carry their markers, and other in-text citations."""
        footnotes: dict[str, Source] = {}
        taken: list[tuple[int, int, int]] = []  # (page, start, end) already read as a footnote reference
        for no, text in enumerate(pages, start=1):
            lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
            for index, (start, end) in enumerate(lines):
                m = _FOOTNOTE.fullmatch(text[start:end])
                if not m:
                    continue
                cited = parse_citations(m.group("cite"))[0]
                source = self._source(cited["authors"], cited["year"])
                rest_start, rest_end = start + m.start("rest"), end
                spans = [{"page": no, "start": start + m.start("cite"), "end": end}]
                rest = text[rest_start:rest_end]
                if not _TITLE_PLACE_PUBLISHER.fullmatch(rest) and index + 1 < len(lines):
                    nxt = text[lines[index + 1][0]:lines[index + 1][1]]
                    if _PLACE_PUBLISHER.fullmatch(nxt):  # "Utrecht: Platform ..." on the next line
                        rest = rest + " " + nxt
                        spans.append({"page": no, "start": lines[index + 1][0], "end": lines[index + 1][1]})
                        taken.append((no, *lines[index + 1]))
                if source.reference is None:
                    parsed = _TITLE_PLACE_PUBLISHER.fullmatch(rest)
                    fields = parsed.groupdict() if parsed else {"title": rest.rstrip("."), "place": None, "publisher": None}
                    source.reference = {
                        **fields,
                        "text": " ".join(text[s["start"]:s["end"]] for s in spans),
                        "document_id": document_id,
                        "page": no,
                        "spans": spans,
                    }
                footnotes[m.group("n")] = source
                taken.append((no, start, end))
        for no, text in enumerate(pages, start=1):
            for m in _MARKER.finditer(text):
                cited = [footnotes[n] for n in m.group("numbers").split(",") if n in footnotes]
                if any(p == no and s <= m.start() < e for p, s, e in taken):
                    continue
                left, right = _sentence_at(text, m.start(), m.end())
                for source in cited:
                    self._statement(source, document_id, no, left, right, text, "footnote", m.group())
            for m in CITE.finditer(text):
                if any(p == no and s <= m.start() < e for p, s, e in taken):
                    continue
                left, right = _sentence_at(text, m.start(), m.end())
                for cited in parse_citations(m.group()):
                    self._statement(self._source(cited["authors"], cited["year"]), document_id, no, left, right,
                                    text, "citation", m.group())

    @staticmethod
    def _statement(source: Source, document_id: str, page: int, start: int, end: int, text: str, kind: str,
                   citation: str) -> None:
        source.statements.append({
            "kind": kind, "document_id": document_id, "value_id": None, "finding_id": None, "citation": citation,
            "text": text[start:end].strip(), "page": page,
            "spans": [{"page": page, "start": start + (len(text[start:end]) - len(text[start:end].lstrip())),
                       "end": end - (len(text[start:end]) - len(text[start:end].rstrip()))}],
        })

    def link_publications(self, documents: list[dict[str, Any]]) -> None:
        """Connect each source to its own publication (organisation + year, and title when one is known)."""
        for source in self.sources.values():
            source.publication, source.related = None, []
            for doc in documents:
                if fold(doc.get("organisation")) != fold(source.authors) or str(doc.get("year") or "") != source.year:
                    continue
                title = (source.reference or {}).get("title")
                if title is None or _same_title(title, doc.get("title", "")):
                    source.publication = source.publication or doc["id"]
                else:
                    source.related.append(doc["id"])


def _same_title(a: str, b: str) -> bool:
    if fold(a) == fold(b):
        return True
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.8


def build_registry(framework, documents: list[dict[str, Any]], pages_of: Callable[[str], list[str]]) -> Registry:
    """The registry over the framework and every publication's stored text (``pages_of(doc_id)``)."""
    registry = Registry()
    if framework is not None:
        registry.add_framework(framework)
    for doc in documents:
        if framework is not None and doc["id"] == framework.document_id:
            continue  # its citations are the framework's findings
        registry.add_document(doc["id"], pages_of(doc["id"]))
    registry.link_publications(documents)
    return registry


def registry_for(kb, framework) -> Registry:
    """The registry over what a KnowledgeBase holds now."""
    documents = kb.documents()
    return build_registry(framework, documents, lambda doc_id: [p["text"] for p in kb.document(doc_id)["pages"]])
