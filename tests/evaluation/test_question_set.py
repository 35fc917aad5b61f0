"""Checks of the evaluation question set evaluation/questions.jsonl (plain Python, reads only repo files).

`problems()` returns every rule a question set breaks; the main test asserts there are none, and the other
tests break a copy of the set on purpose to show that each rule is actually enforced.

Anchor folding is the evaluator's: casefold, then drop everything that is not a letter or digit
(`re.sub(r"[\\W_]+", "", s.casefold())`), applied to the corpus text with form feeds and U+FFFD removed first.
On top of that, an anchor must also be found in one paragraph of one page with each U+FFFD kept as a
letter-like sentinel: so it neither spans a damaged word (ligature lost in extraction, bullet marker) nor a
page or paragraph break, and matches whatever the product's cleaning does to those places.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = REPO / "evaluation" / "questions.jsonl"
FRESH_QUESTIONS = REPO / "evaluation" / "fresh-questions.jsonl"  # written later, reported apart (split "fresh")
DEV_QUESTIONS = REPO / "evaluation" / "dev-questions.jsonl"
CORPUS = REPO / "corpus"

VALUE_IDS = ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "2.4", "2.5")
FRAMEWORK_DOC = "waarde-en-randvoorwaarden"
LANGS = ("nl", "en")
KINDS = ("paraphrase", "keyword", "english", "compound", "factual")
SPLITS = ("tune", "heldout")
FIELDS = ("id", "lang", "q", "values", "anchors", "documents", "split", "kind")

MIN_QUESTIONS = 110
MIN_PER_VALUE = 5
MIN_PER_DOCUMENT = 6
MIN_ENGLISH = 30
MIN_COMPOUND = 10
TUNE_SHARE = (0.55, 0.65)  # about 60% tune, 40% heldout
MAX_SHARED_WORDS = 3  # a question never repeats more than 3 consecutive words of the corpus

_FOLD = re.compile(r"[\W_]+")
SENTINEL = "\u01c2"  # 'ǂ', a letter: survives folding, never in an anchor


def fold(text: str) -> str:
    return _FOLD.sub("", text.casefold())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


# --------------------------------------------------------------------------------------------- corpus


def load_corpus() -> dict[str, str]:
    """Document id -> raw text of the publication (as in corpus/, with form feeds)."""
    meta = tomllib.loads((CORPUS / "publications.toml").read_text(encoding="utf-8"))
    return {pub["id"]: (CORPUS / pub["file"]).read_text(encoding="utf-8") for pub in meta["publication"]}


@functools.lru_cache(maxsize=None)
def folded_document(raw: str) -> str:
    """The brief's rule: form feeds and U+FFFD removed, then folded."""
    return fold(raw.replace("\f", "").replace("\ufffd", ""))


def paragraphs(raw: str) -> list[tuple[int, str]]:
    """(start offset, text) of each paragraph of each page; U+FFFD replaced by the sentinel."""
    out = []
    for match in re.finditer(r"[^\f]+", raw):
        page_start = match.start()
        page = match.group()
        pos = 0
        for piece in re.split(r"(\n[ \t]*\n)", page):
            if piece and not re.fullmatch(r"\n[ \t]*\n", piece):
                out.append((page_start + pos, piece.replace("\ufffd", SENTINEL)))
            pos += len(piece)
    return out


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    chars, offsets = [], []
    for i, ch in enumerate(text):
        for c in ch.casefold():
            if c != "_" and re.match(r"\w", c):
                chars.append(c)
                offsets.append(i)
    return "".join(chars), offsets


@functools.lru_cache(maxsize=None)
def folded_paragraphs(raw: str) -> tuple[tuple[int, str, list[int]], ...]:
    return tuple((start, *fold_with_offsets(para)) for start, para in paragraphs(raw))


def strict_occurrences(raw: str, anchor: str) -> list[int]:
    """Raw offsets where the anchor occurs inside one paragraph, not spanning a damaged character."""
    target = fold(anchor)
    found = []
    for start, folded, offsets in folded_paragraphs(raw):
        i = folded.find(target)
        while target and i >= 0:
            found.append(start + offsets[i])
            i = folded.find(target, i + 1)
    return found


def framework_sections(raw: str) -> list[tuple[int, int, str]]:
    """(start, end, value id) of each row of the framework table, from the row headings ('1.1\\u2002\\ufffdGoed ...')."""
    heads = [(m.start(), m.group(1)) for m in re.finditer(r"^([12]\.[1-6])\s*\ufffd", raw, flags=re.M)]
    end_of_table = raw.index("Het Platform Samen Opleiden & Professionaliseren is een")
    sections = []
    for n, (start, value) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else end_of_table
        sections.append((start, end, value))
    return sections


def corpus_ngrams(corpus: dict[str, str], n: int) -> set[tuple[str, ...]]:
    return _ngrams(tuple(corpus.values()), n)


@functools.lru_cache(maxsize=None)
def _ngrams(texts: tuple[str, ...], n: int) -> set[tuple[str, ...]]:
    grams = set()
    for raw in texts:
        text = re.sub(r"-\s*\n\s*", "", raw.replace("\ufffd", ""))  # join line-end hyphenation
        tokens = words(text)
        grams.update(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


# --------------------------------------------------------------------------------------------- rules


def read_jsonl(path: Path) -> tuple[list[dict], list[str]]:
    records, errors = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: invalid JSON ({exc})")
            continue
        if not isinstance(data, dict):
            errors.append(f"line {number}: not a JSON object")
            continue
        records.append(data)
    return records, errors


def record_problems(
    rec: dict, corpus: dict[str, str], sections, ngrams, dev_texts: set[str], splits: tuple[str, ...] = SPLITS
) -> list[str]:
    qid = rec.get("id", "?")
    missing = [f for f in FIELDS if f not in rec]
    if missing:
        return [f"{qid}: missing fields {missing}"]
    errors = []
    extra = sorted(set(rec) - set(FIELDS))
    if extra:
        errors.append(f"{qid}: unknown fields {extra}")
    if not isinstance(rec["id"], str) or not re.fullmatch(r"q\d{3}", rec["id"]):
        errors.append(f"{qid}: id must look like q001")
    if rec["lang"] not in LANGS:
        errors.append(f"{qid}: lang {rec['lang']!r}")
    if rec["kind"] not in KINDS:
        errors.append(f"{qid}: kind {rec['kind']!r}")
    if (rec["lang"] == "en") != (rec["kind"] == "english"):
        errors.append(f"{qid}: kind 'english' goes with lang 'en' and only with it")
    if rec["split"] not in splits:
        errors.append(f"{qid}: split {rec['split']!r}")
    if not isinstance(rec["q"], str) or len(rec["q"].split()) < 1 or rec["q"] != rec["q"].strip():
        errors.append(f"{qid}: q must be a non-empty trimmed string")
    elif rec["q"].strip().casefold() in dev_texts:
        errors.append(f"{qid}: duplicates a development question")

    values, anchors, documents = rec["values"], rec["anchors"], rec["documents"]
    if not isinstance(values, list) or any(v not in VALUE_IDS for v in values) or len(set(values)) != len(values):
        errors.append(f"{qid}: values must be distinct ids out of {VALUE_IDS}: {values!r}")
        values = []
    if not isinstance(documents, list) or not documents or len(set(documents)) != len(documents):
        errors.append(f"{qid}: documents must be a non-empty list without repeats")
        documents = []
    unknown = [d for d in documents if d not in corpus]
    if unknown:
        errors.append(f"{qid}: unknown documents {unknown}")
    documents = [d for d in documents if d in corpus]
    if not isinstance(anchors, list) or not 1 <= len(anchors) <= 3 or not all(isinstance(a, str) for a in anchors):
        return errors + [f"{qid}: anchors must be a list of 1-3 strings"]

    docs_with_anchor = set()
    sections_hit = set()
    for anchor in anchors:
        if not 3 <= len(anchor.split()) <= 8:
            errors.append(f"{qid}: anchor {anchor!r} must have 3-8 words")
        if "\ufffd" in anchor or "\f" in anchor or SENTINEL in anchor:
            errors.append(f"{qid}: anchor {anchor!r} contains a damaged/page-break character")
        if not any(fold(anchor) in folded_document(corpus[d]) for d in documents):
            errors.append(f"{qid}: anchor {anchor!r} not in the text of {documents}")
            continue
        strict_found = False
        for doc in documents:
            hits = strict_occurrences(corpus[doc], anchor)
            if hits:
                strict_found = True
                docs_with_anchor.add(doc)
            if doc == FRAMEWORK_DOC:
                sections_hit.update(v for pos in hits for (s, e, v) in sections if s <= pos < e)
        if not strict_found:
            errors.append(f"{qid}: anchor {anchor!r} only matches across a page/paragraph break or a damaged word")
    for doc in documents:
        if doc not in docs_with_anchor and not any(fold(a) in folded_document(corpus[doc]) for a in anchors):
            errors.append(f"{qid}: no anchor occurs in listed document {doc}")
    # values name exactly the table rows in which the anchors stand (rows outside the table: values [])
    if set(values) != sections_hit and not any("not in the text" in e for e in errors):
        errors.append(f"{qid}: values {sorted(values)} but anchors stand in table rows {sorted(sections_hit)}")

    # a paraphrase, not a copied sentence
    tokens = words(rec["q"])
    n = MAX_SHARED_WORDS + 1
    copied = [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) in ngrams]
    if copied:
        errors.append(f"{qid}: question repeats more than {MAX_SHARED_WORDS} consecutive corpus words: {copied}")
    return errors


def share_problems(records: list[dict], corpus: dict[str, str]) -> list[str]:
    """Counts and proportions over the whole set."""
    errors = []
    if len(records) < MIN_QUESTIONS:
        errors.append(f"{len(records)} questions, need at least {MIN_QUESTIONS}")
    ids = Counter(r.get("id") for r in records)
    errors += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
    texts = Counter(str(r.get("q", "")).strip().casefold() for r in records)
    errors += [f"duplicate question {t!r}" for t, c in texts.items() if c > 1]

    def count(key) -> Counter:
        c = Counter()
        for r in records:
            items = r.get(key, [])
            c.update(items if isinstance(items, list) else [items])
        return c

    per_value, per_doc = count("values"), count("documents")
    errors += [f"value {v}: {per_value[v]} questions, need {MIN_PER_VALUE}" for v in VALUE_IDS if per_value[v] < MIN_PER_VALUE]
    errors += [f"document {d}: {per_doc[d]} questions, need {MIN_PER_DOCUMENT}" for d in corpus if per_doc[d] < MIN_PER_DOCUMENT]
    if count("lang")["en"] < MIN_ENGLISH:
        errors.append(f"{count('lang')['en']} English questions, need {MIN_ENGLISH}")
    if count("kind")["compound"] < MIN_COMPOUND:
        errors.append(f"{count('kind')['compound']} compound questions, need {MIN_COMPOUND}")

    splits = count("split")
    if records:
        share = splits["tune"] / len(records)
        if not TUNE_SHARE[0] <= share <= TUNE_SHARE[1]:
            errors.append(f"tune share {share:.2f}, must be within {TUNE_SHARE}")
    for split in SPLITS:
        part = [r for r in records if r.get("split") == split]
        covered = {
            "value": {v for r in part for v in r.get("values", []) if isinstance(r.get("values"), list)},
            "document": {d for r in part for d in r.get("documents", []) if isinstance(r.get("documents"), list)},
            "lang": {r.get("lang") for r in part},
            "kind": {r.get("kind") for r in part},
        }
        wanted = {"value": VALUE_IDS, "document": tuple(corpus), "lang": LANGS, "kind": KINDS}
        for what, need in wanted.items():
            lacking = [x for x in need if x not in covered[what]]
            if lacking:
                errors.append(f"split {split}: no question for {what} {lacking}")
    return errors


def problems(records: list[dict], corpus: dict[str, str] | None = None) -> list[str]:
    corpus = corpus or load_corpus()
    sections = framework_sections(corpus[FRAMEWORK_DOC])
    ngrams = corpus_ngrams(corpus, MAX_SHARED_WORDS + 1)
    dev_records, _ = read_jsonl(DEV_QUESTIONS)
    dev_texts = {str(r.get("q", "")).strip().casefold() for r in dev_records}
    errors = []
    for rec in records:
        errors += record_problems(rec, corpus, sections, ngrams, dev_texts)
    return errors + share_problems(records, corpus)


# --------------------------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return load_corpus()


@pytest.fixture(scope="module")
def records() -> list[dict]:
    records, errors = read_jsonl(QUESTIONS)
    assert not errors, errors
    return records


@pytest.fixture(scope="module")
def clean(records, corpus) -> bool:
    return not problems(records, corpus)


def test_question_set_follows_every_rule(records, corpus):
    errors = problems(records, corpus)
    assert not errors, "\n".join(errors)


def test_framework_table_has_eleven_rows(corpus):
    assert [v for _, _, v in framework_sections(corpus[FRAMEWORK_DOC])] == list(VALUE_IDS)


def test_fold_matches_the_evaluator():
    assert fold("Gezamenlijke opleidings-\nverantwoordelijkheid (opleiden,") == "gezamenlijkeopleidingsverantwoordelijkheidopleiden"
    assert fold("Creëer meer maatwerk") == "creëermeermaatwerk"
    raw = "De aanpak hee\ufffd e\ufffdect op het kwaliteits-\nniveau"
    assert fold("aanpak heeft effect") not in folded_document(raw)
    assert strict_occurrences(raw, "op het kwaliteitsniveau")
    assert not strict_occurrences(raw, "hee eect op het")  # spans a damaged word
    assert fold("hee eect op het") in folded_document(raw)  # ...which the plain rule would let through


def test_invalid_json_line_is_reported(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q001"}\n{not json\n', encoding="utf-8")
    records, errors = read_jsonl(path)
    assert len(records) == 1 and len(errors) == 1


def _broken(records, mutate):
    broken = copy.deepcopy(records)
    mutate(broken)
    return broken


def _first(records, **match):
    return next(r for r in records if all(r[k] == v for k, v in match.items()))


BREAKAGES = {
    "duplicate id": lambda rs: rs[1].__setitem__("id", rs[0]["id"]),
    "missing field": lambda rs: rs[0].pop("documents"),
    "anchor not in corpus": lambda rs: rs[0]["anchors"].append("dit staat nergens in de tekst"),
    "anchor in other document only": lambda rs: _first(rs, documents=["zet-kwaliteit-op-de-eerste-plaats"])[
        "anchors"
    ].__setitem__(0, "89% tot 94% van de respondenten"),
    "anchor too short": lambda rs: rs[0]["anchors"].__setitem__(0, rs[0]["anchors"][0].split()[0] + " x"),
    "too many anchors": lambda rs: rs[0]["anchors"].extend(["a b c"] * 3),
    "anchor across damaged word": lambda rs: _first(rs, documents=["zet-kwaliteit-op-de-eerste-plaats"])[
        "anchors"
    ].__setitem__(0, "De aanpak hee eect op het"),
    "unknown value": lambda rs: rs[0]["values"].append("3.1"),
    "value without anchor in its row": lambda rs: _first(rs, values=["2.4"])["values"].append("1.6"),
    "unknown document": lambda rs: rs[0]["documents"].append("geen-document"),
    "bad lang": lambda rs: rs[0].__setitem__("lang", "de"),
    "bad kind": lambda rs: rs[0].__setitem__("kind", "other"),
    "copied sentence": lambda rs: _first(rs, lang="nl").__setitem__(
        "q", "Waarom ervaren studenten meer relevantie en worden ze actiever?"
    ),
    "too few questions": lambda rs: rs.__delitem__(slice(100, None)),
    "too few compound": lambda rs: [r.update(kind="keyword") for r in rs if r["kind"] == "compound"][:0],
    "value below minimum": lambda rs: rs.__setitem__(slice(None), [r for r in rs if "1.2" not in r["values"]]),
    "document below minimum": lambda rs: rs.__setitem__(
        slice(None), [r for r in rs if "zet-kwaliteit-op-de-eerste-plaats" not in r["documents"]]
    ),
    "too few English": lambda rs: [r.update(lang="nl", kind="paraphrase") for r in rs if r["lang"] == "en"][:0],
    "split share": lambda rs: [r.__setitem__("split", "tune") for r in rs if r["split"] == "heldout"][:0],
    "heldout misses a value": lambda rs: [r.__setitem__("split", "tune") for r in rs if "1.6" in r["values"]],
    "dev question copied": lambda rs: rs[0].__setitem__(
        "q", "Waarom zijn geoormerkte middelen voor samen opleiden nodig?"
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_each_rule_is_enforced(name, records, corpus, clean):
    assert clean, "the set itself must be clean for this test to mean anything"
    assert problems(_broken(records, BREAKAGES[name]), corpus), f"breakage {name!r} went unnoticed"


# --------------------------------------------------------------------------------------------- fresh set


def fresh_problems(fresh: list[dict], records: list[dict], corpus: dict[str, str]) -> list[str]:
    """The fresh questions follow the same per-question rules, in their own split, and repeat nothing."""
    sections = framework_sections(corpus[FRAMEWORK_DOC])
    ngrams = corpus_ngrams(corpus, MAX_SHARED_WORDS + 1)
    dev_texts = {str(r.get("q", "")).strip().casefold() for r in read_jsonl(DEV_QUESTIONS)[0]}
    errors = []
    for rec in fresh:
        errors += record_problems(rec, corpus, sections, ngrams, dev_texts, splits=("fresh",))
    ids = Counter(r.get("id") for r in [*records, *fresh])
    errors += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
    texts = Counter(str(r.get("q", "")).strip().casefold() for r in [*records, *fresh])
    errors += [f"duplicate question {t!r}" for t, c in texts.items() if c > 1]
    langs = Counter(r.get("lang") for r in fresh)
    if len(fresh) < 40 or not langs["en"] or langs["nl"] <= langs["en"]:
        errors.append(f"need 40 fresh questions, Dutch mostly and some English: {len(fresh)}, {dict(langs)}")
    return errors


@pytest.fixture(scope="module")
def fresh() -> list[dict]:
    fresh, errors = read_jsonl(FRESH_QUESTIONS)
    assert not errors, errors
    return fresh


def test_fresh_questions_follow_every_rule(fresh, records, corpus):
    errors = fresh_problems(fresh, records, corpus)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda fs, rs: fs[0].__setitem__("split", "tune"),  # the fresh set is its own split
        lambda fs, rs: fs[0].__setitem__("id", rs[0]["id"]),  # ids are unique over both files
        lambda fs, rs: fs[0].__setitem__("q", rs[0]["q"]),  # no question asked twice
        lambda fs, rs: fs[0]["anchors"].__setitem__(0, "dit staat nergens in de tekst"),
        lambda fs, rs: fs.__delitem__(slice(30, None)),
    ],
    ids=["split", "id", "question", "anchor", "count"],
)
def test_each_fresh_rule_is_enforced(mutate, fresh, records, corpus):
    assert not fresh_problems(fresh, records, corpus)
    broken = copy.deepcopy(fresh)
    mutate(broken, records)
    assert fresh_problems(broken, records, corpus)
