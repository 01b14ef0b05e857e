"""Upgrading a database of schema 9 that holds data to the period locks (0011): the records stay, nothing is
locked, and the lock then refuses a change of a locked 年度 of that old data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kaigo_desktop.services import approval
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import PLACE_ID, _database_at_version


def test_upgrade_from_9_keeps_the_records_and_locks_them_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "v9.sqlite3"
    _database_at_version(path, 9)
    with Database.open(path, user="更新者") as db:
        assert db.schema_version() == migrations.latest_version() >= 11
        assert db.scalar("SELECT COUNT(*) FROM gatherings") == 20
        assert db.scalar("SELECT COUNT(*) FROM period_locks") == 0
        assert approval.list_periods(db) == []
        db.conn.execute("UPDATE gatherings SET attendance_total = 30 WHERE held_on = '2024-05-01'")  # open
        db.conn.execute("INSERT INTO period_locks VALUES (2024, '131016', '2025-05-10T00:00:00Z', '')")
        with pytest.raises(sqlite3.IntegrityError, match="PERIOD_LOCKED"):
            db.conn.execute("UPDATE gatherings SET attendance_total = 31 WHERE held_on = '2024-05-01'")
        with pytest.raises(sqlite3.IntegrityError, match="PERIOD_LOCKED"):
            db.conn.execute("UPDATE places SET end_date = '2024-06-30' WHERE id = ?", (PLACE_ID,))
        assert db.scalar("SELECT attendance_total FROM gatherings WHERE held_on = '2024-05-01'") == 30
