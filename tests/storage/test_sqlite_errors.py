"""Every SQLite failure is told apart by its result code (storage/sqlite_errors), in real situations on real
files: a duplicate name, a reference to nothing, a NULL, a CHECK, a database another connection is writing,
a full database, a read-only one, a truncated or foreign file, a folder that is not there. The tests look at
the error's type, kind and field — never at its wording."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.records import Gathering, Members, Place, Promoter
from kaigo_desktop.services import promoters_view, records
from kaigo_desktop.storage import repository, sqlite_errors
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import (
    ConstraintError,
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseUnreachableError,
    DiskFullError,
    ReadOnlyDatabaseError,
    StorageError,
)
from tests.mishaps import sqlite_error

CHIYODA = "131016"
TODAY = date(2025, 6, 1)


def _place(name: str = "さくら体操の会", **changes) -> Place:
    values = dict(municipality_code=CHIYODA, name=name, kana="サクラタイソウノカイ", start_date=date(2020, 4, 1),
                  venue_kind="公民館・自治会館・集会所", frequency_declared="週1回以上")
    values.update(changes)
    return Place(**values)


def _promoter(name: str = "山田花子", **changes) -> Promoter:
    values = dict(municipality_code=CHIYODA, name=name, qualification="保健師", start_date=date(2024, 4, 1))
    values.update(changes)
    return Promoter(**values)


def _raised(action: Callable[[], object], expected: type[BaseException] = ConstraintError) -> BaseException:
    with pytest.raises(expected) as caught:
        action()
    return caught.value


# ---- constraints ------------------------------------------------------------------------------------

def test_a_duplicate_promoter_name_is_a_duplicate_name_on_the_name_field(db: Database) -> None:
    """The promoter form marks the name field from this (kind, field), not from the message."""
    promoters_view.save_promoter(db, _promoter(), today=TODAY)
    error = _raised(lambda: promoters_view.save_promoter(db, _promoter(), today=TODAY))
    assert isinstance(error, UserFacingError)
    assert (error.kind, error.field) == ("duplicate_name", "name")
    assert db.scalar("SELECT COUNT(*) FROM promoters") == 1


def test_renaming_or_restoring_into_a_taken_name_is_a_duplicate_name(db: Database) -> None:
    first = records.add(db, _promoter("山田花子"), today=TODAY)
    second = records.add(db, _promoter("佐藤一郎"), today=TODAY)
    error = _raised(lambda: repository.update(db, dataclasses.replace(second, name="山田花子")))
    assert (error.kind, error.field) == ("duplicate_name", "name")
    repository.soft_delete(db, Promoter, first.id)
    repository.insert(db, _promoter("山田花子"))  # the name is free while the first is in the trash
    error = _raised(lambda: repository.restore(db, Promoter, first.id))
    assert (error.kind, error.field) == ("duplicate_name", "name")


def test_a_duplicate_name_in_a_bulk_insert_is_a_duplicate_name(db: Database) -> None:
    error = _raised(lambda: repository.insert_many(db, [_place(), _place()]))
    assert (error.kind, error.field) == ("duplicate_name", "name")
    assert db.scalar("SELECT COUNT(*) FROM places") == 0


@pytest.mark.parametrize("changes, field", [
    ({"municipality_code": "131017"}, "municipality_code"),  # not one of Tokyo's 62
    ({"venue_kind": "宇宙ステーション"}, "venue_kind"),
    ({"frequency_declared": "毎秒"}, "frequency_declared"),
])
def test_a_reference_to_nothing_is_an_unknown_reference_on_its_field(db: Database, changes: dict, field: str) -> None:
    error = _raised(lambda: repository.insert(db, _place(**changes)))
    assert (error.kind, error.field) == ("unknown_reference", field)
    stored = repository.insert(db, _place())
    error = _raised(lambda: repository.update(db, dataclasses.replace(stored, **changes)))
    assert (error.kind, error.field) == ("unknown_reference", field)
    assert db.scalar("SELECT COUNT(*) FROM places") == 1


def test_a_gathering_of_a_place_not_there_names_the_place_field(db: Database) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    error = _raised(lambda: repository.insert(db, Gathering(place_id=missing, held_on=date(2024, 5, 1),
                                                            attendance_total=3)))
    assert (error.kind, error.field) == ("unknown_reference", "place_id")


def test_a_check_names_the_column_its_rule_is_about(db: Database) -> None:
    place = repository.insert(db, _place())
    error = _raised(lambda: repository.insert(db, Gathering(place_id=place.id, held_on=date(2024, 5, 1),
                                                            attendance_total=-1)))
    assert (error.kind, error.field) == ("check", "attendance_total")
    error = _raised(lambda: repository.insert(db, _promoter(end_date=date(2024, 3, 1))))
    assert (error.kind, error.field) == ("check", "end_date")


def test_a_missing_value_is_not_null_on_its_column(db: Database) -> None:
    place = repository.insert(db, _place())
    with pytest.raises(sqlite3.IntegrityError) as caught:
        db.conn.execute("UPDATE places SET kana = NULL WHERE id = ?", (place.id,))
    violation = sqlite_errors.constraint_violation(caught.value)
    assert (violation.kind, violation.field) == ("not_null", "kana")


def test_the_same_key_twice_is_a_duplicate_on_its_last_column(db: Database) -> None:
    place = repository.insert(db, _place())
    repository.insert(db, Members(place_id=place.id, fiscal_year=2024, total=3))
    row = dict(db.conn.execute("SELECT * FROM members").fetchone())
    row["fiscal_year"] = 2025  # the same id for another 年度
    with pytest.raises(sqlite3.IntegrityError) as caught:
        db.conn.execute(f"INSERT INTO members ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))
    violation = sqlite_errors.constraint_violation(caught.value)
    assert (violation.kind, violation.field) == ("duplicate", "id")
    row.update(id="0" * 36, fiscal_year=2024)  # another id, the same place and 年度: UNIQUE (place_id, fiscal_year)
    with pytest.raises(sqlite3.IntegrityError) as caught:
        db.conn.execute(f"INSERT INTO members ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))
    violation = sqlite_errors.constraint_violation(caught.value)
    assert (violation.kind, violation.field, violation.columns) == ("duplicate", "fiscal_year",
                                                                   ("place_id", "fiscal_year"))


def test_a_constraint_error_is_no_environment_problem(db: Database) -> None:
    repository.insert(db, _place())
    with pytest.raises(sqlite3.IntegrityError) as caught:
        db.conn.execute("INSERT INTO places SELECT * FROM places")
    assert sqlite_errors.environment_error(caught.value) is None


# ---- the file and the disk ------------------------------------------------------------------------

def test_a_database_another_connection_is_writing_is_busy(db: Database, db_path: Path) -> None:
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock, as another program in the middle of a save
        db.conn.execute("PRAGMA busy_timeout = 50")  # the test does not wait the full five seconds
        error = _raised(lambda: repository.insert(db, _place()), DatabaseBusyError)
        assert error.kind == "busy" and isinstance(error, StorageError)
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert db.scalar("SELECT COUNT(*) FROM places") == 0
    repository.insert(db, _place())  # the same connection writes once the other has finished


def test_a_full_database_is_disk_full_and_nothing_is_written(db: Database) -> None:
    pages = db.scalar("PRAGMA page_count")
    db.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk has no room left for another page
    many = [_place(f"体操の会{i}", notes="メモ" * 500) for i in range(200)]
    error = _raised(lambda: repository.insert_many(db, many), DiskFullError)
    assert error.kind == "disk_full"
    assert db.scalar("SELECT COUNT(*) FROM places") == 0


def test_writing_to_a_database_opened_read_only_is_read_only(db_path: Path) -> None:
    before = db_path.read_bytes()
    with Database.open(db_path, readonly=True) as database:
        error = _raised(lambda: repository.insert(database, _place()), ReadOnlyDatabaseError)
        assert error.kind == "read_only"
    assert db_path.read_bytes() == before


def test_a_truncated_file_is_corrupt(db: Database, db_path: Path, tmp_path: Path) -> None:
    repository.insert_many(db, [_place(f"体操の会{i}", notes="メモ" * 200) for i in range(300)])
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    truncated = tmp_path / "truncated.sqlite3"
    shutil.copyfile(db_path, truncated)
    with open(truncated, "r+b") as handle:
        handle.truncate(truncated.stat().st_size // 2)
    error = sqlite_error(truncated, "SELECT COUNT(*), MAX(notes) FROM places")
    problem = sqlite_errors.environment_error(error, path=truncated)
    assert isinstance(problem, CorruptDatabaseError) and problem.kind == "corrupt" and problem.path == truncated


def test_a_file_that_is_not_sqlite_is_corrupt(tmp_path: Path) -> None:
    text = tmp_path / "memo.sqlite3"
    text.write_bytes("これはメモです。".encode() * 400)
    assert sqlite_errors.environment_kind(sqlite_error(text, "SELECT * FROM sqlite_master")) == "corrupt"


def test_a_folder_that_is_not_there_is_unreachable(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError) as caught:
        sqlite3.connect(tmp_path / "外れたUSBメモリ" / "kaigo.sqlite3")
    problem = sqlite_errors.environment_error(caught.value)
    assert isinstance(problem, DatabaseUnreachableError) and problem.kind == "unreachable"


def test_other_errors_are_not_environment_problems(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError) as caught:
        db.conn.execute("SELECT no_such_column FROM places")  # a bug in our SQL, not the user's to fix
    assert sqlite_errors.environment_error(caught.value) is None
    assert sqlite_errors.environment_error(ValueError("x")) is None


def test_the_cli_explains_a_busy_database_and_writes_nothing(db_path: Path, monkeypatch, capsys) -> None:
    """A program on another PC in the middle of a save: the command ends with a Japanese message and exit
    code 2, not a traceback, and the file is as it was."""
    from kaigo_desktop.cli import main
    from kaigo_desktop.storage import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)  # the test does not wait the full five seconds
    before = db_path.read_bytes()
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        code = main(["--db", str(db_path), "init", "--municipality", CHIYODA, "--center", "神田地域包括支援センター"])
        other.execute("ROLLBACK")
    finally:
        other.close()
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("エラー") and "Traceback" not in err
    assert db_path.read_bytes() == before


def test_a_failed_backup_is_explained_the_same_for_sqlite_and_the_os(db: Database, db_path: Path,
                                                                      tmp_path: Path) -> None:
    """A full disk, a read-only file and a folder gone mean the same to the user whether SQLite or the
    operating system noticed first: backup's message is chosen from the kind, not from the words."""
    import errno

    from kaigo_desktop.storage.backup import failure_message

    where = tmp_path / "backups" / "kaigo-manual.sqlite3"
    db.conn.execute(f"PRAGMA max_page_count = {db.scalar('PRAGMA page_count')}")
    with pytest.raises(sqlite3.OperationalError) as full:
        db.conn.executemany("INSERT INTO settings (key, value) VALUES (?, ?)",
                            [(f"k{i}", "x" * 1000) for i in range(100)])
    read_only = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as refused:
            read_only.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')")
    finally:
        read_only.close()
    with pytest.raises(sqlite3.OperationalError) as gone:
        sqlite3.connect(tmp_path / "外れたUSBメモリ" / "kaigo.sqlite3")
    assert failure_message(full.value, where) == failure_message(OSError(errno.ENOSPC, "No space"), where)
    assert failure_message(refused.value, where) == failure_message(OSError(errno.EROFS, "Read-only"), where)
    assert failure_message(gone.value, where) == failure_message(OSError(errno.ENOENT, "Not found"), where)
    assert len({failure_message(e.value, where) for e in (full, refused, gone)}) == 3
