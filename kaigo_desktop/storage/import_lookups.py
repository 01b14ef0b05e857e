"""Small reads the file import needs beyond storage.lookups: what is already recorded, so an import can tell
"added" from "updated" and warn about duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.ids import natural_id
from kaigo_desktop.storage.rows import spec_for


def natural_record_id(record: Any) -> str:
    """The id the repository gives a natural-key record (members, population, expenses)."""
    spec = spec_for(record)
    if not spec.natural_key:
        raise ValueError(f"{spec.table} has no natural key")
    return natural_id(spec.table, *(getattr(record, key) for key in spec.natural_key))


def live_natural_record_exists(db: Database, record: Any) -> bool:
    """True when a live (not deleted) record with the same natural key as `record` is stored."""
    table = spec_for(record).table
    return db.scalar(f"SELECT 1 FROM {table} WHERE id = ? AND deleted_at IS NULL",
                     (natural_record_id(record),)) == 1


def live_places(db: Database) -> list[tuple[str, str, str]]:
    """(id, municipality code, name) of every live place: the one lookup an import resolves places through."""
    cursor = db.conn.execute("SELECT id, municipality_code, name FROM places WHERE deleted_at IS NULL")
    cursor.row_factory = None
    return cursor.fetchall()


def last_gathering_rowid(db: Database) -> int:
    """The highest rowid of gatherings: the rows an import inserts after this are above it (rowids only grow
    on insert)."""
    return db.scalar("SELECT coalesce(max(rowid), 0) FROM gatherings")


# For each gathering inserted above :before (in rowid order = the order written), the latest other live
# gathering of the same place and date written before it: above :before, an earlier row of the same file; at
# or below, one stored before the import. One probe of gatherings_place_stats per row — named, because the
# list's gatherings_list_date (held_on) looks as good to the planner and holds a thousand rows per day.
_SAME_PLACE_AND_DATE = """
SELECT position, earlier > :before FROM (
    SELECT row_number() OVER (ORDER BY n.rowid) - 1 AS position,
           (SELECT max(o.rowid) FROM gatherings o INDEXED BY gatherings_place_stats
             WHERE o.place_id = n.place_id AND o.held_on = n.held_on AND o.deleted_at IS NULL
               AND o.rowid < n.rowid) AS earlier
      FROM gatherings n WHERE n.rowid > :before)
 WHERE earlier IS NOT NULL"""


# The same answer in one ordered pass over gatherings_place_stats (no probe per row): the groups of live gatherings
# sharing a place and date that hold a new one, each group's rowids listed.
SAME_PLACE_AND_DATE_GROUPS = """
SELECT group_concat(rowid) FROM gatherings INDEXED BY gatherings_place_stats
 WHERE deleted_at IS NULL
 GROUP BY place_id, held_on HAVING count(*) > 1 AND max(rowid) > :before"""


def same_place_and_date(db: Database, before: int) -> Iterator[tuple[int, bool]]:
    """(0-based position among the gatherings inserted above rowid `before`, whether the earlier one is also
    new) for each new gathering sharing its place and date with an earlier live one, in no particular order."""
    count, first, last = db.conn.execute("SELECT COUNT(*), min(rowid), max(rowid) FROM gatherings WHERE rowid > ?",
                                         (before,)).fetchone()
    if not count:
        return
    if last - first + 1 != count:  # rowids not one after the other (never seen): position by counting them
        cursor = db.conn.execute(_SAME_PLACE_AND_DATE, {"before": before})
        cursor.row_factory = None
        for position, again in cursor:
            yield position, bool(again)
        return
    cursor = db.conn.execute(SAME_PLACE_AND_DATE_GROUPS, {"before": before})
    cursor.row_factory = None
    for (joined,) in cursor:
        rowids = sorted(map(int, joined.split(",")))
        for earlier, rowid in zip(rowids, rowids[1:]):
            if rowid > before:
                yield rowid - first, earlier > before


def live_assignment(db: Database, promoter_id: str, place_id: str, start_date: date) -> tuple[str, date | None] | None:
    """(id, end date) of a live assignment of this promoter to this place from this date, if any."""
    row = db.conn.execute(
        "SELECT id, end_date FROM assignments WHERE promoter_id = ? AND place_id = ? AND start_date = ?"
        " AND deleted_at IS NULL ORDER BY id LIMIT 1",
        (promoter_id, place_id, start_date.isoformat())).fetchone()
    if row is None:
        return None
    return row[0], date.fromisoformat(row[1]) if row[1] else None


def activity_exists(db: Database, promoter_id: str, done_on: date, kind: str, place_id: str | None) -> bool:
    """True when a live activity of the promoter on that day, of that kind, at that place is stored."""
    return db.scalar(
        "SELECT 1 FROM activities WHERE promoter_id = ? AND done_on = ? AND kind = ? AND place_id IS ?"
        " AND deleted_at IS NULL LIMIT 1",
        (promoter_id, done_on.isoformat(), kind, place_id)) == 1
