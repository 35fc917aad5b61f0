"""Labels of a publication's year and pages as the references give them (the references themselves are rendered
by the style engine: search.csl).

A year the publication does not print (``year_approximate``: estimated by us) is "z.d." in every reference, as
for an unknown year (APA 7: "n.d.", Dutch "zonder datum"); pages show the estimate separately (``year_note``).
"""

from __future__ import annotations


def year_label(year: int | None, approximate: bool) -> str:
    """``2016``, or ``z.d.`` when the publication gives no year (unknown or only estimated)."""
    return "z.d." if year is None or approximate else str(year)


def year_note(year: int | None, approximate: bool) -> str:
    """``jaar geschat: 2025`` for an estimated year, else empty."""
    return f"jaar geschat: {year}" if year is not None and approximate else ""
