"""Real Dutch PDFs for tests, made with fpdf2 and a TTF font (Debian's fonts-dejavu-core; `make test` installs it)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def pdf_bytes(
    pages: list[list[str]],
    header: str | None = None,
    page_numbers: bool = False,
    user_password: str | None = None,
) -> bytes:
    """One text line per entry; optional running header, page-number footer and user password (RC4-128)."""
    from fpdf import FPDF

    if not FONT.is_file():
        pytest.fail(f"{FONT} is missing: install the Debian package fonts-dejavu-core (make test does)")

    class Report(FPDF):
        def header(self) -> None:
            if header:
                self.set_font("DejaVu", size=9)
                self.cell(0, 6, header, new_x="LMARGIN", new_y="NEXT")
                self.ln(4)

        def footer(self) -> None:
            if page_numbers:
                self.set_y(-15)
                self.set_font("DejaVu", size=9)
                self.cell(0, 10, str(self.page_no()), align="C")

    pdf = Report()
    pdf.add_font("DejaVu", fname=str(FONT))
    for lines in pages:
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    if user_password is None:
        return data
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="eigenaar", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
