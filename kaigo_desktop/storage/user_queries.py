"""The users of a database (db/0010_users.sql): the SQL of services/users.py. A removed user keeps its row
(removed_at), so that the names in updated_by and the audit trail stay explained."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kaigo_desktop.storage.database import Database, utc_now

COLUMNS = "name, role, center_id, promoter_id, password_hash, created_at, updated_at, removed_at"


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    center_id: str | None
    promoter_id: str | None
    password_hash: str
    created_at: str
    updated_at: str
    removed_at: str | None


def _user(row: sqlite3.Row) -> UserRow:
    return UserRow(*(row[column.strip()] for column in COLUMNS.split(",")))


def has_users(conn: sqlite3.Connection) -> bool:
    """Whether the database has any user (not removed); False before migration 0010 too."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone() is None:
        return False
    return conn.execute("SELECT 1 FROM users WHERE removed_at IS NULL LIMIT 1").fetchone() is not None


def live_users(db: Database) -> list[UserRow]:
    return [_user(row) for row in db.query(f"SELECT {COLUMNS} FROM users WHERE removed_at IS NULL ORDER BY name")]


def find(db: Database, name: str, *, include_removed: bool = False) -> UserRow | None:
    removed = "" if include_removed else " AND removed_at IS NULL"
    rows = db.query(f"SELECT {COLUMNS} FROM users WHERE name = ?{removed}", (name,))
    return _user(rows[0]) if rows else None


def admin_count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND removed_at IS NULL"))


def save(db: Database, name: str, role: str, center_id: str | None, promoter_id: str | None,
         password_hash: str) -> None:
    """Add the user, or bring back a removed one of that name with the new role and password."""
    now = utc_now()
    with db.write():
        db.conn.execute(
            "INSERT INTO users (name, role, center_id, promoter_id, password_hash, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role,"
            " center_id = excluded.center_id, promoter_id = excluded.promoter_id,"
            " password_hash = excluded.password_hash, updated_at = excluded.updated_at, removed_at = NULL",
            (name, role, center_id, promoter_id, password_hash, now, now))


def set_role(db: Database, name: str, role: str, center_id: str | None, promoter_id: str | None) -> None:
    with db.write():
        db.conn.execute("UPDATE users SET role = ?, center_id = ?, promoter_id = ?, updated_at = ?"
                        " WHERE name = ? AND removed_at IS NULL", (role, center_id, promoter_id, utc_now(), name))


def set_password(db: Database, name: str, password_hash: str) -> None:
    with db.write():
        db.conn.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ? AND removed_at IS NULL",
                        (password_hash, utc_now(), name))


def remove(db: Database, name: str) -> None:
    now = utc_now()
    with db.write():
        db.conn.execute("UPDATE users SET removed_at = ?, updated_at = ?, password_hash = ''"
                        " WHERE name = ? AND removed_at IS NULL", (now, now, name))


def live_center(db: Database, center_id: str) -> bool:
    return db.scalar("SELECT 1 FROM centers WHERE id = ? AND deleted_at IS NULL", (center_id,)) is not None


def live_promoter(db: Database, promoter_id: str) -> bool:
    return db.scalar("SELECT 1 FROM promoters WHERE id = ? AND deleted_at IS NULL", (promoter_id,)) is not None


def center_choices(db: Database) -> list[tuple[str, str]]:
    """(id, name) of the live centers, for choosing a センター職員's center."""
    return [(row[0], row[1]) for row in db.query(
        "SELECT c.id, m.name || ' ' || c.name FROM centers c JOIN municipalities m ON m.code = c.municipality_code"
        " WHERE c.deleted_at IS NULL ORDER BY c.municipality_code, c.kana, c.name")]


def promoter_choices(db: Database) -> list[tuple[str, str]]:
    """(id, name) of the live promoters, for choosing a 推進員's own record."""
    return [(row[0], row[1]) for row in db.query(
        "SELECT p.id, m.name || ' ' || p.name FROM promoters p JOIN municipalities m ON m.code = p.municipality_code"
        " WHERE p.deleted_at IS NULL ORDER BY p.municipality_code, p.kana, p.name")]
