"""ingest.check and `kennisbank check FILE...` on PDFs made here (the real PDFs: test_real_pdfs.py)."""

from __future__ import annotations

import json

from kennisbank.cli import main
from kennisbank.ingest.check import broken_urls, check_file, page_word_faults
from tests.ingest.conftest import REPORT_PAGES, RUNNING_HEADER


def test_report_of_a_generated_report(report_pdf):
    report = check_file(report_pdf)
    assert report["ok"] and report["format"] == "pdf" and report["pages"] == 4
    assert report["pages_without_text"] == 1  # page 3 holds only the header and the page number
    assert report["running_lines_removed"] >= 6  # the header and page number of 3+ pages
    assert report["hyphen_joins_made"] >= 2  # "onder-" + "zoek", "samen-" + "werkende"
    assert all(count == 0 for count in report["flags"].values()), report["flags"]
    assert report["passages"] >= 3


def test_a_file_that_cannot_be_read_reports_its_reason(tmp_path):
    path = tmp_path / "leeg.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    report = check_file(path)
    assert not report["ok"] and report["reason"] == "corrupt"


def test_word_faults_tell_false_joins_from_line_end_joins():
    raw = "de identiteit onbekend en\nblijft, het onder-\nzoek"
    faults = page_word_faults("de identiteit onbekenden blijft, het onderzoek", raw)
    assert faults["false_joins"] == ["onbekenden"] and faults["hyphen_joins"] == ["onderzoek"]
    assert not faults["invented"]
    assert broken_urls("zie https://example.org/apprivacy", "zie https://example.org/ap-\nprivacy") == [
        "https://example.org/apprivacy"
    ]
    assert broken_urls("zie https://example.org/ap-privacy", "zie https://example.org/ap-\nprivacy") == []


def test_cli_check(report_pdf, tmp_path, capsys):
    bad = tmp_path / "plaatje.pdf"
    bad.write_bytes(b"\x89PNG\r\n")
    assert main(["check", str(report_pdf), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["pages"] == len(REPORT_PAGES)
    assert main(["check", str(report_pdf), str(bad)]) == 1  # one file failed
    out = capsys.readouterr().out
    assert "4 pagina's" in out and "MISLUKT" in out and RUNNING_HEADER not in out
