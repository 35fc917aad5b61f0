"""Clean extracted PDF text page by page, the way a Dutch reader would check it by eye.

Page boundaries are kept: ``clean_pages`` returns exactly one cleaned text per input page. The steps:

1. Characters (kennisbank.core.text; ``normalize_text`` applies the same to queries): Unicode NFKC (ligatures "ﬁ" -> "fi"),
   soft hyphens, replacement characters (U+FFFD), zero-width and direction marks, private-use glyphs and
   control characters removed; odd spaces become a plain space, typographic apostrophes a plain "'";
   Symbol-font bullets at a line start become "• ". A glyph the PDF itself lost (a ligature extracted as
   U+FFFD, "hee\ufffd" for "heeft") cannot be restored: only the replacement character goes.
2. Running headers and footers: a line among the first ``TOP_ZONE`` (last ``BOTTOM_ZONE``) non-empty lines
   of at least 3 pages and at least half of the pages is a running line, and so is a bare page number
   ("7", "- 7 -", "Pagina 7 van 20", "vii") or a short line carrying the page number where the document's
   printed numbers follow the page order ("8 1.2. METRISCHE RÄUME"). Such lines are removed only where
   they stand as an unbroken run at the top or bottom of a page. A repeated table header that opens every
   table page is therefore removed from those pages but kept where it first appears in the middle of a page
   (under the table's introduction), so a reader still sees the column names once. Not for a PDF's body text
   from ``ingest.layout`` (meta ``layout``): the layout has left them out by their place on the page, and the
   text alone cannot tell a page number from a year or a numbered heading on a page's last or first line.
3. Reflow: the lines of a paragraph are joined with spaces, a paragraph becomes one line, paragraphs are
   separated by a blank line, bullet items ("•", "-", "–", "*", "1.", "1.1", "a)", "(a)"), Markdown headings
   and short heading lines start a new line. A blank line inside a sentence (the next line starts in lower
   case, the previous one ends without a full stop) does not end a paragraph, and an extraction that puts a
   blank line between all lines of a paragraph ("double spaced") is recognised. Runs of spaces collapse.
   Cleaning is idempotent: cleaning cleaned pages changes nothing.

Line-end hyphenation (``hyphen_join``) is a small heuristic, in this order of precedence:

- the next word starts with a capital or a digit: keep the hyphen ("Noord-\\nHolland" -> "Noord-Holland");
- the next word is a conjunction (en, of, tot, t/m, cq): a suspended compound, keep "- "
  ("opleidings-\\nen begeleidings..." -> "opleidings- en begeleidings..."), unless the document writes the
  hyphenated word within a line ("GGD-\\nen" -> "GGD-en" where "GGD-en" occurs);
- the joined word occurs elsewhere in the same document: join ("samen-\\nwerkende" -> "samenwerkende");
- the hyphenated word occurs within a line of the document or is a known compound, the first part is a
  prefix that keeps its hyphen (niet-, zij-, ex-, oud-, co-, mbo-, ...), an abbreviation in capitals, or the
  parts would clash vowels (zonne-energie): keep the hyphen;
- in an English document, one part is a word the document uses on its own and the other is no short word
  ending ("best-\\ncase", "less-\\neducated"): keep the hyphen (English writes compounds apart or hyphenated);
- otherwise join ("onder-\\nzoek" -> "onderzoek", "opleidings-\\nverantwoordelijkheid").

Words of a text extract split with spaces are joined only with evidence from the same document: the joined
word occurs elsewhere and either the gap is two or more spaces ("kwaliteits   ontwikkeling") or the first part
never occurs on its own ("kwaliteits cultuur"). "leraren tekort" stays: "leraren" is a word, and
"samen werken" must not become "samenwerken"; never when the second part is a function word ("ouder en
behoren" stays). PDFs never get such joins (``clean_pages(join_split_words=False)``, set by the component for
``format == "pdf"``): pypdf puts a space only where the glyphs stand apart, the page's own evidence that the
words are two. A line-end hyphen after a URL or e-mail address is kept and nothing is inserted
("https://x.nl/ap-" + "privacy" -> "https://x.nl/ap-privacy"). PDF footnotes (``meta["footnotes"]``, from
``ingest.layout``) are cleaned one note a line and put after the page's body text; ``meta["note_starts"]``
says where they start on each page.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

from haystack import Document, component

from kennisbank.core.text import SPACES as _SPACES
from kennisbank.core.text import normalize_chars as _normalize_chars
from kennisbank.core.text import normalize_text  # noqa: F401  (the cleaning API includes the query normalisation)
from kennisbank.ingest.caption_label import is_caption
from kennisbank.ingest.code import listing_lines
from kennisbank.ingest.index_pages import index_lines

TOP_ZONE = 10  # non-empty lines at the top of a page that may be a running header
BOTTOM_ZONE = 5  # non-empty lines at the bottom of a page that may be a running footer
PAGE_NUMBER_ZONE = 3  # non-empty lines at either edge where a page number is looked for
MIN_REPEAT_PAGES = 3
REPEAT_SHARE = 0.5
SHORT_LINE = 0.7  # a line shorter than this share of the page's usual width may end a heading


_LETTERS = r"[^\W\d_]"
_WORD = re.compile(rf"{_LETTERS}+(?:-{_LETTERS}+)*")
_PLAIN_WORD = re.compile(rf"{_LETTERS}+")
_LINE_END_FRAGMENT = re.compile(rf"({_LETTERS}+)-$")
_LEADING_WORD = re.compile(r"\w+")
_BULLET = re.compile(  # •, -, –, *, 1., 1.2., 1), 1.2, a), a., (a), (1); Markdown headings and table rows
    r"(?:[•*\-–]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|\d{1,2}\.\d{1,2}\s|[a-z][.)]\s|\([a-z0-9]{1,2}\)\s|#{1,6}\s|\|[\s:-])"
)
_LETTER_O = re.compile(r"o\s+[^\W\d_]")


def _letter_o_item(line: str, prev: str, block: str) -> bool:
    """A line opened by a lone "o" (Word's second-level bullet, a letter o in Courier New or Symbol) is a list
    item when it starts a list after a line ending in ":" ("... met:" + "o een tijdelijke opslag") or follows an
    item that opened so; a lone "o" is no Dutch or English word that would open a line of running text."""
    if not _LETTER_O.match(line):
        return False
    return prev.rstrip().endswith(":") or bool(_LETTER_O.match(block.lstrip()))


_ENDS_SENTENCE = re.compile(r"[.!?:][\'\"”’)]*$")
_OPENING = "\"“'(‘"
_FOOTNOTE = re.compile(r"\d{1,2} +[A-Z]")
# The last token of a text is (the start of) a link or an e-mail address.
_URL_TAIL = re.compile(r"(?:https?://|www\.|\S@)\S*$|\S+\.(?:nl|com|org|eu|be|de|fr|net|gov|edu|int)/\S*$", re.IGNORECASE)
_NOTE_LINE = re.compile(r"\s*(?:\[\d{1,3}\]|\d{1,3}\s)")
_SUSPENDED = re.compile(r"-\s+(?:en|of)\b")
TABLE_ROW = "| "  # a table row as ingest.tables writes it (cleaning sits below tables: the prefix is repeated here)
_PAGE_NUMBER = re.compile(
    r"[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?"  # 7, - 7 -, (7)
    r"|(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"  # roman: vii
    r"|(?:pagina|page|blz\.?|pag\.?|p\.)\s*\d{1,4}(?:\s*(?:van|of|/)\s*\d{1,4})?"  # Pagina 7 (van 20)
    r"|\d{1,4}\s*(?:/|van|of)\s*\d{1,4}"  # 7 / 20
)

CONJUNCTIONS = frozenset({"en", "of", "tot", "t/m", "cq", "c.q", "and", "or", "und", "oder"})
# French subject pronouns after a verb in a question ("reflètent-elles", "peut-il"): the hyphen is the language's
_INVERTED_PRONOUNS = frozenset({"il", "ils", "elle", "elles", "nous", "vous"})
KEEP_PREFIXES = frozenset({
    "niet", "zij", "ex", "oud", "co", "non", "vice", "adjunct", "interim", "e",
    "mbo", "hbo", "vmbo", "havo", "vwo", "po", "vo", "so", "vso", "wo", "ict", "lio", "tto",
})
KNOWN_COMPOUNDS = frozenset({
    "kern-schil", "zij-instromer", "zij-instromers", "zij-instroom", "co-creatie", "co-teaching",
    "evidence-informed", "evidence-based", "peer-review", "peer-reviews", "e-learning", "e-mail",
})
_VOWEL_CLASH = frozenset({"aa", "ae", "ai", "au", "ee", "ei", "eu", "ie", "oe", "oi", "oo", "ou", "ui", "uu"})
# Last words after which a line cannot end a heading or a paragraph.
_FUNCTION_WORDS = frozenset(
    "de het een van in op met voor en of aan bij te tot om door naar uit over als dat die dit deze zijn is "
    "wordt worden kan kunnen zowel niet ook maar dan nog er hun haar hij zij ze we wij je ik ons onze".split()
)


_ENGLISH_MARKERS = ("the", "and", "of", "to", "is", "that", "with", "for", "are", "this")
_OTHER_MARKERS = ("de", "het", "een", "van", "en", "der", "die", "und", "das", "le", "la", "les", "des", "et")
# English words that start closed compounds ("how-" + "ever", "with-" + "out", "some-" + "times"): joined
_ENGLISH_CLOSED = frozenset(
    "any every some how what when where there here them her with out over under after can".split()
)


# Word endings a syllable break leaves on the next line ("learn-" + "ing", "educa-" + "tion"; up to 5 letters)
_ENGLISH_SUFFIXES = ("ing", "ings", "ed", "ly", "tion", "tions", "sion", "sions", "ment", "ments", "ness", "able",
                     "ible", "ity", "ities", "ance", "ence", "ous", "ive", "ial", "ical", "ant", "ent", "er", "ers",
                     "est", "ism", "ist", "ists", "ize", "ise", "ized", "ised", "ure", "ures")


# --- Vocabulary of one document: evidence for joining hyphenated and split words -------------------------


@dataclass
class Vocabulary:
    """Lower-cased words of one document: plain, hyphenated within a line, and pairs of adjacent words."""

    words: Counter = field(default_factory=Counter)
    hyphenated: set = field(default_factory=set)
    joinable: Counter = field(default_factory=Counter)  # a -> times a stood before b with a + b a known word
    apart: set = field(default_factory=set)  # (a, b): a stood directly before b within a line ("near anonymous")
    unhyphenated: bool = False  # no line-end hyphen of the whole document is a hyphenation (set by clean_pages,
    # see _without_hyphenation; a table's or a page's own vocabulary is too small to tell)
    pairs: Counter = field(default_factory=Counter)  # (a, b) -> times a stood directly before b within a line

    @classmethod
    def from_lines(cls, pages: list[list[str]]) -> "Vocabulary":
        vocab = cls()
        pairs = vocab.pairs
        for lines in pages:
            tail = False  # the previous line ended with a hyphenated fragment
            for line in lines:
                previous = None
                for index, match in enumerate(_WORD.finditer(line)):
                    word, start = match.group().lower(), match.start()
                    fragment = line.startswith("-", match.end()) or (start > 0 and line[start - 1] == "-")
                    if fragment or (tail and index == 0 and not line[:start].strip()):
                        previous = None  # a fragment of a line-end or suspended hyphenation
                        continue
                    if "-" in word:
                        vocab.hyphenated.add(word)
                        previous = None
                        continue
                    vocab.words[word] += 1
                    if previous and not line[previous[1]: match.start()].strip(" "):
                        pairs[(previous[0], word)] += 1
                    previous = (word, match.end())
                tail = bool(_LINE_END_FRAGMENT.search(line.rstrip()))
        vocab._count_pairs()
        return vocab

    def plus(self, other: "Vocabulary") -> "Vocabulary":
        """The vocabulary of this one's pages followed by ``other``'s pages, as ``from_lines`` of them all gives it
        (words and pairs are counted within a page), so a document's pages are read once for two uses."""
        vocab = Vocabulary(words=self.words + other.words, hyphenated=self.hyphenated | other.hyphenated,
                           pairs=self.pairs + other.pairs)
        vocab._count_pairs()
        return vocab

    def _count_pairs(self) -> None:
        self.apart = set(self.pairs)
        for (a, b), count in self.pairs.items():
            if a + b in self.words:
                self.joinable[a] += count

    @property
    def english(self) -> bool:
        """Whether the document is written in English: its English function words outnumber the Dutch, German
        and French ones at least twice (English writes compounds apart or hyphenated, not as one word)."""
        english = sum(self.words[word] for word in _ENGLISH_MARKERS)
        other = sum(self.words[word] for word in _OTHER_MARKERS)
        return english >= 20 and english >= 2 * other

    def is_fragment(self, first: str) -> bool:
        """True when ``first`` only ever occurs directly before a word it forms a known word with."""
        return self.joinable[first] > 0 and self.joinable[first] == self.words[first]


UNHYPHENATED_LINES = 100  # lines a document needs before its line-end hyphens can tell it was not hyphenated


def _without_hyphenation(pages: list[list[str]], vocab: Vocabulary) -> bool:
    """Whether the document was set without automatic hyphenation (a word processor's default): it has at
    least ``UNHYPHENATED_LINES`` lines, and none of its line-end hyphens is confirmed as a hyphenation by the
    joined word elsewhere in the document (a hyphenated text of that length shows some: "onder-" + "zoek" beside
    "onderzoek"). Its line-end hyphens are then the hyphens of compounds the author wrote."""
    lines = [line for page in pages for line in page]
    if len(lines) < UNHYPHENATED_LINES:
        return False
    for line, following in zip(lines, lines[1:]):
        fragment = _LINE_END_FRAGMENT.search(line.rstrip())
        after = _LEADING_WORD.match(following.lstrip()) if fragment else None
        if after and fragment.group(1).lower() + after.group().lower() in vocab.words:
            return False
    return True


def hyphen_join(before: str, after: str, vocab: Vocabulary | None = None) -> str:
    """The text that replaces ``before-`` at a line end followed by ``after`` at the next line's start.

    ``before`` and ``after`` are the word parts without the hyphen: ("onder", "zoek") -> "onderzoek",
    ("Noord", "Holland") -> "Noord-Holland", ("opleidings", "en") -> "opleidings- en".
    """
    vocab = vocab or Vocabulary()
    low_before, low_after = before.lower(), after.lower()
    keep, join = f"{before}-{after}", before + after
    if (before.isupper() and after.isupper() and len(before) + len(after) >= 4
            and low_before + low_after in vocab.words and f"{low_before}-{low_after}" not in vocab.hyphenated):
        return join  # an acronym broken over a line end that the document has whole: "CO-" + "MET" -> "COMET"
    if not before or not after or not before[-1].isalpha() or after[0].isupper() or after[0].isdigit():
        return keep
    if f"{low_before}-{low_after}" in vocab.hyphenated:
        return keep  # the document writes it so within a line: "GGD-" + "en" -> "GGD-en", not "GGD- en"
    if low_after in CONJUNCTIONS:
        return before + "ën" if low_after == "en" and low_before + "ën" in vocab.words else f"{before}- {after}"
    if low_before + low_after in vocab.words:
        return join
    if _two_words(low_before, low_after, vocab):
        return keep  # "near-" + "anonymous" where the document writes "near anonymous"; "reflètent-" + "elles"
    trema = {"a": "ä", "e": "ë", "i": "ï", "o": "ö", "u": "ü"}.get(low_after[0])
    if trema and low_before + trema + low_after[1:] in vocab.words:
        return before + trema + after[1:]  # the hyphenation dropped the trema: cre-eren -> creëren
    hyphenated = f"{low_before}-{low_after}"
    if hyphenated in vocab.hyphenated or hyphenated in KNOWN_COMPOUNDS or low_before in KEEP_PREFIXES:
        return keep
    if len(before) >= 2 and before.isupper():
        return keep  # an abbreviation: PO-raad, SO&P-partnerschap
    if low_before[-1] + low_after[0] in _VOWEL_CLASH:
        return keep  # zonne-energie, mede-eigenaar
    if _english_compound(low_before, low_after, vocab):
        return keep  # "best-" + "case" -> "best-case", "less-" + "educated" -> "less-educated"
    if vocab.unhyphenated and before[:1].isupper() and before[1:].islower() and len(before) >= 3:
        return keep  # a capitalised part in a document set without hyphenation: "Corona-" + "pandemie"
    return join


def _two_words(before: str, after: str, vocab: Vocabulary) -> bool:
    """A line-end hyphen between two words: the document writes the two parts apart within a line ("near
    anonymous" beside "near-" + "anonymous"), or the second is a French subject pronoun after its verb
    ("reflètent-" + "elles"). The joined word elsewhere in the document wins before this is asked."""
    return (before, after) in vocab.apart or (after in _INVERTED_PRONOUNS and len(before) >= 3)


def _english_compound(before: str, after: str, vocab: Vocabulary) -> bool:
    """In an English document, a line-end hyphen between two parts of which the document uses one on its own
    ("case" in "best-" + "case", "less" in "less-" + "educated") is the hyphen of a compound: English writes
    compounds apart or hyphenated. Not for a first part that starts a closed compound ("how-" + "ever"), a
    short ending ("learn-" + "ing") or parts shorter than 3 letters. (The joined word elsewhere in the
    document wins before this is asked.)"""
    return (vocab.english and len(before) >= 3 and len(after) >= 3 and before not in _ENGLISH_CLOSED
            and not (len(after) <= 5 and after.endswith(_ENGLISH_SUFFIXES)) and (vocab.words[before] > 0 or vocab.words[after] > 0))


def _join_split_words(line: str, vocab: Vocabulary) -> str:
    """Join words a text extract split with spaces, when the document itself shows the joined word.

    Never when the second part is a word of its own that a sentence needs ("ouder en behoren" stays, it does
    not become "ouderen behoren"). PDFs never come here: pypdf puts a space only where the glyphs stand apart,
    which is the page's own evidence that the words are two (see ``clean_pages``).
    """
    words = list(_PLAIN_WORD.finditer(line))
    parts, pos = [], 0
    for a, b in zip(words, words[1:]):
        gap = line[a.end(): b.start()]
        if gap.strip(" ") or line[a.start() - 1: a.start()] == "-" or line[b.end(): b.end() + 1] == "-":
            continue
        first, second = a.group().lower(), b.group()
        if not second[0].islower():  # "Martin Thoma" is a name; a compound's second part is lower case
            continue
        if second.lower() in _FUNCTION_WORDS or second.lower() in CONJUNCTIONS:
            continue  # "ouder en", "onbekend en": both are words
        if first + second.lower() in vocab.words and (len(gap) >= 2 or vocab.is_fragment(first)):
            parts.append(line[pos: a.end()])
            pos = b.start()
    parts.append(line[pos:])
    return "".join(parts)


# --- Running headers, footers and page numbers -----------------------------------------------------------


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()


def _page_number_offset(pages: list[list[str]]) -> int | None:
    """The offset (printed number - page number) that at least 3 pages and 30% of pages agree on, if any."""
    votes: Counter = Counter()
    for number, lines in enumerate(pages, start=1):
        edge = [line for line in lines if line.strip()]
        edge = edge[:PAGE_NUMBER_ZONE] + edge[-PAGE_NUMBER_ZONE:]
        printed = {int(tok) for line in edge for tok in _end_tokens(line) if tok.isdigit() and len(tok) < 5}
        votes.update({value - number for value in printed})
    if not votes:
        return None
    offset, count = votes.most_common(1)[0]
    return offset if count >= MIN_REPEAT_PAGES and count >= 0.3 * len(pages) else None


def _is_page_number(line: str, number: int, offset: int | None) -> bool:
    """A page number alone ("7", "- 7 -", "vii", "Pagina 7 van 20"), or a short line that carries this page's
    printed number at an end. Where the document's printed numbers follow the page order (``offset``), a bare
    number is a page number only when it is this page's: a year or a count alone on a page's last line
    ("Rinie van Est,\n2019") is text."""
    text = line.strip()
    if _PAGE_NUMBER.fullmatch(text.casefold()) and (not text.isalpha() or text.islower()):
        bare = text.strip("-–—()[] ")
        return offset is None or not bare.isdigit() or int(bare) == number + offset
    return offset is not None and len(text) <= 100 and str(number + offset) in _end_tokens(text)


def _end_tokens(line: str) -> set[str]:
    """The first and last token of a line: where headers and footers print the page number."""
    tokens = line.split()
    return {tokens[0], tokens[-1]} if tokens else set()


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove running headers, footers and page numbers from the edges of each page's lines."""
    top: Counter = Counter()
    bottom: Counter = Counter()
    for lines in pages:
        keys = [_key(line) for line in lines if line.strip()]
        top.update(set(keys[:TOP_ZONE]))
        bottom.update(set(keys[-BOTTOM_ZONE:]))
    needed = max(MIN_REPEAT_PAGES, math.ceil(REPEAT_SHARE * len(pages)))
    running_top = {key for key, count in top.items() if count >= needed}
    running_bottom = {key for key, count in bottom.items() if count >= needed}
    offset = _page_number_offset(pages)

    result = []
    for number, lines in enumerate(pages, start=1):
        start = _edge_run(lines, running_top, TOP_ZONE, number, offset)
        rest = lines[start:]
        end = len(rest) - _edge_run(rest[::-1], running_bottom, BOTTOM_ZONE, number, offset)
        result.append(_drop_bare_numbers(rest[:end], number, offset))
    return result


def _drop_bare_numbers(lines: list[str], number: int = 0, offset: int | None = None) -> list[str]:
    """Remove bare page numbers near the edges also when a link or footnote stands between them and the edge."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    edges = set(filled[:PAGE_NUMBER_ZONE] + filled[-PAGE_NUMBER_ZONE:]) if len(filled) > 1 else set()
    return [line for i, line in enumerate(lines) if i not in edges or not _is_page_number(line, number, offset)]


def _edge_run(lines: list[str], running: set[str], zone: int, number: int, offset: int | None) -> int:
    """How many lines from the start of ``lines`` are running lines, page numbers or blank."""
    count = seen = 0
    for line in lines:
        if line.strip():
            seen += 1
            if seen > zone:
                break
            if _key(line) not in running and not (seen <= PAGE_NUMBER_ZONE and _is_page_number(line, number, offset)):
                break
        count += 1
    return count


# --- Reflow ----------------------------------------------------------------------------------------------


RULED_BREAK = 3  # blank lines in a PDF's page text where a drawn rule parts two lines (ingest.tables.body_text)


def _reflow(lines: list[str], vocab: Vocabulary, join_split_words: bool = True,
            headings: list[str] | None = None) -> str:
    lines = [_join_split_words(line.strip(), vocab) if join_split_words else line.strip() for line in lines]
    heading_of = _heading_lines(lines, headings or [])
    run_in = _run_in_lines(lines, headings or [], heading_of)
    blocks: list[list[str]] = []  # [separator before, text]
    double_spaced = _double_spaced(lines)
    widths = sorted(len(line) for line in lines if " " in line)  # lines without a space are mostly links
    ref_width = widths[int(0.95 * (len(widths) - 1))] if widths else 0
    prev, blank_run, marker = "", 0, ""
    after_heading: int | None = None  # the heading the previous line belongs to
    # a code listing (ingest.code) or an index (ingest.index_pages): one line a line
    listing = {index: index == first for first, last in listing_lines(lines) + index_lines(lines)
               for index in range(first, last + 1)}
    after_listing = False
    for index, line in enumerate(lines):
        if not line:
            blank_run += 1
            continue
        if index in listing:  # a code listing (ingest.code): each line stays a line, the listing a block
            blocks.append(["\n\n" if listing[index] and blocks else "\n" if blocks else "", line])
            prev, blank_run, after_listing, after_heading, marker = line, 0, True, None, ""
            continue
        if after_listing:
            blocks.append(["\n\n", marker + line])
            prev, blank_run, after_listing, marker = marker + line, 0, False, ""
            after_heading = heading_of.get(index)
            continue
        if line == "•":  # a bullet glyph alone on its line belongs to the next line
            marker = "• "
            continue
        line, marker = marker + line, ""
        heading = heading_of.get(index)
        if heading is not None or after_heading is not None:
            # a heading is a block of its own: never run into the paragraph before or after it
            if heading is not None and heading == after_heading:
                blocks[-1][1] = _join_heading_lines(blocks[-1][1], line, vocab)
            else:
                blocks.append(["\n\n" if blocks else "", line])
            prev, blank_run, after_heading = line, 0, heading
            continue
        if index in run_in:  # a paragraph that opens with its title: it starts a block, the text runs on
            title, rest = _open_title(line, run_in[index])
            if title:  # a title without closing punctuation is a block of its own ("Motivation for grade")
                blocks.append(["\n\n" if blocks else "", title])
            blocks.append(["\n\n" if blocks else "", rest])
            prev, blank_run = rest, 0
            continue
        suspended = bool(_SUSPENDED.match(line))
        bullet = bool(_BULLET.match(line)) and not suspended and not _number_runs_on(prev, line, ref_width)
        bullet = bullet or (bool(blocks) and _letter_o_item(line, prev, blocks[-1][1]))
        if not blocks:
            blocks.append(["", line])
        elif suspended:
            blocks[-1][1] = blocks[-1][1].rstrip() + "- " + line[1:].lstrip()
        elif blank_run >= RULED_BREAK and not join_split_words:
            # a rule drawn between two lines of a PDF page (ingest.tables.body_text marks it with RULED_BREAK blank
            # lines): a row of a ruled list, never a sentence that goes on
            blocks.append(["\n\n", line])
        elif blank_run:
            soft = double_spaced and blank_run == 1
            if soft and _ENDS_SENTENCE.search(prev.rstrip("”")) and (line[0].isupper() or line[0] in _OPENING):
                blocks.append(["\n\n", line])
            elif (not bullet and not prev.startswith(TABLE_ROW) and (soft or _continues(prev, line))
                  and not is_caption(blocks[-1][1])):
                # (a table's rows end in a blank line, ingest.tables.body_text: text after it is not their cell;
                # a caption is a paragraph of its own, ingest.captions: text after it does not go on from it)
                blocks[-1][1] = _append(blocks[-1][1], line, vocab)
            else:
                blocks.append(["\n" if soft else "\n\n", line])
        elif bullet or _heading_break(prev, line, ref_width):
            blocks.append(["\n", line])
        else:
            blocks[-1][1] = _append(blocks[-1][1], line, vocab)
        prev, blank_run = line, 0
    return "".join(sep + _SPACES.sub(" ", text).strip() for sep, text in blocks).strip()


def _heading_lines(lines: list[str], headings: list[str]) -> dict[int, int]:
    """Which lines are the page's headings (from the PDF layout): line index -> heading number.

    The headings are found in order, each as one line or as consecutive lines that together read as the
    heading (a title wrapped over two lines); compared after ``normalize_text``.
    """
    found: dict[int, int] = {}
    if not headings:
        return found
    wanted = [normalize_text(text) for text in headings]
    normal = [normalize_text(line) for line in lines]
    cursor = 0
    for number, heading in enumerate(wanted):
        if not heading:
            continue
        for start in range(cursor, len(lines)):
            first = normal[start]
            if not first or not heading.startswith(first.removesuffix("-")):
                continue
            text, end = first, start
            while text != heading and end + 1 < len(lines):
                following = normal[end + 1]
                joined = _heading_prefix(heading, text, following) if following else None
                if joined is None:
                    break
                text, end = joined, end + 1
            if text == heading:
                found.update({index: number for index in range(start, end + 1)})
                cursor = end + 1
                break
    return found


def _run_in_lines(lines: list[str], headings: list[str], found: dict[int, int]) -> dict[int, str]:
    """The lines that open with a heading of the layout followed by more text on the same line (a run-in title:
    "Limites de l'évaluation automatique. Plusieurs résultats ..."), for the headings not found as lines of
    their own (``_heading_lines``): line index -> the heading (normalised); each such line starts a paragraph."""
    matched = set(found.values())
    wanted = [normalize_text(text) for number, text in enumerate(headings) if number not in matched]
    starts: dict[int, str] = {}
    for heading in wanted:
        if not heading:
            continue
        for index, line in enumerate(lines):
            if index not in found and index not in starts and normalize_text(line).startswith(heading + " "):
                starts[index] = heading
                break
    return starts


_TITLE_END = re.compile(r"[.:;!?)\]][\"'”’]*$")


def _open_title(line: str, heading: str) -> tuple[str, str]:
    """A line that opens with a run-in title, as (title, the text after it) when the title ends in no closing
    punctuation ("Motivation for grade" + "A professional software developer ..."): set on a line of its own it
    cannot be read as the start of the sentence after it ("grade A"). ("", line) when the title closes itself
    ("Limites de l'évaluation automatique." + "Plusieurs ...", "3.2.0.3 Question 3:") or its words do not stand
    whole at the start of the line. The two parts are the line's words, cut at a space."""
    if _TITLE_END.search(heading):
        return "", line
    words = list(re.finditer(r"\S+", line))
    count = len(heading.split())
    if not 0 < count < len(words) or normalize_text(line[: words[count - 1].end()]) != heading:
        return "", line
    return line[: words[count - 1].end()], line[words[count].start():]


def _double_spaced(lines: list[str]) -> bool:
    """Whether the extraction put a blank line between the lines of a paragraph (as some PDF writers do).

    Told by the single blank lines that fall in the middle of a sentence: at least 3, and most of them.
    Paragraphs that are one line each, separated by blank lines, are not double spaced.
    """
    single = inside = 0
    prev, run = "", 0
    for line in lines:
        if not line:
            run += 1
            continue
        if prev and run == 1:
            single += 1
            inside += _continues(prev, line)
        prev, run = line, 0
    return inside >= 3 and 2 * inside > single


def _last_word(line: str) -> str:
    words = line.split()
    return words[-1].casefold() if words else ""


def _continues(prev: str, line: str) -> bool:
    """Whether ``line`` continues the sentence of ``prev`` across a blank line."""
    prev = prev.rstrip()
    if prev.endswith((",", "-", "(", "&")) or _last_word(prev) in _FUNCTION_WORDS or _formula_runs_on(prev, line):
        return True
    return line[0].islower() and not _ENDS_SENTENCE.search(prev)


_BINDING = "=×∩∪⋃⋂∑∏∫≤≥≠∈∉⊆⊂⊇⊃≅≃∼◦"  # signs that join what stands before them to what follows


def _formula_runs_on(prev: str, line: str) -> bool:
    """A formula goes on across a blank line (the lines of its tall brackets or its limits, dropped or moved):
    the line before ends in a maths sign standing on its own ("= X ⇒"; not the "+" of a label "A++"), or the line
    opens with a sign that binds it to what stands before ("∩A = A", "⋃_{j=1}^{n} Uij"). No sentence ends in such
    a sign and no paragraph opens with one. "+" and "−" are not among the opening signs: a line of numbers
    ("−1 0 1 2", a chart's axis) opens with them."""
    if not prev:
        return False
    if line[:1] in _BINDING:
        return True
    last = prev.split()[-1]  # a token of signs only: "⇒" alone on its line, or after a term ("= X ⇒")
    return all(unicodedata.category(char) == "Sm" for char in last)


_NUMBER_ITEM = re.compile(r"\d{1,3}[.)]\s")


def _number_runs_on(prev: str, line: str, ref_width: int) -> bool:
    """Whether a line that opens with a number and a period ("1. Ces deux ...") ends the sentence of the full
    line before it ("... compris entre 0 et" + "1. Ces deux"): the line before is as wide as the page's text
    and ends in a word in lower case or a comma, where a list item's line before it is short or ends a sentence or a lead-in."""
    prev = prev.rstrip()
    last = prev.split()[-1] if prev.split() else ""
    runs_on = prev.endswith(",") or (last.isalpha() and last.islower())
    return (bool(_NUMBER_ITEM.match(line)) and runs_on and ref_width > 0
            and len(prev) >= 0.85 * ref_width and not _BULLET.match(prev))


def _heading_break(prev: str, line: str, ref_width: int) -> bool:
    """Whether a short line without a blank line after it ends a heading or paragraph."""
    prev = prev.rstrip()
    if _FOOTNOTE.match(line) and _ENDS_SENTENCE.search(prev):
        return True
    if _numbered_heading_ends(prev, line, ref_width):
        return True
    if len(prev) >= SHORT_LINE * ref_width or prev.endswith((",", ";", "-", "–", "(", "/", "&")):
        return False
    if _last_word(prev) in _FUNCTION_WORDS or _ENDS_SENTENCE.search(prev):
        return False  # a sentence that ends at a line end usually goes on in the same paragraph
    return line[0].isupper() or line[0] in "\"“'"


def _append(text: str, line: str, vocab: Vocabulary) -> str:
    text = text.rstrip()
    if text.endswith("-") and _URL_TAIL.search(text):
        return text + line  # a link or address broken at its own hyphen: keep the hyphen, add no space
    if _url_runs_on(text, line) or _escape_runs_on(text, line):
        return text + line  # a link broken after "/", "%", "=" ...: the next line goes on with it
    if grouped_number_runs_on(text, line):
        return text + line  # "...640.564.039.45" + "7.584.007 TEKs": one number wrapped inside a digit group
    after_word = _LEADING_WORD.match(line)
    if (text.endswith("-") and after_word and after_word.group().lower() in CONJUNCTIONS
            and _LINE_END_FRAGMENT.search(text) and re.match(r"\s*(?:[,.;:)]|$)", line[after_word.end():])):
        return text + line  # "GGD-" + "en, bij wie": a plural ending, not a suspended compound ("GGD- en ...")
    if text.endswith("-") and _closes_aside(text):
        return f"{text} {line}"  # "-over het geheel genomen-" + "nog": the dash closes an aside, no hyphen
    fragment = _LINE_END_FRAGMENT.search(text, max(0, text.rfind(" ") + 1)) if text.endswith("-") else None
    after = _LEADING_WORD.match(line)
    if fragment and after and written_hyphenated(text, after.group(), vocab):
        return text + line  # "notificatie-app-" + "software": the document has "notificatie-app-software" in a line
    if fragment and after:
        joined = hyphen_join(fragment.group(1), after.group(), vocab)
        return text[: fragment.start()] + joined + line[after.end():]
    if text.endswith("-") and not text.endswith(" -"):
        return text + line  # "2010-" + "2012", "coördinator/-" + "opleider"
    return f"{text} {line}"


_URL_BREAK = re.compile(r"(?:https?://|www\.|\S\.(?:nl|com|org|eu|be|de|fr|net|gov|edu|int)/)\S*[/%=&?#_~.]$|https?:$",
                        re.IGNORECASE)
_HOST_PATH = re.compile(r"[A-Za-z\d][\w-]*(?:\.[\w-]+)*\.(?:nl|com|org|eu|be|de|fr|net|gov|edu|int|io|uk)/\S*")
_URL_GOES_ON = re.compile(r"\S*(?:[/%=&?#_~\d])\S*")


_GROUPED_TAIL = re.compile(r"(?<![\w.,])\d{1,3}(?:([.,])\d{3}){2,}\1(\d{1,2})$")
_GROUPED_HEAD = re.compile(r"(\d{1,2})([.,])\d{3}(?!\d)")


def grouped_number_runs_on(text: str, line: str) -> bool:
    """Whether a long number in digit groups wraps over the line end inside a group, without a hyphen: ``text``
    ends in a number of at least two whole groups of three digits and a group cut short ("...640.564.039.45"),
    and ``line`` opens with the rest of that group and a next whole group with the same separator ("7.584.007
    TEKs"): the two pieces of the cut group make three digits. Nothing is added or removed, only the line break."""
    tail = _GROUPED_TAIL.search(text)
    if not tail:
        return False
    head = _GROUPED_HEAD.match(line)
    return bool(head) and head.group(2) == tail.group(1) and len(tail.group(2)) + len(head.group(1)) == 3


_HYPHENATED_TAIL = re.compile(rf"{_LETTERS}+(?:-{_LETTERS}+)+-$")


def written_hyphenated(text: str, after: str, vocab: Vocabulary) -> bool:
    """A line-end hyphen after a word that has a hyphen of its own ("notificatie-app-" + "software") is the
    compound's hyphen when the document writes the whole compound so within a line. (``hyphen_join`` sees only
    the last part, "app", and would join "appsoftware".)"""
    tail = _HYPHENATED_TAIL.search(text, max(0, text.rfind(" ") + 1))
    return bool(tail) and f"{tail.group()[:-1].lower()}-{after.lower()}" in vocab.hyphenated


def _url_runs_on(text: str, line: str) -> bool:
    """Whether a link at the end of ``text`` goes on at the start of the next line: the link ends in a
    character a link is broken after ("/", "%", "=", "&", "?", "#", "_", "~"; or "https:") and the next line
    opens with a piece of link (a token with such a character or a digit: "reports/...", "2Fcontent",
    "//www", "ccd/."). Nothing is inserted or removed, only the line break."""
    last = text.rsplit(None, 1)[-1] if text.split() else ""
    if not _URL_BREAK.search(last):
        return False
    if last.lower().endswith(":"):
        return line.startswith("//")
    if last.endswith(".") and _URL_TAIL.search(last):
        # "https://doi.org/10.1257/aeri." + "20210748.": only a line that is one piece of link, nothing else
        first = line.split(None, 1)[0] if line.split() else ""
        if _HOST_PATH.fullmatch(first):
            return True  # "https://CRAN." + "R-project.org/package=kableExtra": the rest of the host name
        return bool(re.fullmatch(r"[a-z\d][\w./%=&?#~-]*", line)) and (line[0].isdigit() or len(line) <= 12)
    first = line.split(None, 1)[0] if line.split() else ""
    return bool(_URL_GOES_ON.fullmatch(first))


def link_runs_on(text: str, following: str) -> bool:
    """Whether the link at the end of ``text`` goes on at the start of ``following`` without a space: broken
    at its own hyphen ("https://rich-" + "iannone.github.io/"), after "/", "%", "=" ... or before a percent
    escape, the same rules as for a line break inside a page (``_append``). ``ingest.chunking`` uses it where a
    passage runs on over a page break."""
    text, following = text.rstrip(), following.lstrip()
    if not text or not following:
        return False
    if text.endswith("-") and _URL_TAIL.search(text):
        return True
    return _url_runs_on(text, following) or _escape_runs_on(text, following)


_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}\S*")


def _escape_runs_on(text: str, line: str) -> bool:
    """Whether the next line goes on with the link at the end of ``text`` by a percent escape ("...%20for" +
    "%20the%20COVID..."): no word starts with "%20", only a piece of a link does. The end of ``text`` is a link,
    or a piece of one (a path with a percent escape: the start of the link may stand on a line before)."""
    last = text.rsplit(None, 1)[-1] if text.split() else ""
    first = line.split(None, 1)[0] if line.split() else ""
    link = bool(_URL_TAIL.search(last)) or ("/" in last and bool(re.search(r"%[0-9A-Fa-f]{2}", last)))
    return link and bool(_PERCENT_ESCAPE.fullmatch(first))


# --- Small text rules (issue 13): an aside's closing dash, a numbered heading line, a heading's hyphen ------

# An aside's opening dash: a dash after a space (or at the start) before a word: "de situatie -over het geheel".
_ASIDE_OPENS = re.compile(r"(?:^|\s)[-–—](?=[^\W\d_])")
_ASIDE_CLOSES = re.compile(r"[^\W\d_][-–—](?=\s|$)")
_SENTENCE_BREAK = re.compile(r"[.!?][\'\"”’)]*\s")


def _closes_aside(text: str) -> bool:
    """Whether the dash at the end of ``text`` closes an aside: a dash opened one earlier in the same sentence
    ("... de situatie -over het geheel genomen-" at a line end) and none closed it since. Then the dash is the
    aside's, not a hyphenation hyphen: it stays, and so does the space after it."""
    breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text)]
    sentence = text[breaks[-1] if breaks else 0: -1]
    opened = [m.end() for m in _ASIDE_OPENS.finditer(sentence)]
    return bool(opened) and not _ASIDE_CLOSES.search(sentence, opened[-1])


# A numbered section heading: "4.3.2 Informatieverplichtingen en ...", "2.1 Data" (two levels at least, so a
# list item "1. Het feit dat ..." is not one).
_NUMBERED_HEADING = re.compile(r"\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+[A-ZÀ-Ý][^\W\d_]")


def _numbered_heading_ends(prev: str, line: str, ref_width: int) -> bool:
    """Whether ``prev`` is a whole numbered heading line, so that ``line`` (opening in upper case) starts the
    paragraph under it: ``prev`` opens with a section number of two or more levels, is shorter than the page's
    full lines, has no closing punctuation and does not end in a word that runs on ("en", "van", ...)."""
    return (bool(_NUMBERED_HEADING.match(prev)) and (line[:1].isupper() or line[:1] in "\"“'")
            and len(prev) < 0.9 * ref_width and not re.search(r"[.,;:!?(/&-]$", prev)
            and _last_word(prev) not in _FUNCTION_WORDS)


def _heading_prefix(heading: str, text: str, following: str) -> str | None:
    """``text`` and its next line ``following`` joined as the layout joins a heading's lines (with a space, or
    a line-end hyphen resolved: ``ingest.layout``), when that is the start of ``heading``; else None."""
    for joined in (text + " " + following, _join_heading_lines(text, following, Vocabulary())):
        if heading.startswith(joined):
            return joined
    return None


def _join_heading_lines(text: str, line: str, vocab: Vocabulary) -> str:
    """Two lines of one heading: a line-end hyphen is resolved like one in a paragraph ("Demographic Character-"
    + "istics" -> "Demographic Characteristics"); otherwise the lines are joined with a space."""
    text = text.rstrip()
    fragment = _LINE_END_FRAGMENT.search(text, max(0, text.rfind(" ") + 1)) if text.endswith("-") else None
    after = _LEADING_WORD.match(line)
    if fragment and after and written_hyphenated(text, after.group(), vocab):
        return text + line  # "notificatie-app-" + "software": the document has "notificatie-app-software" in a line
    if fragment and after:
        return text[: fragment.start()] + hyphen_join(fragment.group(1), after.group(), vocab) + line[after.end():]
    return text + " " + line


# --- API -------------------------------------------------------------------------------------------------


def clean_pages(pages: list[str], join_split_words: bool = True,
                headings: list[list[str]] | None = None, drop_running: bool = True,
                vocabulary: Vocabulary | None = None) -> list[str]:
    """Clean the pages of one document; returns as many cleaned page texts as it was given.

    ``join_split_words=False`` (for PDFs) never joins two words that stand apart: see ``_join_split_words``.
    ``headings[i]``: the heading texts the PDF layout found on page i + 1; each stands as a block of its own.
    ``drop_running=False`` (for the body text of a PDF's layout analysis) keeps every line: the layout has left
    out running lines and page numbers by where they stand on the page, so a line the text alone would take
    for one (a year "2019" that ends a reference on the last line, a heading "1 General description" on the
    page printed 1) is body text and must stay.
    ``vocabulary``: the pages' own, ``page_vocabulary(pages)``, when the caller has it already.
    """
    page_lines = _page_lines(pages)
    vocab = vocabulary if vocabulary is not None else Vocabulary.from_lines(page_lines)
    # the whole document's line-end hyphens (a copy: a given vocabulary serves the notes too, unset there)
    vocab = replace(vocab, unhyphenated=_without_hyphenation(page_lines, vocab))
    heads = headings if headings and len(headings) == len(pages) else [[] for _ in pages]
    kept = drop_running_lines(page_lines) if drop_running else page_lines
    return [_reflow(lines, vocab, join_split_words, page_heads) for lines, page_heads in zip(kept, heads)]


def page_vocabulary(pages: list[str]) -> Vocabulary:
    """The vocabulary of a document's pages, as ``clean_pages`` and ``clean_notes`` read it."""
    return Vocabulary.from_lines(_page_lines(pages))


def _page_lines(pages: list[str]) -> list[list[str]]:
    return [_normalize_chars(page).split("\n") for page in pages]


def clean_notes(notes: list[str], pages: list[str] | None = None,
                vocabulary: Vocabulary | None = None) -> list[str]:
    """Clean the footnotes of each page: one note a line, its number in front, never joined to another note.

    Footnotes never pass the running-line step (a note may repeat on many pages); words are never joined
    across a space. ``pages`` (the raw body texts) only add their words to the vocabulary for hyphenation;
    ``vocabulary``: theirs, ``page_vocabulary(pages)``, when the caller has it already.
    """
    note_lines = _page_lines(notes)
    if vocabulary is None:
        vocab = Vocabulary.from_lines(note_lines + _page_lines(pages or []))
    else:
        vocab = Vocabulary.from_lines(note_lines).plus(vocabulary)
    cleaned = []
    for lines in note_lines:
        groups: list[list[str]] = []
        for line in lines:
            if not groups or _NOTE_LINE.match(line):
                groups.append([])
            groups[-1].append(line)
        texts = [_reflow(group, vocab, join_split_words=False) for group in groups]
        cleaned.append("\n".join(text for text in texts if text))
    return cleaned


@component
class DutchTextCleaner:
    """
    Cleans documents whose content holds pages separated by form feeds; the page count stays the same.

    :param keep_id: keep each document's id (by default a cleaned document gets the id of its new content).
    """

    def __init__(self, keep_id: bool = False) -> None:
        self.keep_id = keep_id

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        cleaned = []
        for doc in documents:
            if doc.content is None:
                cleaned.append(doc)
                continue
            meta = dict(doc.meta)
            raw_pages = doc.content.split("\f")
            # a PDF's body text comes from the layout analysis (meta "layout"), which has already left out
            # the running lines by their place on the page: the text-only rule would drop body lines
            laid_out = meta.get("format") == "pdf" and "layout" in meta
            vocabulary = page_vocabulary(raw_pages)  # read once for the pages and their notes
            pages = clean_pages(raw_pages, join_split_words=meta.get("format") != "pdf",
                                headings=_heading_texts(meta.get("headings")), drop_running=not laid_out,
                                vocabulary=vocabulary)
            notes = meta.pop("footnotes", None)
            if notes and len(notes) == len(pages):
                pages, meta["note_starts"] = _with_notes(pages, clean_notes(notes, raw_pages, vocabulary))
            content = "\f".join(pages)
            cleaned.append(Document(content=content, meta=meta, id=doc.id if self.keep_id else ""))
        return {"documents": cleaned}


def _heading_texts(headings: list[list] | None) -> list[list[str]] | None:
    """The heading texts per page from ``meta["headings"]`` (per page a list of [level, text])."""
    if not headings:
        return None
    return [[str(head[1]) for head in page if len(head) > 1] for page in headings]


def _with_notes(pages: list[str], notes: list[str]) -> tuple[list[str], list[int | None]]:
    """Each page's footnotes after its body, apart by a blank line; the offset where they start (or None)."""
    merged, starts = [], []
    for page, note in zip(pages, notes):
        if not note:
            merged.append(page)
            starts.append(None)
            continue
        body = page + "\n\n" if page else ""
        merged.append(body + note)
        starts.append(len(body))
    return merged, starts
