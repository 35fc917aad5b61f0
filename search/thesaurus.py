"""Query expansion with the domain thesaurus (search/thesaurus.toml).

A query that names a concept in English gets the concept's Dutch terms added to its BM25 query, so
"beginning teachers" also searches "startende leraren". Dutch synonyms are not added to Dutch queries: on
the tuning questions that cost more precision than it gained (see README, Evaluation). The dense query is
left alone: the multilingual model already places English and Dutch in one space.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

THESAURUS_PATH = Path(__file__).with_name("thesaurus.toml")


def fold(text: str) -> str:
    """Lower case, accents off, hyphens and punctuation to spaces: 'Zij-instromers' -> 'zij instromers'."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@dataclass(frozen=True)
class Concept:
    nl: tuple[str, ...]
    en: tuple[str, ...]


class Thesaurus:
    def __init__(self, concepts: list[Concept]):
        self.concepts = concepts
        terms: dict[str, set[int]] = {}
        for index, concept in enumerate(concepts):
            for term in concept.en:
                terms.setdefault(fold(term), set()).add(index)
        # A term that is also Dutch ("peer review", "monitoring") says nothing about the query's language.
        dutch = {fold(term) for concept in concepts for term in concept.nl}
        terms = {term: found for term, found in terms.items() if term not in dutch}
        # longest terms first, so "teacher education" wins over "teacher"
        self._pattern = re.compile(
            r"\b(" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\b"
        ) if terms else None
        self._terms = terms
        # every term, Dutch and English: the field's vocabulary, which a question in the domain names
        vocabulary = sorted({fold(t) for c in concepts for t in (*c.nl, *c.en)} - {""}, key=len, reverse=True)
        self._domain = re.compile(r"\b(" + "|".join(re.escape(t) for t in vocabulary) + r")\b") if vocabulary else None

    @classmethod
    def load(cls, path: Path = THESAURUS_PATH) -> "Thesaurus":
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return cls([Concept(tuple(c.get("nl", [])), tuple(c.get("en", []))) for c in data.get("concept", [])])

    def expansions(self, query: str) -> list[str]:
        """The Dutch terms to add to `query`, in thesaurus order, without terms the query already has."""
        if self._pattern is None:
            return []
        folded = fold(query)
        matched: list[int] = []
        for match in self._pattern.finditer(folded):
            for index in sorted(self._terms[match.group(1)]):
                if index not in matched:
                    matched.append(index)
        present = f" {folded} "
        out: list[str] = []
        for index in matched:
            for term in self.concepts[index].nl:
                if f" {fold(term)} " not in present and term not in out:
                    out.append(term)
        return out

    def domain_terms(self, query: str) -> list[str]:
        """The thesaurus terms (Dutch or English, whole words, case and accents folded) that `query` names, in
        order: evidence that the question is about the field (the relevance gate, search.relevance)."""
        if self._domain is None:
            return []
        return list(dict.fromkeys(self._domain.findall(fold(query))))


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    return Thesaurus.load()
