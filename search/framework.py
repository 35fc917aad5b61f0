"""The framework as the site uses it: the reviewed data file ``corpus/framework.json`` (written by
``kennisbank framework extract``, see ingest.framework), loaded once, with lookups by value and by place.

Offsets in the file point into the stored cleaned text of the framework document; ``check_text`` tells
whether they still do (the file records a hash of that text). A stale file is still served, marked
``stale`` so pages can say so, and the suite fails until someone re-extracts and reviews the diff.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kennisbank.core.settings import CORPUS_DIR

FRAMEWORK_FILE = CORPUS_DIR / "framework.json"


def text_hash(pages: list[str]) -> str:
    """Fingerprint of the stored text the offsets point into (a re-cleaned text invalidates them)."""
    return hashlib.sha256("\f".join(pages).encode("utf-8")).hexdigest()[:16]


@dataclass
class Framework:
    document_id: str
    text_hash: str
    summary_values: list[dict[str, Any]]
    levels: list[dict[str, Any]]
    values: list[dict[str, Any]]
    stale: bool = False
    _by_id: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {v["id"]: v for v in self.values}

    @classmethod
    def load_if_present(cls, path: Path = FRAMEWORK_FILE) -> "Framework | None":
        """The framework, or None where the data file is missing (a knowledge base without it)."""
        return cls.load(path) if Path(path).is_file() else None

    @classmethod
    def load(cls, path: Path = FRAMEWORK_FILE) -> "Framework":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            document_id=data["document_id"],
            text_hash=data["text_hash"],
            summary_values=data["summary_values"],
            levels=data["levels"],
            values=data["values"],
        )

    @property
    def value_ids(self) -> list[str]:
        return [v["id"] for v in self.values]

    def value(self, value_id: str) -> dict[str, Any] | None:
        return self._by_id.get(value_id)

    def check_text(self, pages: list[str]) -> bool:
        """True when ``pages`` (the stored cleaned text) is the text the file was extracted from."""
        self.stale = text_hash(pages) != self.text_hash
        return not self.stale

    def findings(self):
        for value in self.values:
            for finding in value["findings"]:
                yield value, finding

    def values_at(self, page: int, start: int, end: int) -> list[str]:
        """Ids of the table rows a passage of the framework document (page, [start, end)) overlaps."""
        hits = []
        for value in self.values:
            lo, hi = value["extent"]["from"], value["extent"]["to"]
            after_start = (page, end) > (lo["page"], lo["offset"])
            before_end = (page, start) < (hi["page"], hi["offset"])
            if after_start and before_end:
                hits.append(value["id"])
        return hits
