"""Encrypted PDFs (issue 12, case 7): AES files open when their user password is empty and are reported
`encrypted` when a password is needed; before, every AES file was `corrupt` ("cryptography>=3.1 is required")."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from kennisbank.ingest.parsing import parse_bytes, parse_file
from kennisbank.core.errors import ConversionError
from tests.conftest import PDF_SAMPLES
from tests.pdfmaker import pdf_bytes

TEXT = "Versleuteld verslag over inductieprogramma's voor startende leraren in de regio Utrecht."


def _encrypted(user_password: str, algorithm: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([[TEXT], ["Tweede pagina over werkplekleren."]]))))
    writer.encrypt(user_password=user_password, owner_password="eigenaar-sleutel", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-256-R5", "AES-128"])
def test_aes_with_an_empty_password_opens(algorithm):
    data = _encrypted("", algorithm)
    assert b"/Encrypt" in data and b"/AESV" in data
    parsed = parse_bytes(data)
    assert parsed.page_count == 2
    assert "inductieprogramma's voor startende leraren" in " ".join(parsed.pages[0].split())


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128"])
def test_aes_with_a_password_is_encrypted_not_corrupt(algorithm):
    with pytest.raises(ConversionError) as caught:
        parse_bytes(_encrypted("geheim", algorithm))
    assert caught.value.reason == "encrypted"
    assert "password" in caught.value.message


def test_libreoffice_password_sample_is_encrypted():
    with pytest.raises(ConversionError) as caught:
        parse_file(PDF_SAMPLES / "libreoffice-writer-password.pdf")
    assert caught.value.reason == "encrypted"
