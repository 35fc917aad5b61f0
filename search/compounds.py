"""Dutch compound splitting for BM25: 'kwaliteitsafspraken' also indexes 'kwaliteit' and 'afspraken'.

Dutch writes compounds as one word, so "afspraken over kwaliteit" and "kwaliteitsafspraken" share no token.
A word is split into two parts when both are known words (the lexicon, search/lexicon-nl.txt: words of the
field, made from the corpus and the thesaurus), allowing the linking letters -s- and -en-/-e-
('opleiding-s-school'). The parts are added to the text BM25 sees, at index and at query time; the stored
text is never changed.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).with_name("lexicon-nl.txt")
MIN_PART = 4
_WORD = re.compile(r"[^\W\d_]{%d,}" % (2 * MIN_PART))


class CompoundSplitter:
    def __init__(self, lexicon: set[str]):
        self.lexicon = lexicon

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> "CompoundSplitter":
        words = {w.strip().casefold() for w in Path(path).read_text(encoding="utf-8").split() if w.strip()}
        return cls(words)

    def split(self, word: str) -> list[str]:
        """The two parts of a compound, or [] ('werkplekbegeleider' -> ['werkplek', 'begeleider'])."""
        word = word.casefold()
        best: list[str] = []
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            if tail not in self.lexicon:
                continue
            # the bare word before the linking letters: 'opleidings' -> 'opleiding'
            for base in (head[:-1] if head.endswith("s") else None, head[:-2] if head.endswith("en") else None, head):
                if base and len(base) >= MIN_PART and base in self.lexicon:
                    if not best or len(tail) > len(best[1]):  # prefer the longest known tail
                        best = [base, tail]
                    break
        return best

    def parts(self, text: str) -> list[str]:
        """Parts of every compound in `text`, in order."""
        out: list[str] = []
        for word in _WORD.findall(text):
            out.extend(self.split(word))
        return out

    def fingerprint(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.lexicon)).encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def default_splitter() -> CompoundSplitter:
    return CompoundSplitter.load()


def build_lexicon(texts: list[str], extra: list[str]) -> list[str]:
    """Words of at least MIN_PART letters that occur in the texts or the extra terms, sorted."""
    words = set()
    for text in [*texts, *extra]:
        words.update(w.casefold() for w in re.findall(r"[^\W\d_]{%d,}" % MIN_PART, text))
    return sorted(words)
