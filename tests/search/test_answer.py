"""kennisbank.search.answer on the real index of corpus/: values with reasons, deduplicated findings with sources, quotes,
other passages, the "geen onderbouwing gevonden" outcome, and every quote checked against the stored text."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

import pytest

from kennisbank.core.errors import BadRequest
from kennisbank.search.answer import Answerer, answer
from kennisbank.search.framework import Framework

EVALUATION = Path(__file__).resolve().parents[2] / "evaluation"


def _questions() -> list[str]:
    lines = []
    for name in ("dev-questions.jsonl", "questions.jsonl", "ood-questions.jsonl"):
        lines += (EVALUATION / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


@pytest.fixture(scope="module")
def answerer(kb):
    return Answerer(kb)


@pytest.fixture(scope="module")
def stored_pages(kb):
    """Page texts straight from the catalog through the public document API (not the answerer's own cache)."""
    return {d["id"]: {p["page"]: p["text"] for p in kb.document(d["id"])["pages"]} for d in kb.documents()}


class TestOutcome:
    @pytest.mark.parametrize("question", ["Wat is de hoofdstad van Peru?", "Hoe bak ik een appeltaart?",
                                          "What is the capital of Peru?"])
    def test_out_of_domain_gets_no_evidence(self, answerer, question):
        a = answerer.answer(question)
        assert a["status"] == "no_evidence"
        assert "geen onderbouwing gevonden" in a["message"].lower()
        assert a["values"] == a["findings"] == a["quotes"] == a["passages"] == []
        assert a["searched"]["query"] == question and a["searched"]["documents"] == 4
        assert a["searched"]["passages"] > 0

    def test_dropout_question_names_retention(self, answerer):
        a = answerer.answer("Helpt samen opleiden tegen uitval van startende leraren?")
        assert a["status"] == "answered" and a["message"] is None
        assert "1.4" in [v["id"] for v in a["values"][:3]]
        top = a["values"][0]
        assert top["rank"] == 1 and top["score"] > 0 and top["why"]
        assert all({"kind", "id", "text", "hit_rank", "hit_score"} <= set(w) for w in top["why"])
        assert a["findings"] and a["quotes"] and a["passages"]

    def test_english_question_answered_from_dutch_evidence(self, answerer):
        a = answerer.answer("Does training teachers in schools keep new teachers in the profession?")
        assert a["status"] == "answered"
        assert a["searched"]["expansions"]  # the thesaurus added Dutch terms
        assert "1.4" in [v["id"] for v in a["values"][:3]]

    def test_empty_question_refused(self, answerer):
        with pytest.raises(BadRequest):
            answerer.answer("   ")

    def test_function_form(self, kb):
        assert answer(kb, "Wat is de hoofdstad van Peru?")["status"] == "no_evidence"


class TestFindings:
    def test_findings_carry_source_and_place(self, answerer):
        a = answerer.answer("Welke onderzoeken onderbouwen dat leraren uit opleidingsscholen effectiever lesgeven?")
        assert a["findings"]
        for f in a["findings"]:
            assert f["key"].startswith("F") and f["document_id"] == "waarde-en-randvoorwaarden"
            assert isinstance(f["page"], int) and 0 <= f["start"] < f["end"]
            assert f["sources"] and all(s["authors"] and s["year"] and s["apa"] for s in f["sources"])
            assert f["values"]

    def test_a_finding_repeated_under_values_is_one_item(self, answerer):
        framework = Framework.load()
        text = "Samen Opleiden stimuleert in het schoolteam een cultuur van samen leren, reflectie en innovatie."
        assert [v["id"] for v, f in framework.findings() if f["text"] == text] == ["1.5", "2.3"]
        a = answerer.answer("Stimuleert samen opleiden een cultuur van samen leren en innovatie in het schoolteam?")
        items = [f for f in a["findings"] if f["text"] == text]
        assert len(items) == 1 and items[0]["values"] == ["1.5", "2.3"]
        texts = [f["text"] for f in a["findings"]]
        assert len(texts) == len(set(texts))

    def test_keys_are_unique(self, answerer):
        a = answerer.answer("Hoe helpt intervisie met andere studenten bij het leren?")
        keys = [i["key"] for kind in ("findings", "quotes", "passages") for i in a[kind]]
        assert keys and len(keys) == len(set(keys))


class TestCheckedQuotes:
    def test_every_quote_of_every_answer_is_verbatim(self, answerer, stored_pages):
        checked = 0
        for question in _questions():
            a = answerer.answer(question)
            assert a["dropped"] == 0, question
            for kind in ("findings", "quotes", "passages"):
                for item in a[kind]:
                    pages = stored_pages[item["document_id"]]
                    assert (item["page"], item["start"], item["end"]) == tuple(item["spans"][0][k] for k in ("page", "start", "end"))
                    assert " ".join(pages[s["page"]][s["start"]:s["end"]] for s in item["spans"]) == item["text"], (question, item["key"])
                    checked += 1
        assert checked > 1000

    def test_a_quote_that_does_not_match_is_dropped_and_logged(self, kb, caplog):
        question = "Helpt samen opleiden tegen uitval van startende leraren?"
        shown = Answerer(kb).answer(question)
        victim = shown["findings"][0]
        framework = Framework.load()
        broken = copy.deepcopy(framework.values)
        for value in broken:
            for f in value["findings"]:
                if f["text"] == victim["text"]:
                    f["text"] = f["text"].replace("Samen", "Apart", 1) if "Samen" in f["text"] else f["text"] + " x"
        altered = Framework(framework.document_id, framework.text_hash, framework.summary_values, framework.levels, broken)
        with caplog.at_level(logging.WARNING, logger="kennisbank.search.answer"):
            a = Answerer(kb, framework=altered).answer(question)
        assert a["dropped"] >= 1
        assert victim["text"] not in [f["text"] for f in a["findings"]]
        altered_texts = {f["text"] for v in broken for f in v["findings"]} - {f["text"] for v, f in framework.findings()}
        assert altered_texts and not altered_texts & {f["text"] for f in a["findings"]}
        assert any("not verbatim" in r.getMessage() for r in caplog.records)
