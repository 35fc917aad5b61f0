"""Turn a publication file (PDF, Word .docx, plain text or Markdown) into raw text, page by page.

Pure parsing, without Haystack: the sandbox (ingest.sandbox) imports only this module, so a child process
starts fast. The Haystack component that wraps it is ingest.converters.PublicationConverter.

The format is recognised by content, never by name alone: a file is a PDF when it carries the ``%PDF-``
magic within its first 1024 bytes (real readers tolerate a little leading garbage too), otherwise it must be
UTF-8 text (a BOM is allowed; UTF-16 with a BOM is decoded as well). Only for text does the suffix matter:
``.md``/``.markdown`` make it Markdown.

Pages keep their true numbers: page N of a PDF is ``pages[N - 1]`` even when that page has no text. A text
file is paginated only when it contains form feeds (``\\f``, the page-break convention of ``pdftotext``);
otherwise it is one unpaginated "page" whose page number is shown as null.

Every failure raises :class:`kennisbank.core.errors.ConversionError` with one of these reasons:

``unreadable``     the file cannot be read from disk (missing, a directory, no permission)
``unsupported``    not a PDF, Word .docx or UTF-8 text (binary data, old .doc, images, RTF, HTML, another encoding)
``encrypted``      a PDF that needs a password (a PDF encrypted with an empty user password opens as usual)
``corrupt``        a PDF that pypdf cannot parse
``no_text_layer``  a PDF whose pages carry no real text (scans and images without OCR)
``empty``          a file without any text (or a PDF without pages)
"""

from __future__ import annotations

import codecs
import io
import logging as std_logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kennisbank.core.errors import ConversionError
from kennisbank.ingest.docx import is_docx, parse_docx
from kennisbank.ingest.figures import analyse_figures
from kennisbank.ingest.index_layout import index_text
from kennisbank.ingest.layout import PageLayout, analyse, page_labels, read_page
from kennisbank.ingest.parse_scope import reading
from kennisbank.ingest.slides import arrange_slides, slide_text
from kennisbank.ingest.tables import analyse_tables, body_text

logger = std_logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
# How far into the file the PDF magic may start (the PDF reference allows leading bytes; readers look ~1 KiB).
MAGIC_WINDOW = 1024
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
# A page with fewer letters than this has no real text layer: ImageMagick writes a hidden "Background" label
# under each image, scanners stamp a page number. A PDF in which every page is like that is image-only.
MIN_PAGE_LETTERS = 20
# At most this many distinct pypdf repair messages are kept as warnings of one file.
MAX_READER_WARNINGS = 3

# Binary formats that people try to add, for a message that says what the file is.
_KNOWN_BINARY = (
    (b"PK\x03\x04", "a ZIP container that is not a Word .docx (for example PowerPoint .pptx or EPUB)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Microsoft Office file (.doc, .xls or .ppt)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)
_HTML_START = re.compile(r"\A\s*<(?:!doctype\s+html|html)\b", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class ParsedPublication:
    """Raw text of one file. ``pages[i]`` is page ``i + 1``; ``paginated`` is False for one-page text files."""

    pages: list[str]
    paginated: bool
    format: str  # "pdf", "docx", "text" or "markdown"
    warnings: list[str] = field(default_factory=list)
    # PDF only (ingest.layout). ``pages`` stays pypdf's whole text of each page; ``body`` is what is indexed:
    # the body text without running lines, footnotes, contents lines and build steps of slides. ``notes``:
    # the footnotes of each page ("" when none); ``labels``: the printed page labels (None where a page
    # prints none); ``layout``: what the layout analysis found.
    body: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)
    headings: list[list[list[Any]]] = field(default_factory=list)  # per page: [level, text] of each heading
    layout: dict[str, Any] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return len(self.pages)


def parse_file(path: Path) -> ParsedPublication:
    """Read a PDF, text or Markdown file into pages. Raises ``ConversionError`` when that is impossible."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConversionError("unreadable", f"File not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ConversionError("unreadable", f"{path} is a directory, not a file") from exc
    except OSError as exc:
        raise ConversionError("unreadable", f"Cannot read {path}: {exc.strerror or exc}") from exc
    return parse_bytes(data, suffix=path.suffix)


def parse_bytes(data: bytes, suffix: str = "") -> ParsedPublication:
    """Parse file content; ``suffix`` (e.g. ".md") only chooses between text and Markdown."""
    magic_at = data.find(PDF_MAGIC, 0, MAGIC_WINDOW + len(PDF_MAGIC))
    if magic_at >= 0:
        with reading():  # fewer full garbage collections, and the font caches emptied after (ingest.parse_scope)
            return _parse_pdf(data[magic_at:])
    if is_docx(data):  # by structure: a ZIP archive with a Word document part
        pages, paginated = parse_docx(data)
        if not any(page.strip() for page in pages):
            raise ConversionError("empty", "Word file contains no text")
        return ParsedPublication(pages=pages, paginated=paginated, format="docx")
    text_format = "markdown" if suffix.lower() in MARKDOWN_SUFFIXES else "text"
    return _parse_text(decode_text(data), text_format)


# --- PDF -------------------------------------------------------------------------------------------------


def _parse_pdf(data: bytes) -> ParsedPublication:
    # Imported here so that importing this module stays cheap.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    warnings: list[str] = []
    with _ReaderWarnings() as reader_warnings:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                _open_encrypted(reader, DependencyError)
            page_count = len(reader.pages)
        except (ConversionError, MemoryError):
            raise
        except Exception as exc:  # pypdf raises many types (PdfReadError, ValueError, KeyError, ...)
            raise ConversionError(
                "corrupt", f"PDF is damaged and cannot be read ({_describe(exc)}); export or save it again"
            ) from exc
        if page_count == 0:
            raise ConversionError("empty", "PDF has no pages")

        layouts: list[PageLayout] = []
        failed = 0
        for number in range(1, page_count + 1):
            try:
                layouts.append(read_page(reader.pages[number - 1], number))
            except MemoryError:
                raise  # not the page's fault: the reader is out of memory (the sandbox reports "too_large")
            except Exception as exc:  # one bad page must not lose the others
                failed += 1
                layouts.append(PageLayout(number=number, lines=[]))
                warnings.append(f"pagina {number} kon niet worden gelezen ({_describe(exc)}); ze blijft leeg")
        labels = page_labels(reader)
    if failed == page_count:
        raise ConversionError("corrupt", f"PDF is damaged: none of its {page_count} pages could be read")

    letters = [len(_LETTER.findall(layout.raw_text())) for layout in layouts]
    if max(letters) < MIN_PAGE_LETTERS:
        raise ConversionError(
            "no_text_layer",
            f"PDF has no text layer (none of its {page_count} pages carries real text; it is probably scanned or "
            "made of images); run OCR on it and add it again",
        )
    for number, (layout, count) in enumerate(zip(layouts, letters), start=1):
        if not layout.raw_text().strip():
            if not any(w.startswith(f"pagina {number} ") for w in warnings):
                warnings.append(f"pagina {number} heeft geen tekstlaag")
        elif count < MIN_PAGE_LETTERS:
            warnings.append(f"pagina {number} heeft bijna geen tekst ({count} letters); misschien is het een gescande "
                            "afbeelding")
    if reader_warnings.messages:
        warnings.append(f"de opbouw van de PDF is bij het lezen hersteld ({'; '.join(reader_warnings.messages)})")
    stats = analyse(layouts, labels)
    # a slide deck is read box by box; slides that are only a drawing's labels are listed (ingest.slides)
    figure_slides = arrange_slides(layouts) if stats.slides else []
    table_stats = analyse_tables(layouts, reader.pages)  # tables as rows with their header, contents pages (ingest.tables)
    figure_stats = analyse_figures(layouts, stats.slides)  # figure labels leave the body text (ingest.figures)
    pages = [_nonblank(layout.raw_text()) for layout in layouts]
    # an index whose columns pypdf gives row by row is read column by column (ingest.index_layout)
    page_text = slide_text if stats.slides else (lambda page: index_text(page) or body_text(page))
    body = [_nonblank(page_text(layout)) if not layout.build_step else "" for layout in layouts]
    notes = [_nonblank(layout.text("footnote")) for layout in layouts]
    return ParsedPublication(
        pages=pages, paginated=True, format="pdf", warnings=warnings, body=body, notes=notes,
        labels=[layout.label for layout in layouts],
        layout={**stats.as_dict(), **table_stats.as_dict(), **figure_stats.as_dict(), "figure_slides": figure_slides},
        headings=[[[level, text] for level, text in (layout.headings or [])] if not layout.build_step else []
                  for layout in layouts],
    )


def _nonblank(text: str) -> str:
    return text if text.strip() else ""


def _open_encrypted(reader: Any, dependency_error: type[Exception]) -> None:
    """Open a PDF encrypted with an empty user password; refuse one that needs a real password."""
    from pypdf import PasswordType

    try:
        result = reader.decrypt("")
    except dependency_error as exc:
        raise ConversionError(
            "encrypted",
            "PDF is encrypted with AES, which this installation cannot decrypt (the 'cryptography' package is "
            "missing); remove the encryption and add it again",
        ) from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise ConversionError(
            "encrypted", "PDF is encrypted with a password; remove the password and add it again"
        )


class _ReaderWarnings(std_logging.Handler):
    """Collects what pypdf logs while it repairs a damaged file, to report it as warnings of that file."""

    def __init__(self) -> None:
        super().__init__(level=std_logging.WARNING)
        self.messages: list[str] = []
        self._logger = std_logging.getLogger("pypdf")

    def emit(self, record: std_logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split())
        if message and message not in self.messages and len(self.messages) < MAX_READER_WARNINGS:
            self.messages.append(message)

    def __enter__(self) -> "_ReaderWarnings":
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._logger.removeHandler(self)


def _describe(exc: BaseException) -> str:
    message = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# --- Text and Markdown -----------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ConversionError("unsupported", "File starts like UTF-16 text but is not valid UTF-16") from exc
    for magic, what in _KNOWN_BINARY:
        if data.startswith(magic):
            raise ConversionError(
                "unsupported", f"File is {what}; only PDF, plain text and Markdown can be added (export it as PDF)"
            )
    if b"\x00" in data:
        raise ConversionError(
            "unsupported", "File is binary data, not a PDF or text; only PDF, plain text and Markdown can be added"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConversionError(
            "unsupported",
            f"File is not a PDF and not UTF-8 text (invalid byte at offset {exc.start}); "
            "save it as UTF-8 text or export it as PDF",
        ) from exc
    if text.lstrip().startswith("{\\rtf"):
        raise ConversionError("unsupported", "File is Rich Text Format (RTF); export it as PDF or plain text")
    if _HTML_START.match(text):
        raise ConversionError("unsupported", "File is an HTML page; save it as PDF or plain text")
    return text


def _parse_text(text: str, text_format: str) -> ParsedPublication:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ConversionError("empty", "File contains no text")
    if "\f" not in text:
        return ParsedPublication(pages=[text], paginated=False, format=text_format)
    pages = text.split("\f")
    if len(pages) > 1 and not pages[-1].strip():
        pages.pop()  # pdftotext ends every page, the last one too, with a form feed
    warnings = [f"pagina {n} is leeg" for n, page in enumerate(pages, start=1) if not page.strip()]
    return ParsedPublication(pages=pages, paginated=True, format=text_format, warnings=warnings)


# --- Component -------------------------------------------------------------------------------------------
