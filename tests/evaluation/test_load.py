"""`kennisbank bench --load` against the production server (issue 12): concurrent searches while an upload is
indexed; every request answered, the upload done."""

from __future__ import annotations

from kennisbank.evaluation.load import format_markdown, run_with_own_server


def test_load_against_the_production_server(built_data_dir, tmp_path):
    result = run_with_own_server(seconds=8, concurrency=4, workdir=tmp_path, data_dir=built_data_dir)
    assert result["errors"] == 0, result["error_examples"]
    assert result["requests"] > 20 and result["latency_ms"]["p95"] > 0
    assert result["upload"]["upload_status"] == 202
    assert result["upload"]["job"]["state"] == "done", result["upload"]
    assert result["server_exit"] == 0  # stopped gracefully
    assert "requests/s" in format_markdown(result)
