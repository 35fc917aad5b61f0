"""Stable passage anchors: derived from the passage's text, so a link survives re-ingest and replacement of
the publication as long as the passage text is unchanged, and never points at another passage.

``<doc id>.t<12 hex>``: the first 12 hex digits of the SHA-256 of the normalised passage text (Unicode NFKC,
case-folded, whitespace collapsed, soft hyphens dropped). A text that occurs more than once in a document gets
``-2``, ``-3`` ... on its later occurrences, in reading order. The letter ``t`` keeps these apart from the
version-bound chunk ids of old links (``<doc id>.c12``), which are never anchors of a current page.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_OLD_CHUNK_ID = re.compile(r"(?P<doc>.+)\.c(?P<split>\d+)")
ANCHOR = re.compile(r"(?P<doc>[A-Za-z0-9][A-Za-z0-9_-]{0,199})\.t(?P<hash>[0-9a-f]{12})(?:-(?P<n>\d{1,4}))?")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return " ".join(text.casefold().split())


def passage_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:12]


def passage_anchors(doc_id: str, texts: list[str]) -> list[str]:
    """The anchors of a document's passages, given their texts in reading order."""
    seen: dict[str, int] = {}
    anchors = []
    for text in texts:
        digest = passage_hash(text)
        seen[digest] = seen.get(digest, 0) + 1
        anchors.append(f"{doc_id}.t{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else ""))
    return anchors


def is_old_chunk_id(fragment: str) -> bool:
    """``doc.c12``: a passage number of some earlier version; it cannot be trusted to mean the same passage."""
    return bool(_OLD_CHUNK_ID.fullmatch(fragment or ""))
