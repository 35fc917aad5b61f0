"""Where publications come from: a folder with a `publications.toml`, loose files, or one file with metadata.

A `Source` is one publication to ingest: its stable id, its file, and its citation metadata. The metadata file
is TOML (one ``[[publication]]`` block each, see corpus/publications.toml); unknown keys are refused so a typo
never silently drops a field.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kennisbank.errors import ConfigError

METADATA_FILE = "publications.toml"
SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md", ".markdown", ".docx")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_FIELDS = {
    "id": str,
    "file": str,
    "title": str,
    "organisation": str,
    "year": int,
    "year_approximate": bool,
    "kind": str,
    "language": str,
    "sectors": list,
    "url": str,
    "notes": str,
}


@dataclass
class Source:
    id: str
    path: Path
    meta: dict[str, Any]  # title, organisation, year, year_approximate, kind, language, sectors, url

    def content_hash(self) -> str:
        digest = hashlib.sha256()
        with open(self.path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def meta_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.meta, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def normalise_meta(raw: dict[str, Any], where: str) -> dict[str, Any]:
    """Check types and fill defaults of citation metadata. Raises ConfigError naming the bad field."""
    for key, value in raw.items():
        if key not in _FIELDS:
            raise ConfigError(f"{where}: unknown field {key!r}; valid fields: {', '.join(_FIELDS)}")
        expected = _FIELDS[key]
        if value is not None and not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: field {key!r} must be {expected.__name__}, got {value!r}")
    title = str(raw.get("title", "")).strip()
    if not title:
        raise ConfigError(f"{where}: a publication needs a title")
    year = raw.get("year")
    if year is not None and not 1800 <= year <= 2100:
        raise ConfigError(f"{where}: year {year} is out of range")
    url = str(raw.get("url", "")).strip()
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        raise ConfigError(f"{where}: url must start with http:// or https://, got {url!r}")
    return {
        "title": title,
        "organisation": str(raw.get("organisation", "")).strip(),
        "year": year,
        "year_approximate": bool(raw.get("year_approximate", False)),
        "kind": str(raw.get("kind", "")).strip(),
        "language": str(raw.get("language", "nl")).strip() or "nl",
        "sectors": [str(s) for s in raw.get("sectors", [])],
        "url": url,
    }


def check_id(doc_id: str, where: str) -> str:
    if not ID_PATTERN.match(doc_id):
        raise ConfigError(f"{where}: id {doc_id!r} must be lower-case letters, digits and hyphens (max 80)")
    return doc_id


def slug(text: str) -> str:
    """A document id made from a file name or title: 'Rapport ECBO 2021.pdf' -> 'rapport-ecbo-2021'."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    result = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return result or "document"


def load_folder(folder: Path) -> list[Source]:
    """Sources of a folder: the entries of its publications.toml, else every supported file in it."""
    folder = Path(folder)
    meta_file = folder / METADATA_FILE
    if not meta_file.exists():
        return [source_for_file(path) for path in sorted(folder.iterdir()) if path.suffix.lower() in SUPPORTED_SUFFIXES]
    try:
        data = tomllib.loads(meta_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{meta_file}: not valid TOML: {exc}") from exc
    sources, seen = [], set()
    for number, entry in enumerate(data.get("publication", []), start=1):
        where = f"{meta_file} publication #{number}"
        doc_id = check_id(str(entry.get("id", "")), where)
        if doc_id in seen:
            raise ConfigError(f"{where}: duplicate id {doc_id!r}")
        seen.add(doc_id)
        if "file" not in entry:
            raise ConfigError(f"{where}: missing 'file'")
        meta = normalise_meta({k: v for k, v in entry.items()}, where)
        sources.append(Source(id=doc_id, path=(folder / entry["file"]).resolve(), meta=meta))
    return sources


def source_for_file(path: Path) -> Source:
    """A loose file: metadata from its own folder's publications.toml if listed there, else from its name."""
    path = Path(path).resolve()
    meta_file = path.parent / METADATA_FILE
    if meta_file.exists():
        for source in load_folder(path.parent):
            if source.path == path:
                return source
    return Source(id=slug(path.stem), path=path, meta=normalise_meta({"title": path.stem}, str(path)))


def resolve(paths: list[Path]) -> list[Source]:
    sources: list[Source] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            sources.extend(load_folder(path))
        elif path.exists():
            sources.append(source_for_file(path))
        else:
            raise ConfigError(f"{path}: no such file or folder")
    return sources
