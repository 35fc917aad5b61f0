"""`kennisbank add` never replaces by accident (issue 12, case 6): a new id like the upload API; --replace ID."""

from __future__ import annotations

import json

from kennisbank.core.catalog import Catalog
from kennisbank.cli import main
from tests.pdfmaker import pdf_bytes

TAKEN_TITLE = "Zet kwaliteit op de eerste plaats"  # its slug is the id of a shipped publication


def _add(settings, path, *extra):
    return main(["--data-dir", str(settings.data_dir), "add", str(path), "--organisation", "Platform",
                 "--kind", "rapport", "--year", "2024", *extra])


def _ids(settings) -> set[str]:
    catalog = Catalog(settings.catalog_path)
    try:
        return set(catalog.iter_ids())
    finally:
        catalog.close()


def test_same_title_makes_a_new_publication(fresh_settings, tmp_path, capsys):
    """Before: adding a file with the title of another publication replaced that publication."""
    before = _ids(fresh_settings)
    slug = "zet-kwaliteit-op-de-eerste-plaats"
    first = tmp_path / "eerste.pdf"
    first.write_bytes(pdf_bytes([["Een eerste verslag over leernetwerken van opleidingsscholen in Zeeland."]]))
    second = tmp_path / "tweede.pdf"
    second.write_bytes(pdf_bytes([["Een tweede verslag over inductie van startende leraren in Limburg."]]))
    assert _add(fresh_settings, first, "--title", "Leernetwerken") == 0
    assert _add(fresh_settings, second, "--title", "Leernetwerken") == 0
    assert _add(fresh_settings, second, "--title", TAKEN_TITLE, "--json") == 2  # same content as leernetwerken-2
    assert "zelfde inhoud" in capsys.readouterr().err
    third = tmp_path / "derde.pdf"
    third.write_bytes(pdf_bytes([["Een derde verslag over werkplekleren in de regio Twente."]]))
    assert _add(fresh_settings, third, "--title", TAKEN_TITLE) == 0
    after = _ids(fresh_settings)
    assert after - before == {"leernetwerken", "leernetwerken-2", f"{slug}-2"}
    catalog = Catalog(fresh_settings.catalog_path)
    try:  # the shipped publication is still there, unchanged
        assert catalog.get(slug).title == "Samen Opleiden & Professionaliseren: zet kwaliteit op de eerste plaats"
    finally:
        catalog.close()
    kept = {json.loads(p.read_text())["id"]: p for p in fresh_settings.files_dir.glob("*.json")}
    assert {"leernetwerken", "leernetwerken-2"} <= set(kept)
    first_sidecar = json.loads(kept["leernetwerken"].read_text())
    assert (fresh_settings.files_dir / first_sidecar["file"]).exists()  # the first file's original is kept


def test_replacing_is_explicit(fresh_settings, tmp_path, capsys):
    one = tmp_path / "een.pdf"
    one.write_bytes(pdf_bytes([["Versie een over leernetwerken in Friesland en hun opbrengst."]]))
    two = tmp_path / "twee.pdf"
    two.write_bytes(pdf_bytes([["Versie twee over leernetwerken in Groningen en hun opbrengst."]]))
    assert _add(fresh_settings, one, "--title", "Friese netwerken", "--id", "netwerken") == 0
    capsys.readouterr()
    assert _add(fresh_settings, two, "--title", "Friese netwerken", "--id", "netwerken") == 2
    assert "--replace netwerken" in capsys.readouterr().err
    assert _add(fresh_settings, two, "--title", "Groningse netwerken", "--replace", "bestaat-niet") == 2
    assert _add(fresh_settings, two, "--title", "Groningse netwerken", "--replace", "netwerken") == 0
    assert "vervangen" in capsys.readouterr().out
    catalog = Catalog(fresh_settings.catalog_path)
    try:
        assert catalog.get("netwerken").title == "Groningse netwerken"
    finally:
        catalog.close()
