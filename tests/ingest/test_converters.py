from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import pypdf
import pytest
from haystack import Pipeline
from haystack.core.serialization import component_from_dict, component_to_dict

from kennisbank.core.errors import ConversionError
from kennisbank.ingest.converters import PublicationConverter
from kennisbank.ingest.parsing import parse_bytes, parse_file


def _reason(path: Path) -> str:
    with pytest.raises(ConversionError) as info:
        parse_file(path)
    assert info.value.message  # every failure says what is wrong
    return info.value.reason


@pytest.fixture()
def simple_pdf(tmp_path, pdf_factory) -> Path:
    return pdf_factory(tmp_path / "simple.pdf", [["Eerste pagina met genoeg tekst voor een tekstlaag."],
                                              ["Tweede pagina met genoeg tekst voor een tekstlaag."]])


class TestParseText:
    def test_plain_text_is_one_unpaginated_page(self, tmp_path):
        path = tmp_path / "notitie.txt"
        path.write_text("Samen opleiden.\nTweede regel.\n", encoding="utf-8")
        parsed = parse_file(path)
        assert parsed.pages == ["Samen opleiden.\nTweede regel.\n"]
        assert (parsed.paginated, parsed.format, parsed.page_count, parsed.warnings) == (False, "text", 1, [])

    def test_form_feeds_make_pages_and_a_final_form_feed_is_no_page(self, tmp_path):
        path = tmp_path / "extract.txt"
        path.write_text("pagina een\fpagina twee\f\fpagina vier\f", encoding="utf-8")
        parsed = parse_file(path)
        assert parsed.pages == ["pagina een", "pagina twee", "", "pagina vier"]
        assert parsed.paginated is True
        assert parsed.warnings == ["pagina 3 is leeg"]

    @pytest.mark.parametrize("name", ["notes.md", "NOTES.MD", "notes.markdown"])
    def test_markdown_by_suffix(self, tmp_path, name):
        path = tmp_path / name
        path.write_text("# Titel\n\nTekst.", encoding="utf-8")
        assert parse_file(path).format == "markdown"

    def test_bom_and_crlf_are_removed(self, tmp_path):
        path = tmp_path / "bom.txt"
        path.write_bytes(codecs.BOM_UTF8 + "één\r\ntwee".encode("utf-8"))
        assert parse_file(path).pages == ["één\ntwee"]

    def test_utf16_with_bom_is_text(self, tmp_path):
        path = tmp_path / "windows.txt"
        path.write_bytes("Zij-instromers in het mbo".encode("utf-16"))
        assert parse_file(path).pages == ["Zij-instromers in het mbo"]

    @pytest.mark.parametrize("content", ["", "   \n\t\n  "])
    def test_no_text_is_empty(self, tmp_path, content):
        path = tmp_path / "leeg.txt"
        path.write_text(content, encoding="utf-8")
        assert _reason(path) == "empty"

    def test_binary_with_nul_bytes_is_unsupported(self, tmp_path):
        path = tmp_path / "data.txt"
        path.write_bytes(b"abc\x00\x01\x02def")
        assert _reason(path) == "unsupported"

    def test_other_encoding_is_unsupported_and_says_utf8(self, tmp_path):
        path = tmp_path / "latin1.txt"
        path.write_bytes("Coördinatie van één opleiding".encode("latin-1"))
        with pytest.raises(ConversionError) as info:
            parse_file(path)
        assert info.value.reason == "unsupported"
        assert "UTF-8" in info.value.message

    def test_word_document_is_named_in_the_message(self, tmp_path):
        path = tmp_path / "verslag.docx"
        path.write_bytes(b"PK\x03\x04" + b"\x14\x00\x06\x00" + b"word/document.xml")
        with pytest.raises(ConversionError) as info:
            parse_file(path)
        assert info.value.reason == "unsupported"
        assert "Word" in info.value.message

    @pytest.mark.parametrize("content", ["{\\rtf1\\ansi Tekst}", "<!DOCTYPE html><html><body>x</body></html>"])
    def test_rtf_and_html_are_unsupported(self, tmp_path, content):
        path = tmp_path / "document.txt"
        path.write_text(content, encoding="utf-8")
        assert _reason(path) == "unsupported"

    def test_missing_file_and_directory_are_unreadable(self, tmp_path):
        assert _reason(tmp_path / "bestaat-niet.pdf") == "unreadable"
        assert _reason(tmp_path) == "unreadable"


class TestParsePdf:
    def test_pages_keep_their_numbers(self, simple_pdf):
        parsed = parse_file(simple_pdf)
        assert (parsed.format, parsed.paginated, parsed.page_count) == ("pdf", True, 2)
        assert "Eerste pagina" in parsed.pages[0] and "Tweede pagina" in parsed.pages[1]

    def test_format_is_detected_by_content_not_by_name(self, simple_pdf, tmp_path):
        disguised = tmp_path / "rapport.txt"
        disguised.write_bytes(simple_pdf.read_bytes())
        assert parse_file(disguised).format == "pdf"
        fake = tmp_path / "fake.pdf"
        fake.write_text("Gewone tekst met een pdf-naam.", encoding="utf-8")
        assert parse_file(fake).format == "text"

    def test_leading_garbage_before_the_magic_is_tolerated(self, simple_pdf):
        parsed = parse_bytes(b"garbage from a mail gateway\r\n" * 10 + simple_pdf.read_bytes())
        assert parsed.page_count == 2 and "Tweede pagina" in parsed.pages[1]

    def test_magic_beyond_the_first_kilobyte_is_not_a_pdf(self, simple_pdf):
        with pytest.raises(ConversionError) as info:
            parse_bytes(b"x" * 1100 + simple_pdf.read_bytes())
        assert info.value.reason == "unsupported"

    @pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
    def test_truncated_pdf_is_corrupt(self, simple_pdf, tmp_path, cut):
        data = simple_pdf.read_bytes()
        path = tmp_path / "kapot.pdf"
        path.write_bytes(data[: int(len(data) * cut)])
        assert _reason(path) == "corrupt"

    def test_garbage_after_the_magic_is_corrupt(self, tmp_path):
        path = tmp_path / "onzin.pdf"
        path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
        assert _reason(path) == "corrupt"

    def test_empty_user_password_opens_transparently(self, simple_pdf, tmp_path):
        writer = pypdf.PdfWriter(clone_from=simple_pdf)
        writer.encrypt(user_password="", owner_password="x")
        path = tmp_path / "beveiligd.pdf"
        writer.write(path)
        assert pypdf.PdfReader(path).is_encrypted
        parsed = parse_file(path)
        assert parsed.page_count == 2 and "Eerste pagina" in parsed.pages[0]

    def test_real_user_password_is_encrypted(self, simple_pdf, tmp_path):
        writer = pypdf.PdfWriter(clone_from=simple_pdf)
        writer.encrypt(user_password="geheim", owner_password="x")
        path = tmp_path / "geheim.pdf"
        writer.write(path)
        with pytest.raises(ConversionError) as info:
            parse_file(path)
        assert info.value.reason == "encrypted"
        assert info.value.message == "PDF is encrypted with a password; remove the password and add it again"

    def test_page_without_text_stays_as_empty_page_with_a_warning(self, tmp_path, pdf_factory):
        pages = [["Pagina een heeft een tekstlaag."], [], ["Pagina drie ook, gelukkig."]]
        path = pdf_factory(tmp_path / "gat.pdf", pages)
        parsed = parse_file(path)
        assert parsed.page_count == 3
        assert parsed.pages[1] == ""
        assert "Pagina drie" in parsed.pages[2]
        assert parsed.warnings == ["pagina 2 heeft geen tekstlaag"]

    def test_a_page_that_fails_is_left_empty_and_the_rest_goes_on(self, simple_pdf, monkeypatch):
        original = pypdf.PageObject.extract_text

        def flaky(page, *args, **kwargs):
            text = original(page, *args, **kwargs)
            if "Eerste" in text:
                raise KeyError("/Font")
            return text

        monkeypatch.setattr(pypdf.PageObject, "extract_text", flaky)
        parsed = parse_file(simple_pdf)
        assert parsed.pages[0] == ""
        assert "Tweede pagina" in parsed.pages[1]
        assert parsed.warnings == ["pagina 1 kon niet worden gelezen (KeyError: '/Font'); ze blijft leeg"]

    def test_when_every_page_fails_the_pdf_is_corrupt(self, simple_pdf, monkeypatch):
        def broken(page, *args, **kwargs):
            raise ValueError("bad content stream")

        monkeypatch.setattr(pypdf.PageObject, "extract_text", broken)
        assert _reason(simple_pdf) == "corrupt"

    def test_repairs_are_reported_as_a_warning(self, simple_pdf):
        damaged = re.sub(rb"startxref\s+\d+", b"startxref\n12", simple_pdf.read_bytes())
        parsed = parse_bytes(damaged)
        assert "Tweede pagina" in parsed.pages[1]
        assert parsed.warnings == [
            "de opbouw van de PDF is bij het lezen hersteld (incorrect startxref pointer(1); parsing for Object Streams)"
        ]

    def test_image_only_pdf_has_no_text_layer(self, tmp_path, pdf_factory):
        path = pdf_factory(tmp_path / "scan.pdf", [[], []])
        assert _reason(path) == "no_text_layer"

    def test_generated_report_pages(self, report_pdf):
        parsed = parse_file(report_pdf)
        assert parsed.page_count == 4
        assert "Dit onder-\nzoek" in parsed.pages[0]
        assert parsed.pages[3].rstrip().endswith("4")  # the page-number footer


# What each real sample must give (see shared/pdf-samples/files.json).
SAMPLE_FAILURES = {
    "libreoffice-writer-password.pdf": "encrypted",  # user password "openpassword"
    "imagemagick-images.pdf": "no_text_layer",  # images; only a hidden "Background" label per page
    "unreadablemetadata.pdf": "corrupt",  # its page tree object (172 0 R) is missing from the file
}
SAMPLE_PAGES = {
    "GeoTopo-komprimiert.pdf": (117, 1, "Geometrie und Topologie"),
    "multicolumn.pdf": (3, 1, "Two-Column Document"),
    "pdflatex-4-pages.pdf": (4, 4, ""),
    "minimal-document.pdf": (1, 1, "Lorem ipsum"),
    "002-trivial-libre-office-writer.pdf": (1, 1, "Lorem ipsum"),
    "crazyones-pdfa.pdf": (1, 1, "The Crazy Ones"),
    "google-doc-document.pdf": (1, 1, "Example document"),
}


class TestPdfSamples:
    def test_every_sample_is_covered(self, pdf_samples):
        listed = {entry["file"] for entry in json.loads((pdf_samples / "files.json").read_text())["files"]}
        assert listed == set(SAMPLE_FAILURES) | set(SAMPLE_PAGES)

    @pytest.mark.parametrize("name,reason", sorted(SAMPLE_FAILURES.items()))
    def test_failing_samples(self, pdf_samples, name, reason):
        assert _reason(pdf_samples / name) == reason

    def test_encrypted_sample_really_needs_its_password(self, pdf_samples):
        reader = pypdf.PdfReader(pdf_samples / "libreoffice-writer-password.pdf")
        assert reader.decrypt("openpassword") != pypdf.PasswordType.NOT_DECRYPTED

    @pytest.mark.parametrize("name", sorted(SAMPLE_PAGES))
    def test_readable_samples(self, pdf_samples, name):
        pages, page_with_text, text = SAMPLE_PAGES[name]
        parsed = parse_file(pdf_samples / name)
        assert (parsed.format, parsed.paginated, parsed.page_count) == ("pdf", True, pages)
        assert text in parsed.pages[page_with_text - 1]
        assert all(page.strip() for page in parsed.pages)
        assert parsed.warnings == []


class TestPublicationConverter:
    def test_init_is_cheap_and_serialises(self):
        converter = PublicationConverter()
        data = component_to_dict(converter, "converter")
        assert data == {"type": "kennisbank.ingest.converters.PublicationConverter",
                        "init_parameters": {"timeout_s": 0, "memory_mb": 0}}
        assert isinstance(component_from_dict(PublicationConverter, data, "converter"), PublicationConverter)

    def test_run_mixes_documents_and_failures(self, tmp_path, simple_pdf):
        text = tmp_path / "a.txt"
        text.write_text("een\ftwee", encoding="utf-8")
        binary = tmp_path / "b.bin"
        binary.write_bytes(b"\x00\x01")
        sources = [str(text), binary, simple_pdf, tmp_path / "weg.pdf"]
        metas = [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}]
        result = PublicationConverter().run(sources=sources, meta=metas)

        docs = result["documents"]
        assert [d.meta["id"] for d in docs] == ["a", "c"]
        assert docs[0].content == "een\ftwee"
        assert docs[0].meta == {"id": "a", "paginated": True, "page_count": 2, "format": "text", "warnings": []}
        assert docs[1].meta["format"] == "pdf" and docs[1].meta["page_count"] == 2
        assert docs[1].content.count("\f") == 1
        assert [(f["source"], f["reason"]) for f in result["failures"]] == [
            (str(binary), "unsupported"),
            (str(tmp_path / "weg.pdf"), "unreadable"),
        ]
        assert all(f["message"] for f in result["failures"])

    def test_one_meta_dict_applies_to_every_source(self, tmp_path):
        paths = []
        for name in ("x.txt", "y.md"):
            paths.append(tmp_path / name)
            paths[-1].write_text("tekst", encoding="utf-8")
        docs = PublicationConverter().run(sources=paths, meta={"kind": "rapport"})["documents"]
        assert [(d.meta["kind"], d.meta["format"], d.meta["paginated"]) for d in docs] == [
            ("rapport", "text", False),
            ("rapport", "markdown", False),
        ]

    def test_meta_list_of_other_length_is_refused(self, tmp_path):
        with pytest.raises(ValueError, match="one dict per source"):
            PublicationConverter().run(sources=[tmp_path / "a.txt"], meta=[{}, {}])

    def test_in_a_pipeline(self, report_pdf):
        pipeline = Pipeline()
        pipeline.add_component("converter", PublicationConverter())
        result = pipeline.run({"converter": {"sources": [report_pdf]}})
        (doc,) = result["converter"]["documents"]
        assert doc.meta["page_count"] == 4
        assert doc.content.count("\f") == 3
