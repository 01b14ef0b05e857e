"""Small reads the file import needs beyond storage.lookups: what is already recorded, so an import can tell
"added" from "updated" and warn about duplicates."""

from __future__ import annotations

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


def gathering_dates(db: Database, place_id: str) -> set[date]:
    """Dates of the live gatherings of one place."""
    return {date.fromisoformat(row[0]) for row in db.query(
        "SELECT held_on FROM gatherings WHERE place_id = ? AND deleted_at IS NULL", (place_id,))}


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
