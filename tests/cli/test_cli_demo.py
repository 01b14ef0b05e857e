"""`demo` invents records: only into a new file, an empty database or one it made before (marked as demo);
a database holding real records is refused and left byte for byte as it was."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from kaigo_desktop.cli import main
from kaigo_desktop.domain.records import Place
from kaigo_desktop.services import records
from kaigo_desktop.services.demo_mark import DEMO_MARK
from kaigo_desktop.storage.database import Database


def run(*argv: object) -> int:
    return main([str(a) for a in argv])


def demo_mark(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT value FROM db_meta WHERE key = ?", (DEMO_MARK,)).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def test_demo_refuses_a_database_holding_records(db_path: Path, capsys) -> None:
    with Database.open(db_path) as db:
        records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2024, 4, 1)))
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db_path.read_bytes()
    assert run("--db", db_path, "demo", "--places", "2", "--years", "1") == 2
    err = capsys.readouterr().err
    assert "実際の記録があるため、デモデータを作成しません" in err and "Traceback" not in err
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_records_in_the_trash_count_as_records(db_path: Path) -> None:
    with Database.open(db_path) as db:
        place = records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2024, 4, 1)))
        records.remove(db, Place, place.id)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db_path.read_bytes()
    assert run("--db", db_path, "demo", "--places", "2", "--years", "1") == 2
    assert db_path.read_bytes() == before


def test_demo_on_a_new_path_or_an_empty_database_marks_it_as_demo(tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite3"
    assert run("--db", new, "demo", "--places", "2", "--years", "1") == 0
    assert demo_mark(new) is not None
    empty = tmp_path / "empty.sqlite3"
    assert run("--db", empty, "init", "--municipality", "131016") == 0
    assert demo_mark(empty) is None  # a real database until demo fills it
    assert run("--db", empty, "demo", "--places", "2", "--years", "1") == 0
    assert demo_mark(empty) is not None


def test_a_demo_database_takes_more_demo_data(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    assert run("--db", path, "demo", "--places", "2", "--years", "1", "--seed", "1") == 0
    mark = demo_mark(path)
    assert run("--db", path, "demo", "--places", "2", "--years", "1", "--seed", "7") == 0
    assert demo_mark(path) == mark
