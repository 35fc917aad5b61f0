"""Writes the compound lexicon of search/compounds.py from the corpus and the thesaurus.

    python -m kennisbank.ingest.lexicon [FOLDER...]     (default: the shipped corpus)

The lexicon is part of the index fingerprint: after changing it, re-index (`kennisbank ingest --rebuild`).
It lives here, not in search/, because building it reads publications (ingest's job); search only reads it.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from kennisbank.core.settings import CORPUS_DIR
from kennisbank.ingest.cleaning import clean_pages
from kennisbank.ingest.parsing import parse_file
from kennisbank.ingest.sources import resolve
from kennisbank.search.compounds import LEXICON_PATH, build_lexicon
from kennisbank.search.thesaurus import THESAURUS_PATH


def lexicon_for(folders: list[Path]) -> list[str]:
    texts = []
    for source in resolve(folders):
        texts.extend(clean_pages(parse_file(source.path).pages))
    concepts = tomllib.loads(THESAURUS_PATH.read_text(encoding="utf-8")).get("concept", [])
    return build_lexicon(texts, [term for concept in concepts for term in concept.get("nl", [])])


def main(argv: list[str] | None = None) -> int:
    folders = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or [CORPUS_DIR]
    words = lexicon_for(folders)
    LEXICON_PATH.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{LEXICON_PATH}: {len(words)} words (changing it changes the index fingerprint: re-index)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
