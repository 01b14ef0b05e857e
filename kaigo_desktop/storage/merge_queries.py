"""The writes of merging two places or two promoters into one: references moved to the survivor and the
duplicate turned into a tombstone. Every UPDATE stamps the rows it changes (updated_at, updated_by,
origin_db, change_seq) from the transaction's stamp, so an exchange sees each moved row as changed."""

from __future__ import annotations

from datetime import date

from kaigo_desktop.domain import records as r
from kaigo_desktop.storage.database import Database, WriteStamp
from kaigo_desktop.storage.errors import RecordNotFoundError
from kaigo_desktop.storage.rows import from_row

# (table, column) pairs that refer to a place or a promoter.
PLACE_REFERENCES = (("gatherings", "place_id"), ("assignments", "place_id"), ("activities", "place_id"))
PROMOTER_REFERENCES = (("gatherings", "promoter_id"), ("assignments", "promoter_id"), ("activities", "promoter_id"))
CENTER_REFERENCES = (("places", "center_id"), ("promoters", "center_id"))
_REFERENCES = frozenset(PLACE_REFERENCES + PROMOTER_REFERENCES + CENTER_REFERENCES)
_STAMP = "updated_at = :at, updated_by = :by, origin_db = :origin, change_seq = :seq"


def _stamp(stamp: WriteStamp) -> dict[str, object]:
    return {"at": stamp.at, "by": stamp.by, "origin": stamp.origin_db, "seq": stamp.change_seq}


def _checked(table: str, column: str) -> None:
    if (table, column) not in _REFERENCES:
        raise ValueError(f"{table}.{column}")


def live_reference_count(db: Database, table: str, column: str, record_id: str) -> int:
    _checked(table, column)
    return db.scalar(f"SELECT COUNT(*) FROM {table} WHERE {column} = ? AND deleted_at IS NULL", (record_id,))


def move_references(db: Database, table: str, column: str, from_id: str, to_id: str) -> int:
    """Point every row of `table` (live or in the trash) that refers to from_id at to_id; the number of
    rows changed."""
    _checked(table, column)
    with db.write() as stamp:
        cursor = db.conn.execute(
            f"UPDATE {table} SET {column} = :to, {_STAMP} WHERE {column} = :from",
            {"to": to_id, "from": from_id, **_stamp(stamp)})
    return cursor.rowcount


def assignments_also_held_by(db: Database, column: str, survivor_id: str, duplicate_id: str) -> list[str]:
    """Ids of the duplicate's live assignments that the survivor also has (same promoter or place on the
    other side, same start date): moving them would make two of the same."""
    if column not in ("place_id", "promoter_id"):
        raise ValueError(column)
    other = "promoter_id" if column == "place_id" else "place_id"
    return [row[0] for row in db.query(
        f"SELECT d.id FROM assignments d JOIN assignments s ON s.{other} = d.{other}"
        f" AND s.start_date = d.start_date AND s.{column} = ? AND s.deleted_at IS NULL"
        f" WHERE d.{column} = ? AND d.deleted_at IS NULL ORDER BY d.id", (survivor_id, duplicate_id))]


def soft_delete_assignments(db: Database, ids: list[str]) -> int:
    with db.write() as stamp:
        changed = 0
        for assignment_id in ids:
            changed += db.conn.execute(
                f"UPDATE assignments SET deleted_at = :at, {_STAMP} WHERE id = :id AND deleted_at IS NULL",
                {"id": assignment_id, **_stamp(stamp)}).rowcount
    return changed


def live_members(db: Database, place_id: str) -> list[r.Members]:
    """The live 参加者実人数 of one place, by 年度."""
    return [from_row(r.Members, row) for row in db.query(
        "SELECT * FROM members WHERE place_id = ? AND deleted_at IS NULL ORDER BY fiscal_year", (place_id,))]


def gatherings_outside(db: Database, place_id: str, start: date | None, end: date | None) -> int:
    """Live gatherings of a place held before `start` or after `end` (an open end is no limit)."""
    return db.scalar(
        "SELECT COUNT(*) FROM gatherings WHERE place_id = ? AND deleted_at IS NULL"
        " AND ((? IS NOT NULL AND held_on < ?) OR (? IS NOT NULL AND held_on > ?))",
        (place_id, *(2 * [start.isoformat() if start else None]), *(2 * [end.isoformat() if end else None])))


def activities_outside(db: Database, promoter_id: str, start: date, end: date | None) -> int:
    """Live activities of a promoter done before `start` or after `end`."""
    return db.scalar(
        "SELECT COUNT(*) FROM activities WHERE promoter_id = ? AND deleted_at IS NULL"
        " AND (done_on < ? OR (? IS NOT NULL AND done_on > ?))",
        (promoter_id, start.isoformat(), *(2 * [end.isoformat() if end else None])))


def tombstone(db: Database, table: str, record_id: str, note: str) -> None:
    """Soft-delete a merged place or promoter, adding `note` as the last line of its 備考."""
    if table not in ("places", "promoters"):
        raise ValueError(table)
    with db.write() as stamp:
        cursor = db.conn.execute(
            f"UPDATE {table} SET notes = CASE WHEN notes = '' THEN :note ELSE notes || char(10) || :note END,"
            f" deleted_at = :at, {_STAMP} WHERE id = :id AND deleted_at IS NULL",
            {"note": note, "id": record_id, **_stamp(stamp)})
        if cursor.rowcount != 1:
            raise RecordNotFoundError(f"統合する記録が見つかりません（削除済みの可能性があります）: {record_id}")
