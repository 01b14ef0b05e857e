"""The one copying mechanism: online backup API, temporary name, integrity_check, fsync, rename. Disk full,
read-only and vanished folders give a Japanese message, leave nothing half-written and the database as it
was."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from kaigo_desktop.storage import backup, migrations
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import BackupFailedError
from tests.mishaps import damage_table


def fill(db: Database, megabytes: float) -> None:
    with db.write():
        db.conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                            ((f"filler{i}", "あ" * 1000) for i in range(int(megabytes * 350))))


def dump(db: Database) -> list[str]:
    return list(db.conn.iterdump())


@pytest.fixture
def tmpfs(tmp_path: Path):
    """Mount a small real file system (root only); yields a function making one of `size` (e.g. '1m')."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("needs root on Linux to mount a file system")
    mounted = []

    def make(size: str, *, read_only: bool = False) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)]).returncode != 0:
            pytest.skip("mount is not permitted here")
        mounted.append(point)
        return point

    yield make
    for point in mounted:
        subprocess.run(["umount", str(point)], check=True)


def test_the_copy_is_whole_verified_self_contained_and_holds_uncheckpointed_commits(db: Database,
                                                                                      tmp_path: Path) -> None:
    with db.write():
        db.conn.execute("INSERT INTO settings (key, value) VALUES ('only_in_wal', '1')")
    assert Path(f"{db.path}-wal").stat().st_size > 0
    target = tmp_path / "copies" / "copy.sqlite3"
    assert backup.backup_database(db.conn, target) == target
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.sqlite3"]  # no -wal, no .partial
    conn = sqlite3.connect(f"{target.as_uri()}?mode=ro&immutable=1", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT value FROM settings WHERE key = 'only_in_wal'").fetchone()[0] == "1"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_an_existing_file_is_never_overwritten(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "mine.sqlite3"
    target.write_bytes(b"someone's file")
    with pytest.raises(BackupFailedError, match="既にある"):
        backup.backup_database(db.conn, target)
    assert target.read_bytes() == b"someone's file"


def test_a_copy_failing_its_check_is_not_kept(db_path: Path, tmp_path: Path) -> None:
    # Scribble over a table page: the pages still copy, integrity_check then finds the damage.
    damage_table(db_path, "municipalities")
    source = sqlite3.connect(db_path)
    target = tmp_path / "out" / "copy.sqlite3"
    with pytest.raises(BackupFailedError, match="検証に失敗"):
        backup.backup_database(source, target)
    source.close()
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize("where, code, message", [
    ("fsync", errno.ENOSPC, "空き容量が足りません"),
    ("replace", errno.EROFS, "読み取り専用"),
    ("replace", errno.EIO, "保存できませんでした"),
])
def test_an_os_error_while_writing_leaves_nothing_and_the_database_untouched(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, code: int, message: str) -> None:
    before = dump(db)
    target = tmp_path / "usb" / "copy.sqlite3"
    real = getattr(os, where)

    def failing(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, where, failing)
    with pytest.raises(BackupFailedError, match=message):
        backup.backup_database(db.conn, target)
    monkeypatch.setattr(os, where, real)
    assert list(target.parent.iterdir()) == []
    assert dump(db) == before
    assert db.scalar("PRAGMA integrity_check") == "ok"
    backup.backup_database(db.conn, target)  # and the next try works
    assert target.exists()


def test_a_full_disk_gives_a_clear_message_and_leaves_nothing(db: Database, tmpfs) -> None:
    fill(db, 2.5)
    before = dump(db)
    usb = tmpfs("1m")
    with pytest.raises(BackupFailedError, match="空き容量が足りません"):
        backup.backup_database(db.conn, usb / "copy.sqlite3")
    assert list(usb.iterdir()) == []
    assert dump(db) == before and db.scalar("PRAGMA integrity_check") == "ok"


def test_a_read_only_folder_gives_a_clear_message(db: Database, tmpfs) -> None:
    folder = tmpfs("1m", read_only=True)
    with pytest.raises(BackupFailedError, match="書き込めません"):
        backup.backup_database(db.conn, folder / "copy.sqlite3")
    assert list(folder.iterdir()) == []


def test_a_vanished_folder_gives_a_clear_message(db: Database, tmp_path: Path) -> None:
    (tmp_path / "E:").write_text("not a folder")  # the drive letter is now a file: nothing can go below it
    with pytest.raises(BackupFailedError, match="保存"):
        backup.backup_database(db.conn, tmp_path / "E:" / "backups" / "copy.sqlite3")


def test_no_backup_in_the_middle_of_a_write(db: Database, tmp_path: Path) -> None:
    with db.write():
        with pytest.raises(BackupFailedError, match="書き込みの途中"):
            backup.backup_database(db.conn, tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()


def test_names_carry_database_reason_and_time_and_never_collide(tmp_path: Path) -> None:
    when = datetime(2024, 5, 1, 9, 30, 15)
    db_path = tmp_path / "kaigo-2024.sqlite3"
    first = backup.new_backup_path(tmp_path, db_path, "manual", when)
    assert first.name == "kaigo-2024-manual-20240501-093015.sqlite3"
    first.write_bytes(b"x")
    second = backup.new_backup_path(tmp_path, db_path, "manual", when)
    assert second.name == "kaigo-2024-manual-20240501-093015-2.sqlite3"
    assert backup.parse_backup_name(second.name, "kaigo-2024") == backup.BackupName("kaigo-2024", "manual", when, 2)
    upgrade = backup.parse_backup_name("center-before-v4-20240501-093015.sqlite3")
    assert upgrade == backup.BackupName("center", "before-v4", when) and not upgrade.routine
    assert backup.parse_backup_name("kaigo-manual-20240501-093015.sqlite3.partial") is None
    assert backup.parse_backup_name("notes.txt") is None
    with pytest.raises(ValueError):
        backup.new_backup_path(tmp_path, db_path, "../evil")


def test_the_upgrade_backup_uses_the_same_mechanism(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for migration in migrations.available_migrations()[:-1]:
        migrations.apply_migration(conn, migration)
    conn.close()
    old_version = migrations.latest_version() - 1
    with Database.open(path):
        pass
    copies = backup.backups_in(backup.default_backup_folder(path), "old")
    assert [name.reason for _, name in copies] == [f"before-v{migrations.latest_version()}"]
    assert backup.file_problems(copies[0][0], quick=False) == []
    assert backup.read_summary(copies[0][0]).schema_version == old_version
    assert sorted(p.name for p in copies[0][0].parent.iterdir()) == [copies[0][0].name]


def test_numbers_within_one_second_keep_rising_after_thinning(tmp_path: Path) -> None:
    when = datetime(2024, 5, 1, 9, 30, 15)
    db_path = tmp_path / "kaigo.sqlite3"
    made = []
    for _ in range(3):
        made.append(backup.new_backup_path(tmp_path, db_path, "timed", when))
        made[-1].write_bytes(b"x")
    made[0].unlink()
    made[1].unlink()  # thinned away
    fourth = backup.new_backup_path(tmp_path, db_path, "close", when)
    assert fourth.name == "kaigo-close-20240501-093015-4.sqlite3"
    fourth.write_bytes(b"x")
    assert [p for p, _ in backup.backups_in(tmp_path, "kaigo")] == [fourth, made[2]]
