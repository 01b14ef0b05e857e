"""Audit entries in exchange bundles: the sender's own entries about the records it sends travel in
content.json ("audit"), so the receiving municipality sees who at a center changed what.

The receiver keeps them in audit_received with their origin (the bundle's source_db) and their origin's seq,
as they came: they are not re-chained as its own entries (its chain vouches for what happened on this PC;
the bundle's signature by a trusted PC vouches for these). An entry received twice is kept once. Receiving
them is one own entry-less write: the import's own changes to records have their own entries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from kaigo_desktop.services.bundle_format import MAX_AUDIT_ENTRIES
from kaigo_desktop.storage import audit_log

# The order of an entry's fields in a bundle (bundle_format.AuditRow).
BUNDLE_FIELDS = ("seq", "at", "user_name", "pc", "action", "table_name", "record_id", "changes", "detail")


def block_for(conn: sqlite3.Connection, tables: dict[str, Any]) -> dict[str, Any] | None:
    """The "audit" block of a bundle carrying `tables`: own entries about those records, oldest first, at
    most MAX_AUDIT_ENTRIES (the oldest kept when there are more: the newest are sent again next time)."""
    ids = [row[0] for block in tables.values() for row in block["rows"]]
    rows = [[row[field] for field in BUNDLE_FIELDS]
            for row in audit_log.own_entries_for(conn, ids, limit=MAX_AUDIT_ENTRIES)]
    return {"rows": rows} if rows else None


def received_values(entries: Iterable[Sequence[Any]], source_db: str, at: str) -> list[tuple[int, list[Any]]]:
    """A bundle's entries (already validated by bundle_format, each in the order of BUNDLE_FIELDS) under their
    origin, ready for keep_received (made on the reading thread; see audit_log.received_values)."""
    return audit_log.received_values(source_db, entries, at)


def keep_received(conn: sqlite3.Connection, values: list[tuple[int, list[Any]]]) -> int:
    """Store entries made ready by received_values; how many were new."""
    return audit_log.keep_received(conn, values)
