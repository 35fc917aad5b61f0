"""Where publications come from: a folder with a `publications.toml`, loose files, or one file with metadata.

A `Source` is one publication to ingest: its stable id, its file, and its citation metadata. The metadata file
is TOML (one ``[[publication]]`` block each, see corpus/publications.toml); unknown keys are refused so a typo
never silently drops a field.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kennisbank.core.errors import ConfigError
from kennisbank.core.model import ENTRY_FIELDS, check_doc_id, publication_meta, slug

METADATA_FILE = "publications.toml"
SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md", ".markdown", ".docx")


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
        doc_id = check_doc_id(str(entry.get("id", "")), where)
        if doc_id in seen:
            raise ConfigError(f"{where}: duplicate id {doc_id!r}")
        seen.add(doc_id)
        if "file" not in entry:
            raise ConfigError(f"{where}: missing 'file'")
        meta = publication_meta(dict(entry), where, fields=ENTRY_FIELDS)
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
    return Source(id=slug(path.stem), path=path, meta=publication_meta({"title": path.stem}, str(path)))


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
