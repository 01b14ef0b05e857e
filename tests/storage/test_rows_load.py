"""repository.RowsLoad: rows in table form written many per statement, the statements' values put together on
one thread and run on another. Every row arrives exactly once with its own new id (or the id it carries), the
write's stamps and one audit entry, across statements and across takes; a statement breaking a constraint
leaves nothing of its write."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import records
from kaigo_desktop.storage import many_rows, repository
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import ConstraintError
from kaigo_desktop.storage.ids import is_uuid
from kaigo_desktop.storage.rows import spec_for

TODAY = date(2025, 6, 30)
COLUMNS = ("place_id", "held_on", "attendance_total", "notes")


@pytest.fixture
def place(db: Database) -> r.Place:
    return records.add(db, r.Place("131016", "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)


def gathering_rows(place: r.Place, count: int) -> list[tuple]:
    return [(place.id, (date(2024, 5, 1) + timedelta(days=i % 300)).isoformat(), 10 + i % 7, f"行{i}")
            for i in range(count)]


def test_rows_spread_over_statements_and_takes_arrive_once_each_with_new_ids_stamps_and_entries(
        db: Database, place: r.Place, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(many_rows, "MAX_PARAMETERS", 6 + 10 * 5)  # 6 stamps, 5 columns a row: 10 rows
    rows = gathering_rows(place, 57)
    with db.write() as stamp:
        load = repository.RowsLoad(db, spec_for(r.Gathering), COLUMNS)
        assert load.per_statement == 10
        for row in rows[:25]:
            load.add(row)
        first = load.take()  # only the two full statements
        assert [count for count, _values in first] == [10, 10] and load.pending == 5
        writer = threading.Thread(target=load.write, args=(first,))  # run on another thread, as an import does
        writer.start()
        writer.join()
        for row in rows[25:]:
            load.add(row)
        rest = load.take(final=True)
        assert [count for count, _values in rest] == [10, 10, 10, 7] and load.pending == 0
        load.write(rest)
    stored = db.conn.execute("SELECT id, place_id, held_on, attendance_total, notes, created_at, updated_at,"
                             " updated_by, change_seq, deleted_at FROM gatherings ORDER BY rowid").fetchall()
    assert [tuple(row[1:5]) for row in stored] == rows
    assert all(is_uuid(row[0]) for row in stored) and len({row[0] for row in stored}) == 57
    assert {(row[5], row[6], row[7], row[8], row[9]) for row in stored} == {
        (stamp.at, stamp.at, stamp.by, stamp.change_seq, None)}
    entries = db.conn.execute("SELECT record_id FROM audit_log WHERE table_name = 'gatherings'"
                              " AND action = 'insert' ORDER BY seq").fetchall()
    assert [entry[0] for entry in entries] == [row[0] for row in stored]


def test_an_id_carried_by_a_row_is_kept_and_a_blank_one_made(db: Database, place: r.Place) -> None:
    given = "0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee"
    with db.write():
        load = repository.RowsLoad(db, spec_for(r.Gathering), ("id", *COLUMNS))
        load.add((given, place.id, "2024-05-01", 12, ""))
        load.add(("", place.id, "2024-05-02", 13, ""))
        load.write(load.take(final=True))
    ids = [row[0] for row in db.conn.execute("SELECT id FROM gatherings ORDER BY held_on")]
    assert ids[0] == given and is_uuid(ids[1]) and ids[1] != given


def test_a_statement_breaking_a_constraint_leaves_nothing_of_its_write(db: Database, place: r.Place) -> None:
    rows = gathering_rows(place, 5)
    rows[3] = (place.id, "2024-05-04", -1, "")  # attendance below zero: the CHECK constraint
    with pytest.raises(ConstraintError):
        with db.write():
            load = repository.RowsLoad(db, spec_for(r.Gathering), COLUMNS)
            for row in rows:
                load.add(row)
            load.write(load.take(final=True))
    assert db.scalar("SELECT COUNT(*) FROM gatherings") == 0
    assert db.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'gatherings'") == 0
