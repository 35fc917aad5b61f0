"""The catalog's version states: what searches see while a publication is written, replaced or removed."""

from kennisbank.core.catalog import Catalog, DocumentRecord


def record(doc_id="doc", version="v1", **changes) -> DocumentRecord:
    base = dict(
        id=doc_id, title="Titel", organisation="ECBO", year=2021, year_approximate=False, kind="rapport",
        language="nl", sectors=["po"], url="", source_path="/x.pdf", content_hash="h" + version,
        meta_hash="m", version=version, format="pdf", paginated=True, page_count=2, chunk_count=3,
    )
    return DocumentRecord(**(base | changes))


class TestCatalog:
    def test_pending_version_is_hidden_until_published(self, tmp_path):
        cat = Catalog(tmp_path / "c.sqlite")
        cat.stage("doc", "v1", [(1, "een"), (2, "twee")], [(0, 1, 0, 3)])
        assert cat.hidden_versions() == ["v1"] and cat.get("doc") is None
        assert cat.publish(record()) is None
        assert cat.hidden_versions() == []
        assert cat.get("doc").sectors == ["po"]
        assert cat.pages("doc", "v1") == [(1, "een"), (2, "twee")]
        assert cat.chunks("doc", "v1") == [(0, 1, 0, 3)]

    def test_replacement_switches_in_one_step(self, tmp_path):
        cat = Catalog(tmp_path / "c.sqlite")
        cat.stage("doc", "v1", [(1, "oud")], [])
        cat.publish(record())
        cat.stage("doc", "v2", [(1, "nieuw")], [])
        assert cat.hidden_versions() == ["v2"]  # old still visible, new not yet
        assert cat.publish(record(version="v2")) == "v1"
        assert cat.hidden_versions() == ["v1"]  # new visible, old hidden until its points are gone
        assert cat.get("doc").version == "v2"
        cat.forget_version("doc", "v1")
        assert cat.hidden_versions() == [] and cat.pages("doc", "v1") == []

    def test_retire_hides_at_once(self, tmp_path):
        cat = Catalog(tmp_path / "c.sqlite")
        cat.stage("doc", "v1", [(1, "x")], [])
        cat.publish(record())
        assert cat.retire_document("doc") == "v1"
        assert cat.get("doc") is None and cat.hidden_versions() == ["v1"]
        assert cat.versions_in_state("retired") == [("doc", "v1")]
        assert cat.retire_document("doc") is None

    def test_survives_reopen(self, tmp_path):
        cat = Catalog(tmp_path / "c.sqlite")
        cat.stage("doc", "v1", [(1, "x")], [])
        cat.publish(record())
        cat.close()
        assert Catalog(tmp_path / "c.sqlite").get("doc").title == "Titel"
