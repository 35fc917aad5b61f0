"""Full references of cited works, completed by staff in the console (``/beheer/bronnen/<id>``).

A work a publication cites is often known only as "Leeferink (2016)". When staff find its full reference
(authors with initials, title, publisher, place, URL, DOI, type) they record it here; the references and
exports (search.csl, search.references) then use it instead of what the citing publications give. Each
change is written to the audit log by the console. Stored in ``DATA_DIR/catalog.sqlite``, one row per source.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from kennisbank.core.sqlite import SQLiteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS source_references (
    source_id TEXT PRIMARY KEY,
    fields TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""


class SourceReferences(SQLiteFile):
    PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")

    def __init__(self, path: Path):
        super().__init__(path, SCHEMA)

    def get(self, source_id: str) -> dict[str, Any] | None:
        row = self._conn().execute("SELECT fields FROM source_references WHERE source_id = ?", (source_id,)).fetchone()
        return json.loads(row["fields"]) if row else None

    def all(self) -> dict[str, dict[str, Any]]:
        rows = self._conn().execute("SELECT source_id, fields FROM source_references").fetchall()
        return {r["source_id"]: json.loads(r["fields"]) for r in rows}

    def put(self, source_id: str, fields: dict[str, Any], user: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO source_references (source_id, fields, updated_by, updated_at) VALUES (?, ?, ?, ?)",
                (source_id, json.dumps(fields, ensure_ascii=False), user, time.time()),
            )

    def version(self) -> float:
        """Changes whenever a reference changes (for caches)."""
        row = self._conn().execute("SELECT MAX(updated_at) AS m, COUNT(*) AS n FROM source_references").fetchone()
        return (row["m"] or 0.0) + row["n"]
