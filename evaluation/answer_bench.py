"""Benchmark (not a test) of evidence answers without a summary: the time of ``Answerer.answer`` at the size
of corpus/ and at 10x (each publication ingested ten times under new ids into a temporary index).

    python -m kennisbank.evaluation.answer_bench [--repeat 3] [--sizes 1,10] [--search-page]

``--search-page`` times the search page's list instead (``Searcher.result_list``: grouped repeats, the gate's
best scores, a spelling suggestion below the gate).

Questions: the dev and tune questions and the out-of-domain ones; each is answered once to warm up, then
``--repeat`` times timed. Prints p50/p95/max per size; the target is under 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.evaluation.answer_eval import question_sets
from kennisbank.ingest.sources import Source, load_folder
from kennisbank.search.answer import Answerer

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def build(data_dir: Path, copies: int):
    kb = KnowledgeBase.open(Settings.load({"data_dir": data_dir}, environ={}))
    originals = list(load_folder(CORPUS))
    sources = list(originals)
    for n in range(2, copies + 1):
        for s in originals:  # a copy differs by trailing newlines only: the ingester refuses identical files
            path = data_dir.parent / f"{s.id}-kopie-{n}{s.path.suffix}"
            path.write_bytes(s.path.read_bytes() + b"\n" * n)
            sources.append(Source(f"{s.id}-kopie-{n}", path, dict(s.meta, title=f"{s.meta['title']} (kopie {n})")))
    kb.indexer.ingest(sources)
    return kb


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(copies: int, repeat: int, search_page: bool = False) -> dict:
    questions = [q["q"] for name, qs in question_sets().items() if name != "heldout" for q in qs]
    workdir = Path(tempfile.mkdtemp(prefix="answer-bench-"))
    try:
        started = time.perf_counter()
        kb = build(workdir / "data", copies)
        build_s = time.perf_counter() - started
        try:
            answerer = Answerer(kb)
            call = kb.result_list if search_page else answerer.answer
            for q in questions:
                call(q)  # warm up: caches, registry, page texts, vocabulary
            samples, plain = [], []
            for _ in range(repeat):
                for q in questions:
                    t = time.perf_counter()
                    call(q)
                    samples.append((time.perf_counter() - t) * 1000)
                    if search_page:  # the plain search of the same question, for comparison
                        t = time.perf_counter()
                        kb.search(q)
                        plain.append((time.perf_counter() - t) * 1000)
            stats = kb.stats()
        finally:
            kb.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {"copies": copies, "documents": stats["documents"], "passages": stats["points"],
            "build_s": round(build_s, 1), "answers": len(samples),
            "p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1),
            "plain_p50_ms": round(statistics.median(plain), 1) if plain else None,
            "plain_p95_ms": round(percentile(plain, 95), 1) if plain else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="1,10", help="corpus multiples, comma-separated")
    parser.add_argument("--search-page", action="store_true", help="time Searcher.result_list (the /zoeken list)")
    args = parser.parse_args(argv)
    print(f"| corpus | documents | passages | {'lists' if args.search_page else 'answers'} | p50 ms | p95 ms | max ms | < 1 s |")
    print("|---|---|---|---|---|---|---|---|")
    for copies in (int(s) for s in args.sizes.split(",")):
        r = run(copies, args.repeat, args.search_page)
        print(f"| {copies}x | {r['documents']} | {r['passages']} | {r['answers']} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['max_ms']} | {'ja' if r['p95_ms'] < 1000 else 'nee'} |"
              + (f" plain search: p50 {r['plain_p50_ms']} ms, p95 {r['plain_p95_ms']} ms" if args.search_page else ""),
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
