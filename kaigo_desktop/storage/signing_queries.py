"""All SQL of bundle signing (kaigo_desktop/services/bundle_signing.py): this database's key, the trusted PCs,
and the name this database goes by in the bundles it signs."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple


class TrustedPc(NamedTuple):
    database_id: str
    name: str
    public_key: bytes
    fingerprint: str
    added_at: str
    added_by: str


def own_key(conn: sqlite3.Connection, database_id: str) -> bytes | None:
    row = conn.execute("SELECT private_key FROM exchange_signing_key WHERE database_id = ?",
                       (database_id,)).fetchone()
    return None if row is None else bytes(row[0])


def save_own_key(conn: sqlite3.Connection, database_id: str, private_key: bytes, public_key: bytes,
                 at: str) -> None:
    """The key of `database_id`; keys of any earlier id of this file (before `bundle new-id`) go."""
    conn.execute("DELETE FROM exchange_signing_key WHERE database_id <> ?", (database_id,))
    conn.execute("INSERT INTO exchange_signing_key (database_id, private_key, public_key, created_at)"
                 " VALUES (?, ?, ?, ?)", (database_id, private_key, public_key, at))


def forget_keys_except(conn: sqlite3.Connection, database_id: str) -> None:
    conn.execute("DELETE FROM exchange_signing_key WHERE database_id <> ?", (database_id,))


def own_name(conn: sqlite3.Connection) -> str:
    """The default 区市町村 and センター of this database ('' when it was never set up with `init`)."""
    parts = [row[0] for row in conn.execute(
        "SELECT m.name FROM settings s JOIN municipalities m ON m.code = s.value"
        " WHERE s.key = 'default_municipality'"
        " UNION ALL SELECT c.name FROM settings s JOIN centers c ON c.id = s.value WHERE s.key = 'default_center'")]
    return " ".join(parts)


def trusted_pcs(conn: sqlite3.Connection) -> list[TrustedPc]:
    return [TrustedPc(*row) for row in conn.execute(
        "SELECT database_id, name, public_key, fingerprint, added_at, added_by FROM exchange_trusted_pcs"
        " ORDER BY added_at, database_id")]


def trusted_pc(conn: sqlite3.Connection, database_id: str) -> TrustedPc | None:
    row = conn.execute("SELECT database_id, name, public_key, fingerprint, added_at, added_by"
                       " FROM exchange_trusted_pcs WHERE database_id = ?", (database_id,)).fetchone()
    return None if row is None else TrustedPc(*row)


def add_trusted_pc(conn: sqlite3.Connection, pc: TrustedPc) -> None:
    conn.execute("INSERT INTO exchange_trusted_pcs (database_id, name, public_key, fingerprint, added_at, added_by)"
                 " VALUES (?, ?, ?, ?, ?, ?)", tuple(pc))


def remove_trusted_pc(conn: sqlite3.Connection, database_id: str) -> int:
    return conn.execute("DELETE FROM exchange_trusted_pcs WHERE database_id = ?", (database_id,)).rowcount
