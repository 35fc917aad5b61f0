"""What a repeated question costs on the search page: the same question again with another page size and a
filter (a facet click) reuses the query vector from the e5 encoder's LRU cache (search/e5.py) and does not
embed again.

    OMP_NUM_THREADS=1 python -m kennisbank.evaluation.repeat_query --data-dir DATA

Runs the tune questions through `result_list` (the search page), each once new and once again, and times the
query embedding uncached and cached.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.evaluation.bench import percentiles
from kennisbank.evaluation.metrics import load_questions

EVALUATION = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--kind", default="positiedocument", help="the filter of the repeated search")
    args = parser.parse_args(argv)
    questions = [q.q for q in load_questions(EVALUATION / "questions.jsonl") if q.split == "tune"]
    times: dict[str, list[float]] = {"search page, new question": [], "search page, the same again": [],
                                     "query embedding, uncached": [], "query embedding, cached": []}

    def timed(name, call):
        begun = time.perf_counter()
        call()
        times[name].append((time.perf_counter() - begun) * 1000)

    with KnowledgeBase.open(Settings.load({"data_dir": args.data_dir})) as kb:
        kb.result_list("warm-up", k=10)
        for q in questions:
            timed("search page, new question", lambda: kb.result_list(q, k=10))  # noqa: B023
            timed("search page, the same again", lambda: kb.result_list(q, k=20, kinds=[args.kind]))  # noqa: B023
        for q in questions:  # a text not asked before: the first run embeds it, the second finds it
            timed("query embedding, uncached", lambda: kb.embed_text(f"{q} (opnieuw)"))  # noqa: B023
            timed("query embedding, cached", lambda: kb.embed_text(f"{q} (opnieuw)"))  # noqa: B023
    print(f"{len(questions)} tune questions, load average {os.getloadavg()[0]:.1f} (ms):")
    for name, samples in times.items():
        p = percentiles(samples)
        print(f"  {name:30} p50 {p['p50']:7.2f}  p95 {p['p95']:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
