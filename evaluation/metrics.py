"""Retrieval evaluation: hit@1, hit@5, MRR@10 (and nDCG@10) per language and retrieval mode.

A question file is JSON lines in the format of evaluation/dev-questions.jsonl: ``id``, ``lang``, ``q``,
``values``, ``anchors``. A retrieved passage is relevant when, after folding case, punctuation, hyphens and
whitespace away (only letters and digits remain), it contains one of the question's anchors.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from kennisbank.core.model import MODES  # the retrieval modes

DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "dev-questions.jsonl"
# Retrieval configurations an evaluation can compare: a mode, with or without thesaurus expansion, and for
# hybrid with the second stage (score fusion + best sentence, search.rerank; None: as the settings say) or
# with Qdrant's rank fusion (RRF) alone.
CONFIGS = {
    "bm25": ("bm25", False, None),
    "dense": ("dense", False, None),
    "hybrid": ("hybrid", False, None),
    "bm25+thesaurus": ("bm25", True, None),
    "hybrid+thesaurus": ("hybrid", True, None),
    "hybrid+thesaurus+rrf": ("hybrid", True, False),
    "hybrid+thesaurus+rerank": ("hybrid", True, True),
}
DEPTH = 10

_FOLD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case, and nothing but letters and digits: 'Opleidings-\\nverantwoordelijkheid,' -> 'opleidingsverantwoordelijkheid'."""
    return _FOLD.sub("", text.replace("\ufffd", "").casefold())


def is_relevant(text: str, anchors: Iterable[str]) -> bool:
    folded = fold(text)
    return any(fold(anchor) and fold(anchor) in folded for anchor in anchors)


@dataclass
class Question:
    id: str
    lang: str
    q: str
    anchors: list[str]
    values: list[str]
    split: str = ""


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            questions.append(
                Question(
                    id=str(data["id"]), lang=data["lang"], q=data["q"], anchors=list(data["anchors"]),
                    values=list(data.get("values", [])), split=data.get("split", ""),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a valid question ({exc})") from exc
    return questions


def first_relevant_rank(texts: list[str], anchors: list[str]) -> int | None:
    for rank, text in enumerate(texts, start=1):
        if is_relevant(text, anchors):
            return rank
    return None


def score_ranking(texts: list[str], anchors: list[str]) -> dict[str, float]:
    """Metrics of one ranked list (binary relevance; nDCG with the ideal of one relevant passage at rank 1)."""
    rank = first_relevant_rank(texts[:DEPTH], anchors)
    gains = [1.0 if is_relevant(t, anchors) else 0.0 for t in texts[:DEPTH]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(max(1, int(sum(gains)))))
    return {
        "hit@1": 1.0 if rank == 1 else 0.0,
        "hit@5": 1.0 if rank is not None and rank <= 5 else 0.0,
        "mrr@10": 1.0 / rank if rank is not None else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
    }


def evaluate(kb, questions: list[Question], modes: Iterable[str] = MODES) -> dict[str, Any]:
    """Run every question in every configuration (see CONFIGS); return per-question ranks and the mean
    metrics per (configuration, language)."""
    modes = list(modes)
    per_question: list[dict[str, Any]] = []
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for mode in modes:
        for question in questions:
            search_mode, expand, rerank = CONFIGS[mode]
            response = kb.search(question.q, k=DEPTH, mode=search_mode, expand=expand, rerank=rerank)
            texts = [r["text"] for r in response["results"]]
            scores = score_ranking(texts, question.anchors)
            rank = first_relevant_rank(texts, question.anchors)
            per_question.append({"id": question.id, "lang": question.lang, "mode": mode, "rank": rank, **scores})
            for group in (question.lang, "all"):
                counts[(mode, group)] += 1
                for name, value in scores.items():
                    sums[(mode, group)][name] += value
    table = [
        {"mode": mode, "lang": group, "n": n, **{name: round(total / n, 3) for name, total in sums[(mode, group)].items()}}
        for (mode, group), n in sorted(counts.items(), key=lambda item: (modes.index(item[0][0]), item[0][1]))
    ]
    return {"table": table, "questions": per_question}


def format_table(table: list[dict[str, Any]]) -> str:
    header = "| mode | lang | n | hit@1 | hit@5 | MRR@10 | nDCG@10 |"
    lines = [header, "|---|---|---|---|---|---|---|"]
    for row in table:
        lines.append(
            f"| {row['mode']} | {row['lang']} | {row['n']} | {row['hit@1']:.3f} | {row['hit@5']:.3f} "
            f"| {row['mrr@10']:.3f} | {row['ndcg@10']:.3f} |"
        )
    return "\n".join(lines)
