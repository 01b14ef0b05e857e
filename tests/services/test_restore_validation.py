"""`restore` judges the backup before anything is swapped: ours, a schema version we know (not newer, not
lowered below the migrations it recorded), only the objects our migrations make, sound. A refused backup
leaves the database and its folder byte for byte as they were (not even a before-restore copy is made)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.domain.records import Place
from kaigo_desktop.services import records
from kaigo_desktop.services.backups import make_backup, restore_backup
from kaigo_desktop.services.checking import check_database
from kaigo_desktop.storage import migrations, ownership
from kaigo_desktop.storage.backup import newest_good_backup
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import BackupFailedError
from tests.mishaps import damage_table


def folder_state(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def raw(path: Path, *statements: str) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    return path


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """The database in use (one place), in a folder of its own."""
    path = tmp_path / "data" / "kaigo.sqlite3"
    with Database.open(path, create=True) as db:
        records.add(db, Place("131016", "さくら体操の会", start_date=date(2020, 4, 1)))
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def good_backup(live: Path, tmp_path: Path) -> Path:
    with Database.open(live) as db:
        return make_backup(db, destination=tmp_path / "good.sqlite3").path


def spoiled(good_backup: Path, name: str, *statements: str) -> Path:
    path = good_backup.with_name(name)
    shutil.copyfile(good_backup, path)
    return raw(path, *statements)


def browser(tmp_path: Path) -> Path:
    return raw(tmp_path / "places.sqlite", "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)",
               "CREATE TRIGGER t AFTER INSERT ON moz_places BEGIN DELETE FROM moz_places; END",
               "PRAGMA user_version = 74")


REFUSALS = {
    "browser": (lambda good, tmp: browser(tmp), "Kaigo Desktop のデータベースではありません"),
    "other-application": (lambda good, tmp: spoiled(good, "app.sqlite3", "PRAGMA application_id = 7"),
                          "application_id"),
    "lowered-user-version": (lambda good, tmp: spoiled(good, "low.sqlite3", "PRAGMA user_version = 3"), "一致しません"),
    "newer": (lambda good, tmp: spoiled(good, "new.sqlite3", f"PRAGMA user_version = {migrations.latest_version() + 1}"),
              "新しい版"),
    "foreign-trigger": (lambda good, tmp: spoiled(
        good, "trig.sqlite3", "CREATE TRIGGER wipe AFTER INSERT ON gatherings BEGIN DELETE FROM places; END"),
        "このアプリが作成していないトリガーがあります: wipe"),
    "foreign-view": (lambda good, tmp: spoiled(good, "view.sqlite3", "CREATE VIEW v AS SELECT 1"),
                     "ビューがあります: v"),
    "missing-table": (lambda good, tmp: spoiled(good, "gone.sqlite3", "DROP TABLE conflicts"),
                      "テーブルがありません: conflicts"),
    "empty-sqlite": (lambda good, tmp: raw(tmp / "empty.sqlite3", "PRAGMA user_version = 0"), "空のデータベース"),
    "damaged": (lambda good, tmp: _damaged(good), "壊れている"),
}


def _damaged(good: Path) -> Path:
    return damage_table(good, "municipalities", out=good.with_name("damaged.sqlite3"))


@pytest.mark.parametrize("kind", REFUSALS)
def test_a_backup_that_is_not_a_sound_copy_of_ours_is_refused_whole(live: Path, good_backup: Path, tmp_path: Path,
                                                                    kind: str) -> None:
    make, expected = REFUSALS[kind]
    bad = make(good_backup, tmp_path)
    before, backup_before = folder_state(live.parent), hashlib.sha256(bad.read_bytes()).hexdigest()
    with pytest.raises(BackupFailedError, match=expected) as caught:
        restore_backup(live, bad)
    assert "Traceback" not in str(caught.value)
    assert folder_state(live.parent) == before  # untouched, and no before-restore copy made
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == backup_before


def test_the_cli_refuses_it_with_exit_2(live: Path, good_backup: Path, capsys) -> None:
    bad = spoiled(good_backup, "low.sqlite3", "PRAGMA user_version = 3")
    before = folder_state(live.parent)
    assert main(["--db", str(live), "restore", str(bad), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "復元に使えません" in err and "変更していません" in err and "Traceback" not in err
    assert folder_state(live.parent) == before
    with Database.open(live) as db:  # and `check` still works on the database that stayed
        assert check_database(db, 2024).ok


def test_a_good_backup_still_restores_and_an_old_unstamped_one_too(live: Path, good_backup: Path,
                                                                    tmp_path: Path) -> None:
    assert restore_backup(live, good_backup).restored_from == good_backup
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old, isolation_level=None)
    for migration in migrations.available_migrations()[:2]:
        migrations.apply_migration(conn, migration)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    restore_backup(live, old)
    with Database.open(live) as db:
        assert db.schema_version() == migrations.latest_version()
        assert db.scalar("PRAGMA application_id") == ownership.APPLICATION_ID
        assert check_database(db, 2024).ok


def test_a_refused_file_in_the_backups_folder_is_never_offered(live: Path) -> None:
    with Database.open(live) as db:
        good = make_backup(db).path
    newer = good.with_name(good.name.replace(good.stem[-6:], "235959"))
    shutil.copyfile(good, newer)
    raw(newer, "CREATE VIEW v AS SELECT 1")
    assert newest_good_backup(live) == good
