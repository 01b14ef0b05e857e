"""Files that are not ours: another application's SQLite file is refused byte for byte untouched (never
migrated into ours), our files carry PRAGMA application_id, and every connection has trusted_schema off."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.storage import migrations, ownership
from kaigo_desktop.storage.backup import file_problems, read_summary
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import CorruptDatabaseError, ForeignDatabaseError

PACKAGE = Path(__file__).resolve().parents[2] / "kaigo_desktop"
STAMP = "'2024-05-01T00:00:00.000000Z', '2024-05-01T00:00:00.000000Z', '旧版', 'db-old', NULL, 3"
PLACE_ID = "01900000-0000-7000-8000-000000000001"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in folder.rglob("*") if p.is_file()}


def set_pragma(path: Path, assignment: str) -> None:
    """Change a header field as another program would, bypassing our code."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA {assignment}")
    conn.close()


def refused_untouched(path: Path, error: type[Exception], match: str, **open_kwargs) -> pytest.ExceptionInfo:
    """Opening `path` fails with `error` and leaves its folder as it was, byte for byte (no -wal, -shm, lock
    or backups folder)."""
    before = folder_state(path.parent)
    with pytest.raises(error, match=match) as caught:
        Database.open(path, **open_kwargs)
    assert folder_state(path.parent) == before
    return caught


def browser_history(path: Path, *, application_id: int = 0, user_version: int = 74) -> Path:
    """A file like a web browser's history: its own tables, index, view and trigger, its own version."""
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        PRAGMA journal_mode = DELETE;
        PRAGMA user_version = {user_version};
        PRAGMA application_id = {application_id};
        CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visit_count INTEGER DEFAULT 0);
        CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, place_id INTEGER, visit_date INTEGER);
        CREATE INDEX moz_places_url ON moz_places(url);
        CREATE VIEW recent AS SELECT url, title FROM moz_places ORDER BY id DESC;
        CREATE TRIGGER count_visit AFTER INSERT ON moz_historyvisits BEGIN
            UPDATE moz_places SET visit_count = visit_count + 1 WHERE id = NEW.place_id;
        END;
        INSERT INTO moz_places (url, title) VALUES ('https://example.jp/', '例');
        INSERT INTO moz_historyvisits (place_id, visit_date) VALUES (1, 1700000000);
    """)
    conn.close()
    return path


def rails_like(path: Path) -> Path:
    """Another program's own schema_migrations table (Rails names it so too), no application_id."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);
        INSERT INTO schema_migrations VALUES ('20240101000000');
        CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
    """)
    conn.close()
    return path


def old_database(path: Path, version: int) -> Path:
    """A file of ours as an earlier version (without application_id) wrote it, holding records."""
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in migrations.available_migrations()[:version]:
        migrations.apply_migration(conn, migration)
    conn.execute(
        "INSERT INTO places (id, municipality_code, name, kana, start_date, programs, created_at, updated_at,"
        f" updated_by, origin_db, deleted_at, change_seq) VALUES ('{PLACE_ID}', '131016', 'ひまわり会',"
        f" 'ヒマワリカイ', '2019-04-01', 3, {STAMP})")
    conn.execute("INSERT INTO db_meta (key, value) VALUES ('database_id', 'db-old')")
    conn.close()
    return path


@pytest.mark.parametrize("make", [browser_history, rails_like,
                                  lambda path: browser_history(path, application_id=0x5A5A5A5A, user_version=0)],
                         ids=["browser", "rails", "other-application-id"])
@pytest.mark.parametrize("readonly", [False, True])
def test_another_applications_file_is_refused_untouched(tmp_path: Path, make, readonly: bool) -> None:
    path = make(tmp_path / "places.sqlite")
    caught = refused_untouched(path, ForeignDatabaseError, "Kaigo Desktop のデータベースではない", readonly=readonly)
    assert caught.value.path == path


def test_our_schema_stamped_by_someone_else_is_refused(db_path: Path) -> None:
    set_pragma(db_path, "application_id = 1234")
    refused_untouched(db_path, ForeignDatabaseError, "application_id")


def test_check_on_a_browsers_file_exits_2_and_adds_nothing(tmp_path: Path, capsys) -> None:
    path = browser_history(tmp_path / "places.sqlite")
    before = folder_state(tmp_path)
    assert main(["--db", str(path), "check"]) == 2
    err = capsys.readouterr().err
    assert "Kaigo Desktop のデータベースではない" in err and "Traceback" not in err
    assert folder_state(tmp_path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()[0] == 5
    conn.close()


def test_new_and_empty_files_become_ours(tmp_path: Path) -> None:
    empty_sqlite = tmp_path / "empty-sqlite.sqlite3"
    sqlite3.connect(empty_sqlite).execute("PRAGMA user_version = 0").connection.close()
    zero = tmp_path / "zero.sqlite3"
    zero.write_bytes(b"")
    for path in (tmp_path / "new.sqlite3", zero):
        with Database.open(path, create=True) as db:
            assert db.scalar("PRAGMA application_id") == ownership.APPLICATION_ID
            assert db.schema_version() == migrations.latest_version()
    assert ownership.APPLICATION_ID == 0x4B414947  # b"KAIG"


def test_an_old_file_of_ours_is_stamped_when_opened_for_writing_and_keeps_its_records(tmp_path: Path) -> None:
    path = old_database(tmp_path / "center.sqlite3", 2)
    with Database.open(path, user="更新者") as db:
        assert db.scalar("PRAGMA application_id") == ownership.APPLICATION_ID
        assert db.schema_version() == migrations.latest_version()
        assert db.scalar("SELECT name FROM places WHERE id = ?", (PLACE_ID,)) == "ひまわり会"
        assert db.database_id == "db-old"
    current = old_database(tmp_path / "current.sqlite3", migrations.latest_version())
    with Database.open(current, readonly=True) as db:
        assert db.scalar("PRAGMA application_id") == 0  # reading writes nothing
    with Database.open(current) as db:
        assert db.scalar("PRAGMA application_id") == ownership.APPLICATION_ID


def test_a_lowered_user_version_is_refused_untouched(db_path: Path) -> None:
    set_pragma(db_path, "user_version = 3")
    refused_untouched(db_path, CorruptDatabaseError, "一致しません")


def test_every_connection_has_trusted_schema_off(db_path: Path) -> None:
    for readonly in (False, True):
        with Database.open(db_path, readonly=readonly) as db:
            assert db.scalar("PRAGMA trusted_schema") == 0
    assert file_problems(db_path) == [] and read_summary(db_path).schema_version == migrations.latest_version()
    # One way to connect: everything else goes through storage.connections.connect.
    callers = [path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
               if re.search(r"sqlite3\.connect\(", path.read_text(encoding="utf-8"))]
    assert callers == ["storage/connections.py"]


def test_a_view_someone_added_cannot_call_a_function_with_side_effects(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE VIEW harmless_looking AS SELECT side_effect() AS x")
    conn.commit()
    conn.close()
    called: list[int] = []
    with Database.open(db_path) as db:
        db.conn.create_function("side_effect", 0, lambda: called.append(1) or 1)
        with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
            db.query("SELECT * FROM harmless_looking")
    assert called == []
