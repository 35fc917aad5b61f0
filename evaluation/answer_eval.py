"""How well the evidence answers do: the rate at which a question's expected framework values stand among
the answer's top 3 values, and the relevance gate ("geen onderbouwing gevonden") on in-domain questions and on
out-of-domain questions (evaluation/ood-questions.jsonl).

    python -m kennisbank.evaluation.answer_eval [--data-dir DATA] [--json]
    python -m kennisbank.evaluation.answer_eval --gate   # the gate on /zoeken and /vraag: refused per set

Reports dev + tune (used to choose the settings of search.answer) and held-out (report only, never tuned on).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.search.answer import Answerer

HERE = Path(__file__).resolve().parent
OOD_FILE = HERE / "ood-questions.jsonl"


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def question_sets() -> dict[str, list[dict[str, Any]]]:
    main = load(HERE / "questions.jsonl")
    return {
        "dev+tune": load(HERE / "dev-questions.jsonl") + [q for q in main if q["split"] == "tune"],
        "heldout": [q for q in main if q["split"] == "heldout"],
        "ood": load(OOD_FILE),
    }


def evaluate(answerer, questions: list[dict[str, Any]], top: int = 3) -> dict[str, Any]:
    with_values = any_hit = all_hit = answered = 0
    misses = []
    for q in questions:
        a = answerer.answer(q["q"])
        answered += a["status"] == "answered"
        if not q.get("values"):
            continue
        with_values += 1
        got = [v["id"] for v in a["values"][:top]]
        expected = set(q["values"])
        any_hit += bool(expected & set(got))
        all_hit += expected <= set(got)
        if not expected & set(got):
            misses.append({"id": q.get("id"), "q": q["q"], "expected": sorted(expected), "got": got})
    return {
        "questions": len(questions),
        "answered": answered,
        "with_values": with_values,
        f"any_in_top{top}": round(any_hit / with_values, 3) if with_values else None,
        f"all_in_top{top}": round(all_hit / with_values, 3) if with_values else None,
        "misses": misses,
    }


def gate(kb, answerer, sets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The one relevance gate on both pages: which questions the search page (`Searcher.result_list`) and
    the answer page (`Answerer.answer`) refuse, per question set."""
    report: dict[str, Any] = {}
    for name, questions in sets.items():
        search_refused = [q["id"] for q in questions if not kb.result_list(q["q"])["relevant"]]
        answer_refused = [q["id"] for q in questions if answerer.answer(q["q"])["status"] == "no_evidence"]
        report[name] = {"questions": len(questions), "search_refused": search_refused,
                        "answer_refused": answer_refused}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--calibration", action="store_true", help="print the relevance signals of every question")
    parser.add_argument("--gate", action="store_true",
                        help="count the questions the search page (/zoeken) and the answer page (/vraag) refuse")
    args = parser.parse_args(argv)

    settings = Settings.load({"data_dir": args.data_dir} if args.data_dir else None)
    with KnowledgeBase.open(settings) as kb:
        answerer = Answerer(kb)
        sets = question_sets()
        if args.calibration:
            for name, questions in sets.items():
                if name == "heldout":
                    continue  # never tune on it
                for q in questions:
                    s = answerer.answer(q["q"])["searched"]
                    print(f"{name:9} dense={s['best_dense']:.3f} bm25={s['best_bm25']:6.2f} "
                          f"domain={','.join(s['domain_terms']) or '-'}  {q['q']}")
            return 0
        if args.gate:
            report = gate(kb, answerer, sets)
            if args.json:
                print(json.dumps(report, ensure_ascii=False, indent=2))
                return 0
            for name, r in report.items():
                print(f"{name:9} {r['questions']} questions; refused on /zoeken {len(r['search_refused'])}, "
                      f"on /vraag {len(r['answer_refused'])}"
                      + (f"  (/zoeken: {', '.join(r['search_refused'])})" if name != "ood" and r["search_refused"] else ""))
            return 0
        report = {name: evaluate(answerer, questions) for name, questions in sets.items()}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for name, r in report.items():
        if name == "ood":
            print(f"{name:9} {r['questions']} questions, {r['questions'] - r['answered']} get 'geen onderbouwing gevonden'")
            continue
        print(f"{name:9} {r['questions']} questions ({r['answered']} answered); {r['with_values']} with values: "
              f"an expected value in the top 3 {r['any_in_top3']:.1%}, all expected values in the top 3 "
              f"{r['all_in_top3']:.1%}")
        for miss in r["misses"]:
            print(f"          miss {miss['id']}: expected {miss['expected']}, got {miss['got']}  {miss['q']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
