"""What a publication gives when it goes in: ``kennisbank check FILE...`` for platform staff.

``check_file(path)`` runs the indexing pipeline's text steps (``PublicationConverter`` -> ``DutchTextCleaner``
-> ``StructureSplitter``; no embedding, nothing is written) and reports per document: pages, pages without
text, passages (body, footnote, table, run on over a page break; noise passages left out of the index:
``ingest.tables``), tables and their rows, contents pages, footnotes and note markers, running lines and
contents lines removed, build slides dropped, headings found, where the page labels come from, the line-end hyphen joins the
cleaner made, and defect flags. The flags compare the stored text of every page with pypdf's raw text of the
same page (``ParsedPublication.pages``):

``false_joins``      a stored word that the raw page only has as two words apart ("ouder en" -> "ouderen")
``invented_words``   any other stored word the raw page does not have (not a line-end hyphen join)
``parted_words``     no fault, counted so staff see them: stored words that with their stored neighbours
                     make up one raw word ("Die Dreiecke" where pypdf glued "DieDreiecke": a word gap of the
                     page that pypdf read as none, ``ingest.tj_gaps``): every letter kept, in order, a space added
``broken_urls``      a stored URL that the raw page (line breaks and spaces removed) does not have
``glued_numbers``    a lower-case word with digits glued on ("partnerschappen1"): often a note marker
``dot_leaders``      passages with table-of-contents dot leaders
``mid_sentence``     passages that end without closing punctuation while the next goes on in lower case

The word checks (``page_word_faults``) are also what the tests run on every real PDF.
"""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path
from typing import Any

from haystack import Document

from kennisbank.core.errors import ConversionError
from kennisbank.ingest.chunking import UNINDEXED_KINDS, StructureSplitter
from kennisbank.ingest.cleaning import DutchTextCleaner
from kennisbank.core.text import normalize_text
from kennisbank.ingest.converters import document_from_parsed
from kennisbank.ingest.parsing import parse_file

_WORD = re.compile(r"[^\W\d_]+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_LINE_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\n\s*(?=[^\W\d_])")
_CLOSING = re.compile(r"[.?!:;][\"'”’)\]]*$|[)\]]$")
_LIST_ITEM = re.compile(r"(?:[a-z]{1,2}|[ivx]{1,4})[.)]\s|\([a-z0-9]{1,3}\)\s")
_GLUED = re.compile(r"\b([a-zà-ÿ]{4,})(\d{1,2})\b")
_DOT_LEADER = re.compile(r"(?:\.\s?){6,}|…{3,}")


def _lines(text: str) -> str:
    return "\n".join(normalize_text(line) for line in text.split("\n"))


_ROW_NAME = re.compile(r"(?:^|(?<= ))\| ([^|:\n]{1,80}): ", re.MULTILINE)


def carried_names(stored: str, earlier: list[str], known: set[str] | None = None) -> set[str]:
    """The words of a stored page's table column names ("| Begrip: FPS | Beschrijving: ...") that pypdf's raw
    text of an earlier page has (``earlier``: the raw pages before, in order), the nearest first: a table that
    goes on over page breaks without its header repeated gets the header of the table it continues
    (``ingest.tables.carry_headers``), also over several pages. A name wrapped at a hyphen there ("Voor-",
    "komen") counts as the raw page's hyphen join. Only words not in ``known`` (the page's own) are looked for."""
    wanted = {word for match in _ROW_NAME.finditer(stored) for word in _WORD.findall(match.group(1))} - (known or set())
    found: set[str] = set()
    for raw in reversed(earlier):
        if not wanted - found:
            break
        norm = _lines(raw)
        words = set(_WORD.findall(norm)) | set(_WORD.findall(_LINE_HYPHEN.sub("", norm)))
        found |= wanted & words
    return found


# combining marks that ``ingest.accents`` writes after a maths letter for the spacing accent TeX draws over it
# (the raw page has "˜" + "X", which NFKC makes " ̃X"; stored "X̃", NFKC-composed "ã", "Ỹ")
_ACCENT_MARKS = frozenset("\u0303\u0302\u0307\u0308\u0301\u0304\u030a\u0306\u030c")


def _accent_written(word: str, words: set[str], norm: str) -> bool:
    """Whether ``word`` is a raw word with an accent mark put on one of its letters, a mark the raw page has."""
    decomposed = unicodedata.normalize("NFD", word)
    marks = {char for char in decomposed if char in _ACCENT_MARKS}
    if not marks or not all(mark in norm for mark in marks):
        return False
    return "".join(char for char in decomposed if char not in _ACCENT_MARKS) in words


def _scripted_words(stored: str, words: set[str]) -> set[str]:
    """Words around stacked scripts written by ``ingest.scripts`` ("κ_{Nor}^{n}"), where pypdf glues the
    script to its symbol ("κn Nor"): a symbol right before "_{" that a raw word starts with, a script right
    after "_{" or "^{" that a raw word holds."""
    found: set[str] = set()
    for match in _WORD.finditer(stored):
        word = match.group()
        if stored.startswith("_{", match.end()) and any(raw.startswith(word) for raw in words):
            found.add(word)
        elif stored[max(0, match.start() - 2): match.start()] in ("_{", "^{") and any(word in raw for raw in words):
            found.add(word)
    return found


def page_word_faults(stored: str, raw: str, earlier: list[str] | None = None) -> dict[str, list[str]]:
    """Words of a stored page that pypdf's raw text of that page does not have.

    ``false_joins``: the raw page has the word only as two adjacent words; ``invented``: any other word that
    is neither a raw word nor a join across a line-end hyphen the raw page shows ("Pre-", "ven-", "tief").
    Not faults (``recovered``): words of a raw token in which pypdf gave a bare glyph code (a control
    character), found in the stored text with up to three characters in that code's place and nothing else
    changed (see ``recovered_words``); and words whose letters stand one after another in a run of letters
    that pypdf gives one by one ("c l a s s D r i v e r", see ``ingest.layout.respace_letters``): no letter
    is added, only the spaces inside such a run are gone. Not faults either (``parted``): words that with their
    stored neighbours, only white space between them, make up exactly one raw word ("Die Dreiecke" where the
    raw page has "DieDreiecke", see ``parted_words``; also one joined over a line-end hyphen of the raw page):
    a raw word parted into its consecutive pieces.
    Words are runs of letters (digits and punctuation separate them), after the stored text's normalisation.
    With ``earlier`` (the raw texts of the pages before), words of table column names that an earlier page has
    are not faults either (``carried``: a header carried over a page break, see ``carried_names``).
    """
    norm = _lines(raw)
    # a drawn overline is kept as U+0305 after its letters (ingest.maths: "Q̅R̅" where pypdf gives "QR"); it is
    # no letter and does not cut a word in two
    stored = stored.replace("\u0305", "")
    words = set(_WORD.findall(norm))
    hyphen_joins = set(_WORD.findall(_LINE_HYPHEN.sub("", norm)))
    tokens = list(_WORD.finditer(norm))
    pairs = {
        a.group() + b.group() for a, b in zip(tokens, tokens[1:])
        if norm[a.end(): b.start()] and not norm[a.end(): b.start()].strip()
    }
    wrapped = cell_wraps(raw)
    faults: dict[str, list[str]] = {"false_joins": [], "invented": [], "hyphen_joins": [], "recovered": [],
                                    "cell_wraps": [], "carried": [], "parted": []}
    carried = carried_names(stored, earlier, words | hyphen_joins) if earlier else set()
    recovered = recovered_words(stored, raw)
    spaced = _spaced_runs(norm)
    scripted = _scripted_words(stored, words)
    parted = _PartedWords()
    for word in dict.fromkeys(_WORD.findall(stored)):
        if word in words:
            continue
        if (word in recovered or any(word in run for run in spaced) or _accent_written(word, words, norm)
                or word in scripted):
            faults["recovered"].append(word)
        elif word in hyphen_joins:
            faults["hyphen_joins"].append(word)
        elif word in wrapped:
            faults["cell_wraps"].append(word)
        elif word in carried:
            faults["carried"].append(word)
        elif word in parted(stored, words | hyphen_joins):
            faults["parted"].append(word)
        else:
            faults["false_joins" if word in pairs else "invented"].append(word)
    return faults


PARTED_PIECES = 8  # a raw word is parted into at most this many stored words ("DieGruppenoperationvonGaufX": 5)


def parted_words(stored: str, words: set[str]) -> set[str]:
    """The words of ``stored`` that stand in a run of 2 to ``PARTED_PIECES`` consecutive stored words, with only
    white space between them, whose letters together are one word of ``words`` (the raw page's): a raw word
    parted where the page shows a word gap ("Die Dreiecke" for pypdf's "DieDreiecke"). Every letter of the raw
    word is there, in order; only spaces were added. A word that is no piece of such a run is not parted."""
    tokens = list(_WORD.finditer(stored))
    found: set[str] = set()
    for start in range(len(tokens) - 1):
        glued = tokens[start].group()
        for end in range(start + 1, min(start + PARTED_PIECES, len(tokens))):
            between = stored[tokens[end - 1].end(): tokens[end].start()]
            if not between or between.strip():
                break  # a mark or no gap between the two: no space the layout put in
            glued += tokens[end].group()
            if glued in words:
                found.update(token.group() for token in tokens[start: end + 1])
    return found


class _PartedWords:
    """``parted_words`` of a page, worked out once when the first word needs it (most pages need none)."""

    def __init__(self) -> None:
        self.found: set[str] | None = None

    def __call__(self, stored: str, words: set[str]) -> set[str]:
        if self.found is None:
            self.found = parted_words(stored, words)
        return self.found


WRAP_SPACES = 3  # lines of a page that end in a space glyph: the producer keeps the space where it wraps a line


def cell_wraps(raw: str) -> set[str]:
    """Words broken over two lines without a hyphen where the producer shows it: on a page of whose lines at
    least ``WRAP_SPACES`` end in a space glyph (a wrap at a space keeps it: "Allen, Miss. " / "Elisabeth"), a
    line that ends in a letter without one, before a line that starts with a letter, is a word the wrap cut
    ("survi" / "ved" in a narrow table cell). ``ingest.ruled_tables`` joins such a word only where the joined
    word does not fit in its cell; this set is what the raw page allows, the parts joined (normalised)."""
    if sum(1 for line in raw.split("\n") if line.endswith(" ") and line.strip()) < WRAP_SPACES:
        return set()
    # a cell's word may also break at a hyphen, kept ("niet-" "telefoonplatfor" "men") or joined ("Re-" "pres" "sief")
    lines = raw.split("\n")
    joined = _LINE_HYPHEN.sub("", raw).split("\n")
    joins = set()
    for line, following in [*zip(lines, lines[1:]), *zip(joined, joined[1:])]:
        if line[-1:].isalpha() and following[:1].isalpha():
            first = _WORD.findall(normalize_text(line))
            second = _WORD.findall(normalize_text(following))
            if first and second:
                joins.add(first[-1] + second[0])
    return joins


_SPACED_RUN = re.compile(r"(?<!\S)\S{1,3}(?: \S{1,3}){3,}(?!\S)")


def _spaced_runs(norm: str) -> list[str]:
    """The runs of pieces of one to three characters apart by single spaces, many of them single letters
    (letters placed one by one), each with its spaces taken out."""
    runs = []
    for run in _SPACED_RUN.finditer(norm):
        tokens = run.group().split(" ")
        singles = sum(len(token) == 1 for token in tokens)
        # half of the pieces single characters, or five or more pieces of at most two characters, or two single
        # characters among five or more pieces ("de en op in", "en dat is nu wel" are prose)
        short = all(len(token) <= 2 for token in tokens)
        if 2 * singles >= len(tokens) or (len(tokens) >= 5 and (short or singles >= 2)):
            runs.append("".join(tokens))
    return runs


_CODE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def recovered_words(stored: str, raw: str) -> set[str]:
    """Words of the stored page at the places where the raw page has a glyph pypdf could not map.

    pypdf gives a glyph that has no Unicode mapping as its bare code, a control character ("ad\\x00bc"); the
    layout reads such a glyph from the font's own encoding (``ingest.layout.recover_glyphs``: "ad−bc"). This
    check does not trust that code: a raw token with such codes becomes a pattern in which every code stands
    for up to three characters that are not spaces (none: a code nothing could read, which the cleaner drops,
    the quotes of "\x10windows\x11 (de\x1cned") and every other character stays as the raw page has it;
    only the words inside a stored match of that pattern are accepted. So nothing is accepted that differs
    from the raw text anywhere except where the raw text itself has an unreadable glyph.
    """
    found: set[str] = set()
    if not _CODE.search(raw):
        return found
    # each token with a code, with the tokens on either side (contexts overlap: "\x10windows\x11 (de\x1cned")
    tokens = re.split(r"[ \t\n\r]+", raw)  # not str.split: Python counts the codes \x1c-\x1f as spaces
    contexts = [" ".join(tokens[max(0, i - 1): i + 2]) for i, token in enumerate(tokens) if _CODE.search(token)]
    for context in dict.fromkeys(contexts):
        pattern, anchored = [], False
        for piece in re.split(r"([\x00-\x08\x0b\x0c\x0e-\x1f]|[ \t\n\r]+)", context):
            if _CODE.fullmatch(piece):
                pattern.append(r"\S{0,3}")  # read from the font, or dropped by the cleaner
            elif piece.isspace():
                pattern.append(r"[\s•]+")  # a list item's bullet ("• ", a drawn bullet written) is no word
            elif normalize_text(piece):
                pattern.append(re.escape(normalize_text(piece)))
                anchored = True
        if not anchored:
            continue  # nothing of the raw text around the code: no evidence where it stands
        for match in re.finditer("".join(pattern), stored):
            found.update(_WORD.findall(match.group()))
    return found


def broken_urls(stored: str, raw: str) -> list[str]:
    """URLs of a stored page that the raw page, with its line breaks and spaces removed, does not have."""
    flat = normalize_text(raw.replace("-\n", "-").replace("\n", "")).replace(" ", "")
    return [url for url in (u.rstrip(".,;:") for u in _URL.findall(stored)) if url not in flat]


def mid_sentence_ends(chunks: list[Document], slides: bool = False) -> list[dict[str, Any]]:
    """Passages that end without closing punctuation while the next passage goes on in lower case. An index's
    passages (kind ``index``, ``ingest.index_pages``) are lists of entries, not sentences: not counted."""
    found = []
    for chunk, after in zip(chunks, chunks[1:]):
        current, following = (chunk.content or "").strip(), (after.content or "").strip()
        if slides and after.meta.get("page_number") != chunk.meta.get("page_number"):
            continue  # a slide stands alone
        if "index" in (chunk.meta.get("kind"), after.meta.get("kind")):
            continue
        if (current and following and not _CLOSING.search(current) and following[0].islower()
                and not _LIST_ITEM.match(following)):
            found.append({"page": chunk.meta.get("page_number"), "end": current[-60:], "next": following[:40]})
    return found


def check_file(path: Path | str) -> dict[str, Any]:
    """The report of one file (see the module docstring); a file that cannot be read reports its reason."""
    path = Path(path)
    started = time.perf_counter()
    try:
        parsed = parse_file(path)
    except ConversionError as exc:
        return {"file": str(path), "ok": False, "reason": exc.reason, "message": exc.message}
    document = document_from_parsed(parsed)
    cleaned = DutchTextCleaner().run(documents=[document])["documents"][0]
    every = StructureSplitter(keep_noise=True).run(documents=[cleaned])["documents"]
    chunks = [c for c in every if c.meta.get("kind") not in UNINDEXED_KINDS]  # what the index gets
    stored = (cleaned.content or "").split("\f")
    layout = parsed.layout or {}

    flags: dict[str, list[dict[str, Any]]] = {"false_joins": [], "invented_words": [], "broken_urls": [],
                                              "glued_numbers": [], "parted_words": []}
    hyphen_joins = 0
    for number, (text, raw) in enumerate(zip(stored, parsed.pages), start=1):
        if parsed.format == "pdf":
            faults = page_word_faults(text, raw, parsed.pages[: number - 1])
            hyphen_joins += len(faults["hyphen_joins"])
            flags["false_joins"] += [{"page": number, "word": w} for w in faults["false_joins"]]
            flags["invented_words"] += [{"page": number, "word": w} for w in faults["invented"]]
            flags["parted_words"] += [{"page": number, "word": w} for w in faults["parted"]]
            flags["broken_urls"] += [{"page": number, "url": u} for u in broken_urls(text, raw)]
        flags["glued_numbers"] += [{"page": number, "word": m.group()} for m in _GLUED.finditer(text)]
    mid = mid_sentence_ends(chunks, bool(layout.get("slides")))
    return {
        "file": str(path),
        "ok": True,
        "format": parsed.format,
        "pages": parsed.page_count,
        "pages_without_text": sum(1 for text in stored if not text.strip()),
        "passages": len(chunks),
        "footnote_passages": sum(1 for c in chunks if c.meta.get("kind") == "footnote"),
        "run_on_passages": sum(1 for c in chunks if c.meta.get("page_end")),
        "tables": layout.get("tables", 0),
        "table_rows": layout.get("table_rows", 0),
        "table_passages": sum(1 for c in chunks if c.meta.get("kind") == "table"),
        "contents_pages": layout.get("contents_pages", 0),
        "noise_passages_dropped": sum(1 for c in every if c.meta.get("kind") == "noise"),
        "figure_passages_dropped": sum(1 for c in every if c.meta.get("kind") == "figure"),
        "footnotes": layout.get("footnotes", 0),
        "note_markers": layout.get("markers", 0),
        "running_lines_removed": layout.get("running_lines", 0),
        "contents_lines_removed": layout.get("contents_lines", 0),
        "figure_lines_removed": layout.get("figure_lines", 0),
        "small_print_lines_removed": layout.get("small_print_lines", 0),
        "build_slides_dropped": layout.get("build_slides", 0),
        "headings": layout.get("headings", 0),
        "slides": bool(layout.get("slides", False)),
        "page_labels": layout.get("labels_from", "none"),
        "hyphen_joins_made": hyphen_joins,
        "flags": {
            **{name: len(items) for name, items in flags.items()},
            "dot_leaders": sum(1 for c in chunks if _DOT_LEADER.search(c.content or "")),
            "mid_sentence": len(mid),
        },
        "examples": {**{name: items[:5] for name, items in flags.items() if items}, **({"mid_sentence": mid[:5]} if mid else {})},
        "warnings": list(parsed.warnings),
        "seconds": round(time.perf_counter() - started, 3),
    }


def format_report(report: dict[str, Any]) -> str:
    """A few lines for people: what went in, and what looks wrong."""
    if not report.get("ok"):
        return f"{report['file']}: MISLUKT [{report['reason']}] {report['message']}"
    flags = ", ".join(f"{name} {count}" for name, count in report["flags"].items() if count) or "geen"
    lines = [
        f"{report['file']}: {report['pages']} pagina's ({report['pages_without_text']} zonder tekst), "
        f"{report['passages']} passages ({report['footnote_passages']} voetnoten, "
        f"{report['run_on_passages']} over een paginagrens)",
        f"  tabellen {report['tables']} ({report['table_rows']} rijen, {report['table_passages']} passages), "
        f"inhoudsopgavepagina's {report['contents_pages']}, niet geïndexeerd: ruis {report['noise_passages_dropped']}, "
        f"figuurlabels {report['figure_passages_dropped']}",
        f"  voetnoten {report['footnotes']}, notenummers {report['note_markers']}, kopteksten/voetteksten "
        f"weggelaten {report['running_lines_removed']}, inhoudsopgaveregels {report['contents_lines_removed']}, "
        f"figuurregels {report['figure_lines_removed']}, kleine lettertjes {report.get('small_print_lines_removed', 0)}, "
        f"dia-opbouw weggelaten {report['build_slides_dropped']}, koppen {report['headings']}, paginanummers: {report['page_labels']}, "
        f"afbrekingen hersteld {report['hyphen_joins_made']}",
        f"  signalen: {flags}",
    ]
    for name, items in report.get("examples", {}).items():
        lines.append(f"    {name}: {items[:3]}")
    lines += [f"  waarschuwing: {w}" for w in report["warnings"][:5]]
    return "\n".join(lines)
