"""The sandboxed parser: same answers as parse_file, and a file that needs too much time or memory fails alone."""

from __future__ import annotations

import os
import time

import pytest

from kennisbank.core.errors import ConversionError
from kennisbank.ingest.parsing import parse_file
from kennisbank.ingest.sandbox import parse_in_child
from tests.conftest import PDF_SAMPLES


def _reason(path, **limits) -> str:
    with pytest.raises(ConversionError) as info:
        parse_in_child(path, **limits)
    return info.value.reason


class TestSandbox:
    def test_same_pages_as_in_process(self):
        parsed = parse_in_child(PDF_SAMPLES / "pdflatex-4-pages.pdf", timeout_s=60, memory_mb=512)
        assert parsed == parse_file(PDF_SAMPLES / "pdflatex-4-pages.pdf")

    @pytest.mark.parametrize("name,reason", [("libreoffice-writer-password.pdf", "encrypted"),
                                             ("imagemagick-images.pdf", "no_text_layer"),
                                             ("unreadablemetadata.pdf", "corrupt")])
    def test_failure_reasons_cross_the_process_boundary(self, name, reason):
        assert _reason(PDF_SAMPLES / name, timeout_s=60, memory_mb=512) == reason

    def test_time_limit_kills_the_child(self):
        started = time.monotonic()
        assert _reason(PDF_SAMPLES / "GeoTopo-komprimiert.pdf", timeout_s=1, memory_mb=512) == "timeout"
        assert time.monotonic() - started < 10

    def test_memory_limit(self):
        assert _reason(PDF_SAMPLES / "GeoTopo-komprimiert.pdf", timeout_s=60, memory_mb=5) == "too_large"

    def test_decompression_bomb_fails_alone(self, tmp_path):
        import zlib

        bomb = zlib.compress(b"0 0 Td " * (300 * 1024 * 1024 // 7), 9)
        pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
               b"4 0 obj<</Length " + str(len(bomb)).encode() + b"/Filter/FlateDecode>>stream\n" + bomb +
               b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
        path = tmp_path / "bom.pdf"
        path.write_bytes(pdf)
        assert path.stat().st_size < 2 * 1024 * 1024
        assert _reason(path, timeout_s=30, memory_mb=256) in ("too_large", "corrupt", "timeout", "no_text_layer")
        assert os.getpid()  # this process is untouched
