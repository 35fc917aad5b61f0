"""The `kennisbank` console script, run as a user runs it (a real subprocess per command)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, PDF_SAMPLES, REPO

KENNISBANK = Path(sys.executable).parent / "kennisbank"


def run(*args: str, data_dir: Path, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
    environment.update(env or {})
    proc = subprocess.run(
        [str(KENNISBANK), "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, cwd=REPO, env=environment, timeout=600,
    )
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "data"
    out = run("ingest", data_dir=data).stdout
    assert "4 toegevoegd" in out and "0 mislukt" in out
    return data


def test_ingest_again_changes_nothing(data_dir):
    out = run("ingest", "corpus/", data_dir=data_dir).stdout
    assert "0 toegevoegd, 4 ongewijzigd, 0 vervangen" in out


def test_search_json_done_criterion(data_dir):
    out = run("search", "Blijven startende leraren langer in het onderwijs?", "--json", data_dir=data_dir).stdout
    response = json.loads(out)
    top5 = response["results"][:5]
    leeferink = [r for r in top5 if "Leeferink (2016)" in r["text"]]
    assert leeferink
    assert leeferink[0]["document"]["title"] == "Samen Opleiden in de Onderwijsregio: waarde en randvoorwaarden"
    assert isinstance(leeferink[0]["page"], int)


def test_search_text_output_and_bad_query(data_dir):
    out = run("search", "korte lijnen", "--k", "2", data_dir=data_dir).stdout
    assert out.count(", p. ") >= 1 and "2 resultaten" in out  # the in-text citation carries the page
    bad = run("search", "   ", data_dir=data_dir, check=False)
    assert bad.returncode == 2 and "Vul een zoekvraag in" in bad.stderr and "Traceback" not in bad.stderr


def test_add_keeps_the_file_and_makes_it_searchable(data_dir, tmp_path):
    source = tmp_path / "rapport.pdf"
    shutil.copy(PDF_SAMPLES / "pdflatex-4-pages.pdf", source)
    out = run(
        "add", str(source), "--title", "Testrapport", "--organisation", "Testorganisatie", "--year", "2022",
        "--kind", "rapport", data_dir=data_dir,
    ).stdout
    assert "1 toegevoegd" in out
    kept = list((data_dir / "files").glob("testrapport-*.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == source.read_bytes()
    sidecar = json.loads((data_dir / "files" / "testrapport.json").read_text())
    assert sidecar["meta"]["organisation"] == "Testorganisatie"
    source.unlink()  # the knowledge base no longer needs the original
    results = json.loads(run("search", "Lorem ipsum", "--json", "--organisation", "Testorganisatie",
                             data_dir=data_dir).stdout)["results"]
    assert results and results[0]["document"]["id"] == "testrapport" and results[0]["page"] in (1, 2, 3, 4)


def test_add_reports_a_bad_file(data_dir):
    proc = run(
        "add", str(PDF_SAMPLES / "libreoffice-writer-password.pdf"), "--title", "Geheim", "--organisation", "X",
        "--kind", "rapport", data_dir=data_dir, check=False,
    )
    assert proc.returncode == 1 and "encrypted" in proc.stdout
    assert not list((data_dir / "files").glob("geheim*"))


def test_eval_prints_metrics_per_language_and_mode(data_dir):
    result = json.loads(run("eval", "--json", data_dir=data_dir).stdout)
    rows = {(r["mode"], r["lang"]): r for r in result["table"]}
    configs = ("bm25", "dense", "hybrid", "hybrid+thesaurus")
    assert set(rows) == {(m, g) for m in configs for g in ("nl", "en", "all")}
    assert rows[("hybrid", "all")]["n"] == 15
    assert rows[("hybrid+thesaurus", "nl")]["hit@5"] >= 0.75


def test_unknown_setting_is_a_clear_error(data_dir):
    proc = run("search", "x", data_dir=data_dir, env={"KENNISBANK_MODLE": "x"}, check=False)
    assert proc.returncode == 2 and "Unknown setting KENNISBANK_MODLE" in proc.stderr


def test_help_settings_lists_every_setting(tmp_path):
    out = run("--help-settings", data_dir=tmp_path).stdout
    assert "KENNISBANK_QDRANT_URL" in out and "KENNISBANK_EMBEDDING_MODEL" in out


def test_corpus_is_shipped_in_the_repo():
    assert (CORPUS / "publications.toml").exists()
    assert len(list(CORPUS.glob("*.txt"))) == 4


def test_backup_restore_and_reindex_commands(data_dir, tmp_path):
    out = run("backup", str(tmp_path / "kb.tar.gz"), data_dir=data_dir).stdout
    assert "kb.tar.gz" in out and (tmp_path / "kb.tar.gz").stat().st_size > 0
    restored = tmp_path / "restored"
    run("restore", str(tmp_path / "kb.tar.gz"), data_dir=restored)
    response = json.loads(run("search", "korte lijnen", "--json", "--mode", "bm25", data_dir=restored).stdout)
    assert response["results"]
    out = run("reindex", data_dir=restored).stdout
    assert "Nieuwe index klaar" in out
    again = json.loads(run("search", "korte lijnen", "--json", "--mode", "bm25", data_dir=restored).stdout)
    # the same ranking, up to the order of passages with equal scores (a rebuilt index may break ties otherwise)
    scores = [round(r["score"], 4) for r in response["results"]]
    assert [round(r["score"], 4) for r in again["results"]] == scores
    above = lambda rs: {r["chunk_id"] for r in rs if round(r["score"], 4) > scores[-1]}  # noqa: E731
    assert above(again["results"]) == above(response["results"])
