"""Upgrading a database that holds data (places, gatherings, a typed 参加者実人数, participants) from the version
before the rosters migration: the records stay, the typed figure still counts, the new table exists with its
foreign keys and its audit trigger, and a roster recorded after the upgrade replaces the typed figure."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.records import Center, Members
from kaigo_desktop.services import participants, records, rosters, stats
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import PLACE_ID, _database_at_version, version_of

TODAY = date(2025, 6, 1)


def _rosters_version() -> int:
    return version_of("gathering_rosters")


@pytest.fixture
def upgraded(tmp_path: Path):
    path = tmp_path / "before.sqlite3"
    _database_at_version(path, _rosters_version() - 1)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO members (id, place_id, fiscal_year, total, created_at, updated_at, origin_db)"
                 f" VALUES ('01900000-0000-7000-8000-00000000f001', '{PLACE_ID}', 2024, 15, 'x', 'x', 'db-old')")
    conn.commit()
    conn.close()
    db = Database.open(path, user="更新者")
    yield db
    db.close()


def test_upgrade_keeps_records_and_a_roster_then_replaces_the_typed_figure(upgraded):
    db = upgraded
    assert db.schema_version() == migrations.latest_version()
    assert db.scalar("SELECT count(*) FROM gatherings") == 20
    assert db.query("PRAGMA foreign_key_check") == []
    assert stats.fiscal_year_stats(db, 2024, today=TODAY).members_total == 15
    triggers = {row[0] for row in db.query("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
                                           " AND name LIKE 'audit_trail_%'")}
    assert "gathering_participants" in triggers
    center = records.add(db, Center("131016", "北センター"))
    db.conn.execute("UPDATE places SET center_id = ? WHERE id = ?", (center.id, PLACE_ID))
    person = participants.add_participant(db, pr.Participant(center.id, "", 1940, 1, "男性"), today=TODAY)
    records.add(db, pr.Attendance(person.id, PLACE_ID, date(2024, 4, 1)), today=TODAY)
    gathering_id = db.scalar("SELECT id FROM gatherings WHERE held_on = '2024-05-03'")  # 参加者数 3
    rosters.record_roster(db, gathering_id, [person.id], today=TODAY)
    assert stats.fiscal_year_stats(db, 2024, today=TODAY).members_total == 1
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute("INSERT INTO gathering_participants VALUES ('01900000-0000-7000-8000-00000000abcd',"
                        f" '{gathering_id}', '00000000-0000-0000-0000-000000000000', 'x', 'x', '', 'db', NULL, 1)")
