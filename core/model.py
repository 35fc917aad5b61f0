"""The shared data model: what a publication, a passage and a search hit are, and what a search accepts.

Validation happens here once. The catalog stores these fields, the indexer copies them into the index
payload, the search turns a payload back into a hit, and the API and the pages show that hit's JSON form;
all of them take the field lists, limits and patterns from this module.

- **Publication metadata** (`PUBLICATION_FIELDS`): the citation data of one publication. `publication_meta`
  checks and completes it; every way in (publications.toml, `kennisbank add`, an upload, a metadata edit)
  goes through it.
- **Ids**: a publication id is lower-case letters, digits and hyphens (`DOC_ID`); a passage id is
  ``<doc>.c<split>`` (`chunk_id`).
- **Search limits**: query length, k, modes (`validate_query`, `validate_k`, `validate_mode`).
- **Passages and hits**: `passage_payload` is what the index stores for a passage; `hit_json` the JSON
  contract of one search result (README, "JSON API").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from kennisbank.core.errors import BadRequest, ConfigError

# -- publications -------------------------------------------------------------------------------------------

#: citation metadata of a publication: name -> type (the order is the order of the catalog and the payload)
PUBLICATION_FIELDS: dict[str, type] = {
    "title": str,
    "organisation": str,
    "year": int,
    "year_approximate": bool,
    "kind": str,
    "language": str,
    "sectors": list,
    "url": str,
}
PUBLICATION_FIELD_NAMES = tuple(PUBLICATION_FIELDS)
#: what a publications.toml entry may hold besides the metadata
ENTRY_FIELDS: dict[str, type] = {"id": str, "file": str, **PUBLICATION_FIELDS, "notes": str}
LANGUAGES = ("nl", "en")
YEAR_RANGE = (1800, 2100)

#: the kinds of publication ("Soort publicatie"): stored value -> title. A kind is stored in lower case, so
#: "Onderzoeksrapport" and "onderzoeksrapport" are one kind; a kind outside this list is kept (lower case),
#: and shown after the listed ones.
KINDS: dict[str, str] = {
    "onderzoeksrapport": "Onderzoeksrapport",
    "onderzoekssamenvatting": "Onderzoekssamenvatting",
    "artikel": "Artikel",
    "proefschrift": "Proefschrift",
    "boek": "Boek",
    "rapport": "Rapport",
    "advies": "Advies",
    "beleidsdocument": "Beleidsdocument",
    "positiedocument": "Positiedocument",
    "platformpublicatie": "Platformpublicatie",
    "handreiking": "Handreiking",
    "overig": "Overig",
}
#: the education sectors a publication can be about: stored value -> title
SECTORS: dict[str, str] = {
    "po": "Primair onderwijs (po)",
    "vo": "Voortgezet onderwijs (vo)",
    "mbo": "Middelbaar beroepsonderwijs (mbo)",
}

DOC_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,120}")


def publication_meta(raw: dict[str, Any], where: str, fields: dict[str, type] = PUBLICATION_FIELDS) -> dict[str, Any]:
    """Checked, complete citation metadata from ``raw``. Raises ConfigError naming ``where`` and the bad field.

    ``fields`` are the keys ``raw`` may have (a publications.toml entry also has id, file and notes)."""
    for key, value in raw.items():
        if key not in fields:
            raise ConfigError(f"{where}: unknown field {key!r}; valid fields: {', '.join(fields)}")
        expected = fields[key]
        if value is not None and not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: field {key!r} must be {expected.__name__}, got {value!r}")
    title = str(raw.get("title", "")).strip()
    if not title:
        raise ConfigError(f"{where}: a publication needs a title")
    year = raw.get("year")
    if year is not None and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ConfigError(f"{where}: year {year} is out of range")
    url = str(raw.get("url", "")).strip()
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        raise ConfigError(f"{where}: url must start with http:// or https://, got {url!r}")
    return {
        "title": title,
        "organisation": str(raw.get("organisation", "")).strip(),
        "year": year,
        "year_approximate": bool(raw.get("year_approximate", False)),
        "kind": normalise_kind(str(raw.get("kind", ""))),
        "language": str(raw.get("language", "nl")).strip() or "nl",
        "sectors": list(dict.fromkeys(normalise_kind(str(s)) for s in raw.get("sectors", []) if str(s).strip())),
        "url": url,
    }


def normalise_kind(kind: str) -> str:
    """A kind (or sector) as stored: trimmed, inner spaces single, lower case ("Onderzoeksrapport " ->
    "onderzoeksrapport")."""
    return " ".join(kind.split()).casefold()


def kind_title(kind: str) -> str:
    """The title a kind is shown with: from KINDS, else the kind with a capital."""
    return KINDS.get(kind) or (kind[:1].upper() + kind[1:])


def sector_title(sector: str) -> str:
    return SECTORS.get(sector) or sector


def check_doc_id(doc_id: str, where: str) -> str:
    if not isinstance(doc_id, str) or not DOC_ID.fullmatch(doc_id):
        raise ConfigError(f"{where}: id {doc_id!r} must be lower-case letters, digits and hyphens (max 80)")
    return doc_id


def is_doc_id(doc_id: str) -> bool:
    return isinstance(doc_id, str) and DOC_ID.fullmatch(doc_id) is not None


def slug(text: str) -> str:
    """A publication id made from a file name or title: 'Rapport ECBO 2021.pdf' -> 'rapport-ecbo-2021'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    result = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return result or "document"


# -- search -------------------------------------------------------------------------------------------------

MAX_QUERY_CHARS = 1000
K_DEFAULT, K_MIN, K_MAX = 10, 1, 50
MODES = ("hybrid", "dense", "bm25")


def validate_query(query: Any) -> str:
    """The query without surrounding space; an empty, over-long or NUL-carrying query is refused (400)."""
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("Vul een zoekvraag in.")
    query = query.strip()
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"De zoekvraag is te lang ({len(query)} tekens); gebruik maximaal {MAX_QUERY_CHARS} tekens.")
    if "\x00" in query:
        raise BadRequest("De zoekvraag bevat een ongeldig teken.")
    return query


def validate_k(k: Any) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or not K_MIN <= k <= K_MAX:
        raise BadRequest(f"Het aantal resultaten (k) moet een geheel getal van {K_MIN} tot en met {K_MAX} zijn.")
    return k


def validate_mode(mode: Any) -> str:
    if mode not in MODES:
        raise BadRequest(f"Onbekende zoekmethode “{str(mode)[:40]}”. Kies uit: {', '.join(MODES)}.")
    return mode


# -- passages and hits --------------------------------------------------------------------------------------


def chunk_id(doc_id: str, split_id: int) -> str:
    """Public id of a passage, used in links and anchors (``waarde-en-randvoorwaarden.c12``)."""
    return f"{doc_id}.c{split_id}"


def publication_payload(doc_id: str, version: str, meta: dict[str, Any]) -> dict[str, Any]:
    """What every passage of one publication version carries in the index: its id, version and metadata."""
    return {"doc_id": doc_id, "doc_version": version, **{name: meta[name] for name in PUBLICATION_FIELD_NAMES}}


def passage_payload(publication: dict[str, Any], *, text: str, page: int | None, start: int, end: int,
                    split_id: int, values: list[str]) -> dict[str, Any]:
    """The index payload of one passage: its publication's payload plus where the passage stands."""
    return {**publication, "text": text, "page": page, "start": start, "end": end, "split_id": split_id,
            "chunk_id": chunk_id(publication["doc_id"], split_id), "values": values}


def publication_json(doc_id: str, meta: dict[str, Any]) -> dict[str, Any]:
    """The ``document`` object of the JSON API (id plus metadata, missing fields as empty values)."""
    defaults = {"title": "", "organisation": "", "year": None, "year_approximate": False, "kind": "",
                "language": "", "sectors": [], "url": ""}
    return {"id": doc_id, **{name: meta.get(name, defaults[name]) for name in PUBLICATION_FIELD_NAMES}}


def hit_json(rank: int, score: float, payload: dict[str, Any]) -> dict[str, Any]:
    """One search result as the API and the pages show it (citations are added by the search layer)."""
    document = publication_json(payload["doc_id"], payload)
    document["year_approximate"] = bool(document["year_approximate"])
    return {
        "rank": rank,
        "score": round(score, 6),
        "text": payload["text"],
        "page": payload.get("page"),
        "chunk_id": payload["chunk_id"],
        "values": payload.get("values", []),
        "start": payload["start"],
        "end": payload["end"],
        "page_end": payload.get("page_end"),  # a passage that runs on over a page break ends on this page
        "section": list(payload.get("section") or []),  # the headings above the passage, outermost first
        "document": document,
    }
