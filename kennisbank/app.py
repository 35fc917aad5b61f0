"""The composition root: the one place that knows every layer and wires them for one data directory.

``KnowledgeBase.open(settings)`` loads the query model, computes the index fingerprint (model, dimension,
chunking, BM25), opens the catalog and the store the settings ask for, loads the framework once, and wires
the searcher (this object: `search.service.Searcher`), the indexer and the one change path
(`ingest.publications.Publications`). The command line, the web application and the evaluation all open
the knowledge base here; nothing below this module builds another layer's objects.
"""

from __future__ import annotations

from kennisbank.core.catalog import Catalog
from kennisbank.core.lock import DataDirLock
from kennisbank.core.settings import Settings
from kennisbank.ingest.indexer import Indexer
from kennisbank.ingest.pipeline import chunking_settings
from kennisbank.ingest.publications import Publications
from kennisbank.search import csl
from kennisbank.search.embedders import bm25_fingerprint, dense_text_embedder, model_fingerprint
from kennisbank.search.framework import Framework
from kennisbank.search.schema import index_fingerprint
from kennisbank.search.service import Searcher
from kennisbank.search.store import Store, is_embedded, open_store


class KnowledgeBase(Searcher):
    """The searcher of one data directory, with its indexer (``indexer``) and change path (``publications``)."""

    def __init__(self, settings: Settings, store: Store, catalog: Catalog, text_embedder, fingerprint: dict,
                 framework: Framework | None = None):
        super().__init__(settings, store, catalog, text_embedder, fingerprint, framework)
        self.indexer = Indexer(settings, store, catalog, self.visibility, self.embed_text, framework)
        self.publications = Publications(settings, catalog, self.indexer)

    @classmethod
    def open(cls, settings: Settings, framework: Framework | None = None,
             data_lock: DataDirLock | None = None) -> "KnowledgeBase":
        """Open the knowledge base of ``settings.data_dir`` (or the Qdrant server the settings name).

        ``framework``: the framework to use; by default the shipped ``corpus/framework.json``, if present.
        The data directory's own lock (kennisbank.core.lock) is taken first, before any file in it is opened;
        the embedded store shares it. A caller that already owns the directory passes its ``data_lock``."""
        if is_embedded(settings):
            data_lock = (data_lock or DataDirLock(settings.data_dir)).acquire()
        try:
            text_embedder = dense_text_embedder(settings.embedding_model)
            text_embedder.warm_up()  # load the model now: the first query should not pay for it
            csl.warm_up()  # and the citation style
            dim = len(text_embedder.run(text="probe")["embedding"])
            fingerprint = index_fingerprint(model_fingerprint(settings.embedding_model), dim, chunking_settings(settings),
                                            bm25_fingerprint())
            catalog = Catalog(settings.catalog_path)
            try:
                store = open_store(settings, fingerprint, data_lock)
            except BaseException:
                catalog.close()
                raise
        except BaseException:
            if data_lock is not None:
                data_lock.release()
            raise
        kb = cls(settings, store, catalog, text_embedder, fingerprint,
                 framework if framework is not None else Framework.load_if_present())
        kb.data_lock = data_lock
        kb.indexer.recover()
        return kb

    def close(self) -> None:
        try:
            self.store.close()
            self.catalog.close()
            self.source_meta.close()
        finally:
            if getattr(self, "data_lock", None) is not None:
                self.data_lock.release()
                self.data_lock = None

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
