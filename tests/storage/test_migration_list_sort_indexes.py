"""Upgrading a database that holds data from the schema before the list's sort indexes (0014 in this branch;
found by name, so renumbering on merge needs no change here): the records stay, the indexes exist and the
list comes out of them in order."""

from __future__ import annotations

from pathlib import Path

from kaigo_desktop.services import gatherings_view as gv
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import PLACE_ID, database_before

LIST_INDEXES = {"gatherings_list_date", "gatherings_list_attendance", "gatherings_list_updated",
                "places_list_kana", "places_list_municipality"}


def test_upgrade_keeps_the_records_and_adds_the_list_indexes(tmp_path: Path) -> None:
    path = tmp_path / "before.sqlite3"
    ours = database_before("list_sort_indexes", path)
    with Database.open(path, user="更新者") as db:
        assert db.schema_version() == migrations.latest_version() >= ours
        assert db.scalar("SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (PLACE_ID,)) == 20
        indexes = {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert LIST_INDEXES <= indexes
        assert db.query("PRAGMA integrity_check")[0][0] == "ok"
        by_attendance = gv.list_keys(db, gv.ListQuery(sort_key="attendance_total", descending=False))
        assert [row.attendance_total for row in gv.list_rows(db, by_attendance)] == list(range(1, 21))
        start = gv.list_start(db, gv.ListQuery(sort_key="place"), 5)
        assert (start.total, len(start.keys), start.complete) == (20, 5, False)
        assert [row.held_on.day for row in start.rows] == [20, 19, 18, 17, 16, 5, 4, 3, 2, 1]  # first and last
