"""Upgrading a database that holds data from the schema before gatherings_live_date was dropped (found by
name, so renumbering needs no change here): the records stay, the index is gone, the others are there, and the
reads that walked gatherings by date still walk an index without sorting."""

from __future__ import annotations

from pathlib import Path

from kaigo_desktop.services import gatherings_view as gv
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.gathering_queries import ordered_keys_sql
from kaigo_desktop.storage.listing import GatheringFilter
from tests.storage.test_migrations import PLACE_ID, database_before

KEPT = {"gatherings_stats", "gatherings_place_stats", "gatherings_list_date", "gatherings_list_attendance",
        "gatherings_list_updated", "gatherings_promoter", "gatherings_trash", "gatherings_change_seq"}


def _gathering_indexes(db: Database) -> set[str]:
    return {row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'index'"
                                       " AND tbl_name = 'gatherings' AND sql IS NOT NULL")}


def test_upgrade_keeps_the_records_and_drops_only_the_unused_date_index(tmp_path: Path) -> None:
    path = tmp_path / "before.sqlite3"
    ours = database_before("drop_gatherings_live_date", path)
    with Database.open(path, user="更新者") as db:
        assert db.schema_version() == migrations.latest_version() >= ours
        assert db.scalar("SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (PLACE_ID,)) == 20
        assert "gatherings_live_date" not in _gathering_indexes(db)
        assert KEPT <= _gathering_indexes(db)
        assert db.query("PRAGMA integrity_check")[0][0] == "ok"
        by_date = gv.list_keys(db, gv.ListQuery(sort_key="held_on", descending=False))
        assert [row.held_on.day for row in gv.list_rows(db, by_date)] == list(range(1, 21))


def test_the_list_by_date_walks_its_own_index_without_sorting(db: Database) -> None:
    sql, params = ordered_keys_sql(GatheringFilter(), "held_on", False, first_only=True)
    plan = " | ".join(row[3] for row in db.query(f"EXPLAIN QUERY PLAN {sql} LIMIT 100", params))
    assert "gatherings_list_date" in plan and "TEMP B-TREE" not in plan, plan
