"""Upgrading a database that holds data from the version before the participants migration: the records stay,
the new tables exist with their bounds and foreign keys, and the audit trail covers them."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.records import Center
from kaigo_desktop.services import participants, records
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import _database_at_version, version_of

STAMP = "'2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'x', 'db', NULL, 1"


def _participants_version() -> int:
    return version_of("participants")


@pytest.fixture
def upgraded(tmp_path: Path):
    path = tmp_path / "before.sqlite3"
    _database_at_version(path, _participants_version() - 1)
    db = Database.open(path, user="更新者")
    yield db
    db.close()


def test_upgrade_keeps_records_and_adds_the_tables(upgraded):
    db = upgraded
    assert db.schema_version() == migrations.latest_version()
    assert db.scalar("SELECT count(*) FROM gatherings") == 20
    assert db.query("PRAGMA foreign_key_check") == []
    center = records.add(db, Center("131016", "北センター"))
    person = participants.add_participant(db, pr.Participant(center.id, "", 1940, 1, "男性"), today=date(2025, 1, 1))
    assert person.number == "000001"
    triggers = {row[0] for row in db.query("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                                           " AND name LIKE 'audit_trail_%'")}
    assert {"participants", "participant_places", "frailty_checks", "questionnaires"} <= triggers
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'participants'") == 1


@pytest.mark.parametrize("statement", [
    "INSERT INTO participants VALUES ('{id}', '{center}', 'N1', 1940, 13, '男性', '', '', {stamp})",
    "INSERT INTO participants VALUES ('{id}', '{center}', ' N1', 1940, 1, '男性', '', '', {stamp})",
    "INSERT INTO participants VALUES ('{id}', '{center}', 'N1', 1940, 1, 'M', '', '', {stamp})",
    "INSERT INTO participants VALUES ('{id}', '00000000-0000-0000-0000-000000000000', 'N1', 1940, 1, '男性',"
    " '', '', {stamp})",
])
def test_bounds_and_foreign_keys_are_the_last_guard(upgraded, statement):
    db = upgraded
    center = records.add(db, Center("131016", "北センター"))
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(statement.format(id="01900000-0000-7000-8000-00000000abcd", center=center.id, stamp=STAMP))


def test_check_answers_and_measures_bounded(upgraded):
    db = upgraded
    center = records.add(db, Center("131016", "北センター"))
    person = participants.add_participant(db, pr.Participant(center.id, "", 1940, 1, "男性"), today=date(2025, 1, 1))
    insert = ("INSERT INTO frailty_checks (id, participant_id, checked_on, {column}, created_at, updated_at,"
              " origin_db) VALUES ('01900000-0000-7000-8000-00000000abce', ?, '2024-06-01', {value}, 'x', 'x', 'd')")
    for column, value in (("q1", 2), ("q25", -1), ("height_cm, weight_kg", "99, 50"), ("height_cm", 160)):
        with pytest.raises(sqlite3.IntegrityError):
            db.conn.execute(insert.format(column=column, value=value), (person.id,))
