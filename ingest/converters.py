"""The Haystack component that turns publication files into Documents (pages joined by form feeds).

Parsing itself lives in ingest.parsing (no Haystack there, so the sandboxed child starts fast); this
module wraps it as a component and, when a time limit is set, parses each file in a limited child process
(ingest.sandbox).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from haystack import Document, component, logging

from kennisbank.core.errors import ConversionError
from kennisbank.ingest.parsing import parse_file
from kennisbank.ingest.sandbox import parse_in_child

logger = logging.getLogger(__name__)


@component
class PublicationConverter:
    """
    Converts publication files (PDF, text, Markdown) into one Document each, pages joined with form feeds.

    Each Document's meta is the given meta plus ``paginated``, ``page_count``, ``format`` and ``warnings``.
    A file that cannot be converted becomes a failure ``{"source", "reason", "message"}``; the batch goes on.
    """

    def __init__(self, timeout_s: int = 0, memory_mb: int = 0) -> None:
        """
        :param timeout_s: parse each file in a child process with this time limit (0: parse in this process).
        :param memory_mb: memory the child may use for parsing (see ingest.sandbox).
        """
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb

    @component.output_types(documents=list[Document], failures=list[dict])
    def run(
        self,
        sources: list[str | Path],
        meta: dict[str, Any] | list[dict[str, Any]] | None = None,
    ) -> dict[str, list]:
        """
        Convert files.

        :param sources: paths of the files.
        :param meta: one dict for all files, or one dict per file (same length as ``sources``).
        :returns: ``documents`` (one per converted file) and ``failures`` (one per file that failed).
        """
        metas = _metas_for(sources, meta)
        documents: list[Document] = []
        failures: list[dict] = []
        for source, file_meta in zip(sources, metas):
            try:
                if self.timeout_s:
                    parsed = parse_in_child(Path(source), self.timeout_s, self.memory_mb)
                else:
                    parsed = parse_file(Path(source))
            except ConversionError as exc:
                logger.warning(
                    "Could not convert {source} ({reason}): {error}",
                    source=str(source),
                    reason=exc.reason,
                    error=exc.message,  # "message" is a reserved name of a log record
                )
                failures.append({"source": str(source), "reason": exc.reason, "message": exc.message})
                continue
            doc_meta = {
                **file_meta,
                "paginated": parsed.paginated,
                "page_count": parsed.page_count,
                "format": parsed.format,
                "warnings": list(parsed.warnings),
            }
            documents.append(Document(content="\f".join(parsed.pages), meta=doc_meta))
        return {"documents": documents, "failures": failures}


def _metas_for(sources: list[str | Path], meta: dict[str, Any] | list[dict[str, Any]] | None) -> list[dict]:
    if meta is None:
        return [{} for _ in sources]
    if isinstance(meta, dict):
        return [dict(meta) for _ in sources]
    if len(meta) != len(sources):
        raise ValueError(
            f"meta has {len(meta)} entries but there are {len(sources)} sources; give one dict per source"
        )
    return [dict(m) for m in meta]
