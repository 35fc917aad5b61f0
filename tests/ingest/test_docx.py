"""Word (.docx) files through parse_file: recognised by structure, page breaks kept, hostile archives refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from kennisbank.core.errors import ConversionError
from kennisbank.ingest.docx import MAX_XML_BYTES, is_docx
from kennisbank.ingest.parsing import parse_file
from tests.ingest.docx_maker import CONTENT_TYPES, docx_bytes


def _reason(path) -> str:
    with pytest.raises(ConversionError) as info:
        parse_file(path)
    return info.value.reason


class TestDocx:
    def test_paragraphs_and_page_breaks(self, tmp_path):
        path = tmp_path / "advies.docx"
        path.write_bytes(docx_bytes([["Samen opleiden in de regio", "Tweede alinea & meer"], ["Pagina twee"]]))
        parsed = parse_file(path)
        assert (parsed.format, parsed.paginated, parsed.page_count) == ("docx", True, 2)
        assert parsed.pages[0] == "Samen opleiden in de regio\n\nTweede alinea & meer"
        assert parsed.pages[1] == "Pagina twee"

    def test_without_page_breaks_it_is_one_unpaginated_page(self, tmp_path):
        path = tmp_path / "kort.docx"
        path.write_bytes(docx_bytes([["Eén alinea over werkplekleren."]]))
        parsed = parse_file(path)
        assert (parsed.paginated, parsed.pages) == (False, ["Eén alinea over werkplekleren."])

    def test_recognised_by_content_not_name(self, tmp_path):
        path = tmp_path / "rapport.pdf"  # a .docx under a PDF name
        path.write_bytes(docx_bytes([["Inhoud telt, niet de naam."]]))
        assert parse_file(path).format == "docx"
        assert is_docx(path.read_bytes())

    def test_other_zip_is_unsupported(self, tmp_path):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("mimetype", "application/epub+zip")
        path = tmp_path / "boek.docx"
        path.write_bytes(buffer.getvalue())
        assert _reason(path) == "unsupported"

    def test_empty_document_is_empty(self, tmp_path):
        path = tmp_path / "leeg.docx"
        path.write_bytes(docx_bytes([[""]]))
        assert _reason(path) == "empty"

    def test_truncated_docx_is_not_taken_for_word(self, tmp_path):
        data = docx_bytes([["Afgebroken bestand"]])
        path = tmp_path / "kapot.docx"
        path.write_bytes(data[: len(data) // 2])
        assert _reason(path) in ("unsupported", "corrupt")

    def test_zip_bomb_document_part_is_refused(self, tmp_path):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
            archive.writestr("word/document.xml", b"<w:document>" + b" " * (MAX_XML_BYTES + 10))
        path = tmp_path / "bom.docx"
        path.write_bytes(buffer.getvalue())
        assert path.stat().st_size < 1024 * 1024  # small on disk, huge unpacked
        assert _reason(path) == "corrupt"

    def test_entity_declarations_are_refused(self, tmp_path):
        xml = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
               '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
               "<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
            archive.writestr("word/document.xml", xml)
        path = tmp_path / "lach.docx"
        path.write_bytes(buffer.getvalue())
        assert _reason(path) == "corrupt"
