"""Facts the bulk path checks every record against, read once per bulk write."""

from __future__ import annotations

from datetime import date

from kaigo_desktop.storage.database import Database


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def live_place_periods(db: Database) -> dict[str, tuple[date | None, date | None]]:
    return {row[0]: (_date(row[1]), _date(row[2]))
            for row in db.conn.execute("SELECT id, start_date, end_date FROM places WHERE deleted_at IS NULL")}


def live_promoter_ids(db: Database) -> set[str]:
    return {row[0] for row in db.conn.execute("SELECT id FROM promoters WHERE deleted_at IS NULL")}
