"""Backups as the app and the user make them: where they go, what the list shows, thinning, timed backups,
settings, and restoring (the current file always kept first, a damaged one copied aside)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import backup_settings, records
from kaigo_desktop.services.backup_settings import BackupSettings
from kaigo_desktop.services.backups import (
    backup_due,
    automatic_backup,
    backups_to_remove,
    changed_since,
    last_backup,
    list_backups,
    make_backup,
    restore_backup,
    thin_backups,
)
from kaigo_desktop.storage import lock
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import BackupFailedError, DatabaseInUseError, StorageError

TODAY = date(2025, 6, 30)


def add_place(db: Database, name: str) -> r.Place:
    return records.add(db, r.Place("131016", name, start_date=date(2020, 4, 1)), today=TODAY)


def place_names(path: Path) -> list[str]:
    with Database.open(path, readonly=True) as db:
        return [row[0] for row in db.query("SELECT name FROM places ORDER BY name")]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- making and listing -------------------------------------------------------------------------------

def test_a_backup_goes_beside_the_database_and_says_what_it_holds(db: Database) -> None:
    add_place(db, "さくら体操クラブ")
    info = make_backup(db)
    assert info.path.parent == db.path.parent / "backups"
    assert info.path.name.startswith("kaigo-manual-")
    assert info.counts == {"places": 1, "gatherings": 0, "promoters": 0, "activities": 0}
    assert info.size == info.path.stat().st_size and info.readable
    assert info.database_id == db.database_id
    assert "通いの場 1件" in info.describe() and "手動" in info.describe()


def test_the_folder_from_the_settings_is_used(db: Database, tmp_path: Path) -> None:
    usb = tmp_path / "USB" / "kaigo"
    backup_settings.save(db, BackupSettings(folder=usb))
    assert make_backup(db).path.parent == usb
    other = tmp_path / "other"
    assert make_backup(db, other).path.parent == other


def test_the_list_is_newest_first_with_the_counts_of_each_copy(db: Database) -> None:
    first = make_backup(db)
    add_place(db, "さくら体操クラブ")
    add_place(db, "ひまわり会")
    second = make_backup(db, reason="timed")
    (first.path.parent / "notes.txt").write_text("not a backup")
    (first.path.parent / "kaigo-manual-20240101-000000.sqlite3.partial").write_bytes(b"half")
    listed = list_backups(first.path.parent)
    assert [b.path for b in listed] == [second.path, first.path]
    assert [b.counts["places"] for b in listed] == [2, 0]
    assert listed[0].reason_label == "自動（定時）"


def test_an_unreadable_backup_is_listed_as_such(db: Database) -> None:
    info = make_backup(db)
    info.path.write_bytes(b"broken")
    [listed] = list_backups(info.path.parent)
    assert not listed.readable and "読めません" in listed.describe()


def test_a_read_only_database_can_be_backed_up(db_path: Path) -> None:
    with Database.open(db_path, readonly=True) as db:
        info = make_backup(db)
    assert info.readable and info.counts["places"] == 0


def test_a_full_usb_stick_leaves_no_half_file_and_the_database_as_it_was(db: Database, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    add_place(db, "さくら体操クラブ")
    usb = tmp_path / "usb"

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(BackupFailedError, match="空き容量"):
        make_backup(db, usb)
    monkeypatch.undo()
    assert list(usb.iterdir()) == []
    assert db.scalar("SELECT COUNT(*) FROM places") == 1


def test_old_partials_are_cleared_and_fresh_ones_left(db: Database) -> None:
    folder = db.path.parent / "backups"
    folder.mkdir()
    old = folder / "kaigo-timed-20240101-000000.sqlite3.partial"
    fresh = folder / "kaigo-timed-20240101-000001.sqlite3.partial"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    an_hour_ago = (datetime.now() - timedelta(hours=1)).timestamp()
    os.utime(old, (an_hour_ago, an_hour_ago))
    make_backup(db)
    assert not old.exists() and fresh.exists()


# ---- thinning -------------------------------------------------------------------------------------

def test_thinning_matches_ankis_worked_example() -> None:
    # ankitects/anki rslib/src/collection/backup.rs, thinning_manual: today and yesterday (3 copies) kept
    # as recent, then daily 3, weekly 2, monthly 1. True: removed.
    cases = [
        (datetime(2022, 2, 22), False), (datetime(2022, 2, 22), False), (datetime(2022, 2, 21), False),
        (datetime(2022, 2, 20, 6), True), (datetime(2022, 2, 20, 18), False), (datetime(2022, 2, 10), False),
        (datetime(2022, 2, 9), False),
        (datetime(2022, 2, 7), True), (datetime(2022, 2, 6, 1), True), (datetime(2022, 2, 6, 2), False),
        (datetime(2022, 1, 6), False),
        (datetime(2022, 1, 5), True), (datetime(2021, 12, 24), False), (datetime(2021, 12, 1), True),
        (datetime(2021, 11, 1), True),
    ]
    removed = backups_to_remove([when for when, _ in cases], keep_recent=3, daily=3, weekly=2, monthly=1)
    assert removed == {i for i, (_, gone) in enumerate(cases) if gone}


def test_two_years_of_daily_copies_thin_to_recent_daily_weekly_monthly() -> None:
    start = datetime(2024, 12, 31, 17)
    created = [start - timedelta(days=i) for i in range(730)]
    kept = sorted((created[i] for i in set(range(730)) - backups_to_remove(created, 10, 7, 4, 12)), reverse=True)
    assert len(kept) == 10 + 7 + 4 + 12
    assert kept[:10] == created[:10]
    daily = kept[10:17]
    assert [d.date() for d in daily] == [(start - timedelta(days=i)).date() for i in range(10, 17)]
    weekly = kept[17:21]
    assert len({(d.isocalendar().year, d.isocalendar().week) for d in weekly}) == 4
    monthly = kept[21:]
    assert len({(d.year, d.month) for d in monthly}) == 12
    assert all(d.month != (d + timedelta(days=1)).month for d in monthly)  # each the last day of its month


def test_thinning_files_keeps_safety_copies_foreign_files_and_other_databases(db: Database) -> None:
    folder = db.path.parent / "backups"
    model = make_backup(db).path
    start = datetime(2024, 12, 31, 12)
    for day in range(60):
        when = (start - timedelta(days=day)).strftime("%Y%m%d-%H%M%S")
        shutil.copyfile(model, folder / f"kaigo-timed-{when}.sqlite3")
        shutil.copyfile(model, folder / f"demo-timed-{when}.sqlite3")
    model.unlink()
    safety = [folder / "kaigo-before-restore-20200101-000000.sqlite3",
              folder / "kaigo-before-v4-20200101-000000.sqlite3"]
    for path in safety:
        shutil.copyfile(folder / "kaigo-timed-20241231-120000.sqlite3", path)
    (folder / "memo.txt").write_text("USB の中身")
    removed = thin_backups(folder, keep_recent=5, daily=3, weekly=2, monthly=1, stem="kaigo")
    assert removed and all(p.name.startswith("kaigo-timed-") for p in removed)
    left = [b for b in list_backups(folder, "kaigo") if b.reason == "timed"]
    assert len(left) == 5 + 3 + 2 + 1
    assert all(p.exists() for p in safety) and (folder / "memo.txt").exists()
    assert len(list(folder.glob("demo-*"))) == 60
    thin_backups(folder, keep_recent=5, daily=3, weekly=2, monthly=1)  # every database, separately
    assert len(list(folder.glob("demo-*"))) == 11


# ---- timed and on-close backups ---------------------------------------------------------------------

@pytest.mark.parametrize("last, minutes, due", [
    (None, 30, True), (datetime(2024, 5, 1, 9, 0), 30, True), (datetime(2024, 5, 1, 9, 31), 30, False),
    (datetime(2024, 5, 1, 9, 30), 30, True), (None, 0, False), (datetime(2024, 4, 1), 0, False),
])
def test_backup_due(last: datetime | None, minutes: int, due: bool) -> None:
    assert backup_due(last, minutes, now=datetime(2024, 5, 1, 10, 0)) is due


def test_automatic_backups_only_when_something_changed_and_the_interval_passed(db: Database) -> None:
    first = automatic_backup(db, "timed")
    assert first is not None and not changed_since(db, first)
    assert automatic_backup(db, "close") is None  # nothing changed since
    add_place(db, "さくら体操クラブ")
    assert changed_since(db, last_backup(db))
    assert automatic_backup(db, "timed") is None  # changed, but 30 minutes have not passed
    later = datetime.now() + timedelta(minutes=31)
    timed = automatic_backup(db, "timed", now=later)
    assert timed is not None and timed.counts["places"] == 1
    add_place(db, "ひまわり会")
    on_close = automatic_backup(db, "close")  # on close: whenever something changed
    assert on_close is not None and on_close.counts["places"] == 2


def test_automatic_backups_are_thinned_by_the_settings(db: Database) -> None:
    backup_settings.save(db, BackupSettings(keep_recent=2, daily=0, weekly=0, monthly=0))
    for n in range(4):
        add_place(db, f"場所{n}")
        assert automatic_backup(db, "close") is not None
    assert len(list_backups(db.path.parent / "backups")) == 2


# ---- settings ---------------------------------------------------------------------------------------

def test_settings_default_then_round_trip(db: Database, tmp_path: Path) -> None:
    assert backup_settings.load(db) == BackupSettings()
    chosen = BackupSettings(interval_minutes=15, keep_recent=5, daily=3, weekly=2, monthly=6, folder=tmp_path / "u")
    backup_settings.save(db, chosen)
    assert backup_settings.load(db) == chosen
    backup_settings.save(db, BackupSettings())
    assert backup_settings.load(db) == BackupSettings()


@pytest.mark.parametrize("settings, message", [
    (BackupSettings(interval_minutes=-1), "間隔"), (BackupSettings(interval_minutes=2000), "間隔"),
    (BackupSettings(keep_recent=0), "最新"), (BackupSettings(weekly=-2), "週ごと"),
    (BackupSettings(folder=Path("relative/folder")), "保存先"),
])
def test_bad_settings_are_refused_in_japanese(db: Database, settings: BackupSettings, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        backup_settings.save(db, settings)
    assert backup_settings.load(db) == BackupSettings()


def test_a_hand_edited_setting_falls_back_to_the_default(db: Database) -> None:
    with db.write():
        db.conn.execute("INSERT INTO settings (key, value) VALUES ('backup_keep_daily', 'たくさん')")
    assert backup_settings.load(db).daily == 7


# ---- restoring --------------------------------------------------------------------------------------

def test_restore_keeps_the_current_file_first_then_replaces_it(db_path: Path) -> None:
    with Database.open(db_path) as db:
        add_place(db, "さくら体操クラブ")
        old = make_backup(db)
        add_place(db, "ひまわり会")
    result = restore_backup(db_path, old.path)
    assert place_names(db_path) == ["さくら体操クラブ"]
    assert result.kept_copy is not None and not result.previous_was_damaged
    assert place_names(result.kept_copy) == ["さくら体操クラブ", "ひまわり会"]
    assert "before-restore" in result.kept_copy.name
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["backups", "kaigo.sqlite3"]
    with Database.open(db_path) as db:  # opens, and nothing is left locked
        assert db.scalar("PRAGMA integrity_check") == "ok"


def crash_a_writer(db_path: Path, place_names: list[str]) -> None:
    """Another process adds places and is killed before it closes: its writes stay in the -wal file."""
    child = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom datetime import date\nfrom kaigo_desktop.storage.database import Database\n"
        "from kaigo_desktop.services import records\nfrom kaigo_desktop.domain import records as r\n"
        "db = Database.open(sys.argv[1])\n"
        "for name in sys.argv[2:]:\n"
        "    records.add(db, r.Place('131016', name, start_date=date(2020, 4, 1)), today=date(2025, 6, 30))\n"
        "print('done', flush=True)\nsys.stdin.readline()\n"), str(db_path), *place_names],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "done"
    child.kill()
    child.wait()


def test_restore_folds_a_crashed_writers_wal_into_the_kept_copy(db_path: Path) -> None:
    with Database.open(db_path) as db:
        old = make_backup(db)
    crash_a_writer(db_path, ["WALだけ"])
    assert Path(f"{db_path}-wal").stat().st_size > 0
    result = restore_backup(db_path, old.path)
    assert place_names(result.kept_copy) == ["WALだけ"]
    assert place_names(db_path) == []
    assert not Path(f"{db_path}-wal").exists()


def test_restore_over_a_damaged_file_copies_it_aside_byte_for_byte(db_path: Path) -> None:
    with Database.open(db_path) as db:
        add_place(db, "さくら体操クラブ")
        good = make_backup(db)
    db_path.write_bytes(db_path.read_bytes()[:20000])
    damaged = digest(db_path)
    result = restore_backup(db_path, good.path)
    assert result.previous_was_damaged and result.kept_copy.name.startswith("kaigo.sqlite3.damaged-")
    assert digest(result.kept_copy) == damaged
    assert place_names(db_path) == ["さくら体操クラブ"]


def test_restore_refuses_while_the_database_is_open(db_path: Path) -> None:
    with Database.open(db_path) as db:
        backup = make_backup(db)
        before = digest(db_path)
        with pytest.raises(StorageError, match="閉じて"):
            restore_backup(db_path, backup.path)
    assert digest(db_path) == before


def test_restore_refuses_while_another_program_has_it_open(db_path: Path) -> None:
    with Database.open(db_path) as db:
        backup = make_backup(db)
    child = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom kaigo_desktop.storage.database import Database\n"
        "db = Database.open(sys.argv[1])\nprint('open', flush=True)\nsys.stdin.readline()\n"), str(db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseInUseError):
            restore_backup(db_path, backup.path)
    finally:
        child.kill()
        child.wait()
    assert len(list_backups(db_path.parent / "backups")) == 1  # not even a before-restore copy was made


def test_a_damaged_backup_is_not_restored(db_path: Path) -> None:
    with Database.open(db_path) as db:
        backup = make_backup(db)
    backup.path.write_bytes(backup.path.read_bytes()[:10000])
    before = digest(db_path)
    with pytest.raises(BackupFailedError, match="壊れている"):
        restore_backup(db_path, backup.path)
    assert digest(db_path) == before
    assert not lock.lock_path(db_path).exists()


def test_when_the_current_file_cannot_be_kept_nothing_is_replaced(db_path: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with Database.open(db_path) as db:
        add_place(db, "さくら体操クラブ")
        backup = make_backup(db, tmp_path / "elsewhere")
        add_place(db, "ひまわり会")
    real_replace = os.replace

    def refuse_into_backups(source, target):
        if "before-restore" in str(target):
            raise OSError(30, "Read-only file system")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", refuse_into_backups)
    with pytest.raises(BackupFailedError, match="読み取り専用"):
        restore_backup(db_path, backup.path)
    monkeypatch.undo()
    assert place_names(db_path) == ["さくら体操クラブ", "ひまわり会"]
    assert not (db_path.parent / "kaigo.sqlite3.restoring").exists()


def test_a_damaged_files_wal_is_kept_aside_and_never_replayed_onto_the_restored_file(db_path: Path) -> None:
    with Database.open(db_path) as db:
        good = make_backup(db)
    crash_a_writer(db_path, [f"場所{n}" for n in range(30)])
    wal = Path(f"{db_path}-wal")
    wal_bytes = wal.read_bytes()
    assert wal_bytes
    db_path.write_bytes(db_path.read_bytes()[:40000])  # and then the file itself is damaged
    result = restore_backup(db_path, good.path)
    assert result.previous_was_damaged
    assert Path(f"{result.kept_copy}-wal").read_bytes() == wal_bytes
    assert not wal.exists()
    with Database.open(db_path) as db:
        assert db.scalar("PRAGMA integrity_check") == "ok"
        assert db.scalar("SELECT COUNT(*) FROM places") == 0
