"""Grid over the second stage of hybrid search (search.rerank), on the tune part and the dev questions only.

One pass over the index collects, per question, everything the second stage works from: the dense cosine of
every passage (brute force over the passage vectors, which on this corpus gives the store's own dense list),
the BM25 scores (the store's query, thesaurus expansion as the product does it) and the best-sentence cosine
of every passage (the store's sentence vectors), for the question alone and for the question with its thesaurus
expansion (setting ``dense_expansion``), and the question's cosine to each framework value's profile
(search.value_signal). Every configuration is then the product's own arithmetic on those lists (`Reranker`:
fusion and best-sentence re-scoring; `value_rescore`), so a grid of hundreds of configurations takes seconds.

Passage vectors can be made from another passage text than the index's (``--variants``): the contextual
header variants embed "<title> — <section> — <text>" (`passage_context_text`) instead of the text.

    python -m kennisbank.evaluation.second_stage_grid --data-dir DATA --grid weights --variants plain,title,value
    python -m kennisbank.evaluation.second_stage_grid --data-dir DATA --grid combined

It reads only the tune part of evaluation/questions.jsonl and evaluation/dev-questions.jsonl: the held-out and
fresh questions are evaluated with ``kennisbank eval`` for the configurations chosen here, and only then.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
from haystack import Document

from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.core.text import normalize_text
from kennisbank.evaluation.metrics import DEPTH, Question, load_questions, score_ranking
from kennisbank.search.e5 import E5_MODEL, E5TextEmbedder
from kennisbank.search.embedders import dense_document_embedder
from kennisbank.search.rerank import Reranker, zscores
from kennisbank.search.schema import Hit, SearchFilter
from kennisbank.search.thesaurus import default_thesaurus
from kennisbank.search.value_signal import value_profiles, value_rescore

EVALUATION = Path(__file__).resolve().parent
# Contextual passage headers: the passage vector made from "<header> — <text>" instead of the text (measured,
# not kept: README "Search quality"). The header: the publication's title (``title``), the path of headings
# above the passage (``section``), both, or the titles of the framework values it carries (``value``; in the
# framework document its table row's heading).
CONTEXT_MODES = ("plain", "title", "section", "title-section", "value", "section-value")
SEPARATOR = " — "


def _clean(parts: Iterable[str]) -> list[str]:
    return [" ".join(p.split()) for p in parts if p and p.strip()]


def passage_context_text(text: str, mode: str, *, title: str = "", section: Iterable[str] = (),
                         value_titles: Iterable[str] = ()) -> str:
    """The text to embed for a passage under `mode` (CONTEXT_MODES). Empty parts are left out: a passage
    without headings gets only the title in ``title-section`` mode, and ``plain`` is the text itself."""
    if mode not in CONTEXT_MODES:
        raise ValueError(f"unknown passage context {mode!r}; valid: {', '.join(CONTEXT_MODES)}")
    parts: list[str] = []
    if mode in ("title", "title-section"):
        parts += _clean([title])[:1]
    if mode in ("section", "title-section", "section-value"):
        path = " / ".join(_clean(section))
        parts += [path] if path else []
    if mode in ("value", "section-value"):
        names = "; ".join(_clean(value_titles))
        parts += [names] if names else []
    return SEPARATOR.join([*parts, text]) if parts else text


TUNE_SETS = (("tune", EVALUATION / "questions.jsonl", "tune"), ("dev", EVALUATION / "dev-questions.jsonl", None))


@dataclass
class Collected:
    """What the second stage of one question works from, for every passage of the index."""

    question: Question
    query_vector: np.ndarray
    bm25: list[Hit]  # the store's BM25 list (all passages with a score)
    sentence: dict[str, float]  # point id -> best sentence cosine
    expanded_vector: np.ndarray  # the query with its thesaurus expansions, embedded (= query_vector without)
    expanded_sentence: dict[str, float]
    value_scores: dict[str, float]  # framework value id -> cosine of the question to the value's profile
    expanded_value_scores: dict[str, float]  # the same for the expanded question


@dataclass
class Corpus:
    ids: list[str]
    payloads: list[dict[str, Any]]
    vectors: dict[str, np.ndarray]  # variant -> passage vectors (rows in the order of ids)
    value_ids: list[str]
    value_profiles: np.ndarray  # one row per value: its profile (title, preconditions, findings) as a passage


def load_tune_questions() -> dict[str, list[Question]]:
    sets = {}
    for name, path, split in TUNE_SETS:
        sets[name] = [q for q in load_questions(path) if split is None or q.split == split]
    return sets


def collect_corpus(kb: KnowledgeBase, variants: list[str], profiles_as: str = "query") -> Corpus:
    """Every current passage of the index, and its vector per variant (plain: the text as indexed)."""
    hidden = set(kb.catalog.hidden_versions())
    flt = SearchFilter(hidden_versions=list(hidden))
    probe = kb.embed_text("probe")
    hits = kb.store.query(dense=probe, sparse=None, mode="dense", limit=kb.store.count(), flt=flt,
                          prefetch_limit=kb.settings.prefetch_limit, rrf_k=kb.settings.rrf_k)
    hits.sort(key=lambda h: h.payload["chunk_id"])
    embedder = dense_document_embedder(kb.settings.embedding_model)
    embedder.warm_up()
    vectors = {}
    for variant in variants:
        texts = [passage_context_text(h.payload.get("text", ""), variant, title=h.payload.get("title", ""),
                                      section=h.payload.get("section") or [],
                                      value_titles=_value_titles(kb, h.payload)) for h in hits]
        docs = embedder.run(documents=[Document(content=t) for t in texts])["documents"]
        matrix = np.array([d.embedding for d in docs], dtype=np.float32)
        vectors[variant] = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    value_ids, profiles = [], np.zeros((0, 1), dtype=np.float32)
    if kb.framework is not None:
        texts = value_profiles(kb.framework)
        value_ids = list(texts)
        if profiles_as == "query":  # as the searcher embeds them (its query embedder)
            profiles = np.array([kb.embed_text(texts[v]) for v in value_ids], dtype=np.float32)
        else:
            docs = embedder.run(documents=[Document(content=texts[v]) for v in value_ids])["documents"]
            profiles = np.array([d.embedding for d in docs], dtype=np.float32)
        profiles /= np.linalg.norm(profiles, axis=1, keepdims=True)
    return Corpus([h.id for h in hits], [h.payload for h in hits], vectors, value_ids, profiles)


def _value_titles(kb: KnowledgeBase, payload: dict[str, Any]) -> list[str]:
    framework = kb.framework
    if framework is None:
        return []
    return [framework.value(v)["title"] for v in payload.get("values") or [] if framework.value(v)]


def collect_question(kb: KnowledgeBase, corpus: Corpus, question: Question) -> Collected:
    text = normalize_text(question.q)
    expansions = default_thesaurus().expansions(text) if kb.settings.query_expansion else []
    vector = np.asarray(kb.embed_text(text), dtype=np.float32)
    emb = kb._sparse.run(text=text, expansions=expansions)["sparse_embedding"]
    flt = SearchFilter(hidden_versions=list(kb.catalog.hidden_versions()))
    bm25 = []
    if emb.indices:
        bm25 = kb.store.query(dense=None, sparse=(list(emb.indices), list(emb.values)), mode="bm25",
                              limit=len(corpus.ids), flt=flt, prefetch_limit=kb.settings.prefetch_limit,
                              rrf_k=kb.settings.rrf_k)
    sentence = kb.store.sentence_scores(list(map(float, vector)), corpus.ids)
    if expansions:
        expanded = np.asarray(kb.embed_text(" ".join([text, *expansions])), dtype=np.float32)
        expanded_sentence = kb.store.sentence_scores(list(map(float, expanded)), corpus.ids)
    else:
        expanded, expanded_sentence = vector, sentence
    return Collected(question, vector, bm25, sentence, expanded, expanded_sentence, _value_cosines(corpus, vector),
                     _value_cosines(corpus, expanded))


def _value_cosines(corpus: Corpus, vector: np.ndarray) -> dict[str, float]:
    return dict(zip(corpus.value_ids, (float(x) for x in corpus.value_profiles @ vector))) if corpus.value_ids else {}


def dense_list(corpus: Corpus, variant: str, vector: np.ndarray) -> list[Hit]:
    scores = corpus.vectors[variant] @ vector
    order = sorted(range(len(corpus.ids)), key=lambda i: (-scores[i], corpus.payloads[i]["chunk_id"]))
    return [Hit(id=corpus.ids[i], score=float(scores[i]), payload=corpus.payloads[i]) for i in order]


def ranking(corpus: Corpus, item: Collected, config: dict[str, Any]) -> list[str]:
    """The top passages' texts for one question under one configuration (the real Reranker)."""
    prefetch = config["prefetch"]
    expanded = config.get("dense_expansion", False)
    vector = item.expanded_vector if expanded else item.query_vector
    sentence = item.expanded_sentence if expanded else item.sentence
    cosines = item.expanded_value_scores if expanded else item.value_scores
    dense = dense_list(corpus, config["variant"], vector)[:prefetch]
    bm25 = item.bm25[:prefetch]
    reranker = Reranker(dense_weight=config["dense_weight"], depth=config["depth"],
                        sentence_weight=config["sentence_weight"])
    fused = reranker.fuse(dense, bm25)
    hits = reranker.rescore(fused, lambda ids: {i: sentence[i] for i in ids if i in sentence})
    if config.get("value_weight"):
        ids = list(cosines)
        leanings = dict(zip(ids, zscores([cosines[i] for i in ids])))
        hits = value_rescore(hits, leanings, config["depth"], config["value_weight"])
    hits = sorted(hits, key=lambda h: (-h.score, h.payload["chunk_id"]))
    return [h.payload["text"] for h in hits[:DEPTH]]


def mean_scores(items: list[Collected], ranking_of: Callable[[Collected], list[str]]) -> dict[str, dict[str, float]]:
    """Mean hit@1 / hit@5 / MRR@10 per language and over all, of the rankings ``ranking_of`` gives (the grids'
    replays of the product's arithmetic)."""
    rows: dict[str, list[dict[str, float]]] = {"nl": [], "en": [], "all": []}
    for item in items:
        scores = score_ranking(ranking_of(item), item.question.anchors)
        rows[item.question.lang].append(scores)
        rows["all"].append(scores)
    return {lang: {k: round(statistics.fmean(r[k] for r in rs), 3) for k in ("hit@1", "hit@5", "mrr@10")}
            for lang, rs in rows.items() if rs}


def measure(corpus: Corpus, items: list[Collected], config: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Mean hit@1 / hit@5 / MRR@10 per language and over all."""
    return mean_scores(items, lambda item: ranking(corpus, item, config))


# the second stage before this grid (issue 11): fusion 0.5, best sentence 0.3 over the top 30 of 50 + 50
BASE = {"variant": "plain", "prefetch": 50, "dense_weight": 0.5, "depth": 30, "sentence_weight": 0.3,
        "dense_expansion": False, "value_weight": 0.0}
# the configuration picked on tune + dev (README "Search quality"; off by default: held-out English MRR@10 fell)
CHOSEN = {**BASE, "dense_expansion": True, "value_weight": 0.2}


GRIDS = {
    "weights": {"prefetch": [30, 50, 87], "dense_weight": [0.3, 0.4, 0.5, 0.6, 0.7], "depth": [10, 20, 30, 50],
                "sentence_weight": [0.0, 0.2, 0.3, 0.5, 0.7]},
    "values": {"dense_weight": [0.4, 0.5], "sentence_weight": [0.3, 0.5], "value_weight": [0.0, 0.05, 0.1, 0.2, 0.3, 0.5]},
    "expansion": {"dense_weight": [0.3, 0.4, 0.5, 0.6, 0.7], "sentence_weight": [0.0, 0.2, 0.3, 0.5],
                  "dense_expansion": [False, True]},
    "combined": {"dense_expansion": [True], "dense_weight": [0.4, 0.5, 0.6], "sentence_weight": [0.2, 0.3, 0.5],
                 "value_weight": [0.0, 0.1, 0.2, 0.3, 0.5], "depth": [20, 30, 50]},
}


def grid(variants: list[str], name: str = "weights") -> list[dict[str, Any]]:
    axes = {"variant": variants, **GRIDS[name]}
    return [{**BASE, **dict(zip(axes, values))} for values in itertools.product(*axes.values())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--variants", default="plain", help=f"comma-separated, of {', '.join(CONTEXT_MODES)}")
    parser.add_argument("--out", type=Path, help="write every configuration's numbers as JSON lines here")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--profiles", default="query", choices=("query", "passage"),
                        help="embed the framework values' profiles as queries (as the searcher does) or passages")
    parser.add_argument("--cost", action="store_true", help="only time what the two options add per query")
    parser.add_argument("--grid", default="weights", help=f"comma-separated, of {', '.join(GRIDS)}")
    args = parser.parse_args(argv)
    variants = args.variants.split(",")
    settings = Settings.load({"data_dir": args.data_dir})
    with KnowledgeBase.open(settings) as kb:
        if args.cost:
            questions = [q for qs in load_tune_questions().values() for q in qs]
            for label, numbers in cost(kb, questions).items():
                print(f"{label:28} {numbers}")
            return 0
        corpus = collect_corpus(kb, variants, args.profiles)
        sets = {name: [collect_question(kb, corpus, q) for q in qs] for name, qs in load_tune_questions().items()}
    results = []
    for name in args.grid.split(","):
        configs = grid(variants, name)
        results += [{"grid": name, "config": c, **{n: measure(corpus, items, c) for n, items in sets.items()}}
                    for c in configs]
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in results), encoding="utf-8")
    for r in sorted(results, key=objective, reverse=True)[: args.top]:
        print(_line(r))
    for label, wanted in (("before", BASE), ("chosen", CHOSEN)):
        row = next((r for r in results if r["config"] == wanted), None)
        if row is not None:
            print(f"{label}:", _line(row))
    return 0


def cost(kb: KnowledgeBase, questions: list[Question], rounds: int = 3) -> dict[str, dict[str, float]]:
    """Per-query cost (ms, p50 / p95 / mean over the questions x rounds) of what the two options add: the query
    embedding of the question with its expansion against the question alone (uncached encoder, questions the
    thesaurus expands), and the value signal (the leanings and the re-scoring of a top 30); neither grows with
    the number of passages."""
    encoder = E5TextEmbedder(cache_size=0) if kb.settings.embedding_model == E5_MODEL else None
    embed = (lambda t: encoder.run(text=t)["embedding"]) if encoder is not None else kb.embed_text  # noqa: E731
    timings: dict[str, list[float]] = {"embed question": [], "embed question + expansion": [], "value signal": []}
    kb.value_profiles.leanings(kb.embed_text("probe"))  # the profiles are embedded once, on first use
    hits = [Hit(id=str(i), score=1.0 - i / 30, payload={"chunk_id": str(i), "values": [v]})
            for i, v in enumerate((kb.framework.value_ids * 3)[:30])] if kb.framework is not None else []
    for _ in range(rounds):
        for question in questions:
            text = normalize_text(question.q)
            expansions = default_thesaurus().expansions(text)
            if expansions:
                for label, query in (("embed question", text), ("embed question + expansion", " ".join([text, *expansions]))):
                    started = time.perf_counter()
                    embed(query)
                    timings[label].append((time.perf_counter() - started) * 1000)
            vector = kb.embed_text(text)
            started = time.perf_counter()
            value_rescore(hits, kb.value_profiles.leanings(vector), 30, 0.2)
            timings["value signal"].append((time.perf_counter() - started) * 1000)
    return {label: {"p50": round(statistics.median(t), 3), "p95": round(sorted(t)[int(0.95 * (len(t) - 1))], 3),
                    "mean": round(statistics.fmean(t), 3), "n": len(t)} for label, t in timings.items() if t}


def objective(r: dict[str, Any]) -> float:
    """MRR@10 over all tune and dev questions (each question counts once)."""
    t, d = r["tune"], r["dev"]
    return (t["nl"]["mrr@10"] * 49 + t["en"]["mrr@10"] * 25 + d["all"]["mrr@10"] * 15) / 89


def _line(r: dict[str, Any]) -> str:
    c = r["config"]
    t, d = r["tune"], r["dev"]
    extra = "".join(f" {k} {c[k]}" for k in ("dense_expansion", "value_weight") if k in c)
    return (f"{c['variant']:<14}{extra} pre {c['prefetch']:>2} w {c['dense_weight']:.1f} depth {c['depth']:>2} "
            f"sent {c['sentence_weight']:.1f} | tune nl {t['nl']['hit@5']:.3f}/{t['nl']['mrr@10']:.3f} "
            f"en {t['en']['hit@5']:.3f}/{t['en']['mrr@10']:.3f} | dev {d['all']['hit@5']:.3f}/{d['all']['mrr@10']:.3f}"
            f" | all {objective(r):.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
