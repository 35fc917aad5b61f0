"""Word (.docx) files: paragraphs of ``word/document.xml`` as text, read with the standard library only.

A .docx is recognised by its structure (a ZIP archive with ``[Content_Types].xml`` and ``word/document.xml``),
never by its name. A .docx has no fixed pages; explicit page breaks (``<w:br w:type="page"/>`` and
"page break before" paragraphs) become form feeds, so a document that has them is paginated like a
``pdftotext`` extract; one without them is one unpaginated page.

Guards against hostile archives: the document part may unpack to at most ``MAX_XML_BYTES`` (checked while
reading, not trusted from the header), and the XML parser (expat) refuses external entities.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from kennisbank.core.errors import ConversionError

ZIP_MAGIC = b"PK\x03\x04"
DOCUMENT_PART = "word/document.xml"
MAX_XML_BYTES = 64 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def is_docx(data: bytes) -> bool:
    """True when ``data`` is a ZIP archive holding a WordprocessingML document part."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return DOCUMENT_PART in names and "[Content_Types].xml" in names


def _read_limited(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as handle:
        data = handle.read(MAX_XML_BYTES + 1)
    if len(data) > MAX_XML_BYTES:
        raise ConversionError(
            "corrupt", f"Word file unpacks to more than {MAX_XML_BYTES // (1024 * 1024)} MiB of text markup"
        )
    return data


def parse_docx(data: bytes) -> tuple[list[str], bool]:
    """Pages of a .docx (``\\f`` page breaks) and whether it has explicit page breaks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.getinfo(DOCUMENT_PART).flag_bits & 0x1:
                raise ConversionError("encrypted", "Word file is encrypted; remove the password and add it again")
            xml = _read_limited(archive, DOCUMENT_PART)
    except ConversionError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, RuntimeError) as exc:
        raise ConversionError("corrupt", f"Word file is damaged and cannot be read ({type(exc).__name__})") from exc
    if b"<!ENTITY" in xml[:4096] or b"<!DOCTYPE" in xml[:4096]:
        raise ConversionError("corrupt", "Word file has a document type declaration, which Word never writes")
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise ConversionError("corrupt", f"Word file is damaged: its text is not valid XML ({exc})") from exc
    body = root.find(f"{_W}body")
    if body is None:
        raise ConversionError("corrupt", "Word file has no document body")
    pages: list[list[str]] = [[]]
    for paragraph in body.iter(f"{_W}p"):
        props = paragraph.find(f"{_W}pPr")
        if props is not None and props.find(f"{_W}pageBreakBefore") is not None and any(pages[-1]):
            pages.append([])
        line: list[str] = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t" and node.text:
                line.append(node.text)
            elif node.tag == f"{_W}tab":
                line.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                if node.get(f"{_W}type") == "page":
                    pages[-1].append("".join(line))
                    pages.append([])
                    line = []
                else:
                    line.append("\n")
        pages[-1].append("".join(line))
    texts = ["\n\n".join(p for p in page if p.strip()) for page in pages]
    while len(texts) > 1 and not texts[-1].strip():
        texts.pop()
    return texts, len(texts) > 1
