"""Unicode normalisation shared by documents and queries, so that both are compared in the same form.

``normalize_chars`` is the first step of cleaning a page (ingest.cleaning); ``normalize_text`` applies the
same and puts the text on one line: the search applies it to every query.

Unicode NFKC (ligatures "ﬁ" -> "fi"; the maths signs ℑ and ℜ are kept, not made "I" and "R"); soft hyphens, replacement characters (U+FFFD), zero-width and
direction marks, private-use glyphs and control characters removed; odd spaces become a plain space,
typographic apostrophes a plain "'"; Symbol-font bullets at a line start become "• ".
"""

from __future__ import annotations

import re
import unicodedata

_REMOVE = dict.fromkeys(
    map(ord, "\u00ad\ufffd\ufffc\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
        "\u2066\u2067\u2068\u2069"),
    None,
)
_REMOVE.update({ord(c): "'" for c in "\u2018\u2019\u201b\u02bc"})
_REMOVE.update({ord(c): "-" for c in "\u2010\u2011"})
_REMOVE.update({ord(c): "\n" for c in "\u2028\u2029\x85\x0b\x0c"})
# Bullet glyphs, including Symbol/Wingdings bullets that PDFs carry as private-use characters.
BULLET_GLYPHS = "•▪◦●■►‣⁃∙·○□❖➢➤✓✔\uf0b7\uf0a7\uf0a8\uf0d8\uf076\uf0fc"
_GLYPH_BULLET = re.compile(rf"^[ \t]*[{BULLET_GLYPHS}][ \t]*", re.MULTILINE)
_GARBAGE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ue000-\uf8ff\U000f0000-\U0010ffff]")
_ODD_SPACE = re.compile(r"[^\S\n]")
SPACES = re.compile(r" {2,}")


# letter-like maths operators that NFKC would make a plain letter: the imaginary and real part "ℑz", "ℜz" (a
# stored "Iz" reads as a product); kept as the page prints them (queries are normalised the same way)
KEEP_SIGNS = "\u2111\u211c"
_KEPT = re.compile(f"([{KEEP_SIGNS}])")


def _nfkc(text: str) -> str:
    if not any(sign in text for sign in KEEP_SIGNS):
        return unicodedata.normalize("NFKC", text)
    return "".join(part if _KEPT.fullmatch(part) else unicodedata.normalize("NFKC", part) for part in _KEPT.split(text))


def normalize_chars(text: str) -> str:
    """The character-level normalisation of a page; line breaks are kept."""
    text = _nfkc(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _GLYPH_BULLET.sub("• ", text.translate(_REMOVE))
    return _ODD_SPACE.sub(" ", _GARBAGE.sub("", text))


def normalize_text(text: str) -> str:
    """The normalisation of cleaned pages, on one line: apply it to queries too."""
    return SPACES.sub(" ", normalize_chars(text).replace("\n", " ")).strip()
