"""Upgrading a database of schema 9 that holds data to users and roles (0010): the records stay, it has no
users so it behaves as before (the implicit administrator), and users added afterwards work on the old rows."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.records import Center, Gathering, Place
from kaigo_desktop.services import records, users
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import PLACE_ID, _database_at_version


def test_upgrade_from_9_keeps_the_records_and_needs_no_login(tmp_path: Path) -> None:
    path = tmp_path / "v9.sqlite3"
    _database_at_version(path, 9)
    with Database.open(path, user="更新者") as db:
        assert db.schema_version() == migrations.latest_version() >= 10
        assert db.scalar("SELECT COUNT(*) FROM gatherings") == 20 and db.database_id == "db-old"
        assert db.actor == roles.IMPLICIT_ADMIN and not users.has_users(db)
        center = records.add(db, Center("131016", "神田センター"))
        place = records.get(db, Place, PLACE_ID)
        records.update(db, dataclasses.replace(place, center_id=center.id), today=date(2024, 6, 30))
        users.add_user(db, "田中", roles.ADMIN, password="pw")
        users.add_user(db, "鈴木", roles.STAFF, center_id=center.id)
    with Database.open(path) as db:
        assert db.actor == roles.NOBODY
        users.login(db, "鈴木", "")
        saved = records.add(db, Gathering(PLACE_ID, date(2024, 6, 21), 9), today=date(2024, 6, 30))
        assert saved.meta.updated_by == "鈴木"
        assert db.scalar("SELECT COUNT(*) FROM gatherings") == 21
