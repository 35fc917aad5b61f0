"""Synthetic Dutch data for the benchmark (`evaluation.bench`): PDFs to ingest, and chunks to search at scale.

Everything is made from the shipped corpus (``corpus/*.txt``), deterministically from a seed:

- `Vocabulary`: the corpus words with their frequencies; `sentence()` draws words with a Zipf-like law over the
  frequency ranks (p ~ 1 / rank**1.07), so common words are common and the long tail is long, as in real text.
- `make_pdf_set`: multi-page Dutch reports (fpdf2, DejaVu Sans): title, headings, paragraphs of real corpus
  sentences mixed with generated ones, a running header and page numbers.
- `make_segments` + `make_chunks`: chunks for the size scaling. Embedding 100k chunks with the real model
  would take ~12 minutes on 2 cores, so the model embeds a pool of short text *segments* once, and each chunk
  is 1-4 segments joined (150-700 characters); its dense vector is the normalised sum of its segments'
  vectors plus a little Gaussian noise. Text and vector stay coherent (a chunk that contains a segment is
  near that segment's vector and matches its words in BM25), and every chunk is distinct. BM25 vectors are
  computed from the chunk text by the product's own BM25 embedder.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z•])")
ZIPF_EXPONENT = 1.07
CHUNK_MIN_CHARS, CHUNK_MAX_CHARS = 150, 700


def corpus_texts(corpus: Path = CORPUS) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(corpus.glob("*.txt"))]


def corpus_sentences(corpus: Path = CORPUS) -> list[str]:
    """Real sentences of the corpus (30-300 characters), whitespace folded."""
    found = []
    for text in corpus_texts(corpus):
        for part in _SENTENCE_END.split(text.replace("\f", "\n")):
            part = " ".join(part.split())
            if 30 <= len(part) <= 300:
                found.append(part)
    return found


@dataclass
class Vocabulary:
    words: list[str]
    probabilities: np.ndarray

    @classmethod
    def from_corpus(cls, corpus: Path = CORPUS) -> "Vocabulary":
        counts = Counter(w.lower() for text in corpus_texts(corpus) for w in _WORD.findall(text))
        words = [w for w, _ in counts.most_common()]
        ranks = np.arange(1, len(words) + 1, dtype=np.float64)
        weights = 1.0 / ranks**ZIPF_EXPONENT
        return cls(words=words, probabilities=weights / weights.sum())

    def sentence(self, rng: np.random.Generator, min_words: int = 6, max_words: int = 24) -> str:
        n = int(rng.integers(min_words, max_words + 1))
        picked = [self.words[i] for i in rng.choice(len(self.words), size=n, p=self.probabilities)]
        picked[0] = picked[0][:1].upper() + picked[0][1:]
        if n > 10 and rng.random() < 0.4:  # a comma now and then
            picked[n // 2] += ","
        return " ".join(picked) + "."


def paragraph(vocab: Vocabulary, real: list[str], rng: np.random.Generator, sentences: int) -> str:
    """Half real corpus sentences, half Zipf-generated ones."""
    parts = [real[int(rng.integers(len(real)))] if rng.random() < 0.5 else vocab.sentence(rng) for _ in range(sentences)]
    return " ".join(parts)


# -- PDFs for the ingest benchmark ----------------------------------------------------------------------------
def make_pdf_set(folder: Path, documents: int = 8, pages: int = 20, seed: int = 7) -> list[Path]:
    """Write `documents` Dutch reports of about `pages` pages each (A4, 11 pt, headings, header, page numbers)."""
    try:
        from fpdf import FPDF
    except ImportError as exc:  # fpdf2 is a test extra
        raise RuntimeError("the ingest benchmark needs fpdf2 to make its PDFs: pip install fpdf2") from exc
    if not FONT.is_file():
        raise RuntimeError(f"the ingest benchmark needs the font {FONT} (Debian package fonts-dejavu-core)")
    rng = np.random.default_rng(seed)
    vocab, real = Vocabulary.from_corpus(), corpus_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, documents + 1):
        title = f"Samen opleiden in de regio: rapport {number}"

        class Report(FPDF):
            def header(self) -> None:
                self.set_font("DejaVu", size=8)
                self.cell(0, 5, f"Kennisbank benchmark – {title}", new_x="LMARGIN", new_y="NEXT")
                self.ln(3)

            def footer(self) -> None:
                self.set_y(-15)
                self.set_font("DejaVu", size=8)
                self.cell(0, 10, str(self.page_no()), align="C")

        pdf = Report(format="A4")
        pdf.add_font("DejaVu", fname=str(FONT))
        pdf.set_auto_page_break(True, margin=20)
        pdf.add_page()
        pdf.set_font("DejaVu", size=16)
        pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        section = 0
        while pdf.page_no() < pages or pdf.get_y() < 150:
            if rng.random() < 0.2:
                section += 1
                pdf.ln(3)
                pdf.set_font("DejaVu", size=13)
                pdf.multi_cell(0, 7, f"{section}. {vocab.sentence(rng, 3, 7)[:-1]}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", size=11)
            pdf.multi_cell(0, 5.5, paragraph(vocab, real, rng, int(rng.integers(2, 7))), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
            if pdf.page_no() > pages:
                break
        path = folder / f"rapport-{number:03d}.pdf"
        pdf.output(str(path))
        paths.append(path)
    return paths


# -- chunks for the size scaling ------------------------------------------------------------------------------
def make_segments(count: int, seed: int = 11) -> list[str]:
    """Short texts (40-250 characters): real corpus sentences and Zipf-generated ones, about half each."""
    rng = np.random.default_rng(seed)
    vocab, real = Vocabulary.from_corpus(), corpus_sentences()
    segments = []
    for i in range(count):
        if i % 2 == 0 and i // 2 < len(real):
            segments.append(real[i // 2])
        else:
            segments.append(vocab.sentence(rng, 6, 30))
    return segments


def make_chunks(
    count: int, segments: list[str], segment_vectors: np.ndarray, seed: int = 13, noise: float = 0.01
) -> tuple[list[str], np.ndarray]:
    """`count` chunk texts of 150-700 characters and their unit-length float32 vectors (see the module doc)."""
    rng = np.random.default_rng(seed)
    dim = segment_vectors.shape[1]
    lengths = np.array([len(s) for s in segments])
    texts: list[str] = []
    vectors = np.empty((count, dim), dtype=np.float32)
    for row in range(count):
        target = int(rng.integers(CHUNK_MIN_CHARS, CHUNK_MAX_CHARS + 1))
        picked: list[int] = []
        size = 0
        while size < target and len(picked) < 4:
            index = int(rng.integers(len(segments)))
            if size and size + 1 + lengths[index] > CHUNK_MAX_CHARS:
                break
            picked.append(index)
            size += lengths[index] + (1 if len(picked) > 1 else 0)
        texts.append(" ".join(segments[i] for i in picked)[:CHUNK_MAX_CHARS])
        vector = segment_vectors[picked].sum(axis=0)
        vector = vector / np.linalg.norm(vector) + rng.normal(0.0, noise, dim)  # noise: cosine ~0.97 to the sum
        vectors[row] = vector / np.linalg.norm(vector)
    return texts, vectors
