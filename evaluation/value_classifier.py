"""Measure the value classifier (ingest.values.ValueClassifier) against the question files' ``values``.

    python -m kennisbank.evaluation.value_classifier [--data-dir DATA] [--json]

Two measurements, precision / recall / F1 micro-averaged over (item, value) pairs:

1. questions: for each question of evaluation/dev-questions.jsonl and evaluation/questions.jsonl, the
   passages that contain one of its anchors are classified; the union of their values is compared with the
   question's ``values`` (the table rows its anchors stand in; [] for answers outside the table). Every
   passage is classified, the framework document's too, so this measures the classifier, not the row
   extents the framework document's passages get at indexing time.
2. framework passages: each passage of the framework table classified, against the row it stands in.

The threshold is swept; choose it on the ``tune`` split, report ``heldout`` and dev.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from haystack import Document

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.evaluation.metrics import DEFAULT_QUESTIONS, load_questions
from kennisbank.ingest.values import ValueClassifier
from kennisbank.search.embedders import dense_document_embedder
from kennisbank.search.framework import Framework

THRESHOLDS = [round(0.40 + 0.025 * i, 3) for i in range(23)]  # 0.40-0.95: e5's cosines are high


def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def prf(pairs_gold: list[set], pairs_pred: list[set]) -> dict[str, float]:
    tp = sum(len(g & p) for g, p in zip(pairs_gold, pairs_pred))
    npred = sum(len(p) for p in pairs_pred)
    ngold = sum(len(g) for g in pairs_gold)
    precision = tp / npred if npred else 0.0
    recall = tp / ngold if ngold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "predicted": npred,
            "gold": ngold}


def measure(kb, framework) -> dict[str, Any]:
    embed = kb.embed_text  # profiles, as the indexer embeds them
    documents = dense_document_embedder(kb.settings.embedding_model)  # passages, as the indexer embeds them
    documents.warm_up()
    classifier = ValueClassifier(framework, embed, threshold=kb.settings.value_threshold,
                                 max_values=kb.settings.value_max)
    passages = []  # (doc_id, page, start, end, text, scores)
    for doc in kb.documents():
        data = kb.document(doc["id"])
        pages = {p["page"]: p["text"] for p in data["pages"]}
        texts = [pages[c["page"]][c["start"]:c["end"]] for c in data["chunks"]]
        embedded = documents.run(documents=[Document(content=t) for t in texts])["documents"]
        for chunk, text, passage in zip(data["chunks"], texts, embedded):
            passages.append((doc["id"], chunk["page"], chunk["start"], chunk["end"], _fold(text),
                             classifier.scores(passage.embedding)))

    def predict(scores: dict[str, float], threshold: float) -> set[str]:
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])[: classifier.max_values]
        return {i for i, s in ranked if s >= threshold}

    questions = load_questions(DEFAULT_QUESTIONS) + load_questions(DEFAULT_QUESTIONS.parent / "questions.jsonl")
    splits: dict[str, list] = {"dev": [], "tune": [], "heldout": []}
    for q in questions:
        anchors = [_fold(a) for a in q.anchors]
        hits = [p for p in passages if any(a in p[4] for a in anchors)]
        splits.get(q.split or "dev", splits["dev"]).append((set(q.values), hits))
    table = [(set(framework.values_at(p[1] or 1, p[2], p[3])), p) for p in passages
             if p[0] == framework.document_id]
    table = [(gold, p) for gold, p in table if gold]
    out: dict[str, Any] = {"thresholds": {}}
    for threshold in THRESHOLDS:
        row = {}
        for name, items in splits.items():
            pred = [set().union(*[predict(h[5], threshold) for h in hits]) if hits else set() for _, hits in items]
            row[name] = prf([g for g, _ in items], pred)
        row["framework_passages"] = prf([g for g, _ in table], [predict(p[5], threshold) for _, p in table])
        out["thresholds"][threshold] = row
    best = max(THRESHOLDS, key=lambda t: (out["thresholds"][t]["tune"]["f1"], -t))
    out["chosen_on_tune"] = best
    out["counts"] = {name: len(items) for name, items in splits.items()} | {"framework_passages": len(table)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with KnowledgeBase.open(Settings.load({"data_dir": args.data_dir})) as kb:
        result = measure(kb, Framework.load())
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"items: {result['counts']}; threshold chosen on tune: {result['chosen_on_tune']}\n")
    print("| threshold | tune P / R / F1 | heldout P / R / F1 | dev P / R / F1 | table passages P / R / F1 |")
    print("|---|---|---|---|---|")
    for t, row in result["thresholds"].items():
        cells = [f"{row[k]['precision']:.3f} / {row[k]['recall']:.3f} / {row[k]['f1']:.3f}"
                 for k in ("tune", "heldout", "dev", "framework_passages")]
        print(f"| {t} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
