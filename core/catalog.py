"""The document catalog: what publications the knowledge base holds, their stored text, and which version of
each is visible. SQLite in ``DATA_DIR/catalog.sqlite`` (WAL mode, safe for several threads and processes).

Versions make replacing a publication atomic for searchers. A version is ``pending`` while its chunks are
written, ``current`` once published, ``retired`` while the chunks of a replaced or deleted version are removed.
Searches hide every version that is not ``current`` (see `hidden_versions`), and publishing (retire the old,
promote the new) is one SQLite transaction: at no moment is a document missing or doubled.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from kennisbank.core.model import PUBLICATION_FIELD_NAMES
from kennisbank.core.sqlite import SQLiteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    year INTEGER,
    year_approximate INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'nl',
    sectors TEXT NOT NULL DEFAULT '[]',
    url TEXT NOT NULL DEFAULT '',
    source_path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    meta_hash TEXT NOT NULL,
    version TEXT NOT NULL,
    format TEXT NOT NULL,
    paginated INTEGER NOT NULL,
    page_count INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL,
    version TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'current', 'retired')),
    created_at REAL NOT NULL,
    PRIMARY KEY (doc_id, version)
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL,
    version TEXT NOT NULL,
    page_no INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc_id, version, page_no)
);
CREATE TABLE IF NOT EXISTS chunks (
    doc_id TEXT NOT NULL,
    version TEXT NOT NULL,
    split_id INTEGER NOT NULL,
    page_no INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (doc_id, version, split_id)
);
"""


@dataclass
class DocumentRecord:
    id: str
    title: str
    organisation: str
    year: int | None
    year_approximate: bool
    kind: str
    language: str
    sectors: list[str]
    url: str
    source_path: str
    content_hash: str
    meta_hash: str
    version: str
    format: str
    paginated: bool
    page_count: int
    chunk_count: int
    warnings: list[str] = field(default_factory=list)

    def metadata(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PUBLICATION_FIELD_NAMES}


class Catalog(SQLiteFile):
    PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")

    def __init__(self, path: Path):
        super().__init__(path, SCHEMA)

    # -- documents ----------------------------------------------------------------------------------------
    @staticmethod
    def _record(row: sqlite3.Row) -> DocumentRecord:
        data = dict(row)
        data.pop("updated_at", None)
        data["sectors"] = json.loads(data["sectors"])
        data["warnings"] = json.loads(data["warnings"])
        data["year_approximate"] = bool(data["year_approximate"])
        data["paginated"] = bool(data["paginated"])
        return DocumentRecord(**data)

    def get(self, doc_id: str) -> DocumentRecord | None:
        row = self._conn().execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return self._record(row) if row else None

    def all(self) -> list[DocumentRecord]:
        rows = self._conn().execute("SELECT * FROM documents ORDER BY year IS NULL, year DESC, title").fetchall()
        return [self._record(r) for r in rows]

    def pages(self, doc_id: str, version: str) -> list[tuple[int, str]]:
        rows = self._conn().execute(
            "SELECT page_no, text FROM pages WHERE doc_id = ? AND version = ? ORDER BY page_no", (doc_id, version)
        ).fetchall()
        return [(r["page_no"], r["text"]) for r in rows]

    def chunks(self, doc_id: str, version: str) -> list[tuple[int, int, int, int]]:
        rows = self._conn().execute(
            "SELECT split_id, page_no, start, end FROM chunks WHERE doc_id = ? AND version = ? ORDER BY split_id",
            (doc_id, version),
        ).fetchall()
        return [(r["split_id"], r["page_no"], r["start"], r["end"]) for r in rows]

    # -- versions -----------------------------------------------------------------------------------------
    def hidden_versions(self) -> list[str]:
        rows = self._conn().execute("SELECT version FROM versions WHERE state != 'current'").fetchall()
        return [r["version"] for r in rows]

    def versions_in_state(self, *states: str) -> list[tuple[str, str]]:
        marks = ",".join("?" for _ in states)
        rows = self._conn().execute(
            f"SELECT doc_id, version FROM versions WHERE state IN ({marks})", states
        ).fetchall()
        return [(r["doc_id"], r["version"]) for r in rows]

    def version_date(self, doc_id: str, version: str) -> float | None:
        """When this version of the document was taken in (seconds since the epoch)."""
        row = self._conn().execute(
            "SELECT created_at FROM versions WHERE doc_id = ? AND version = ?", (doc_id, version)
        ).fetchone()
        return row["created_at"] if row else None

    def current_versions(self) -> set[tuple[str, str]]:
        return set(self.versions_in_state("current"))

    def stage(self, doc_id: str, version: str, pages: list[tuple[int, str]], chunks: list[tuple[int, int, int, int]]) -> None:
        """Record a new version as pending, with its page texts and chunk offsets, before its points are written."""
        with self._tx() as db:
            db.execute("DELETE FROM pages WHERE doc_id = ? AND version = ?", (doc_id, version))
            db.execute("DELETE FROM chunks WHERE doc_id = ? AND version = ?", (doc_id, version))
            db.execute(
                "INSERT OR REPLACE INTO versions (doc_id, version, state, created_at) VALUES (?, ?, 'pending', ?)",
                (doc_id, version, time.time()),
            )
            db.executemany(
                "INSERT INTO pages (doc_id, version, page_no, text) VALUES (?, ?, ?, ?)",
                [(doc_id, version, no, text) for no, text in pages],
            )
            db.executemany(
                "INSERT INTO chunks (doc_id, version, split_id, page_no, start, end) VALUES (?, ?, ?, ?, ?, ?)",
                [(doc_id, version, *c) for c in chunks],
            )

    def publish(self, record: DocumentRecord) -> str | None:
        """Make `record.version` the visible version of its document in one transaction; return the old version."""
        with self._tx() as db:
            row = db.execute("SELECT version FROM documents WHERE id = ?", (record.id,)).fetchone()
            old = row["version"] if row and row["version"] != record.version else None
            if old:
                db.execute("UPDATE versions SET state = 'retired' WHERE doc_id = ? AND version = ?", (record.id, old))
            db.execute(
                "UPDATE versions SET state = 'current' WHERE doc_id = ? AND version = ?", (record.id, record.version)
            )
            values = {**self._columns(record.__dict__), "updated_at": time.time()}
            cols = ", ".join(values)
            marks = ", ".join(f":{k}" for k in values)
            db.execute(f"INSERT OR REPLACE INTO documents ({cols}) VALUES ({marks})", values)
        return old

    def update_metadata(self, record: DocumentRecord) -> None:
        """Change citation metadata of the current version (no new version: the text is the same)."""
        with self._tx() as db:
            db.execute(
                f"UPDATE documents SET {', '.join(f'{name}=?' for name in PUBLICATION_FIELD_NAMES)}, "
                "meta_hash=?, source_path=?, updated_at=? WHERE id=?",
                (*self._columns(record.metadata()).values(), record.meta_hash, record.source_path, time.time(),
                 record.id),
            )

    @staticmethod
    def _columns(values: dict[str, Any]) -> dict[str, Any]:
        """Python values as the documents table stores them (lists as JSON, booleans as 0/1)."""
        return {name: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else int(v) if isinstance(v, bool)
                else v for name, v in values.items()}

    def retire_document(self, doc_id: str) -> str | None:
        """Hide a document at once (its version becomes retired, its row goes); return the retired version."""
        with self._tx() as db:
            row = db.execute("SELECT version FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE versions SET state = 'retired' WHERE doc_id = ? AND version = ?", (doc_id, row["version"]))
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            return row["version"]

    def forget_version(self, doc_id: str, version: str) -> None:
        """Drop a pending or retired version's rows once its points are gone from the store."""
        with self._tx() as db:
            db.execute("DELETE FROM versions WHERE doc_id = ? AND version = ? AND state != 'current'", (doc_id, version))
            db.execute("DELETE FROM pages WHERE doc_id = ? AND version = ?", (doc_id, version))
            db.execute("DELETE FROM chunks WHERE doc_id = ? AND version = ?", (doc_id, version))

    def clear(self) -> None:
        """Forget everything (used by a rebuild, which re-adds every document)."""
        with self._tx() as db:
            for table in ("documents", "versions", "pages", "chunks"):
                db.execute(f"DELETE FROM {table}")

    def iter_ids(self) -> Iterator[str]:
        for row in self._conn().execute("SELECT id FROM documents ORDER BY id"):
            yield row["id"]
