"""Shared fixtures: a real index of the repo's corpus, built once per test session.

The embedded store locks its folder to one open handle, so every user of the built index gets its own copy:
`kb` (an open KnowledgeBase shared by the session), `indexed_settings` (Settings of a copy nobody has open,
for code that opens its own KnowledgeBase, e.g. create_app or a server subprocess) and `fresh_settings`
(a private copy per test, for tests that change the index).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# importing kennisbank sets the offline environment first (kennisbank.core.environment)
from kennisbank.app import KnowledgeBase
from kennisbank.core.settings import Settings
from kennisbank.ingest.sources import load_folder

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
PDF_SAMPLES = SHARED / "pdf-samples"


# Scratch space: every index the embedded engine creates takes about 0.3 GB of disk however few passages it holds
# (it pre-allocates its write-ahead log and storage pages), and the suite creates a few hundred. So a test's
# `tmp_path` is removed when it passes (pyproject: tmp_path_retention_policy = "failed") and a module's scratch
# folders when the module is done (below); only the session's folders, named SESSION + ..., live to the end.
SESSION = "session-"


@pytest.fixture(scope="module", autouse=True)
def _module_scratch_is_removed(tmp_path_factory):
    """Removes the folders a test module made under the session's temporary folder, when the module is done."""
    base = tmp_path_factory.getbasetemp()
    before = set(base.iterdir())
    yield
    for folder in set(base.iterdir()) - before:
        if folder.is_dir() and not folder.name.startswith(SESSION):
            shutil.rmtree(folder, ignore_errors=True)


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings.load({"data_dir": data_dir, **overrides}, environ={})


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory) -> Path:
    """A data directory holding the index of corpus/ (built once, never opened after the build)."""
    data_dir = tmp_path_factory.mktemp(SESSION + "built") / "data"
    with KnowledgeBase.open(make_settings(data_dir)) as kb:
        report = kb.indexer.ingest(load_folder(CORPUS))
    assert report.summary()["added"] == 4, report.as_dict()
    return data_dir


def _copy(built: Path, target: Path) -> Path:
    shutil.copytree(built, target)
    return target


@pytest.fixture(scope="session")
def indexed_settings(built_data_dir, tmp_path_factory) -> Settings:
    return make_settings(_copy(built_data_dir, tmp_path_factory.mktemp(SESSION + "indexed") / "data"))


@pytest.fixture()
def fresh_settings(built_data_dir, tmp_path) -> Settings:
    return make_settings(_copy(built_data_dir, tmp_path / "data"))


@pytest.fixture(scope="session")
def kb(built_data_dir, tmp_path_factory):
    knowledge_base = KnowledgeBase.open(make_settings(_copy(built_data_dir, tmp_path_factory.mktemp(SESSION + "kb") / "data")))
    yield knowledge_base
    knowledge_base.close()
