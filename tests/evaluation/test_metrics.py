import pytest

from kennisbank.evaluation.metrics import (
    DEFAULT_QUESTIONS,
    first_relevant_rank,
    fold,
    is_relevant,
    load_questions,
    score_ranking,
)


class TestFolding:
    def test_folds_case_punctuation_hyphens_whitespace(self):
        assert fold("Opleidings-\nverantwoordelijkheid, (zie)") == "opleidingsverantwoordelijkheidzie"
        assert is_relevant("… de po-raad, VO-raad,\n MBO Raad …", ["PO-Raad, VO-raad, MBO Raad"])

    def test_keeps_letters_with_accents(self):
        assert is_relevant("geïntegreerde aanpak", ["geïntegreerde"])
        assert not is_relevant("geintegreerde aanpak", ["geïntegreerde"])

    def test_not_relevant(self):
        assert not is_relevant("iets anders", ["korte lijnen"])


class TestScoring:
    def test_rank_metrics(self):
        texts = ["a", "b", "korte lijnen tussen besturen", "d"]
        scores = score_ranking(texts, ["korte lijnen"])
        assert first_relevant_rank(texts, ["korte lijnen"]) == 3
        assert scores["hit@1"] == 0 and scores["hit@5"] == 1 and scores["mrr@10"] == pytest.approx(1 / 3)
        assert 0 < scores["ndcg@10"] < 1

    def test_miss(self):
        assert score_ranking(["x"] * 10, ["y"]) == {"hit@1": 0.0, "hit@5": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0}


def test_loads_the_development_questions():
    questions = load_questions(DEFAULT_QUESTIONS)
    assert len(questions) == 15 and {q.lang for q in questions} == {"nl", "en"}


def test_bad_question_file_names_the_line(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "x", "lang": "nl", "q": "v", "anchors": []}\n{"id": 2}\n')
    with pytest.raises(ValueError, match="q.jsonl:2"):
        load_questions(path)
