"""The e5 speed script's PDF timing (python -m kennisbank.evaluation.e5_speed --pdf FILE) on a real PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from kennisbank.evaluation.e5_speed import main, time_kernels

PDF = Path(__file__).resolve().parents[3] / "shared" / "real-pdfs" / "vng-burenhulp.pdf"


@pytest.mark.skipif(not PDF.is_file(), reason="the shared real PDFs are not here")
def test_pdf_timing_reports_pages_chunks_and_rates(capsys):
    assert main(["--pdf", str(PDF)]) == 0
    row = [line for line in capsys.readouterr().out.splitlines() if line.startswith(f"| {PDF.name} |")]
    assert len(row) == 1
    cells = [cell.strip() for cell in row[0].strip("|").split("|")]
    pages, chunks, chunks_per_s = int(cells[1]), int(cells[2]), float(cells[5])
    assert pages == 4 and chunks > 4 and chunks_per_s > 0


def test_kernel_timing_reports_every_kernel_on_every_layer_shape(capsys):
    time_kernels(rows=(8,))
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| Mat")]
    kernels = {row.split("|")[1].strip() for row in rows}
    shapes = {row.split("|")[2].strip() for row in rows}
    assert kernels == {"MatMulNBits 4-bit, accuracy level 0", "MatMulNBits 4-bit, accuracy level 4", "MatMul fp32",
                       "MatMulInteger uint8 x int8"}
    assert shapes == {"384 x 1152", "384 x 1536", "1536 x 384"} and len(rows) == 12
    assert all(float(row.split("|")[4]) > 0 for row in rows)
