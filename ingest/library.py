"""The kept originals: uploaded files in ``DATA_DIR/files`` with a JSON sidecar of their metadata.

The same layout as ``kennisbank add`` (``<id>-<sha256[:12]><suffix>`` plus ``<id>.json`` with ``id``, ``file``,
``meta``, ``original_name``), so ``kennisbank reindex`` (and ``ingest --rebuild``) can rebuild the whole index
from them. File names are ours, never the uploader's; the uploader's name is kept as data only.
A deleted publication's file and sidecar move to ``files/deleted/`` (nothing is lost; not re-indexed).

``sniff`` decides what a file is by its content: PDF (``%PDF-`` in the first KiB), Word .docx (a ZIP archive
with a Word document part), else UTF-8 text (Markdown when the uploader's name ends in .md). Anything else is
refused before it is stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any, BinaryIO

from kennisbank.core.errors import ConversionError, KennisbankError
from kennisbank.ingest.docx import is_docx
from kennisbank.ingest.parsing import MAGIC_WINDOW, PDF_MAGIC, decode_text

SUFFIXES = {"pdf": ".pdf", "docx": ".docx", "text": ".txt", "markdown": ".md"}
CHUNK = 1 << 20


class UnsupportedFile(KennisbankError):
    status = 415


def sniff(path: Path, original_name: str = "") -> str:
    """``pdf``, ``docx``, ``markdown`` or ``text`` from the file's content; raises UnsupportedFile otherwise."""
    with open(path, "rb") as handle:
        head = handle.read(MAGIC_WINDOW + len(PDF_MAGIC))
    if PDF_MAGIC in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if is_docx(Path(path).read_bytes()):
            return "docx"
    try:
        decode_text(Path(path).read_bytes())
    except ConversionError as exc:
        raise UnsupportedFile(
            "Dit bestand is geen PDF, Word-document (.docx), tekst of Markdown, wat de bestandsnaam ook zegt "
            f"({exc.message})."
        ) from None
    return "markdown" if original_name.lower().endswith((".md", ".markdown")) else "text"


def receive(settings, stream: BinaryIO, original_name: str, max_bytes: int) -> tuple[Path, str, str]:
    """Write an upload to a temporary file in DATA_DIR/files; return (path, sha256, format).

    Reads at most ``max_bytes`` (413 beyond); an empty or unsupported file is removed and refused.
    """
    files_dir = settings.files_dir
    files_dir.mkdir(parents=True, exist_ok=True)
    temp = files_dir / f".incoming-{secrets.token_hex(8)}"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(temp, "xb") as out:
            while block := stream.read(CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise KennisbankError(f"Het bestand is groter dan {max_bytes // (1024 * 1024)} MiB.", status=413)
                digest.update(block)
                out.write(block)
        if size == 0:
            raise KennisbankError("Het bestand is leeg.", status=400)
        kind = sniff(temp, original_name)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, digest.hexdigest(), kind


def place(settings, temp: Path, doc_id: str, digest: str, kind: str) -> str:
    """Give a received file its final, server-chosen name; return that name (relative to DATA_DIR/files)."""
    name = f"{doc_id}-{digest[:12]}{SUFFIXES[kind]}"
    os.replace(temp, settings.files_dir / name)
    return name


def copy_in(settings, source: Path, doc_id: str) -> str:
    """Keep a copy of a publication's file that lives elsewhere (the shipped corpus), under our name."""
    data = Path(source).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    settings.files_dir.mkdir(parents=True, exist_ok=True)
    name = f"{doc_id}-{digest[:12]}{Path(source).suffix.lower() or '.bin'}"
    target = settings.files_dir / name
    if not target.exists():
        temp = settings.files_dir / f".incoming-{secrets.token_hex(8)}"
        temp.write_bytes(data)
        os.replace(temp, target)
    return name


def sidecar(settings, doc_id: str) -> dict[str, Any] | None:
    path = settings.files_dir / f"{doc_id}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def keep(settings, doc_id: str, file: str, meta: dict[str, Any], original_name: str) -> None:
    """Record (atomically) that ``file`` with ``meta`` is the publication's current original."""
    previous = sidecar(settings, doc_id)
    record = {"id": doc_id, "file": file, "meta": meta, "original_name": original_name}
    path = settings.files_dir / f"{doc_id}.json"
    temp = path.with_name(f".{doc_id}.json.tmp")
    temp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temp, path)
    if previous and previous.get("file") and previous["file"] != file:
        (settings.files_dir / previous["file"]).unlink(missing_ok=True)


def forget(settings, doc_id: str) -> None:
    """Move a deleted publication's original and sidecar to files/deleted/ (kept, but no longer indexed)."""
    record = sidecar(settings, doc_id)
    if record is None:
        return
    deleted = settings.files_dir / "deleted"
    deleted.mkdir(exist_ok=True)
    stamp = secrets.token_hex(4)
    if record.get("file") and (settings.files_dir / record["file"]).exists():
        os.replace(settings.files_dir / record["file"], deleted / f"{stamp}-{record['file']}")
    os.replace(settings.files_dir / f"{doc_id}.json", deleted / f"{stamp}-{doc_id}.json")


_VERIFIED: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256: hash a big PDF once


def _sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _VERIFIED:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
        _VERIFIED[key] = digest.hexdigest()
    return _VERIFIED[key]


def original(settings, record) -> Path | None:
    """The kept original of a catalog record: the file whose SHA-256 is the catalog's ``content_hash``.

    Looks only where the catalog says the file is: the kept copy named in the sidecar (``DATA_DIR/files``)
    and the path it was ingested from. A file that is missing or has changed is not served (None)."""
    candidates = []
    record_file = (sidecar(settings, record.id) or {}).get("file")
    if record_file and Path(record_file).name == record_file:  # a bare name inside files/, never a path
        candidates.append(settings.files_dir / record_file)
    if record.source_path:
        candidates.append(Path(record.source_path))
    for path in candidates:
        try:
            if path.is_file() and _sha256(path) == record.content_hash:
                return path
        except OSError:
            continue
    return None
