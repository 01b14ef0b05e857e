"""All SQL of the metropolitan view (issue 18): a 区市町村's declared 短期集中予防サービス, and on 東京都's
database its mark, trusted keys per 区市町村, received submissions, targets, counting rules and indicators."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from kaigo_desktop.storage.database import Database, WriteStamp


class TrustedKey(NamedTuple):
    municipality_code: str
    database_id: str
    name: str
    public_key: bytes
    fingerprint: str
    added_at: str
    added_by: str


# ---- a 区市町村's declaration ---------------------------------------------------------------------------

def declaration(db: Database, fiscal_year: int, municipality_code: str) -> sqlite3.Row | None:
    found = db.query("SELECT offered, users, updated_at, updated_by FROM short_term_service_declarations"
                     " WHERE fiscal_year = ? AND municipality_code = ?", (fiscal_year, municipality_code))
    return found[0] if found else None


def save_declaration(db: Database, stamp: WriteStamp, fiscal_year: int, municipality_code: str, offered: bool,
                     users: int | None) -> None:
    db.conn.execute(
        "INSERT INTO short_term_service_declarations"
        " (fiscal_year, municipality_code, offered, users, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (fiscal_year, municipality_code) DO UPDATE SET offered = excluded.offered,"
        " users = excluded.users, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        (fiscal_year, municipality_code, int(offered), users, stamp.at, db.audit_name))


# ---- 東京都's database ------------------------------------------------------------------------------------

def is_metro(db: Database) -> bool:
    return db.scalar("SELECT count(*) FROM metro_marker") > 0


def mark_metro(db: Database, stamp: WriteStamp) -> None:
    db.conn.execute("INSERT OR IGNORE INTO metro_marker (only, created_at, created_by) VALUES (1, ?, ?)",
                    (stamp.at, db.audit_name))


def holds_municipal_records(db: Database) -> bool:
    """Anything a 区市町村 records (a database in use by one is never turned into 東京都's)."""
    return bool(db.scalar(
        "SELECT EXISTS (SELECT 1 FROM centers) OR EXISTS (SELECT 1 FROM places) OR EXISTS (SELECT 1 FROM promoters)"
        " OR EXISTS (SELECT 1 FROM settings WHERE key = 'default_municipality')"))


def trusted_keys(db: Database, municipality_code: str | None = None) -> list[TrustedKey]:
    where, params = ("WHERE municipality_code = ?", (municipality_code,)) if municipality_code else ("", ())
    return [TrustedKey(row[0], row[1], row[2], bytes(row[3]), *row[4:]) for row in db.query(
        "SELECT municipality_code, database_id, name, public_key, fingerprint, added_at, added_by"
        f" FROM metro_trusted_keys {where} ORDER BY municipality_code, added_at", params)]


def key_owner(db: Database, public_key: bytes) -> str | None:
    return db.scalar("SELECT municipality_code FROM metro_trusted_keys WHERE public_key = ?", (public_key,))


def add_trusted_key(db: Database, key: TrustedKey) -> None:
    db.conn.execute("INSERT INTO metro_trusted_keys (municipality_code, database_id, name, public_key, fingerprint,"
                    " added_at, added_by) VALUES (?, ?, ?, ?, ?, ?, ?)", tuple(key))


def current_submission(db: Database, municipality_code: str, fiscal_year: int) -> sqlite3.Row | None:
    found = db.query("SELECT * FROM metro_submissions WHERE municipality_code = ? AND fiscal_year = ?"
                     " AND replaced_at IS NULL", (municipality_code, fiscal_year))
    return found[0] if found else None


def current_submissions(db: Database, fiscal_year: int) -> list[sqlite3.Row]:
    return db.query("SELECT * FROM metro_submissions WHERE fiscal_year = ? AND replaced_at IS NULL"
                    " ORDER BY municipality_code", (fiscal_year,))


def replaced_counts(db: Database, fiscal_year: int) -> dict[str, int]:
    return {row[0]: row[1] for row in db.query(
        "SELECT municipality_code, count(*) FROM metro_submissions WHERE fiscal_year = ? AND replaced_at IS NOT NULL"
        " GROUP BY municipality_code", (fiscal_year,))}


def add_submission(db: Database, stamp: WriteStamp, *, municipality_code: str, fiscal_year: int, created_at: str,
                   created_by: str, source_db: str, fingerprint: str, locked: bool, content: str,
                   content_sha256: str, file_name: str) -> int:
    return db.conn.execute(
        "INSERT INTO metro_submissions (municipality_code, fiscal_year, created_at, created_by, source_db,"
        " fingerprint, locked, content, content_sha256, imported_at, imported_by, file_name)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (municipality_code, fiscal_year, created_at, created_by, source_db, fingerprint, int(locked), content,
         content_sha256, stamp.at, db.audit_name, file_name)).fetchone()[0]


def mark_replaced(db: Database, stamp: WriteStamp, submission_id: int, replaced_by_id: int | None,
                  reason: str) -> None:
    db.conn.execute("UPDATE metro_submissions SET replaced_at = ?, replaced_by_id = ?, replaced_reason = ?"
                    " WHERE id = ?", (stamp.at, replaced_by_id, reason, submission_id))


def targets(db: Database) -> list[sqlite3.Row]:
    return db.query("SELECT item, fiscal_year, target FROM metro_targets ORDER BY item, fiscal_year")


def save_target(db: Database, stamp: WriteStamp, item: str, fiscal_year: int, target: int | None) -> None:
    db.conn.execute("INSERT INTO metro_targets (item, fiscal_year, target, updated_at, updated_by)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (item, fiscal_year) DO UPDATE SET target = excluded.target,"
                    " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    (item, fiscal_year, target, stamp.at, db.audit_name))


def item_rules(db: Database) -> dict[str, int]:
    return {row[0]: row[1] for row in db.query("SELECT item, minimum FROM metro_item_rules")}


def save_item_rule(db: Database, item: str, minimum: int) -> None:
    db.conn.execute("INSERT INTO metro_item_rules (item, minimum) VALUES (?, ?)"
                    " ON CONFLICT (item) DO UPDATE SET minimum = excluded.minimum", (item, minimum))


def indicators(db: Database, fiscal_year: int) -> dict[str, sqlite3.Row]:
    return {row["key"]: row for row in db.query(
        "SELECT key, value, source, source_year FROM metro_indicators WHERE fiscal_year = ?", (fiscal_year,))}


def save_indicator(db: Database, stamp: WriteStamp, key: str, fiscal_year: int, value: float | None, source: str,
                   source_year: int | None) -> None:
    db.conn.execute("INSERT INTO metro_indicators (key, fiscal_year, value, source, source_year, updated_at,"
                    " updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, fiscal_year) DO UPDATE SET"
                    " value = excluded.value, source = excluded.source, source_year = excluded.source_year,"
                    " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    (key, fiscal_year, value, source, source_year, stamp.at, db.audit_name))
