"""Draw the passages to judge by eye: ``N`` passages per PDF, as the index would hold them.

Every PDF goes through the product's own components (``PublicationConverter`` -> ``DutchTextCleaner`` ->
``StructureSplitter``, the indexing pipeline without the embedders): exactly the passages the index would
hold (noise the splitter leaves out is not drawn). Each file's sample is drawn with ``random.Random(seed)`` from its
passages in order, so a sample can be drawn again from the same code. Written as JSON lines with empty
``codes`` and ``note`` for the judge (defect codes: the README of the real PDFs), e.g.::

    python -m kennisbank.evaluation.judge_sample FOLDER_OF_PDFS --per-file 10 --seed 27 --out sample.jsonl

A file that cannot be read (a scan without a text layer) is reported on stderr and skipped.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

from kennisbank.core.errors import ConversionError
from kennisbank.ingest.pipeline import split_file


def passages(path: Path) -> list[dict[str, Any]]:
    """The passages of one file that the index would hold, with their place."""
    _document, chunks = split_file(path)
    return [
        {"file": path.name, "page": chunk.meta.get("page_number"), "page_end": chunk.meta.get("page_end"),
         "page_label": chunk.meta.get("page_label"), "kind": chunk.meta.get("kind", "body"),
         "section": chunk.meta.get("section", []), "text": chunk.content, "codes": [], "note": ""}
        for chunk in chunks
    ]


def draw(path: Path, per_file: int, seed: int) -> list[dict[str, Any]]:
    found = passages(path)
    chosen = sorted(random.Random(seed).sample(range(len(found)), min(per_file, len(found))))
    return [found[i] for i in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kennisbank.evaluation.judge_sample", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="+", help="PDF files or folders of PDFs")
    parser.add_argument("--per-file", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", help="JSON lines file (default: standard output)")
    args = parser.parse_args(argv)
    files = [f for t in map(Path, args.targets) for f in (sorted(t.glob("*.pdf")) if t.is_dir() else [t])]
    rows: list[dict[str, Any]] = []
    for path in files:
        try:
            rows += draw(path, args.per_file, args.seed)
        except ConversionError as exc:
            print(f"skipped: {path.name}: {exc.message}", file=sys.stderr)
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
