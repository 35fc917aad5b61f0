"""The search page's result list on the real index of corpus/: repeats grouped, one relevance gate with the
answer page, spelling suggestions from the index's own words, facets with counts, the sector filter, and
highlighting that agrees with BM25."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kennisbank.app import KnowledgeBase
from kennisbank.core.model import KINDS, publication_meta
from kennisbank.ingest.sources import Source
from kennisbank.search.answer import Answerer
from kennisbank.search.results import Vocabulary, group_repeats, passage_key
from kennisbank.search.terms import QueryTerms
from kennisbank.search.thesaurus import default_thesaurus

EVALUATION = Path(__file__).resolve().parents[2] / "evaluation"
# the framework table repeats this Onderwijsraad (2025) finding word for word under several values
REPEATED_QUESTION = "Wat zegt de Onderwijsraad over schoolopleiders bij de beoordeling van studenten?"
OFF_TOPIC = "kwantumfysica van zwarte gaten"


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (EVALUATION / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _stored_text(kb, chunk_id: str) -> str:
    doc_id, split = chunk_id.rsplit(".c", 1)
    document = kb.document(doc_id)
    chunk = next(c for c in document["chunks"] if c["chunk_id"] == chunk_id)
    page = next(p for p in document["pages"] if p["page"] == chunk["page"])
    return page["text"][chunk["start"]:chunk["end"]]


class TestRepeats:
    def test_group_repeats_keeps_the_first_and_lists_the_others(self):
        doc = {"id": "d", "title": "T"}
        hits = [
            {"rank": 1, "text": "Het  betrekken van\nschoolopleiders.", "chunk_id": "d.c1", "page": 11, "document": doc},
            {"rank": 2, "text": "Iets anders", "chunk_id": "d.c2", "page": 12, "document": doc},
            {"rank": 3, "text": "het betrekken van schoolopleiders", "chunk_id": "d.c3", "page": 17, "document": doc},
        ]
        grouped = group_repeats(hits)
        assert [g["chunk_id"] for g in grouped] == ["d.c1", "d.c2"]
        assert [g["rank"] for g in grouped] == [1, 2]
        assert [(a["chunk_id"], a["page"]) for a in grouped[0]["also"]] == [("d.c3", 17)]
        assert grouped[1]["also"] == []

    def test_a_repeated_finding_is_one_result_with_every_place(self, kb):
        plain = kb.search(REPEATED_QUESTION, k=10)["results"]
        keys = Counter(passage_key(r["text"]) for r in plain)
        assert max(keys.values()) >= 2, "the ungrouped list repeats the finding (the problem this solves)"

        listed = kb.result_list(REPEATED_QUESTION, k=10)
        results = listed["results"]
        assert len(results) == 10  # enough candidates were fetched for 10 distinct texts
        assert len({passage_key(r["text"]) for r in results}) == 10
        grouped = [r for r in results if r["also"]]
        assert grouped
        for result in grouped:
            for place in result["also"]:
                # every place listed holds the same text, as stored
                assert passage_key(_stored_text(kb, place["chunk_id"])) == passage_key(result["text"])
                assert place["chunk_id"] != result["chunk_id"]
        # the result fields of the search API are all still there
        assert {"rank", "score", "text", "page", "chunk_id", "values", "start", "end", "document", "citation",
                "citation_in_text"} <= set(results[0])

    def test_small_k_still_gets_k_distinct_results(self, kb):
        results = kb.result_list(REPEATED_QUESTION, k=3)["results"]
        assert len(results) == 3 and len({passage_key(r["text"]) for r in results}) == 3


class TestRelevanceGate:
    def test_off_topic_question_is_below_the_gate_on_both_pages(self, kb):
        listed = kb.result_list(OFF_TOPIC)
        assert listed["relevant"] is False and listed["status"] == "not_relevant"
        assert listed["results"]  # the nearest passages are still shown, under the gate's heading
        assert Answerer(kb).answer(OFF_TOPIC)["status"] == "no_evidence"

    def test_in_domain_question_passes_on_both_pages(self, kb):
        question = "Blijven startende leraren langer in het onderwijs?"
        listed = kb.result_list(question)
        assert listed["relevant"] is True and listed["status"] == "found"
        assert Answerer(kb).answer(question)["status"] == "answered"

    def test_every_out_of_domain_question_is_refused_on_both_pages(self, kb):
        answerer = Answerer(kb)
        for q in _jsonl("ood-questions.jsonl"):
            assert not kb.result_list(q["q"])["relevant"], q
            assert answerer.answer(q["q"])["status"] == "no_evidence", q

    def test_the_pages_agree_on_the_tune_questions(self, kb):
        answerer = Answerer(kb)
        for q in [q for q in _jsonl("questions.jsonl") if q["split"] == "tune"][:25]:
            assert kb.result_list(q["q"])["relevant"] == (answerer.answer(q["q"])["status"] == "answered"), q


class TestSpelling:
    def test_typo_gets_the_word_from_the_index(self, kb):
        listed = kb.result_list("werkplekbegeleidng")
        assert listed["suggestion"] == "werkplekbegeleiding"
        assert kb.result_list(listed["suggestion"])["relevant"]

    def test_typo_in_a_longer_question_keeps_the_rest(self, kb):
        assert kb.vocabulary().suggest("Wat doet een werkplekbegeleidr?") == "Wat doet een werkplekbegeleider?"

    def test_no_suggestion_for_known_words_or_a_relevant_question(self, kb):
        assert kb.result_list("werkplekbegeleider")["suggestion"] is None
        assert kb.vocabulary().suggest("startende leraren") is None

    def test_vocabulary_words_come_from_the_stored_pages(self, kb):
        vocabulary = kb.vocabulary()
        assert "werkplekbegeleiders" in vocabulary and "opleidingsschool" in vocabulary
        assert "kwantumfysica" not in vocabulary

    def test_thesaurus_words_and_short_words_are_not_corrected(self):
        vocabulary = Vocabulary(Counter({"leraren": 5, "mentoren": 3, "mbo": 4}), default_thesaurus())
        assert vocabulary.correct("mentoring") is None  # an English thesaurus term, not a typo
        assert vocabulary.correct("mbo") is None and vocabulary.correct("doet") is None  # short: ambiguous
        assert vocabulary.correct("leraeren") == "leraren"


class TestFacets:
    def test_counts_per_value_with_titles(self, kb):
        facets = kb.facets()
        records = kb.catalog.all()
        kinds = {c["value"]: c for c in facets["counts"]["kinds"]}
        assert {k: c["count"] for k, c in kinds.items()} == Counter(r.kind for r in records)
        assert kinds["positiedocument"]["title"] == KINDS["positiedocument"]
        sectors = {c["value"]: c for c in facets["counts"]["sectors"]}
        assert set(sectors) == {"po", "vo", "mbo"} and sectors["po"]["title"] == "Primair onderwijs (po)"
        values = {c["value"]: c for c in facets["counts"]["values"]}
        assert set(values) == set(kb.framework.value_ids)
        assert values["1.3"]["title"].startswith("1.3 ") and len(values["1.3"]["title"]) > 5
        assert all(c["count"] > 0 for c in values.values())
        # a value's count is the number of passages carrying it: a value filter finds that many
        hits = kb.search("leraren", k=50, values=["1.3"], mode="dense")["results"]
        assert len(hits) == min(50, values["1.3"]["count"])

    def test_sector_filter(self, kb):
        assert kb.search("leraren", k=5, sectors=["po"])["results"]
        assert kb.search("leraren", k=5, sectors=["hbo"])["results"] == []  # no publication is about hbo
        assert kb.search("leraren", k=5, sectors=["po"])["filters"]["sectors"] == ["po"]

    def test_kind_is_one_kind_whatever_its_case(self):
        for raw in ("Onderzoeksrapport", " onderzoeksrapport ", "ONDERZOEKSRAPPORT"):
            assert publication_meta({"title": "T", "kind": raw}, "test")["kind"] == "onderzoeksrapport"
        assert publication_meta({"title": "T", "sectors": ["PO", "po", " vo"]}, "test")["sectors"] == ["po", "vo"]


class TestWhyFound:
    @pytest.mark.parametrize("question", [
        "korte lijnen tussen besturen",
        "werkplekbegeleiders scholing",
        "beginning teachers mentoring",
        "kwaliteitsafspraken opleidingsscholen",
    ])
    def test_every_keyword_hit_has_a_marked_word(self, kb, question):
        """The marked words are those BM25 scored: a BM25-only hit always shows at least one."""
        response = kb.search(question, k=10, mode="bm25")
        terms = QueryTerms(question, response["expansions"])
        assert response["results"]
        for result in response["results"]:
            assert terms.spans(result["text"]), (question, result["chunk_id"])

    def test_english_query_is_expanded_and_the_dutch_terms_are_marked(self, kb):
        listed = kb.result_list("beginning teachers")
        assert "startende leraren" in listed["expansions"]
        terms = QueryTerms(listed["query"], listed["expansions"])
        assert any(text in ("startende", "leraren") for r in listed["results"]
                   for text in (r["text"][s:e].lower() for s, e in terms.spans(r["text"])))


def test_one_kind_whatever_its_case_in_an_older_index(fresh_settings, tmp_path):
    """An index written before kinds were normalised holds "Onderzoeksrapport" next to "onderzoeksrapport": the
    facets count them as one kind and the kind filter finds both."""
    texts = {"oud": "Mentoren in Drenthe begeleiden zij-instromers op de werkplek.\n",
             "nieuw": "Mentoren in Groningen begeleiden zij-instromers in het mbo.\n"}
    sources = []
    for doc_id, kind in (("oud", "Onderzoeksrapport"), ("nieuw", "onderzoeksrapport")):
        path = tmp_path / f"{doc_id}.txt"
        path.write_text(texts[doc_id], encoding="utf-8")
        meta = {**publication_meta({"title": f"Rapport {doc_id}", "sectors": ["mbo"]}, "test"), "kind": kind}
        sources.append(Source(doc_id, path, meta))
    with KnowledgeBase.open(fresh_settings) as kb:
        assert kb.indexer.ingest(sources).summary()["added"] == 2
        counts = {c["value"]: c["count"] for c in kb.facets()["counts"]["kinds"]}
        assert counts["onderzoeksrapport"] == 2 and "Onderzoeksrapport" not in counts
        response = kb.search("mentoren zij-instromers", k=10, kinds=["onderzoeksrapport"])
        assert {r["document"]["id"] for r in response["results"]} == {"oud", "nieuw"}
        assert response["filters"]["kind"] == ["onderzoeksrapport"]
