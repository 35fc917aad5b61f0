"""The label that opens a figure's or table's caption ("Abbildung 2.7:", "Figure 3.", "Tabel 2 –", "TABLE II."),
shared by ``ingest.captions`` (which finds the caption lines of a page) and ``ingest.cleaning`` (which keeps a
caption a paragraph of its own). A module without project imports, so that both can use it.
"""

from __future__ import annotations

import re

_WORDS = (
    r"abbildung|abb|figure|fig|figuur|afbeelding|afb|illustration|grafiek|grafik|graphique|diagramm?|"
    r"schema|chart|graph|kaart|karte|carte|map|foto|photo|bild|"
    r"tabelle|tabel|table|tableau|tab|tabla|"
    r"listing|algorithmus|algorithm|algoritme|algorithme|plaat|box|kader|encadré"
)
CAPTION = re.compile(
    rf"\s*(?:{_WORDS})\.?\s*(?:\d{{1,3}}(?:[.-]\d{{1,3}}){{0,3}}|[IVX]{{1,6}}|[A-Z]\.\d{{1,3}})\s*(?::|[.–—-](?=\s|$))",
    re.IGNORECASE,
)


def is_caption(text: str) -> bool:
    """Whether ``text`` opens with a caption's label and number ("Abbildung 2.7:", "Table 3.", "Fig. 4 -")."""
    return bool(CAPTION.match(text))
