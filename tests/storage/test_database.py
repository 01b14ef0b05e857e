"""Opening, pragmas, version checks and transactions of the database file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import DatabaseMissingError, NewerSchemaError, NotADatabaseError


def test_new_database_has_latest_schema_reference_data_and_safe_pragmas(tmp_path: Path) -> None:
    with Database.open(tmp_path / "new.sqlite3", create=True) as db:
        assert db.schema_version() == migrations.latest_version()
        assert db.scalar("PRAGMA foreign_keys") == 1
        assert db.scalar("PRAGMA journal_mode") == "wal"
        assert db.scalar("PRAGMA busy_timeout") >= 1000
        assert db.scalar("SELECT COUNT(*) FROM municipalities") == 62
        assert db.scalar("SELECT COUNT(*) FROM program_types") == 5
        assert db.scalar("SELECT COUNT(*) FROM schema_migrations") == migrations.latest_version()
        assert len(db.database_id) == 36


def test_every_user_table_is_strict(db: Database) -> None:
    tables = [row["name"] for row in db.query("SELECT name FROM sqlite_schema WHERE type = 'table'"
                                                " AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        sql = db.scalar("SELECT sql FROM sqlite_schema WHERE name = ?", (table,))
        assert sql.rstrip().endswith("STRICT"), table


def test_missing_file_is_refused_without_creating_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite3"
    with pytest.raises(DatabaseMissingError):
        Database.open(path)
    assert not path.exists()


def test_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes("これはデータベースではありません".encode())
    before = path.read_bytes()
    with pytest.raises(NotADatabaseError):
        Database.open(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused_and_left_untouched(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(NewerSchemaError, match="新しい版"):
        Database.open(db_path)
    assert db_path.read_bytes() == before


def test_write_rolls_back_everything_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        with db.write():
            db.conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
            with db.write():
                db.conn.execute("INSERT INTO settings (key, value) VALUES ('b', '2')")
            raise RuntimeError("boom")
    assert db.scalar("SELECT COUNT(*) FROM settings") == 0
    assert not db.conn.in_transaction


def test_each_write_transaction_takes_the_next_change_seq(db: Database) -> None:
    with db.write() as first:
        with db.write() as nested:
            assert nested == first
    with db.write() as second:
        pass
    assert second.change_seq == first.change_seq + 1
    assert first.origin_db == db.database_id


def test_a_failed_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    directory = tmp_path / "db"
    directory.mkdir()
    (directory / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER) STRICT;\n", encoding="utf-8")
    (directory / "0002_broken.sql").write_text(
        "CREATE TABLE b (y INTEGER) STRICT;\nINSERT INTO missing_table VALUES (1);\n", encoding="utf-8")
    conn = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    first, broken = migrations.available_migrations(directory)
    migrations.apply_migration(conn, first)
    with pytest.raises(sqlite3.OperationalError):
        migrations.apply_migration(conn, broken)
    assert migrations.schema_version(conn) == 1
    assert conn.execute("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'b'").fetchone()[0] == 0
    conn.close()


def test_split_statements_keeps_trigger_bodies_whole() -> None:
    script = """
    -- comment
    CREATE TABLE t (x INTEGER);
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN
        UPDATE t SET x = 1;
        UPDATE t SET x = 2;
    END;
    """
    statements = migrations.split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
