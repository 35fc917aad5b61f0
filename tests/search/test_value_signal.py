"""The framework value signal and the expanded dense query of the second stage (search/value_signal.py,
search.service.dense_query_text; both off by default, README "Search quality"), and the grid that measured them."""

from __future__ import annotations

import numpy as np
import pytest

from kennisbank.core.text import normalize_text
from kennisbank.evaluation.second_stage_grid import BASE, CHOSEN, GRIDS, grid, passage_context_text
from kennisbank.search.rerank import zscores
from kennisbank.search.schema import Hit, SearchFilter
from kennisbank.search.service import dense_query_text
from kennisbank.search.thesaurus import default_thesaurus
from kennisbank.search.value_signal import ValueProfiles, value_profiles, value_rescore


def _hit(name: str, score: float, values: list[str]) -> Hit:
    return Hit(id=name, score=score, payload={"chunk_id": name, "values": values})


class TestValueRescore:
    def test_a_passage_of_the_value_the_question_leans_to_rises_within_the_depth(self):
        hits = [_hit("a", 2.0, ["2.1"]), _hit("b", 1.8, ["1.4"]), _hit("c", 1.7, []), _hit("d", 0.5, ["1.4"])]
        leanings = {"1.4": 1.5, "2.1": -0.8}
        ranked = value_rescore(hits, leanings, depth=3, weight=0.2)
        assert [h.id for h in ranked] == ["b", "a", "c", "d"]  # d is below the depth: not re-scored, stays last
        scores = {h.id: h.score for h in ranked}
        assert scores["b"] == pytest.approx(1.8 + 0.2 * 1.5)
        assert scores["a"] == pytest.approx(2.0) and scores["c"] == pytest.approx(1.7)  # a value leaned away from: no penalty
        assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)

    def test_the_best_of_a_passages_values_counts(self):
        hits = [_hit("a", 1.0, ["1.1", "1.4"]), _hit("b", 1.05, ["1.1"])]
        ranked = value_rescore(hits, {"1.1": 0.1, "1.4": 1.0}, depth=10, weight=0.5)
        assert [h.id for h in ranked] == ["a", "b"] and ranked[0].score == pytest.approx(1.5)

    def test_off_without_weight_or_leanings(self):
        hits = [_hit("a", 1.0, ["1.1"]), _hit("b", 0.9, ["1.4"])]
        assert value_rescore(hits, {"1.4": 2.0}, depth=10, weight=0.0) == hits
        assert value_rescore(hits, {}, depth=10, weight=0.5) == hits
        assert value_rescore([], {"1.4": 2.0}, depth=10, weight=0.5) == []


class TestValueProfiles:
    def test_every_value_has_a_profile_of_title_preconditions_and_findings(self, kb):
        profiles = value_profiles(kb.framework)
        assert list(profiles) == kb.framework.value_ids
        value = kb.framework.value("1.4")
        assert profiles["1.4"].startswith(value["title"]) and value["findings"][0]["text"] in profiles["1.4"]

    def test_leanings_are_z_scores_of_the_cosines_to_the_profiles(self, kb):
        question = normalize_text("Hoe houden we startende leraren vast in het onderwijs?")
        vector = kb.embed_text(question)
        leanings = kb.value_profiles.leanings(vector)
        assert set(leanings) == set(kb.framework.value_ids)
        assert max(leanings, key=leanings.get) == "1.4"  # "Behoud van startende leraren"
        profiles = value_profiles(kb.framework)
        cosines = []
        for value_id in kb.framework.value_ids:
            p = np.asarray(kb.embed_text(profiles[value_id]))
            cosines.append(float(p @ np.asarray(vector) / (np.linalg.norm(p) * np.linalg.norm(vector))))
        assert [leanings[v] for v in kb.framework.value_ids] == pytest.approx(zscores(cosines), abs=1e-4)

    def test_no_framework_no_leanings(self):
        assert ValueProfiles(None, lambda text: [1.0, 0.0]).leanings([1.0, 0.0]) == {}


class TestInTheSearcher:
    QUESTION = "Hoe houden we startende leraren vast in het onderwijs?"

    def test_the_value_weight_adds_its_bonus_to_the_reranked_scores(self, kb, monkeypatch):
        off = {r["chunk_id"]: r for r in kb.search(self.QUESTION, k=10)["results"]}
        weight = 0.5
        monkeypatch.setattr(kb, "settings", kb.settings.replace(rerank_value_weight=weight))
        on = kb.search(self.QUESTION, k=10)["results"]
        leanings = kb.value_profiles.leanings(kb.embed_text(normalize_text(self.QUESTION)))
        moved = 0
        for result in on:
            if result["chunk_id"] not in off:
                continue
            bonus = max([0.0, *(leanings[v] for v in result["values"] if v in leanings)])
            assert result["score"] == pytest.approx(off[result["chunk_id"]]["score"] + weight * bonus, abs=1e-5)
            moved += bonus > 0
        assert moved  # passages of the value the question is about gained

    def test_the_dense_query_names_the_expansion_when_set(self, kb, monkeypatch):
        question = "How do partnerships keep beginning teachers in the profession?"
        expansions = default_thesaurus().expansions(question)
        assert expansions and dense_query_text(question, expansions) == " ".join([question, *expansions])
        assert dense_query_text(question, expansions, enabled=False) == question
        assert dense_query_text("Wat is een opleidingsschool?", []) == "Wat is een opleidingsschool?"
        plain = kb.retrieve(question, k=5, with_best=True)
        monkeypatch.setattr(kb, "settings", kb.settings.replace(dense_expansion=True))
        expanded = kb.retrieve(question, k=5, with_best=True)
        vector = kb.embed_text(dense_query_text(normalize_text(question), expansions))
        top = kb.store.query(dense=vector, sparse=None, mode="dense", limit=1,
                             flt=SearchFilter(hidden_versions=kb.catalog.hidden_versions()),
                             prefetch_limit=kb.settings.prefetch_limit, rrf_k=kb.settings.rrf_k)
        assert expanded.best_dense == pytest.approx(top[0].score, abs=1e-6)
        assert expanded.best_dense != pytest.approx(plain.best_dense, abs=1e-4)
        assert expanded.expansions == plain.expansions == expansions


class TestGrid:
    def test_context_headers(self):
        text = "Studenten lopen stage op twee scholen."
        assert passage_context_text(text, "plain", title="T", section=["2 Opzet"]) == text
        assert passage_context_text(text, "title", title=" De  titel ") == f"De titel — {text}"
        assert passage_context_text(text, "title-section", title="T", section=["2 Opzet", "2.1 Stage"]) == (
            f"T — 2 Opzet / 2.1 Stage — {text}")
        assert passage_context_text(text, "title-section", title="T") == f"T — {text}"  # no headings: title only
        assert passage_context_text(text, "value", value_titles=["Behoud", "Rendement"]) == f"Behoud; Rendement — {text}"
        with pytest.raises(ValueError, match="valid"):
            passage_context_text(text, "kop")

    def test_the_grids_hold_the_configuration_before_and_the_chosen_one(self):
        assert BASE in grid(["plain"], "weights") and CHOSEN in grid(["plain"], "combined")
        assert set(GRIDS) == {"weights", "values", "expansion", "combined"}
