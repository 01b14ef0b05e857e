"""Upgrading a database of an earlier schema version that holds data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database

STAMP = "'2024-05-01T00:00:00.000000Z', '2024-05-01T00:00:00.000000Z', '旧版', 'db-old', NULL, 3"
PLACE_ID = "01900000-0000-7000-8000-000000000001"


def _database_at_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for migration in migrations.available_migrations()[:version]:
        migrations.apply_migration(conn, migration)
    # Rows written as version 2 wrote them (raw SQL pinned to that schema, not our code).
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO places (id, municipality_code, name, kana, start_date, programs, created_at, updated_at,"
        f" updated_by, origin_db, deleted_at, change_seq) VALUES ('{PLACE_ID}', '131016', 'ひまわり会',"
        f" 'ヒマワリカイ', '2019-04-01', 3, {STAMP})")
    for day in range(1, 21):
        conn.execute(
            "INSERT INTO gatherings (id, place_id, held_on, attendance_total, professionals, created_at,"
            f" updated_at, updated_by, origin_db, deleted_at, change_seq) VALUES"
            f" ('01900000-0000-7000-8000-0000000001{day:02d}', '{PLACE_ID}', '2024-05-{day:02d}', {day}, 0,"
            f" {STAMP})")
    conn.execute("INSERT INTO db_meta (key, value) VALUES ('database_id', 'db-old')")
    conn.execute("COMMIT")
    conn.close()


def version_of(name: str) -> int:
    """The number of the migration called `name` (found by name: renumbering on merge changes nothing)."""
    return next(m.version for m in migrations.available_migrations() if m.name == name)


def database_before(name: str, path: Path) -> int:
    """A database holding data at the schema just before the migration `name`, at `path`; its number."""
    ours = version_of(name)
    _database_at_version(path, ours - 1)
    return ours


def test_upgrade_keeps_every_record_and_backs_up_the_old_file_first(tmp_path: Path) -> None:
    old_version = 2
    assert migrations.latest_version() > old_version
    path = tmp_path / "center.sqlite3"
    _database_at_version(path, old_version)

    with Database.open(path, user="更新者") as db:
        assert db.schema_version() == migrations.latest_version()
        assert db.scalar("SELECT COUNT(*) FROM gatherings") == 20
        assert db.scalar("SELECT SUM(attendance_total) FROM gatherings") == sum(range(1, 21))
        assert db.scalar("SELECT name FROM places WHERE id = ?", (PLACE_ID,)) == "ひまわり会"
        assert db.database_id == "db-old"
        assert db.query("PRAGMA integrity_check")[0][0] == "ok"
        assert db.query("PRAGMA foreign_key_check") == []
        applied = [row[0] for row in db.query("SELECT version FROM schema_migrations ORDER BY version")]
        assert applied == list(range(1, migrations.latest_version() + 1))

    backups = list((tmp_path / "backups").glob("center-before-v*.sqlite3"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == old_version
    assert copy.execute("SELECT COUNT(*) FROM gatherings").fetchone()[0] == 20
    copy.close()


def test_opening_an_up_to_date_database_makes_no_backup(db_path: Path) -> None:
    Database.open(db_path).close()
    assert not (db_path.parent / "backups").exists()


def test_upgrade_from_5_keeps_the_exchange_state(tmp_path: Path) -> None:
    """0006 rebuilds exchange_destinations and exchange_pending: what was sent and what waits survives."""
    path = tmp_path / "v5.sqlite3"
    _database_at_version(path, 5)
    waiting = ('{"id": "01900000-0000-7000-8000-000000000999", "place_id": "01900000-0000-7000-8000-00000000aaaa",'
               ' "updated_at": "2024-06-01T00:00:00.000000Z", "origin_db": "db-other"}')
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO exchange_destinations (name, last_seq_sent, last_sent_at) VALUES ('区役所', 3, 'x')")
    conn.execute("INSERT INTO exchange_pending (table_name, row_id, incoming_json) VALUES"
                 " ('gatherings', '01900000-0000-7000-8000-000000000999', ?)", (waiting,))
    conn.execute("INSERT INTO exchange_base (table_name, row_id, updated_at, origin_db, ancestors) VALUES"
                 f" ('places', '{PLACE_ID}', '2024-05-01T00:00:00.000000Z', 'db-old', '[]')")
    conn.close()
    with Database.open(path) as db:
        assert db.schema_version() == migrations.latest_version() >= 6
        assert [tuple(r) for r in db.query("SELECT name, scope, last_seq_sent FROM exchange_destinations")] == [
            ("区役所", "", 3)]
        assert [tuple(r) for r in db.query("SELECT row_id, version FROM exchange_pending")] == [
            ("01900000-0000-7000-8000-000000000999", "2024-06-01T00:00:00.000000Z|db-other")]
        assert db.scalar("SELECT same_as FROM exchange_base") == "[]"
        assert db.scalar("SELECT COUNT(*) FROM gatherings") == 20
