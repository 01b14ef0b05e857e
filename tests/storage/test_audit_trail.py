"""The audit trail on real database files: every write path leaves its entries (who, when, PC, record, the
changed fields before → after), a refused write leaves none, entries cannot be changed or deleted through
SQLite, and `check` finds an entry edited or removed around the guards (a raw connection)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import audit, backups, duplicates, records
from kaigo_desktop.services.checking import check_database
from kaigo_desktop.services.importing import import_file
from kaigo_desktop.storage import audit_log, lock, migrations, ownership
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import PLACE_ID, _database_at_version

TODAY = date(2025, 1, 31)
CHIYODA = "131016"


def _place(db: Database, name: str = "さくら体操の会") -> r.Place:
    return records.add(db, r.Place(CHIYODA, name, start_date=date(2024, 4, 1)), today=TODAY)


def _entries(db: Database, record_id: str | None = None) -> list[audit.AuditEntry]:
    return list(reversed(audit.entries(db, record_id=record_id)))  # oldest first


def _raw(path: Path) -> sqlite3.Connection:
    """A connection around the app (as a person with a SQLite tool would have)."""
    return sqlite3.connect(path, isolation_level=None)


def _errors(db: Database) -> list[str]:
    return [f.message for f in check_database(db, 2024).findings if f.severity == "error"]


def test_a_form_save_records_who_when_which_pc_and_only_the_changed_fields(db: Database) -> None:
    place = _place(db)
    records.update(db, dataclasses.replace(records.get(db, r.Place, place.id), name="さくら体操クラブ", capacity=20),
                   today=TODAY)
    records.remove(db, r.Place, place.id)
    records.restore(db, r.Place, place.id)
    found = _entries(db, place.id)
    assert [e.action for e in found] == ["insert", "update", "delete", "restore"]
    assert all(e.user_name == "テスト担当" and e.pc == lock.pc_name() and e.origin_db == db.database_id
               and e.table_name == "places" for e in found)
    assert found[0].changes["name"] == "さくら体操の会" and found[0].changes["start_date"] == "2024-04-01"
    # only what changed, before → after; the stamps (updated_at, change_seq …) are not fields
    assert found[1].changes == {"name": ["さくら体操の会", "さくら体操クラブ"], "capacity": [None, 20]}
    assert list(found[2].changes) == ["deleted_at"] and found[2].changes["deleted_at"][0] is None
    assert found[3].changes["deleted_at"][1] is None
    stamped = db.scalar("SELECT updated_at FROM places WHERE id = ?", (place.id,))
    assert found[-1].at == stamped  # the entry's time is the write's stamp
    assert audit_log.chain_breaks(db.conn) == [] and _errors(db) == []


def test_a_refused_write_leaves_no_entry(db: Database) -> None:
    place = _place(db)
    before = db.scalar("SELECT COUNT(*) FROM audit_log"), db.scalar("SELECT COUNT(*) FROM audit_seals")
    with pytest.raises(ValidationFailed):  # refused by the rules before any SQL
        records.add(db, r.Gathering(place.id, date(2024, 5, 1), attendance_total=3, male=5), today=TODAY)
    with pytest.raises(Exception):  # refused by SQLite (a unique name) midway through the transaction
        records.add(db, r.Place(CHIYODA, "さくら体操の会", start_date=date(2024, 4, 1)), today=TODAY)
    bad = [r.Gathering(place.id, date(2024, 5, 1), attendance_total=3), r.Gathering("nope", date(2024, 5, 2), 1)]
    with pytest.raises(Exception):  # the bulk path, refused by a foreign key after its first row
        records.add_many(db, bad, today=TODAY)
    after = db.scalar("SELECT COUNT(*) FROM audit_log"), db.scalar("SELECT COUNT(*) FROM audit_seals")
    assert after == before
    assert db.scalar("SELECT COUNT(*) FROM audit_context") == 0
    assert not ownership.schema_difference(db.conn)  # the bulk path's trigger is back


def test_the_bulk_path_logs_every_row_in_one_seal(db: Database) -> None:
    place = _place(db)
    items = [r.Gathering(place.id, date(2024, 5, day), attendance_total=day) for day in range(1, 29)]
    assert records.add_many(db, items, today=TODAY) == 28
    ids = [row[0] for row in db.query("SELECT id FROM gatherings ORDER BY rowid")]
    logged = db.query("SELECT e.record_id, e.action, s.user_name, e.changes FROM audit_log e"
                      " JOIN audit_seals s ON s.id = e.tx WHERE e.table_name = 'gatherings' ORDER BY e.seq")
    assert [row[0] for row in logged] == ids
    assert {(row[1], row[2], row[3]) for row in logged} == {("insert", "テスト担当", "")}
    assert db.scalar("SELECT COUNT(*) FROM audit_seals") == 2  # the place's write, then the bulk one
    assert not ownership.schema_difference(db.conn) and audit_log.chain_breaks(db.conn) == []
    # a later edit of one of them is logged by its trigger again
    one = records.get(db, r.Gathering, ids[3])
    records.update(db, dataclasses.replace(one, attendance_total=40), today=TODAY)
    assert _entries(db, ids[3])[-1].changes == {"attendance_total": [4, 40]}


def test_an_import_names_its_file_on_every_entry(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text("区市町村コード,名称,開始日\n131016,けやき会,2024/4/1\n131016,もみじ会,2024/4/1\n",
                    encoding="utf-8")
    result = import_file(db, "places", path, today=TODAY)
    assert result.ok, result.errors
    rows = db.query("SELECT action, detail FROM audit_log WHERE table_name = 'places'")
    assert [tuple(row) for row in rows] == [("insert", "ファイルの取り込み: places.csv")] * 2


def test_a_merge_is_logged_with_what_moved(db: Database) -> None:
    keep, dup = _place(db, "けやき会"), _place(db, "けやきの会")
    gathering = records.add(db, r.Gathering(dup.id, date(2024, 5, 1), attendance_total=5), today=TODAY)
    duplicates.merge_places(db, keep.id, dup.id)
    moved = _entries(db, gathering.id)[-1]
    assert moved.changes["place_id"] == [dup.id, keep.id]
    assert moved.detail == "統合: 「けやきの会」を「けやき会」に"
    assert _entries(db, dup.id)[-1].action == "delete"


def test_lock_unlock_and_user_tables_are_audited_without_password_hashes(db: Database) -> None:
    with db.write() as stamp:
        db.conn.execute("INSERT INTO period_locks (fiscal_year, municipality_code, locked_at, locked_by)"
                        " VALUES (2024, ?, ?, 'テスト担当')", (CHIYODA, stamp.at))
        db.conn.execute("INSERT INTO users (name, role, password_hash, created_at, updated_at)"
                        " VALUES ('山田', 'admin', 'scrypt$16384$8$1$c2FsdA==$aGFzaA==', ?, ?)", (stamp.at, stamp.at))
    with db.write():
        db.conn.execute("UPDATE users SET password_hash = 'scrypt$16384$8$1$bmV3$bmV3' WHERE name = '山田'")
        db.conn.execute("DELETE FROM period_locks")
    users = _entries(db, "山田")
    assert [e.action for e in users] == ["insert", "update"]
    assert users[0].changes["password_hash"] == "password changed"
    assert users[1].changes == {"password_hash": "password changed"}
    assert "scrypt" not in json.dumps([e.to_json() for e in audit.entries(db)])
    locks = _entries(db, f"2024|{CHIYODA}")
    assert [e.action for e in locks] == ["insert", "erase"] and locks[1].changes["locked_by"] == "テスト担当"


def test_entries_cannot_be_changed_or_deleted_through_sqlite(db_path: Path) -> None:
    with Database.open(db_path, user="a") as db:
        _place(db)
    conn = _raw(db_path)
    for statement in ("UPDATE audit_log SET record_id = 'someone else'", "DELETE FROM audit_log",
                      "UPDATE audit_seals SET user_name = 'someone else'", "DELETE FROM audit_seals"):
        with pytest.raises(sqlite3.DatabaseError, match="audit entries cannot be"):
            conn.execute(statement)
    conn.close()


def _edit_around_the_guards(path: Path, *statements: str) -> None:
    conn = _raw(path)
    for guard in ("audit_log_no_update", "audit_log_no_delete", "audit_seals_no_update"):
        conn.execute(f"DROP TRIGGER IF EXISTS {guard}")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def _three_entries(path: Path) -> str:
    with Database.open(path, user="a") as db:
        place = _place(db)
        records.update(db, dataclasses.replace(records.get(db, r.Place, place.id), capacity=10), today=TODAY)
        records.update(db, dataclasses.replace(records.get(db, r.Place, place.id), capacity=12), today=TODAY)
        assert db.scalar("SELECT max(seq) FROM audit_log") == 3
    return place.id


def test_check_names_an_edited_entry_by_its_seq(db_path: Path) -> None:
    _three_entries(db_path)
    _edit_around_the_guards(db_path, "UPDATE audit_log SET changes = replace(changes, '>10', '>99') WHERE seq = 2")
    with Database.open(db_path) as db:
        errors = _errors(db)
    assert any("変更履歴の記録（2番）が書き換えられています" in e for e in errors), errors


def test_check_finds_a_removed_entry_and_a_removed_last_entry(db_path: Path, tmp_path: Path) -> None:
    _three_entries(db_path)
    other = tmp_path / "other.sqlite3"
    shutil.copyfile(db_path, other)
    _edit_around_the_guards(db_path, "DELETE FROM audit_log WHERE seq = 2")
    _edit_around_the_guards(other, "DELETE FROM audit_log WHERE seq = 3")
    for path, seq in ((db_path, 2), (other, 3)):
        with Database.open(path) as db:
            assert any(f"（{seq}番から）が失われている" in e for e in _errors(db)), _errors(db)


def test_a_write_around_the_app_is_logged_and_sealed_by_the_next_write(db_path: Path) -> None:
    place_id = _three_entries(db_path)
    conn = _raw(db_path)
    conn.execute("UPDATE places SET notes = 'こっそり' WHERE id = ?", (place_id,))
    conn.close()
    with Database.open(db_path, user="b") as db:
        warned = [f.message for f in check_database(db, 2024).findings if "4番" in f.message]
        assert warned and "まだ確認用の値がありません" in warned[0]
        sneaky = _entries(db, place_id)[-1]
        assert sneaky.changes == {"notes": ["", "こっそり"]} and sneaky.user_name == ""
        _place(db, "次の保存")
        assert audit_log.chain_breaks(db.conn) == []


def test_a_restore_leaves_one_entry_naming_the_backup(db_path: Path, tmp_path: Path) -> None:
    with Database.open(db_path, user="a") as db:
        _place(db, "バックアップ前")
        backup = backups.make_backup(db, tmp_path / "backups").path
    with Database.open(db_path, user="a") as db:
        _place(db, "バックアップ後")
    result = backups.restore_backup(db_path, Path(backup), folder=tmp_path / "kept", user="復元者")
    with Database.open(db_path) as db:
        last = audit.entries(db, limit=1)[0]
        assert last.action == "restore_backup" and last.user_name == "復元者"
        assert json.loads(last.detail) == {"backup": Path(backup).name, "kept": result.kept_copy.name}
        assert db.scalar("SELECT COUNT(*) FROM places WHERE name = 'バックアップ後'") == 0
        assert audit_log.chain_breaks(db.conn) == []


def test_upgrade_from_schema_9_with_data_audits_from_then_on(tmp_path: Path) -> None:
    path = tmp_path / "v9.sqlite3"
    _database_at_version(path, 9)
    with Database.open(path, user="更新者") as db:
        assert db.schema_version() == migrations.latest_version()
        assert db.scalar("SELECT COUNT(*) FROM gatherings") == 20
        assert db.scalar("SELECT COUNT(*) FROM audit_log") == 0  # the data of before is not invented history
        assert not ownership.schema_difference(db.conn)
        place = records.get(db, r.Place, PLACE_ID)
        records.update(db, dataclasses.replace(place, notes="更新後"), today=TODAY)
        assert _entries(db, PLACE_ID)[0].changes == {"notes": ["", "更新後"]}
        assert _errors(db) == []


def test_check_names_the_edited_entry_inside_a_bulk_write(db_path: Path) -> None:
    with Database.open(db_path, user="a") as db:
        place = _place(db)
        records.add_many(db, [r.Gathering(place.id, date(2024, 5, d), attendance_total=d) for d in range(1, 11)],
                         today=TODAY)
        assert db.query("SELECT first_seq, last_seq FROM audit_seals ORDER BY id")[-1][:] == (2, 11)
    _edit_around_the_guards(db_path, "UPDATE audit_log SET record_id = 'b' WHERE seq = 5")
    with Database.open(db_path) as db:
        breaks = audit_log.chain_breaks(db.conn)
    assert [(b.seq, b.reason) for b in breaks] == [(5, "changed")]


def test_who_wrote_is_kept_once_per_write_and_checked(db_path: Path) -> None:
    """Who, when and which PC are the seal's; changing them in the seal is found at the write's first entry."""
    with Database.open(db_path, user="a") as db:
        place = _place(db)
        records.add_many(db, [r.Gathering(place.id, date(2024, 5, d), attendance_total=d) for d in range(1, 11)],
                         today=TODAY)
        assert {e.user_name for e in audit.entries(db)} == {"a"}
        assert db.scalar("SELECT COUNT(*) FROM audit_log WHERE at IS NOT NULL") == 0  # not copied per entry
    _edit_around_the_guards(db_path, "UPDATE audit_seals SET user_name = 'b' WHERE first_seq = 2")
    with Database.open(db_path) as db:
        assert [(b.seq, b.reason) for b in audit_log.chain_breaks(db.conn)] == [(2, "changed")]
        assert {e.user_name for e in audit.entries(db) if e.table_name == "gatherings"} == {"b"}


def test_entries_read_inside_their_own_write_name_the_writer(db: Database) -> None:
    """Before COMMIT the write has no seal yet: who and when come from the write under way."""
    with db.write():
        place = _place(db)
        assert [(e.user_name, bool(e.at)) for e in _entries(db, place.id)] == [("テスト担当", True)]


def test_every_table_is_audited_or_named_as_not(db: Database) -> None:
    """A table a later migration adds is audited only once that migration calls audit_triggers.install()."""
    from kaigo_desktop.storage import audit_triggers

    tables = {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'"
                                         " AND name NOT LIKE 'sqlite_%'")}
    triggers = {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for table in tables - audit_triggers.NOT_AUDITED:
        for event in ("insert", "update", "delete"):
            assert f"audit_trail_{table}_{event}" in triggers, (table, event)
    assert {"users", "period_locks", "period_events", "places", "gatherings"} <= tables - audit_triggers.NOT_AUDITED


def test_check_names_an_entry_removed_from_inside_a_bulk_write(db_path: Path) -> None:
    with Database.open(db_path, user="a") as db:
        place = _place(db)
        records.add_many(db, [r.Gathering(place.id, date(2024, 5, d), attendance_total=d) for d in range(1, 11)],
                         today=TODAY)
    _edit_around_the_guards(db_path, "DELETE FROM audit_log WHERE seq = 6")
    with Database.open(db_path) as db:
        assert [(b.seq, b.reason) for b in audit_log.chain_breaks(db.conn)] == [(6, "missing")]



def test_a_removed_entry_and_an_edited_one_are_found_past_the_fast_path(db_path: Path) -> None:
    """Each seal is first checked whole (its number of entries, its last hash); one that fails is walked entry
    by entry, so the break is still named by its entry."""
    with Database.open(db_path, user="a") as db:
        place = _place(db)
        for day in range(1, 6):  # five writes, five seals
            records.add(db, r.Gathering(place.id, date(2024, 5, day), attendance_total=day), today=TODAY)
    _edit_around_the_guards(db_path, "UPDATE audit_log SET detail = 'x' WHERE seq = 3")
    with Database.open(db_path) as db:
        assert [(b.seq, b.reason) for b in audit_log.chain_breaks(db.conn)] == [(3, "changed")]
    _edit_around_the_guards(db_path, "DELETE FROM audit_log WHERE seq = 5")
    with Database.open(db_path) as db:
        assert [(b.seq, b.reason) for b in audit_log.chain_breaks(db.conn)] == [(3, "changed"), (5, "missing")]
