"""The scope of one PDF's parse: caches that end with it, and fewer full garbage collections during it.

**Caches by font.** Several passes cache what they read of a font (its name, widths, codes, glyph pictures)
under ``id(font)``, with the font beside the entry because an id is unique only while its object lives. A
font dictionary reaches its reader through its indirect references, so a cache that outlives the parse keeps
the whole document in memory: over the 21 real PDFs a process kept about 120,000 more objects after the last
one than before the first (counted after ``gc.collect()``), and a server that adds publications would keep
every document it read (up to the caches' limits). :func:`per_document` makes such a cache; :func:`reading`
empties them all when the last parse that runs ends.

**Garbage collection.** Python's cyclic collector walks every live object at each full collection
(generation 2). While a PDF is read, the objects that were alive before it (modules, and in a server the
search index and the models) cannot become garbage of the parse, yet each full collection walks them all
again. :func:`reading` moves them to the permanent generation for the parse (:func:`gc.freeze`) and back
after it (:func:`gc.unfreeze`), so the collector walks what the parse makes. Before they are given back, one
full collection frees what the parse left (a reader and its pages refer to each other: without it they would
wait in the oldest generation, and a batch of documents kept them all). An object is still freed when its
last reference goes; only a reference cycle among the frozen objects waits for the first collection after
the parse. Measured on the 21 real PDFs (``.ci/parse_speed.py``): the full collections cost a quarter of the
parse's CPU time before this.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOCK = threading.Lock()
_CACHES: list[dict[Any, Any]] = []
_running = 0  # parses running now (threads of a server): the last one to end unfreezes and empties the caches


def per_document() -> dict[Any, Any]:
    """A new cache for what is read of one document's objects, emptied after the parse (see :func:`reading`)."""
    cache: dict[Any, Any] = {}
    _CACHES.append(cache)
    return cache


@contextmanager
def reading() -> Iterator[None]:
    """The scope of one parse: the older objects frozen for the collector during it, the caches emptied after it."""
    global _running
    with _LOCK:
        _running += 1
        if _running == 1:
            gc.freeze()
    try:
        yield
    finally:
        with _LOCK:
            _running -= 1
            if _running == 0:
                for cache in _CACHES:
                    cache.clear()
                # the parse's garbage (a reader and its pages refer to each other) is collected now, while the
                # older objects are still frozen, so this full collection walks only what the parse left: given
                # back unfrozen, it would wait in the oldest generation for a full collection, which the next
                # parse's freeze would put off again (a batch of documents kept them all)
                gc.collect()
                gc.unfreeze()
