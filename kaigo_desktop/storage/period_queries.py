"""The SQL of approval and period locks (db/0011_period_locks.sql): center confirmations, locks, their events,
and the Japanese refusal a lock trigger's PERIOD_LOCKED becomes."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year
from kaigo_desktop.storage.database import Database, WriteStamp
from kaigo_desktop.storage.errors import PeriodLockedError

# ---- the refusal ---------------------------------------------------------------------------------------


def _row_fiscal_year(row: dict[str, Any] | None) -> int | None:
    """The 年度 a written row counts in, when the row says (a gathering, an activity, a figure of a 年度)."""
    if not row:
        return None
    if isinstance(row.get("fiscal_year"), int):
        return row["fiscal_year"]
    for column in ("held_on", "done_on"):
        try:
            return fiscal_year_of(date.fromisoformat(row[column]))
        except (KeyError, TypeError, ValueError):
            continue
    return None


def locked_message(conn: sqlite3.Connection, row: dict[str, Any] | None = None) -> str:
    """「令和6年度は提出済み（ロック中）のため変更できません。」: the row's 年度 when it is locked, else every locked
    年度 (the trigger's message cannot carry it: SQLite before 3.47 raises only a literal)."""
    years = sorted({r[0] for r in conn.execute("SELECT fiscal_year FROM period_locks")})
    own = _row_fiscal_year(row)
    if own in years:
        years = [own]
    named = "・".join(format_fiscal_year(fy) for fy in years) or "この年度"
    return (f"{named}は提出済み（ロック中）のため変更できません。"
            "変更が必要なときは、区市町村管理者が理由を記録してロックを解除してください。")


def period_locked_error(conn: sqlite3.Connection, row: dict[str, Any] | None = None) -> PeriodLockedError:
    return PeriodLockedError(locked_message(conn, row))


# ---- reading ---------------------------------------------------------------------------------------------


def lock_of(db: Database, fiscal_year: int, municipality_code: str) -> sqlite3.Row | None:
    found = db.query("SELECT fiscal_year, municipality_code, locked_at, locked_by FROM period_locks"
                     " WHERE fiscal_year = ? AND municipality_code = ?", (fiscal_year, municipality_code))
    return found[0] if found else None


def locks(db: Database) -> list[sqlite3.Row]:
    return db.query("SELECT l.fiscal_year, l.municipality_code, m.name AS municipality_name, l.locked_at,"
                    " l.locked_by FROM period_locks l JOIN municipalities m ON m.code = l.municipality_code"
                    " ORDER BY l.fiscal_year, l.municipality_code")


def municipality_of(db: Database, table: str, record_id: str) -> str | None:
    """The 区市町村 of a place or promoter (table "places" / "promoters")."""
    assert table in ("places", "promoters")
    return db.scalar(f"SELECT municipality_code FROM {table} WHERE id = ?", (record_id,))


def locks_holding(db: Database, table: str, record_id: str) -> list[sqlite3.Row]:
    """The locks (fiscal_year, locked_at) of the 年度 a live place or promoter is active in, oldest first: the
    ones its lock triggers (db/0011) guard it for."""
    assert table in ("places", "promoters")
    return db.query(
        f"SELECT l.fiscal_year, l.locked_at FROM {table} r JOIN period_locks l"
        " ON l.municipality_code = r.municipality_code"
        " WHERE r.id = ? AND r.deleted_at IS NULL"
        " AND (r.start_date IS NULL OR r.start_date <= (l.fiscal_year + 1) || '-03-31')"
        " AND (r.end_date IS NULL OR r.end_date >= l.fiscal_year || '-04-01')"
        " ORDER BY l.fiscal_year", (record_id,))


def centers_to_confirm(db: Database, fiscal_year: int, municipality_code: str) -> list[sqlite3.Row]:
    """The live centers of the 区市町村 with a place active in the 年度, each with its confirmation (or NULLs)."""
    start, end = f"{fiscal_year}-04-01", f"{fiscal_year + 1}-03-31"
    return db.query(
        "SELECT c.id, c.name, cc.confirmed_at, cc.confirmed_by FROM centers c"
        " LEFT JOIN center_confirmations cc ON cc.center_id = c.id AND cc.fiscal_year = :fy"
        " WHERE c.municipality_code = :code AND c.deleted_at IS NULL AND EXISTS ("
        "  SELECT 1 FROM places p WHERE p.center_id = c.id AND p.deleted_at IS NULL"
        "  AND (p.start_date IS NULL OR p.start_date <= :end) AND (p.end_date IS NULL OR p.end_date >= :start))"
        " ORDER BY c.kana, c.name, c.id",
        {"fy": fiscal_year, "code": municipality_code, "start": start, "end": end})


def center(db: Database, center_id: str) -> sqlite3.Row | None:
    found = db.query("SELECT id, name, municipality_code FROM centers WHERE id = ? AND deleted_at IS NULL",
                     (center_id,))
    return found[0] if found else None


def confirmation(db: Database, fiscal_year: int, center_id: str) -> sqlite3.Row | None:
    found = db.query("SELECT confirmed_at, confirmed_by FROM center_confirmations"
                     " WHERE fiscal_year = ? AND center_id = ?", (fiscal_year, center_id))
    return found[0] if found else None


def events(db: Database, fiscal_year: int | None = None, municipality_code: str | None = None) -> list[sqlite3.Row]:
    sql, params = "SELECT * FROM period_events WHERE 1 = 1", []
    if fiscal_year is not None:
        sql += " AND fiscal_year = ?"
        params.append(fiscal_year)
    if municipality_code is not None:
        sql += " AND municipality_code = ?"
        params.append(municipality_code)
    return db.query(sql + " ORDER BY id", params)


def periods_with_activity(db: Database) -> list[tuple[int, str]]:
    """(年度, 区市町村) pairs that have a lock, a confirmation or an event: what `period list` shows."""
    rows = db.query(
        "SELECT fiscal_year, municipality_code FROM period_locks"
        " UNION SELECT fiscal_year, municipality_code FROM period_events"
        " UNION SELECT cc.fiscal_year, c.municipality_code FROM center_confirmations cc"
        "  JOIN centers c ON c.id = cc.center_id"
        " ORDER BY 1, 2")
    return [(row[0], row[1]) for row in rows]


# ---- writing (inside the caller's db.write(), so the event and the change are one transaction) ------------


def add_event(db: Database, stamp: WriteStamp, fiscal_year: int, municipality_code: str, action: str, *,
              center_id: str | None = None, reason: str = "") -> None:
    db.conn.execute("INSERT INTO period_events (fiscal_year, municipality_code, center_id, action, at, by, reason)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (fiscal_year, municipality_code, center_id, action, stamp.at, stamp.by, reason))


def add_confirmation(db: Database, stamp: WriteStamp, fiscal_year: int, center_id: str) -> None:
    db.conn.execute("INSERT INTO center_confirmations (fiscal_year, center_id, confirmed_at, confirmed_by)"
                    " VALUES (?, ?, ?, ?)", (fiscal_year, center_id, stamp.at, stamp.by))


def remove_confirmation(db: Database, fiscal_year: int, center_id: str) -> None:
    db.conn.execute("DELETE FROM center_confirmations WHERE fiscal_year = ? AND center_id = ?",
                    (fiscal_year, center_id))


def add_lock(db: Database, stamp: WriteStamp, fiscal_year: int, municipality_code: str) -> None:
    db.conn.execute("INSERT INTO period_locks (fiscal_year, municipality_code, locked_at, locked_by)"
                    " VALUES (?, ?, ?, ?)", (fiscal_year, municipality_code, stamp.at, stamp.by))


def remove_lock(db: Database, fiscal_year: int, municipality_code: str) -> None:
    db.conn.execute("DELETE FROM period_locks WHERE fiscal_year = ? AND municipality_code = ?",
                    (fiscal_year, municipality_code))
