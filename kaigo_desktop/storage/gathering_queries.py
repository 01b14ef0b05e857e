"""Reads and trash moves for the 開催記録 screen: the ordered key list of the big list (filtered and sorted in
SQL), its rows fetched by key, the entry form's choices, and one place's recent gatherings.

The list's keys are the table's rowids, not the UUID ids: a million of them fit in an 8 MB array and come
out of the covering index about twice as fast. A rowid only changes on VACUUM, which the app never runs
while a database is open, and the key list is rebuilt after every change anyway."""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Sequence
from datetime import date

from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.listing import GatheringFilter
from kaigo_desktop.storage.listing import gathering_where as _where
from kaigo_desktop.storage.rows import from_row

# Sort key → the SQL expressions ordered by; the rowid is always the final tie-breaker, in the same direction.
# Every order is an index walked from either end, so the first rows come at once (db/0016_list_sort_indexes.sql).
# The place sorts walk places by よみ (the id keeps two places of one name and よみ apart) and each place's
# gatherings along gatherings_place_stats (by date; two of one day by attendance).
_PLACE_ORDER = ("p.kana", "p.name", "p.id", "g.held_on", "g.attendance_total", "g.professionals")
LIST_SORTS: dict[str, tuple[str, ...]] = {
    "held_on": ("g.held_on",),
    "municipality": ("p.municipality_code", *_PLACE_ORDER),
    "place": _PLACE_ORDER,
    "attendance_total": ("g.attendance_total",),
    "updated_at": ("g.updated_at",),
}

LIST_COLUMNS = (
    "g.rowid AS list_key, g.id, g.place_id, p.name AS place_name, p.kana AS place_kana,"
    " p.municipality_code, m.name AS municipality_name, g.held_on, g.start_time, g.end_time, g.programs,"
    " g.attendance_total, g.male, g.female, g.age_under_65, g.age_65_74, g.age_75_plus, g.new_participants,"
    " g.professionals, g.promoter_id, pr.name AS promoter_name, g.notes, g.updated_at, g.updated_by,"
    " g.deleted_at"
)


def ordered_keys_sql(flt: GatheringFilter, sort_key: str, descending: bool, *, first_only: bool = False
                     ) -> tuple[str, list]:
    """SELECT of the keys the filter matches in list order. Unfiltered, SQLite walks an index in that order
    instead of sorting; filtered, it does so only for `first_only` (a LIMIT follows): then it stops after the
    first rows, where for the whole list finding the matching rows by the filter's index and sorting them is
    faster (one 区市町村 of 300,000 gatherings: 0.3 s, against 3 s walking all 1.1M dates for it).
    tests/storage/test_list_sort_plans.py holds it to that."""
    if sort_key not in LIST_SORTS:
        raise ValueError(f"unknown sort key {sort_key!r}")
    expressions = LIST_SORTS[sort_key]
    by_place = expressions[0].startswith("p.")
    walking = ("place" if by_place else expressions[0].removeprefix("g.")) if first_only else None
    where, params = _where(flt, walking=walking)
    source = "gatherings g"
    if by_place:
        source = "places p CROSS JOIN gatherings g ON g.place_id = p.id"  # CROSS JOIN: places outside
        if flt.municipality_code:  # the same condition as the filter's, for places' own index
            where += " AND p.municipality_code = ?"
            params.append(flt.municipality_code)
    direction = "DESC" if descending else "ASC"
    order = ", ".join(f"{e} {direction}" for e in (*expressions, "g.rowid"))
    return f"SELECT g.rowid FROM {source} WHERE {where} ORDER BY {order}", params


def gathering_keys(db: Database, flt: GatheringFilter, *, sort_key: str = "held_on",
                   descending: bool = True, limit: int | None = None) -> array:
    """The keys of the gatherings the filter matches, in list order (the first `limit` of them), as an array
    of 64-bit integers."""
    sql, params = ordered_keys_sql(flt, sort_key, descending, first_only=limit is not None)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    cursor = db.conn.cursor()
    cursor.row_factory = None  # plain tuples: a sqlite3.Row per key would cost a third more time
    cursor.execute(sql, params)
    keys = array("q")
    while batch := cursor.fetchmany(50_000):
        keys.extend(row[0] for row in batch)
    return keys


def gathering_rows_by_keys(db: Database, keys: Sequence[int]) -> list[sqlite3.Row]:
    """The list rows of the given keys, in the given order; keys no longer in the table are skipped."""
    if not keys:
        return []
    rows = db.query(
        f"SELECT {LIST_COLUMNS} FROM gatherings g JOIN places p ON p.id = g.place_id"
        " JOIN municipalities m ON m.code = p.municipality_code LEFT JOIN promoters pr ON pr.id = g.promoter_id"
        " WHERE g.rowid IN (SELECT value FROM json_each(?))", [json.dumps(list(keys))])
    by_key = {row["list_key"]: row for row in rows}
    return [by_key[k] for k in keys if k in by_key]


def set_trashed(db: Database, keys: Sequence[int], trashed: bool) -> int:
    """Move the gatherings of these keys to the trash (or back) in one transaction, stamped like any other
    write; returns how many changed (those already there are left alone)."""
    if not keys:
        return 0
    with db.write() as stamp:
        cursor = db.conn.execute(
            "UPDATE gatherings SET deleted_at = ?, updated_at = ?, updated_by = ?, origin_db = ?, change_seq = ?"
            f" WHERE rowid IN (SELECT value FROM json_each(?)) AND deleted_at IS {'NULL' if trashed else 'NOT NULL'}",
            (stamp.at if trashed else None, stamp.at, stamp.by, stamp.origin_db, stamp.change_seq,
             json.dumps(list(keys))))
        return cursor.rowcount


def live_promoters(db: Database, municipality_code: str) -> list[sqlite3.Row]:
    return db.query(
        "SELECT id, name, kana, start_date, end_date FROM promoters WHERE municipality_code = ?"
        " AND deleted_at IS NULL ORDER BY kana, name", (municipality_code,))


def latest_gathering(db: Database, place_id: str, *, exclude_id: str = "") -> Gathering | None:
    """The place's live gathering with the latest date (the last entered of that day on a tie)."""
    row = db.conn.execute(
        "SELECT * FROM gatherings WHERE place_id = ? AND deleted_at IS NULL AND id != ?"
        " ORDER BY held_on DESC, rowid DESC LIMIT 1", (place_id, exclude_id)).fetchone()
    return from_row(Gathering, row) if row else None


def recent_dates(db: Database, place_id: str, upto: date, limit: int) -> list[date]:
    """The place's latest gathering dates on or before `upto`, newest first."""
    return [date.fromisoformat(row[0]) for row in db.conn.execute(
        "SELECT held_on FROM gatherings WHERE place_id = ? AND deleted_at IS NULL AND held_on <= ?"
        " ORDER BY held_on DESC LIMIT ?", (place_id, upto.isoformat(), limit))]


def gatherings_between(db: Database, place_id: str, first: date, last: date) -> list[Gathering]:
    """The place's live gatherings from `first` to `last`, in date order (then entry order)."""
    return [from_row(Gathering, row) for row in db.query(
        "SELECT * FROM gatherings WHERE place_id = ? AND deleted_at IS NULL AND held_on BETWEEN ? AND ?"
        " ORDER BY held_on, rowid", (place_id, first.isoformat(), last.isoformat()))]
