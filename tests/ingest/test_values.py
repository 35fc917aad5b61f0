"""Framework value ids on every passage: row extents for the framework document, the classifier elsewhere."""

from __future__ import annotations

import pytest

from kennisbank.core.errors import IndexMismatch
from kennisbank.evaluation.value_classifier import measure
from kennisbank.ingest.values import ValueClassifier
from kennisbank.search.framework import Framework
from kennisbank.search.store import open_store

DOC = "waarde-en-randvoorwaarden"


@pytest.fixture(scope="module")
def framework():
    return Framework.load()


class TestPayload:
    def test_framework_passages_carry_the_row_they_stand_in(self, kb, framework):
        results = kb.search("Afspraken over tegengaan van groenpluk", k=20, mode="bm25")["results"]
        seen = 0
        for r in results:
            if r["document"]["id"] == DOC:
                assert r["values"] == framework.values_at(r["page"], r["start"], r["end"]), r["chunk_id"]
                seen += 1
        assert seen >= 5
        groenpluk = next(r for r in results if "groenpluk" in r["text"])
        assert groenpluk["values"] == ["2.1"]

    def test_summary_pages_carry_no_value(self, kb):
        results = kb.search("Samen Opleiden is succesvol als er sprake is van een duurzame samenwerking", k=5, mode="bm25")["results"]
        intro = next(r for r in results if r["document"]["id"] == DOC and r["page"] == 2)
        assert intro["values"] == []

    def test_value_filter(self, kb):
        response = kb.search("startende leraren begeleiding", k=10, values=["1.4"])
        assert response["filters"]["values"] == ["1.4"]
        assert response["results"] and all("1.4" in r["values"] for r in response["results"])
        both = kb.search("startende leraren begeleiding", k=50, values=["1.4", "2.5"])["results"]
        assert {v for r in both for v in r["values"]} & {"1.4", "2.5"} and all(
            {"1.4", "2.5"} & set(r["values"]) for r in both
        )
        assert kb.search("startende leraren", values=["9.9"])["results"] == []

    def test_old_index_schema_is_refused(self, fresh_settings, kb):
        old = dict(kb.fingerprint, schema_version=1)
        with pytest.raises(IndexMismatch, match="rebuild"):
            open_store(fresh_settings, old)


class TestClassifier:
    @pytest.fixture(scope="class")
    @classmethod
    def classifier(cls, kb, framework):
        return ValueClassifier(framework, kb.embed_text, threshold=kb.settings.value_threshold)

    def test_preconditions_rank_their_own_value_first(self, classifier, kb, framework):
        top = {}
        for value in framework.values:
            text = " ".join(p["text"] for p in value["preconditions"])
            scores = classifier.scores(kb._dense.run(text=text)["embedding"])
            top[value["id"]] = max(scores, key=scores.get)
        assert sum(top[v] == v for v in top) >= 9, top  # measured: 9 of 11 (1.5 and 2.3 rank 1.6 first)
        for value_id in ("2.1", "1.3", "1.6"):
            text = " ".join(p["text"] for p in framework.value(value_id)["preconditions"])
            assert value_id in classifier.classify(kb._dense.run(text=text)["embedding"])

    def test_unrelated_text_gets_no_value(self, classifier, kb):
        embedding = kb._dense.run(text="De trein naar Amsterdam vertrekt om half negen van spoor drie.")["embedding"]
        assert classifier.classify(embedding) == []
        assert max(classifier.scores(embedding).values()) < classifier.threshold

    def test_measured_precision_and_recall_hold(self, kb, framework):
        result = measure(kb, framework)
        threshold = kb.settings.value_threshold  # measured for the index's model (core.settings)
        row = result["thresholds"][threshold]
        assert row["heldout"]["precision"] >= 0.75 and row["heldout"]["recall"] >= 0.4, row
        assert result["chosen_on_tune"] == threshold
