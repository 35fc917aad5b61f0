"""Kennisbank Samen Opleiden & Professionaliseren: one package, in layers that import only downwards.

    kennisbank.cli            the `kennisbank` command                        (kennisbank/cli.py, admin.py)
    kennisbank.webui          Flask pages and JSON API   | kennisbank.evaluation   questions, metrics, benchmarks
    kennisbank.maintenance    reindex, backup, restore
    kennisbank.app            the composition root: opens store and catalog, loads models, wires the services
    kennisbank.ingest         files -> pages -> passages -> vectors; the one path that changes a publication
    kennisbank.search         index schema, stores, embedders, retrieval, framework, sources, references, answers
    kennisbank.core           settings, errors, data model, text normalisation, SQLite (catalog, accounts, jobs)

The subpackages are the repository's top-level folders of the same names (linked here). The layers are
import-linter contracts in pyproject.toml, checked by `lint-imports` in the test command.
"""

from kennisbank.core import environment as _environment

_environment.apply()  # before anything imports Haystack or Hugging Face, which read these at import time
