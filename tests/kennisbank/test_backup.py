"""Backup and restore that cannot destroy (issue 12, cases 3 and 4), through the real `kennisbank` command."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile

import pytest

from kennisbank.backup import check_data
from kennisbank.core.accounts import Accounts, console_path
from kennisbank.core.errors import KennisbankError
from kennisbank.maintenance import backup, restore
from tests.kennisbank.test_server import kennisbank

MANIFEST = "kennisbank-backup.json"


def _tar(path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))


def _search_works(data_dir) -> None:
    result = kennisbank(data_dir, "search", "startende leraren", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["results"]


def _inventory(data_dir) -> dict[str, int]:
    return {str(p.relative_to(data_dir)): p.stat().st_size for p in data_dir.rglob("*")
            if p.is_file() and p.name != "kennisbank.lock"}


def test_fake_and_truncated_archives_are_refused_and_nothing_changes(fresh_settings, tmp_path):
    """Before: `restore --force` of a manifest and a 14-byte catalog.sqlite deleted the data directory (the next
    search failed with a traceback); a truncated archive gave a traceback."""
    data = fresh_settings.data_dir
    fake = tmp_path / "fake.tar.gz"
    _tar(fake, {f"data/{MANIFEST}": b'{"index": null}', "data/catalog.sqlite": b"not a database"})
    real = backup(fresh_settings, tmp_path / "real.tar.gz")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(real.read_bytes()[: real.stat().st_size // 2])
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b" + b"x" * 100)
    before = _inventory(data)
    for archive, message in ((fake, "cannot be restored"), (truncated, "truncated or damaged"),
                             (garbage, "truncated or damaged")):
        result = kennisbank(data, "restore", str(archive), "--force")
        assert result.returncode == 2, (archive.name, result.stdout, result.stderr)
        assert message in result.stderr and "Nothing was changed" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert _inventory(data) == before, archive.name
        assert not [p for p in data.iterdir() if p.name.startswith(".restore")]
    _search_works(data)


def test_archive_with_a_damaged_database_is_refused(fresh_settings, tmp_path):
    Accounts(console_path(fresh_settings)).close()
    archive = backup(fresh_settings, tmp_path / "b.tar.gz")
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    db = sqlite3.connect(unpacked / "data" / "console.sqlite")
    db.execute("DROP TABLE audit")
    db.commit()
    db.close()
    with pytest.raises(KennisbankError, match="console.sqlite lacks the tables audit"):
        check_data(unpacked / "data")
    (unpacked / "data" / "index" / "index.json").write_text('{"model": "another"}')
    with pytest.raises(KennisbankError):
        check_data(unpacked / "data")


def test_backup_is_private_and_has_no_signing_key_unless_asked(fresh_settings, tmp_path):
    """Before: the archive was world-readable and held secret_key (a session cookie could be forged with it)."""
    data = fresh_settings.data_dir
    (data / "secret_key").write_bytes(b"k" * 32)
    result = kennisbank(data, "backup", str(tmp_path / "b.tar.gz"))
    assert result.returncode == 0, result.stderr
    archive = tmp_path / "b.tar.gz"
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "data/catalog.sqlite" in names and "data/secret_key" not in names
    result = kennisbank(data, "backup", str(tmp_path / "with-key.tar.gz"), "--with-secret-key")
    assert result.returncode == 0, result.stderr
    with tarfile.open(tmp_path / "with-key.tar.gz") as tar:
        assert "data/secret_key" in tar.getnames()


def test_restore_swaps_in_a_checked_copy(fresh_settings, tmp_path):
    data = fresh_settings.data_dir
    (data / "secret_key").write_bytes(b"k" * 32)
    archive = backup(fresh_settings, tmp_path / "b.tar.gz")
    (data / "files").mkdir(exist_ok=True)
    (data / "files" / "later.txt").write_text("after the backup")
    restore(fresh_settings, archive, force=True)
    assert not (data / "files" / "later.txt").exists()  # the backup's contents, not a mix
    assert not (data / "secret_key").exists()  # the server makes a new key: everyone signs in again
    assert not (data / MANIFEST).exists()
    assert (data / "catalog.sqlite").stat().st_mode & 0o077 == 0
    _search_works(data)
